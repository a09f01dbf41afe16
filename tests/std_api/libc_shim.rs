//! The few `libc` types std's private types hold, for x86_64 Linux with glibc only (the target
//! whose real std the layout truth tests check), from libc 0.2's definitions for that target.
//! The generator reads this as std's `libc`; elsewhere `libc::` paths stay unknown.
//!
//! Each C alias is written as a one-field struct: it has the layout of the integer it names, and
//! unlike an alias (which the generator expands in place) it is present only on this target.

pub struct c_int(i32);
pub struct c_uint(u32);
pub struct c_long(i64);
pub struct c_ulong(u64);
pub struct mode_t(u32);
pub struct uid_t(u32);
pub struct gid_t(u32);
pub struct pid_t(i32);
pub struct dev_t(u64);
pub struct ino_t(u64);
pub struct ino64_t(u64);
pub struct nlink_t(u64);
pub struct off_t(i64);
pub struct off64_t(i64);
pub struct blksize_t(i64);
pub struct blkcnt64_t(i64);
pub struct time_t(i64);
pub struct pthread_t(u64);

pub struct stat64 {
    pub st_dev: dev_t,
    pub st_ino: ino64_t,
    pub st_nlink: nlink_t,
    pub st_mode: mode_t,
    pub st_uid: uid_t,
    pub st_gid: gid_t,
    __pad0: c_int,
    pub st_rdev: dev_t,
    pub st_size: off_t,
    pub st_blksize: blksize_t,
    pub st_blocks: blkcnt64_t,
    pub st_atime: time_t,
    pub st_atime_nsec: i64,
    pub st_mtime: time_t,
    pub st_mtime_nsec: i64,
    pub st_ctime: time_t,
    pub st_ctime_nsec: i64,
    __reserved: [i64; 3],
}

pub struct statx_timestamp {
    pub tv_sec: i64,
    pub tv_nsec: u32,
    __statx_timestamp_pad1: [i32; 1],
}

pub struct timespec {
    pub tv_sec: time_t,
    pub tv_nsec: c_long,
}

pub enum DIR {}

//! The std types memlens knows, written as Rust source with the field structure of std 1.95.
//!
//! Only layout matters here: fields, generic parameters (with `?Sized` and defaults), `repr`s, the
//! `rustc_layout_scalar_valid_range_*` attributes that give std its niches, the `unsafe_cell` lang
//! item that hides them, and `cfg`s for what differs between targets. Items that are not `pub` are
//! std internals, invisible to user code. Items that share their name with another std item live
//! in a `pub mod` named after their std module (`io::Error`, `fmt::Result`); users' paths to them
//! are named that way (see `paths.rs`). The text is also valid `#![no_core]` Rust, so the truth
//! tests can have rustc lay it out on every target and compare.

/// The prelude source; see the module documentation.
pub const SOURCE: &str = r##"
// Traits that the types below name in `dyn` types. A trait object is laid out the same whatever
// its traits (a data pointer and a vtable pointer), so only their names matter.

pub trait Any {}

pub unsafe auto trait Send {}

pub unsafe auto trait Sync {}

// Markers, pointers and boxes.

#[lang = "phantom_data"]
pub struct PhantomData<T: ?Sized>;

#[rustc_layout_scalar_valid_range_start(1)]
#[repr(transparent)]
pub struct NonNull<T: ?Sized> {
    pointer: *const T,
}

#[repr(transparent)]
struct Unique<T: ?Sized> {
    pointer: NonNull<T>,
    _marker: PhantomData<T>,
}

pub struct Global;

pub struct Box<T: ?Sized, A = Global>(Unique<T>, A);

#[repr(transparent)]
pub struct Pin<Ptr> {
    pointer: Ptr,
}

// Numbers with niches.

#[rustc_layout_scalar_valid_range_start(1)]
#[repr(transparent)]
pub struct NonZero<T>(T);

pub type NonZeroU8 = NonZero<u8>;
pub type NonZeroU16 = NonZero<u16>;
pub type NonZeroU32 = NonZero<u32>;
pub type NonZeroU64 = NonZero<u64>;
pub type NonZeroU128 = NonZero<u128>;
pub type NonZeroUsize = NonZero<usize>;
pub type NonZeroI8 = NonZero<i8>;
pub type NonZeroI16 = NonZero<i16>;
pub type NonZeroI32 = NonZero<i32>;
pub type NonZeroI64 = NonZero<i64>;
pub type NonZeroI128 = NonZero<i128>;
pub type NonZeroIsize = NonZero<isize>;

#[cfg_attr(target_pointer_width = "64", rustc_layout_scalar_valid_range_end(0x7FFF_FFFF_FFFF_FFFF))]
#[cfg_attr(target_pointer_width = "32", rustc_layout_scalar_valid_range_end(0x7FFF_FFFF))]
#[repr(transparent)]
struct UsizeNoHighBit(usize);

#[rustc_layout_scalar_valid_range_end(999_999_999)]
#[repr(transparent)]
struct Nanoseconds(u32);

#[repr(transparent)]
pub struct Wrapping<T>(pub T);

#[repr(transparent)]
pub struct Saturating<T>(pub T);

#[repr(transparent)]
pub struct Reverse<T>(pub T);

#[repr(i8)]
pub enum Ordering {
    Less = -1,
    Equal = 0,
    Greater = 1,
}

// Public enums.

pub enum Option<T> {
    None,
    Some(T),
}

pub enum Result<T, E> {
    Ok(T),
    Err(E),
}

pub enum Cow<'a, B: ?Sized + 'a + ToOwned> {
    Borrowed(&'a B),
    Owned(<B as ToOwned>::Owned),
}

pub trait ToOwned {
    type Owned;
}

impl ToOwned for str {
    type Owned = String;
}

impl<T> ToOwned for [T] {
    type Owned = Vec<T>;
}

impl ToOwned for OsStr {
    type Owned = OsString;
}

impl ToOwned for Path {
    type Owned = PathBuf;
}

impl ToOwned for CStr {
    type Owned = CString;
}

// Cells and wrappers.

#[lang = "unsafe_cell"]
#[repr(transparent)]
pub struct UnsafeCell<T: ?Sized> {
    value: T,
}

#[repr(transparent)]
pub struct Cell<T: ?Sized> {
    value: UnsafeCell<T>,
}

pub struct RefCell<T: ?Sized> {
    borrow: Cell<isize>,
    value: UnsafeCell<T>,
}

pub struct OnceCell<T> {
    inner: UnsafeCell<Option<T>>,
}

#[lang = "manually_drop"]
#[repr(transparent)]
pub struct ManuallyDrop<T: ?Sized> {
    value: T,
}

#[repr(transparent)]
pub union MaybeUninit<T> {
    uninit: (),
    value: ManuallyDrop<T>,
}

// Vectors and strings.

struct RawVecInner<A = Global> {
    ptr: Unique<u8>,
    cap: UsizeNoHighBit,
    alloc: A,
}

struct RawVec<T, A = Global> {
    inner: RawVecInner<A>,
    _marker: PhantomData<T>,
}

pub struct Vec<T, A = Global> {
    buf: RawVec<T, A>,
    len: usize,
}

pub struct String {
    vec: Vec<u8>,
}

pub struct VecDeque<T, A = Global> {
    head: usize,
    len: usize,
    buf: RawVec<T, A>,
}

pub struct BinaryHeap<T, A = Global> {
    data: Vec<T, A>,
}

struct LinkedListNode<T> {
    next: Option<NonNull<LinkedListNode<T>>>,
    prev: Option<NonNull<LinkedListNode<T>>>,
    element: T,
}

pub struct LinkedList<T, A = Global> {
    head: Option<NonNull<LinkedListNode<T>>>,
    tail: Option<NonNull<LinkedListNode<T>>>,
    len: usize,
    alloc: A,
    marker: PhantomData<Box<LinkedListNode<T>, A>>,
}

// OS strings, paths and C strings (the byte-based versions of Unix and WASM).

struct Bytes {
    inner: Vec<u8>,
}

pub struct OsString {
    inner: Bytes,
}

pub struct PathBuf {
    inner: OsString,
}

struct ByteSlice {
    inner: [u8],
}

pub struct OsStr {
    inner: ByteSlice,
}

pub struct Path {
    inner: OsStr,
}

pub struct CString {
    inner: Box<[u8]>,
}

pub struct CStr {
    inner: [u8],
}

// Reference counting.

#[repr(C)]
struct RcInner<T: ?Sized> {
    strong: Cell<usize>,
    weak: Cell<usize>,
    value: T,
}

pub struct Rc<T: ?Sized, A = Global> {
    ptr: NonNull<RcInner<T>>,
    phantom: PhantomData<RcInner<T>>,
    alloc: A,
}

pub struct Weak<T: ?Sized, A = Global> {
    ptr: NonNull<RcInner<T>>,
    alloc: A,
}

#[repr(C)]
struct ArcInner<T: ?Sized> {
    strong: AtomicUsize,
    weak: AtomicUsize,
    data: T,
}

pub struct Arc<T: ?Sized, A = Global> {
    ptr: NonNull<ArcInner<T>>,
    phantom: PhantomData<ArcInner<T>>,
    alloc: A,
}

// Hash tables (hashbrown inside).

pub struct RandomState {
    k0: u64,
    k1: u64,
}

struct RawTableInner {
    bucket_mask: usize,
    ctrl: NonNull<u8>,
    growth_left: usize,
    items: usize,
}

struct RawTable<T, A = Global> {
    table: RawTableInner,
    alloc: A,
    marker: PhantomData<T>,
}

struct HashbrownMap<K, V, S, A = Global> {
    hash_builder: S,
    table: RawTable<(K, V), A>,
}

pub struct HashMap<K, V, S = RandomState> {
    base: HashbrownMap<K, V, S>,
}

struct HashbrownSet<T, S, A = Global> {
    map: HashbrownMap<T, (), S, A>,
}

pub struct HashSet<T, S = RandomState> {
    base: HashbrownSet<T, S>,
}

// B-trees.

struct LeafNode<K, V> {
    parent: Option<NonNull<LeafNode<K, V>>>,
    parent_idx: MaybeUninit<u16>,
    len: u16,
    keys: [MaybeUninit<K>; 11],
    vals: [MaybeUninit<V>; 11],
}

struct BTreeRoot<K, V> {
    height: usize,
    node: NonNull<LeafNode<K, V>>,
    _marker: PhantomData<(K, V)>,
}

pub struct BTreeMap<K, V, A = Global> {
    root: Option<BTreeRoot<K, V>>,
    length: usize,
    alloc: ManuallyDrop<A>,
    _marker: PhantomData<Box<(K, V), A>>,
}

struct SetValZST;

pub struct BTreeSet<T, A = Global> {
    map: BTreeMap<T, SetValZST, A>,
}

// Time.

pub struct Duration {
    secs: u64,
    nanos: Nanoseconds,
}

#[cfg(target_os = "linux")]
struct Timespec {
    tv_sec: i64,
    tv_nsec: Nanoseconds,
}

#[cfg(target_os = "linux")]
pub struct Instant {
    t: Timespec,
}

#[cfg(target_os = "linux")]
pub struct SystemTime {
    t: Timespec,
}

// Atomics: `repr(C, align(size))` around an `UnsafeCell`, so no niche.

#[repr(C, align(1))]
pub struct AtomicBool {
    v: UnsafeCell<u8>,
}

#[repr(C, align(1))]
pub struct AtomicU8 {
    v: UnsafeCell<u8>,
}

#[repr(C, align(1))]
pub struct AtomicI8 {
    v: UnsafeCell<i8>,
}

#[repr(C, align(2))]
pub struct AtomicU16 {
    v: UnsafeCell<u16>,
}

#[repr(C, align(2))]
pub struct AtomicI16 {
    v: UnsafeCell<i16>,
}

#[repr(C, align(4))]
pub struct AtomicU32 {
    v: UnsafeCell<u32>,
}

#[repr(C, align(4))]
pub struct AtomicI32 {
    v: UnsafeCell<i32>,
}

#[repr(C, align(8))]
pub struct AtomicU64 {
    v: UnsafeCell<u64>,
}

#[repr(C, align(8))]
pub struct AtomicI64 {
    v: UnsafeCell<i64>,
}

#[cfg_attr(target_pointer_width = "64", repr(C, align(8)))]
#[cfg_attr(target_pointer_width = "32", repr(C, align(4)))]
pub struct AtomicUsize {
    v: UnsafeCell<usize>,
}

#[cfg_attr(target_pointer_width = "64", repr(C, align(8)))]
#[cfg_attr(target_pointer_width = "32", repr(C, align(4)))]
pub struct AtomicIsize {
    v: UnsafeCell<isize>,
}

#[cfg_attr(target_pointer_width = "64", repr(C, align(8)))]
#[cfg_attr(target_pointer_width = "32", repr(C, align(4)))]
pub struct AtomicPtr<T> {
    p: UnsafeCell<*mut T>,
}

// Locks: the futex-based versions of Linux; other targets' differ and are left unknown.

#[cfg(target_os = "linux")]
struct Futex {
    futex: AtomicU32,
}

#[cfg(target_os = "linux")]
struct PoisonFlag {
    failed: AtomicBool,
}

#[cfg(target_os = "linux")]
pub struct Mutex<T: ?Sized> {
    inner: Futex,
    poison: PoisonFlag,
    data: UnsafeCell<T>,
}

#[cfg(target_os = "linux")]
struct FutexRwLock {
    state: AtomicU32,
    writer_notify: AtomicU32,
}

#[cfg(target_os = "linux")]
pub struct RwLock<T: ?Sized> {
    inner: FutexRwLock,
    poison: PoisonFlag,
    data: UnsafeCell<T>,
}

#[cfg(target_os = "linux")]
pub struct Condvar {
    inner: Futex,
}

#[cfg(target_os = "linux")]
pub struct Once {
    inner: Futex,
}

// Errors and results of std's modules, and their module-level `Result` aliases.

pub mod io {
    use super::*;

    pub struct Error {
        repr: IoRepr,
    }

    pub type Result<T> = super::Result<T, Error>;

    pub enum ErrorKind {
        NotFound,
        PermissionDenied,
        ConnectionRefused,
        ConnectionReset,
        HostUnreachable,
        NetworkUnreachable,
        ConnectionAborted,
        NotConnected,
        AddrInUse,
        AddrNotAvailable,
        NetworkDown,
        BrokenPipe,
        AlreadyExists,
        WouldBlock,
        NotADirectory,
        IsADirectory,
        DirectoryNotEmpty,
        ReadOnlyFilesystem,
        FilesystemLoop,
        StaleNetworkFileHandle,
        InvalidInput,
        InvalidData,
        TimedOut,
        WriteZero,
        StorageFull,
        NotSeekable,
        QuotaExceeded,
        FileTooLarge,
        ResourceBusy,
        ExecutableFileBusy,
        Deadlock,
        CrossesDevices,
        TooManyLinks,
        InvalidFilename,
        ArgumentListTooLong,
        Interrupted,
        Unsupported,
        UnexpectedEof,
        OutOfMemory,
        InProgress,
        Other,
        Uncategorized,
    }
}

// On 64-bit targets an `io::Error` is one pointer whose low bits tag what it holds (std's
// `repr_bitpacked`): never null, so `Option<io::Error>` is 8 bytes too. Elsewhere it is the enum
// of what it can hold (`repr_unpacked`).
#[cfg(target_pointer_width = "64")]
#[repr(transparent)]
struct IoRepr(NonNull<()>, PhantomData<IoErrorData<Box<IoCustom>>>);

#[cfg(target_pointer_width = "32")]
struct IoRepr(IoErrorData<Box<IoCustom>>);

enum IoErrorData<C> {
    Os(i32),
    Simple(io::ErrorKind),
    SimpleMessage(&'static IoSimpleMessage),
    Custom(C),
}

#[repr(align(4))]
struct IoSimpleMessage {
    kind: io::ErrorKind,
    message: &'static str,
}

// std boxes a `dyn Error + Send + Sync`; any trait object has the same layout.
#[repr(align(4))]
struct IoCustom {
    kind: io::ErrorKind,
    error: Box<dyn Any + Send + Sync>,
}

pub mod fmt {
    pub struct Error;

    pub type Result = super::Result<(), Error>;
}

pub mod thread {
    use super::*;

    pub type Result<T> = super::Result<T, Box<dyn Any + Send + 'static>>;
}

// Ranges, as `start..end` and friends build them.

pub struct RangeFrom<Idx> {
    pub start: Idx,
}

pub struct RangeFull;

pub struct RangeTo<Idx> {
    pub end: Idx,
}

pub struct RangeToInclusive<Idx> {
    pub end: Idx,
}

pub enum Bound<T> {
    Included(T),
    Excluded(T),
    Unbounded,
}

pub mod ops {
    pub struct Range<Idx> {
        pub start: Idx,
        pub end: Idx,
    }

    pub struct RangeInclusive<Idx> {
        start: Idx,
        end: Idx,
        exhausted: bool,
    }
}

pub mod sync {
    use super::*;

    pub struct Weak<T: ?Sized, A = Global> {
        ptr: NonNull<ArcInner<T>>,
        alloc: A,
    }
}

// File descriptors: any `i32` but -1 (std's `NotAllOnes<RawFd>`), so `Option<File>` is 4 bytes.

#[cfg(unix)]
#[rustc_layout_scalar_valid_range_start(0)]
#[rustc_layout_scalar_valid_range_end(0xFFFF_FFFE)]
#[repr(transparent)]
struct I32NotAllOnes(i32);

#[cfg(unix)]
#[repr(transparent)]
pub struct OwnedFd {
    fd: I32NotAllOnes,
}

#[cfg(unix)]
#[repr(transparent)]
pub struct BorrowedFd<'fd> {
    fd: I32NotAllOnes,
    _phantom: PhantomData<&'fd OwnedFd>,
}

// C types (`std::ffi::c_int`, `std::os::raw::c_int`) on the targets memlens knows: Linux and WASM.

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
pub type c_char = u8;
#[cfg(not(any(target_arch = "aarch64", target_arch = "arm")))]
pub type c_char = i8;
pub type c_schar = i8;
pub type c_uchar = u8;
pub type c_short = i16;
pub type c_ushort = u16;
pub type c_int = i32;
pub type c_uint = u32;
#[cfg(target_pointer_width = "64")]
pub type c_long = i64;
#[cfg(target_pointer_width = "32")]
pub type c_long = i32;
#[cfg(target_pointer_width = "64")]
pub type c_ulong = u64;
#[cfg(target_pointer_width = "32")]
pub type c_ulong = u32;
pub type c_longlong = i64;
pub type c_ulonglong = u64;
pub type c_float = f32;
pub type c_double = f64;

#[repr(u8)]
pub enum c_void {
    __variant1,
    __variant2,
}

#[cfg(target_os = "linux")]
pub struct OnceLock<T> {
    once: Once,
    value: UnsafeCell<MaybeUninit<T>>,
    _marker: PhantomData<T>,
}

// The SIMD vectors of `core::arch`, as stdarch defines them: `#[repr(simd)]` over one array of
// lanes (the 32-bit Arm ones are unstable but the same).

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[repr(simd)]
pub struct __m128([f32; 4]);

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[repr(simd)]
pub struct __m128i([i64; 2]);

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[repr(simd)]
pub struct __m128d([f64; 2]);

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[repr(simd)]
pub struct __m256([f32; 8]);

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[repr(simd)]
pub struct __m256i([i64; 4]);

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[repr(simd)]
pub struct __m256d([f64; 4]);

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[repr(simd)]
pub struct __m512([f32; 16]);

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[repr(simd)]
pub struct __m512i([i64; 8]);

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[repr(simd)]
pub struct __m512d([f64; 8]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct int8x8_t([i8; 8]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct int8x16_t([i8; 16]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct int16x4_t([i16; 4]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct int16x8_t([i16; 8]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct int32x2_t([i32; 2]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct int32x4_t([i32; 4]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct int64x1_t([i64; 1]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct int64x2_t([i64; 2]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct uint8x8_t([u8; 8]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct uint8x16_t([u8; 16]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct uint16x4_t([u16; 4]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct uint16x8_t([u16; 8]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct uint32x2_t([u32; 2]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct uint32x4_t([u32; 4]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct uint64x1_t([u64; 1]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct uint64x2_t([u64; 2]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct float32x2_t([f32; 2]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct float32x4_t([f32; 4]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct float64x1_t([f64; 1]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct float64x2_t([f64; 2]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct poly8x8_t([u8; 8]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct poly8x16_t([u8; 16]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct poly16x4_t([u16; 4]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct poly16x8_t([u16; 8]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct poly64x1_t([u64; 1]);

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
#[repr(simd)]
pub struct poly64x2_t([u64; 2]);

#[cfg(target_arch = "wasm32")]
#[repr(simd)]
pub struct v128([i32; 4]);
"##;

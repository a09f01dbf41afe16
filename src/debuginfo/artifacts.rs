//! Finding a package's latest debug artifacts: executables and test executables in
//! `target/debug/` and `target/debug/deps/` (honouring `CARGO_TARGET_DIR`).

use std::collections::HashSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A directory holds at most this many entries worth looking at; a larger one is cut there.
const MAX_DIR_ENTRIES: usize = 20_000;

/// One artifact and when it was written.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: PathBuf,
    pub modified: SystemTime,
}

/// The target directory cargo builds the package into: `CARGO_TARGET_DIR` (or
/// `CARGO_BUILD_TARGET_DIR`) if set, relative to the current directory as cargo takes it; else the
/// nearest `target/` holding a `debug/` in the package's directory or one of its ancestors (a
/// workspace's). `build.target-dir` in `.cargo/config.toml` is not read yet.
pub fn target_dir(package_dir: &Path) -> PathBuf {
    let from_env = ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
        .into_iter()
        .find_map(|name| std::env::var_os(name).filter(|dir| !dir.is_empty()));
    if let Some(dir) = from_env {
        let dir = PathBuf::from(dir);
        return std::path::absolute(&dir).unwrap_or(dir);
    }
    package_dir
        .ancestors()
        .map(|dir| dir.join("target"))
        .find(|dir| dir.join("debug").is_dir())
        .unwrap_or_else(|| package_dir.join("target"))
}

/// The executables of the debug profile: binaries and test executables (`deps/`, and their
/// `debug/NAME` copies), examples, build scripts. `deps/` keeps every build's `NAME-HASH`, so old
/// ones are here too; whoever reads them sets aside what is older than the source (staleness).
/// A copy that is a hard link to a file already found is read once.
pub fn debug_artifacts(target_dir: &Path) -> Vec<Artifact> {
    let debug = target_dir.join("debug");
    let mut dirs = vec![debug.join("deps"), debug.join("examples"), debug.clone()];
    dirs.extend(subdirectories(&debug.join("build")));
    let mut seen_inodes = HashSet::new();
    let mut artifacts = Vec::new();
    for dir in dirs {
        for (artifact, inode) in executables(&dir) {
            if seen_inodes.insert(inode) {
                artifacts.push(artifact);
            }
        }
    }
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts
}

/// `build/PACKAGE-HASH/`: one per build script (and per build script's output directory).
fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .take(MAX_DIR_ENTRIES)
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .map(|entry| entry.path())
        .collect()
}

/// Regular files with an execute bit and no extension (`.d`, `.rlib`, `.rmeta` are not
/// executables; `.so` build-script outputs are skipped too).
fn executables(dir: &Path) -> Vec<(Artifact, (u64, u64))> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .take(MAX_DIR_ENTRIES)
        .filter_map(Result::ok)
        .filter(|entry| Path::new(&entry.file_name()).extension().is_none())
        .filter_map(|entry| {
            let metadata = entry.metadata().ok()?;
            let executable = metadata.is_file() && metadata.permissions().mode() & 0o111 != 0;
            let artifact = Artifact {
                path: entry.path(),
                modified: metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            };
            executable.then_some((artifact, (metadata.dev(), metadata.ino())))
        })
        .collect()
}

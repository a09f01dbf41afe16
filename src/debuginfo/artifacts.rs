//! Finding a package's latest debug artifacts: executables and test executables in
//! `target/debug/` and `target/debug/deps/`, examples, the build script, and the library's rlib
//! (honouring `CARGO_TARGET_DIR` and `build.target-dir`).

use std::collections::HashSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::files::{Boundary, read_checked};

/// A directory holds at most this many entries worth looking at; a larger one is cut there.
const MAX_DIR_ENTRIES: usize = 20_000;

/// One artifact and when it was written.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: PathBuf,
    pub modified: SystemTime,
}

/// The target directory cargo builds the package into: `CARGO_TARGET_DIR` (or
/// `CARGO_BUILD_TARGET_DIR`) if set, relative to the current directory as cargo takes it; else
/// `build.target-dir` of the nearest `.cargo/config.toml` in the package's directory or an
/// ancestor (as if cargo ran there; `$CARGO_HOME`'s config is not read); else the nearest
/// `target/` holding a `debug/` there (a workspace's).
pub fn target_dir(package_dir: &Path) -> PathBuf {
    let from_env = ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
        .into_iter()
        .find_map(|name| std::env::var_os(name).filter(|dir| !dir.is_empty()));
    if let Some(dir) = from_env {
        let dir = PathBuf::from(dir);
        return std::path::absolute(&dir).unwrap_or(dir);
    }
    if let Some(dir) = package_dir.ancestors().find_map(configured_target_dir) {
        return dir;
    }
    package_dir
        .ancestors()
        .map(|dir| dir.join("target"))
        .find(|dir| dir.join("debug").is_dir())
        .unwrap_or_else(|| package_dir.join("target"))
}

/// `build.target-dir` of `DIR/.cargo/config.toml` (or the older `config`), relative to `DIR`.
fn configured_target_dir(dir: &Path) -> Option<PathBuf> {
    let cargo_dir = dir.join(".cargo");
    let boundary = Boundary::anywhere();
    let config = ["config.toml", "config"]
        .into_iter()
        .find_map(|name| read_checked(&cargo_dir.join(name), &boundary).ok())?;
    let table: toml::Table = toml::from_str(&config.text).ok()?;
    let target_dir = table.get("build")?.get("target-dir")?.as_str()?;
    Some(dir.join(target_dir))
}

/// What cargo names a package's artifacts after.
#[derive(Debug, Clone)]
pub struct ArtifactNames {
    /// `[package] name` as written: build scripts are built in `build/NAME-HASH/`.
    pub package: String,
    /// The library's crate name (`-` as `_`): its rlib is `deps/libNAME-HASH.rlib`.
    pub lib: Option<String>,
}

/// The debug profile's artifacts of the package: binaries and test executables (`deps/`, and
/// their `debug/NAME` copies), examples, its build script and its library's rlib (all a plain
/// `cargo build` of a library leaves). `deps/` keeps every build's `NAME-HASH`, so old ones are
/// here too; whoever reads them sets aside what is older than the source (staleness). A copy
/// that is a hard link to a file already found is read once.
pub fn debug_artifacts(target_dir: &Path, names: &ArtifactNames) -> Vec<Artifact> {
    let debug = target_dir.join("debug");
    let mut dirs = vec![debug.join("deps"), debug.join("examples"), debug.clone()];
    let build_prefix = format!("{}-", names.package);
    dirs.extend(
        subdirectories(&debug.join("build"))
            .into_iter()
            .filter(|dir| file_name_starts_with(dir, &build_prefix)),
    );
    let mut seen_inodes = HashSet::new();
    let mut artifacts = Vec::new();
    let mut found = |candidates: Vec<(Artifact, (u64, u64))>| {
        for (artifact, inode) in candidates {
            if seen_inodes.insert(inode) {
                artifacts.push(artifact);
            }
        }
    };
    for dir in dirs {
        found(files_in(&dir, is_executable));
    }
    if let Some(lib) = &names.lib {
        let prefix = format!("lib{}-", lib.replace('-', "_"));
        found(files_in(&debug.join("deps"), |path, _| {
            file_name_starts_with(path, &prefix)
                && path.extension().is_some_and(|ext| ext == "rlib")
        }));
    }
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts
}

fn file_name_starts_with(path: &Path, prefix: &str) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with(prefix))
}

/// A regular file with an execute bit and no extension (`.d`, `.rlib`, `.rmeta` are not
/// executables; `.so` proc-macro and build-script outputs are skipped too).
fn is_executable(path: &Path, metadata: &std::fs::Metadata) -> bool {
    path.extension().is_none() && metadata.permissions().mode() & 0o111 != 0
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

/// The regular files of `dir` that `keep` accepts, with their inodes.
fn files_in(
    dir: &Path,
    keep: impl Fn(&Path, &std::fs::Metadata) -> bool,
) -> Vec<(Artifact, (u64, u64))> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .take(MAX_DIR_ENTRIES)
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let path = entry.path();
            let metadata = entry.metadata().ok()?;
            if !metadata.is_file() || !keep(&path, &metadata) {
                return None;
            }
            let artifact = Artifact {
                path,
                modified: metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            };
            Some((artifact, (metadata.dev(), metadata.ino())))
        })
        .collect()
}

//! What cargo's debug build left of a package's build-script runs: the `cfg`s each run set and
//! its `OUT_DIR`, told apart from the runs of the package's other versions.
//!
//! A target directory keeps every run it ever made: after `cargo update`, or when two packages
//! of a workspace use two versions of one dependency, `debug/build/anyhow-<hash>` exists once
//! per version, each with its own `cfg`s. The run directory does not name its version; cargo's
//! fingerprints link it to the compiled build script, whose dep-info names the script's source.

use std::path::{Path, PathBuf};

use crate::analysis::items::include::IncludeEnv;
use crate::files::{Boundary, read_logged};

/// A fingerprint or dep-info file larger than this is not cargo's; it is not read.
const MAX_FINGERPRINT_BYTES: u64 = 1 << 20;
/// At most this many directories of `debug/build` or `.fingerprint` are looked at.
const MAX_BUILD_ENTRIES: usize = 50_000;

/// The `cfg`s the build script of the package in `package_dir` set in `target_dir`'s debug
/// build (`cargo::rustc-cfg=x` lines); `None` when no run is found there, or when several runs
/// (for different feature sets) set different ones: which is this build's cannot be told.
pub fn build_cfgs(target_dir: &Path, package_dir: &Path, package: &str) -> Option<Vec<String>> {
    let mut runs = build_script_runs(target_dir, package_dir, package)
        .into_iter()
        .filter_map(|run| read_logged(&run.join("output"), &Boundary::anywhere()))
        .map(|output| cfgs_printed(&output.text));
    let first = runs.next()?;
    runs.all(|other| other == first).then_some(first)
}

/// What `env!` gives in `include!` paths of the package `package` in `package_dir`: its
/// directory, and the `OUT_DIR` of each of its build-script runs.
pub fn include_env(target_dir: &Path, package_dir: &Path, package: &str) -> IncludeEnv {
    IncludeEnv {
        manifest_dir: Some(package_dir.to_path_buf()),
        out_dirs: build_script_runs(target_dir, package_dir, package)
            .into_iter()
            .map(|run| run.join("out"))
            .filter(|out| out.is_dir())
            .collect(),
    }
}

/// The directories of the package's build-script runs in `target_dir`'s debug build
/// (`debug/build/<package>-<16 hex digits>` holding the run's `output`), without the runs
/// known to be another version's (or another package's of that name).
fn build_script_runs(target_dir: &Path, package_dir: &Path, package: &str) -> Vec<PathBuf> {
    let debug = target_dir.join("debug");
    let mut runs: Vec<PathBuf> = hashed_dirs(&debug.join("build"), package)
        .into_iter()
        .filter(|run| run.join("output").is_file())
        .filter(|run| run_compiled_from(&debug, run, package, package_dir) != Some(false))
        .collect();
    runs.sort();
    runs
}

/// The `<package>-<16 hex digits>` directories in `dir`.
fn hashed_dirs(dir: &Path, package: &str) -> Vec<PathBuf> {
    let prefix = format!("{package}-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .take(MAX_BUILD_ENTRIES)
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.strip_prefix(&prefix).is_some_and(is_unit_hash)
        })
        .map(|entry| entry.path())
        .collect()
}

fn is_unit_hash(text: &str) -> bool {
    text.len() == 16 && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// Whether the build script of the run in `run` was compiled from the package in
/// `package_dir`; `None` when cargo's fingerprints do not say (another cargo's format, or
/// files gone), and the run is then kept.
///
/// The run's fingerprint (`.fingerprint/<run dir>/run-build-script-build-script-build.json`)
/// lists the compiled script among its `deps` with that unit's fingerprint; the unit whose
/// `build-script-build-script-build` file holds the same fingerprint (as little-endian hex) is
/// the compiled script, and its dep-info names the script's source path.
fn run_compiled_from(debug: &Path, run: &Path, package: &str, package_dir: &Path) -> Option<bool> {
    let fingerprints = debug.join(".fingerprint");
    let run_unit = fingerprints.join(run.file_name()?);
    let wanted = compiled_script_fingerprint(&run_unit)?;
    let script_unit = hashed_dirs(&fingerprints, package)
        .into_iter()
        .find(|unit| {
            read_small(&unit.join("build-script-build-script-build"))
                .is_some_and(|text| text.trim() == wanted)
        })?;
    let script_dir = debug.join("build").join(script_unit.file_name()?);
    let dep_info = dep_info_of(&script_dir)?;
    names_file_under(&dep_info, package_dir)
}

/// The fingerprint (as cargo writes it: the little-endian bytes in hex) of the compiled build
/// script the run in `run_unit` ran.
fn compiled_script_fingerprint(run_unit: &Path) -> Option<String> {
    let text = read_small(&run_unit.join("run-build-script-build-script-build.json"))?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let fingerprint = json["deps"]
        .as_array()?
        .iter()
        .filter_map(|dep| dep.as_array())
        .find(|dep| dep.get(1).and_then(|name| name.as_str()) == Some("build_script_build"))?
        .get(3)?
        .as_u64()?;
    Some(
        fingerprint
            .to_le_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect(),
    )
}

/// The text of the compiled build script's dep-info file (`build_script_build-<hash>.d`).
fn dep_info_of(script_dir: &Path) -> Option<String> {
    let entries = std::fs::read_dir(script_dir).ok()?;
    entries
        .take(MAX_BUILD_ENTRIES)
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "d"))
        .find_map(|path| read_small(&path))
}

/// Whether a dep-info text (`target: source source …`, spaces escaped as `\\ `) names a file
/// under `dir`; `None` when that cannot be told. Cargo has rustc name a workspace member's
/// sources relative to the workspace root (where `Cargo.lock` is), others' absolutely. Both
/// sides are compared canonical: cargo may spell a directory through a symbolic link.
fn names_file_under(dep_info: &str, dir: &Path) -> Option<bool> {
    let dir = dir.canonicalize().ok()?;
    let workspace = dir
        .ancestors()
        .find(|ancestor| ancestor.join("Cargo.lock").is_file());
    let sources: Vec<PathBuf> = dep_info
        .lines()
        .filter_map(|line| line.split_once(": ").map(|(_, sources)| sources))
        .flat_map(dep_info_paths)
        .map(|path| match workspace {
            Some(root) if path.is_relative() => Some(root.join(path)),
            _ => path.is_absolute().then_some(path),
        })
        .collect::<Option<_>>()?;
    Some(
        sources
            .iter()
            .filter_map(|path| path.canonicalize().ok())
            .any(|path| path.starts_with(&dir)),
    )
}

/// The paths of one dep-info line's sources.
fn dep_info_paths(sources: &str) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let mut current = String::new();
    let mut chars = sources.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            ' ' => paths
                .extend((!current.is_empty()).then(|| PathBuf::from(std::mem::take(&mut current)))),
            _ => current.push(c),
        }
    }
    paths.extend((!current.is_empty()).then(|| PathBuf::from(current)));
    paths
}

/// A file of cargo's, if it is small enough to be one.
fn read_small(path: &Path) -> Option<String> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() > MAX_FINGERPRINT_BYTES {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The `cfg`s a build script's output sets, sorted.
fn cfgs_printed(text: &str) -> Vec<String> {
    let mut cfgs: Vec<String> = text
        .lines()
        .filter_map(|line| {
            line.strip_prefix("cargo::rustc-cfg=")
                .or_else(|| line.strip_prefix("cargo:rustc-cfg="))
        })
        .map(str::to_string)
        .collect();
    cfgs.sort();
    cfgs
}

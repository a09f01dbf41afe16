//! Crates on disk: the package a file belongs to, its crate roots, and reading its files.
//!
//! The analysis core never touches the disk; the server and the CLI find the files here and
//! hand their text to the core's crate index.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::analysis::crate_index::CrateIndex;
use crate::analysis::incremental::{Analyzer, CrateFile};
use crate::analysis::items::package::PackageInfo;
use crate::analysis::{FileAnalysis, Target};

/// The packages seen so far, each indexed once: for analysing files one after another.
#[derive(Default)]
pub struct Crates {
    indexes: HashMap<PathBuf, CrateIndex>,
}

impl Crates {
    /// Analyses `text` as the file at `path`, seeing the declarations of the other files of its
    /// crate (read from disk); a file that is in no crate's module tree is analysed on its own.
    pub fn analyze(&mut self, path: &Path, text: &str, target: Target) -> FileAnalysis {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let index = package_dir(&path)
            .map(|dir| {
                &*self
                    .indexes
                    .entry(dir)
                    .or_insert_with_key(|dir| read_index_and_dependencies(dir, target))
            })
            .filter(|index| index.contains(&path));
        let krate = index.map(|index| CrateFile { index, path: &path });
        Analyzer::default().analyze_in_crate(text, target, 0..text.len(), krate)
    }
}

/// The directory of the package `file` belongs to: the nearest ancestor holding `Cargo.toml`.
pub fn package_dir(file: &Path) -> Option<PathBuf> {
    file.ancestors()
        .skip(1)
        .find(|dir| dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// An index of the package in `dir`, with nothing read yet. Its crate roots are Cargo's
/// default targets: the library (`src/lib.rs`) first, then `src/main.rs` and the files directly
/// in `src/bin`, `examples`, `tests` and `benches`.
pub fn unread_index(dir: &Path) -> CrateIndex {
    let src = dir.join("src");
    let mut roots: Vec<PathBuf> = ["lib.rs", "main.rs"]
        .iter()
        .map(|name| src.join(name))
        .filter(|path| path.is_file())
        .collect();
    for targets in [
        src.join("bin"),
        dir.join("examples"),
        dir.join("tests"),
        dir.join("benches"),
    ] {
        roots.extend(rust_files_in(&targets));
    }
    let package = read_package(dir);
    let include_env = crate::dependencies::include_env(dir, &package.package_name);
    CrateIndex::with_roots(roots, package.lib_name.clone())
        .with_package(package)
        .with_include_env(include_env)
}

/// What the package's `Cargo.toml` says; a manifest that cannot be read or parsed gives a
/// package named after nothing in particular, edition 2015 as Cargo assumes.
pub fn read_package(dir: &Path) -> PackageInfo {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()
        .and_then(|text| PackageInfo::from_manifest(&text))
        .unwrap_or_else(PackageInfo::standalone)
}

/// The `.rs` files directly in `dir`, sorted.
fn rust_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs") && path.is_file())
        .collect();
    files.sort();
    files
}

/// The package's index with every file of its module tree read from disk.
pub fn read_index(dir: &Path) -> CrateIndex {
    let mut index = unread_index(dir);
    while index.index_some(usize::MAX, &read_file) > 0 {}
    index
}

/// [`read_index`] with the package's dependencies read too (when cargo can name them).
pub fn read_index_and_dependencies(dir: &Path, target: Target) -> CrateIndex {
    let mut index = read_index(dir);
    if let Some(dependencies) = crate::dependencies::load(dir, target) {
        index.set_dependencies(dependencies);
    }
    index
}

/// A source file's text, if it can be read as UTF-8.
pub fn read_file(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

//! Crates on disk: the package a file belongs to, its crate roots, and reading its files.
//!
//! The analysis core never touches the disk; the server and the CLI find the files here and
//! hand their text to the core's crate index.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::analysis::crate_index::{CrateIndex, ReadSource};
use crate::analysis::incremental::{Analyzer, CrateFile};
use crate::analysis::items::package::{CrateRoot, PackageInfo};
use crate::analysis::{FileAnalysis, Target};
use crate::files::{Boundary, SourceText, read_logged};

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
        // The command line has no workspace folders: a package's own directory is its boundary.
        let index = package_dir(&path)
            .map(|dir| {
                &*self.indexes.entry(dir).or_insert_with_key(|dir| {
                    let reader = SourceReader::for_package(dir, [dir.clone()]);
                    read_index_and_dependencies(dir, target, &reader)
                })
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

/// An index of the package in `dir`, with nothing read yet. Its crate roots are the package's
/// Cargo targets (see [`crate::cargo_targets`]): the library first, then the others.
pub fn unread_index(dir: &Path) -> CrateIndex {
    let (package, roots) = package_and_roots(dir);
    let include_env = crate::dependencies::include_env(dir, &package.package_name);
    CrateIndex::with_roots(roots, package.lib_name.clone())
        .with_package(package)
        .with_include_env(include_env)
}

/// The package's crate roots as they are on disk now.
pub fn crate_roots(dir: &Path) -> Vec<CrateRoot> {
    package_and_roots(dir).1
}

/// What the package's manifest says (its names, edition, dependencies).
pub fn package_info(dir: &Path) -> PackageInfo {
    package_and_roots(dir).0
}

/// What the package's manifest says, and its crate roots.
fn package_and_roots(dir: &Path) -> (PackageInfo, Vec<CrateRoot>) {
    let manifest = read_manifest(dir).unwrap_or_default();
    let package = if manifest.is_empty() {
        PackageInfo::standalone()
    } else {
        PackageInfo::from_table(&manifest)
    };
    let roots = crate::cargo_targets::crate_roots(dir, &manifest, package.edition);
    (package, roots)
}

/// The package's `Cargo.toml`, parsed; `None` when it cannot be read or is not TOML (the
/// package is then named after nothing in particular, edition 2015 as Cargo assumes).
fn read_manifest(dir: &Path) -> Option<toml::Table> {
    let boundary = Boundary::within([dir.to_path_buf()]);
    let manifest = read_logged(&dir.join("Cargo.toml"), &boundary)?;
    toml::from_str(&manifest.text).ok()
}

/// The package's index with every file of its module tree read from disk by `reader`.
pub fn read_index(dir: &Path, reader: &SourceReader) -> CrateIndex {
    let mut index = unread_index(dir);
    while index.index_some(usize::MAX, reader) > 0 {}
    index
}

/// [`read_index`] with the package's dependencies read too (when cargo can name them).
pub fn read_index_and_dependencies(
    dir: &Path,
    target: Target,
    reader: &SourceReader,
) -> CrateIndex {
    let mut index = read_index(dir, reader);
    if let Some(dependencies) = crate::dependencies::load(dir, target) {
        index.set_dependencies(dependencies);
    }
    index
}

/// Reads source files for a crate index through [`read_checked`](crate::files::read_checked):
/// only inside its boundary, only regular files, at most 16 MiB each.
#[derive(Clone, Debug)]
pub struct SourceReader {
    pub boundary: Boundary,
}

impl SourceReader {
    pub fn within(dirs: impl IntoIterator<Item = PathBuf>) -> SourceReader {
        SourceReader {
            boundary: Boundary::within(dirs),
        }
    }

    /// The reader for the package in `dir` inside `dirs`, and in the build directory cargo
    /// uses for it: `include!(concat!(env!("OUT_DIR"), ..))` reads build-script output there
    /// (the directory is memlens's choice, not the code's; `..` cannot leave it, as paths are
    /// compared canonical).
    pub fn for_package(dir: &Path, dirs: impl IntoIterator<Item = PathBuf>) -> SourceReader {
        let build = crate::dependencies::build_dir(dir);
        SourceReader::within(dirs.into_iter().chain(std::iter::once(build)))
    }

    /// A file's text, if it may be read (a refusal is logged).
    pub fn read(&self, path: &Path) -> Option<SourceText> {
        read_logged(path, &self.boundary)
    }
}

impl ReadSource for SourceReader {
    fn read_source(&self, path: &Path) -> Option<(PathBuf, String)> {
        let source = self.read(path)?;
        Some((source.path, source.text))
    }
}

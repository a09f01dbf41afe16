//! The analysis thread's crate indexes: which package a document belongs to, and keeping each
//! index current as documents are edited and files change on disk.
//!
//! An open document's declarations come from its analyzer (the editor's text); every other
//! file's come from disk. Packages are indexed when the workspace opens (with progress) or, for a
//! document outside the workspace folders, when it is first analysed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::analysis::crate_index::{CrateIndex, FileDeclarations};
use crate::analysis::incremental::Analyzer;
use crate::workspace::{package_dir, read_file, read_index, unread_index};

/// How a file on disk changed, as `workspace/didChangeWatchedFiles` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileChange {
    Created,
    Changed,
    Deleted,
}

/// Every package seen so far, with its index.
#[derive(Default)]
pub struct CrateIndexes {
    packages: HashMap<PathBuf, CrateIndex>,
    /// The package directory of each file asked about (`None`: not in a package).
    package_of: HashMap<PathBuf, Option<PathBuf>>,
    /// The declarations fingerprint last given to the index, per open document.
    pushed: HashMap<PathBuf, u64>,
    /// Counts changes to any index, so that the server knows when other documents' analyses
    /// may have changed.
    generation: Arc<AtomicU64>,
}

impl CrateIndexes {
    /// No indexes yet; changes will be counted in `generation`.
    pub fn counting_in(generation: Arc<AtomicU64>) -> CrateIndexes {
        CrateIndexes {
            generation,
            ..CrateIndexes::default()
        }
    }

    /// A counter that grows whenever an index changes.
    pub fn generation(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.generation)
    }

    /// The index of the package holding `path` (read from disk now if it was never indexed),
    /// if `path` is in the module tree of one of its crates.
    pub fn index_for(&mut self, path: &Path) -> Option<&CrateIndex> {
        let dir = self
            .package_of
            .entry(path.to_path_buf())
            .or_insert_with(|| package_dir(path))
            .clone()?;
        let index = self
            .packages
            .entry(dir)
            .or_insert_with_key(|dir| read_index(dir));
        index.contains(path).then_some(&*index)
    }

    /// Starts indexing the package in `dir` (a workspace folder); [`CrateIndexes::index_some`]
    /// goes on with it. Returns `false` if the folder is not a package or is already indexed.
    pub fn start(&mut self, dir: &Path) -> bool {
        if !dir.join("Cargo.toml").is_file() || self.packages.contains_key(dir) {
            return false;
        }
        self.packages.insert(dir.to_path_buf(), unread_index(dir));
        true
    }

    /// Indexes up to `limit` more files of the package in `dir`; returns (files indexed, files
    /// known), equal when it is done (both 0 for a folder that is not a package).
    pub fn index_some(&mut self, dir: &Path, limit: usize) -> (usize, usize) {
        let Some(index) = self.packages.get_mut(dir) else {
            return (0, 0);
        };
        // No generation change: the server refreshes open documents once indexing is done.
        let started = std::time::Instant::now();
        index.index_some(limit, &read_file);
        tracing::debug!("indexed a batch in {:?}", started.elapsed());
        index.progress()
    }

    /// Gives the index an open document's declarations, when they changed since last time.
    pub fn note_analyzed(&mut self, path: &Path, analyzer: &Analyzer) {
        let fingerprint = analyzer.own_declarations();
        if self.pushed.get(path) == Some(&fingerprint)
            || !self
                .package_holding(path)
                .is_some_and(|index| index.contains(path))
        {
            return;
        }
        self.pushed.insert(path.to_path_buf(), fingerprint);
        self.update(path, analyzer.file_declarations());
    }

    /// A document was closed: its file's declarations are read from disk again.
    pub fn closed(&mut self, path: &Path) {
        if self.pushed.remove(path).is_some()
            && let Some(text) = read_file(path)
        {
            self.update(path, FileDeclarations::of_text(&text));
        }
    }

    /// A file changed on disk. Open documents are the editor's; the others are read again, and
    /// a created or deleted file may change a package's module tree.
    pub fn file_changed(&mut self, path: &Path, change: FileChange) {
        if path.file_name().is_some_and(|name| name == "Cargo.toml") {
            // The package's roots or name may have changed: index it afresh when next needed.
            if let Some(dir) = path.parent() {
                self.packages.remove(dir);
            }
            self.package_of.clear();
            self.generation.fetch_add(1, Ordering::SeqCst);
            return;
        }
        if change == FileChange::Changed {
            if !self.pushed.contains_key(path)
                && let Some(text) = read_file(path)
            {
                self.update(path, FileDeclarations::of_text(&text));
            }
            return;
        }
        let Some(index) = self.package_holding(path) else {
            return;
        };
        if change == FileChange::Deleted {
            index.forget(path);
        }
        index.relink(&read_file);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn update(&mut self, path: &Path, declarations: FileDeclarations) {
        let Some(index) = self.package_holding(path) else {
            return;
        };
        if index.contains(path) {
            index.update(path, declarations, &read_file);
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The index of the package whose directory holds `path`.
    fn package_holding(&mut self, path: &Path) -> Option<&mut CrateIndex> {
        self.packages
            .iter_mut()
            .filter(|(dir, _)| path.starts_with(dir))
            .max_by_key(|(dir, _)| dir.components().count())
            .map(|(_, index)| index)
    }
}

//! The analysis thread's crate indexes: which package a document belongs to, and keeping each
//! index current as documents are edited and files change on disk.
//!
//! An open document's declarations come from its analyzer (the editor's text); every other
//! file's come from disk. Packages are indexed when the workspace opens (with progress) or, for a
//! document outside the workspace folders, when it is first analysed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::Notify;

use crate::analysis::crate_index::{CrateIndex, FileDeclarations, Update};
use crate::analysis::incremental::Analyzer;
use crate::workspace::{SourceReader, crate_roots, package_dir, read_index, unread_index};

/// How long one indexing batch may keep the analysis thread once it has read a file: a hover
/// that arrives during indexing waits for at most about this (and one file).
const BATCH_TIME: std::time::Duration = std::time::Duration::from_millis(5);

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
    /// Signalled when any index changed: other documents' analyses may have changed too.
    changes: Arc<Notify>,
    /// The client's workspace folders (canonical): no file outside them is read, except for a
    /// package opened from outside them, whose own directory is then its boundary.
    workspace: Vec<PathBuf>,
    /// Files open in the editor: their declarations are the editor's, whatever the disk says.
    open: HashSet<PathBuf>,
}

impl CrateIndexes {
    /// No indexes yet; changes will be signalled on `changes`.
    pub fn signalling(changes: Arc<Notify>) -> CrateIndexes {
        CrateIndexes {
            changes,
            ..CrateIndexes::default()
        }
    }

    /// Empty indexes with the same signal and workspace (after a panic left these half-built).
    pub fn fresh(&self) -> CrateIndexes {
        CrateIndexes {
            workspace: self.workspace.clone(),
            ..CrateIndexes::signalling(self.changes())
        }
    }

    /// Where changes are signalled.
    pub fn changes(&self) -> Arc<Notify> {
        Arc::clone(&self.changes)
    }

    /// Sets the workspace folders, the boundary of what is read from disk.
    pub fn set_workspace(&mut self, folders: Vec<PathBuf>) {
        self.workspace = folders;
    }

    /// The reader for the package in `dir`: the workspace folders if they hold it, else the
    /// package's own directory (a file the user opened from outside the folders).
    fn reader_for(&self, dir: &Path) -> SourceReader {
        if self.workspace.iter().any(|folder| dir.starts_with(folder)) {
            SourceReader::for_package(dir, self.workspace.iter().cloned())
        } else {
            SourceReader::for_package(dir, [dir.to_path_buf()])
        }
    }

    /// The reader for a file of a known package, if a package holds it.
    fn reader_holding(&self, path: &Path) -> Option<SourceReader> {
        let dir = self.dir_holding(path)?.to_path_buf();
        Some(self.reader_for(&dir))
    }

    /// An index changed. Open documents whose declarations the index may now hold from disk
    /// give theirs again when next analysed.
    fn changed(&mut self, from_disk: bool) {
        if from_disk {
            self.pushed.clear();
        }
        self.changes.notify_one();
    }

    /// The index of the package holding `path` (read from disk now if it was never indexed),
    /// if `path` is in the module tree of one of its crates.
    pub fn index_for(&mut self, path: &Path) -> Option<&CrateIndex> {
        let dir = self
            .package_of
            .entry(path.to_path_buf())
            .or_insert_with(|| package_dir(path))
            .clone()?;
        if !self.packages.contains_key(&dir) {
            let index = read_index(&dir, &self.reader_for(&dir));
            self.packages.insert(dir.clone(), index);
        }
        let index = self.packages.get(&dir)?;
        index.contains(path).then_some(index)
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

    /// Gives the package in `dir` the dependencies read for it; `false` if it is not indexed.
    pub fn set_dependencies(
        &mut self,
        dir: &Path,
        dependencies: Arc<crate::analysis::items::graph::Dependencies>,
    ) -> bool {
        let Some(index) = self.packages.get_mut(dir) else {
            return false;
        };
        index.set_dependencies(dependencies);
        true
    }

    /// Indexes up to `limit` more files of the package in `dir`, stopping early once
    /// [`BATCH_TIME`] has passed (a request that arrives meanwhile waits for the batch); returns
    /// (files indexed, files known), equal when it is done (both 0 for a folder that is not a
    /// package).
    pub fn index_some(&mut self, dir: &Path, limit: usize) -> (usize, usize) {
        let reader = self.reader_for(dir);
        let Some(index) = self.packages.get_mut(dir) else {
            return (0, 0);
        };
        let started = std::time::Instant::now();
        let mut read = 0;
        while read < limit && started.elapsed() < BATCH_TIME {
            read += 1;
            if index.index_some(1, &reader) == 0 {
                break;
            }
        }
        tracing::debug!("indexed a batch of {read} in {:?}", started.elapsed());
        // No signal: the server refreshes open documents once indexing is done. Open documents
        // keep what they gave: a batch reads only files the index did not hold.
        index.progress()
    }

    /// Gives the index an open document's declarations, when they changed since last time.
    pub fn note_analyzed(&mut self, path: &Path, analyzer: &Analyzer) {
        self.open.insert(path.to_path_buf());
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
        self.pushed.remove(path);
        self.open.remove(path);
        let Some(reader) = self.reader_holding(path) else {
            return;
        };
        match reader.read(path) {
            Some(source) => self.update(path, FileDeclarations::of_text(&source.text)),
            // Deleted while it was open: only now does it leave the crate.
            None => self.files_changed(&[(path.to_path_buf(), FileChange::Deleted)]),
        }
    }

    /// Files changed on disk (a batch of watched-file events, coalesced): open documents are
    /// the editor's; the others are read again, and each package whose files were created or
    /// deleted has its module tree walked once for the whole batch. Nothing is read for a path
    /// outside every known package: membership is checked before any read.
    pub fn files_changed(&mut self, changes: &[(PathBuf, FileChange)]) {
        let mut relink = HashSet::new();
        for (path, change) in changes {
            if let Some(dir) = self.file_changed(path, *change) {
                relink.insert(dir);
            }
        }
        for dir in relink {
            let reader = self.reader_for(&dir);
            // A created or deleted file may be a target (`src/bin/new.rs`) as well as a module.
            let roots = crate_roots(&dir);
            if let Some(index) = self.packages.get_mut(&dir) {
                index.relink_with_roots(roots, &reader);
            }
        }
        if !changes.is_empty() {
            self.changed(true);
        }
    }

    /// Applies one change; returns the package whose module tree must be walked again.
    fn file_changed(&mut self, path: &Path, change: FileChange) -> Option<PathBuf> {
        if self.is_build_output(path) || self.open.contains(path) {
            // Build output: no module names it. Open: the editor's text is what counts, even
            // when the file was deleted under it (the editor may save it again).
            return None;
        }
        if path.file_name().is_some_and(|name| name == "Cargo.toml") {
            // The package's roots or name may have changed: index it afresh when next needed.
            if let Some(dir) = path.parent() {
                self.packages.remove(dir);
            }
            self.package_of.clear();
            return None;
        }
        let dir = self.dir_holding(path)?.to_path_buf();
        match change {
            FileChange::Changed => {
                let source = self.reader_for(&dir).read(path)?;
                self.update(&source.path, FileDeclarations::of_text(&source.text));
                None
            }
            FileChange::Deleted => {
                self.packages.get_mut(&dir)?.forget(path);
                Some(dir)
            }
            FileChange::Created => Some(dir),
        }
    }

    fn update(&mut self, path: &Path, declarations: FileDeclarations) {
        let Some(reader) = self.reader_holding(path) else {
            return;
        };
        let Some(index) = self.package_holding(path) else {
            return;
        };
        match index.update(path, declarations, &reader) {
            Update::Unchanged => {}
            Update::Declarations => self.changed(false),
            Update::ModuleTree => self.changed(true),
        }
    }

    /// Whether `path` is under a package's `target/`, where Cargo writes generated sources
    /// while building: no module names them, and a build must not set off a relink per file.
    fn is_build_output(&self, path: &Path) -> bool {
        self.packages.keys().any(|dir| {
            path.strip_prefix(dir)
                .ok()
                .and_then(|inside| inside.components().next())
                .is_some_and(|first| first.as_os_str() == "target")
        })
    }

    /// The directory of the innermost known package holding `path`.
    fn dir_holding(&self, path: &Path) -> Option<&Path> {
        self.packages
            .keys()
            .filter(|dir| path.starts_with(dir))
            .max_by_key(|dir| dir.components().count())
            .map(PathBuf::as_path)
    }

    /// The index of the package whose directory holds `path`.
    fn package_holding(&mut self, path: &Path) -> Option<&mut CrateIndex> {
        let dir = self.dir_holding(path)?.to_path_buf();
        self.packages.get_mut(&dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Target;
    use crate::analysis::incremental::CrateFile;

    const MAIN: &str = "mod util;\nuse util::W;\nfn main() { let w: W = todo!(); }\n";
    /// util.rs as the editor holds it, unsaved; the disk has `W { a: u8 }`.
    const EDITED_UTIL: &str = "pub struct W { a: u64, b: u64 }\n";

    /// A package on disk, indexed.
    fn package(name: &str) -> (PathBuf, CrateIndexes) {
        let dir =
            std::env::temp_dir().join(format!("memlens-crates-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).expect("package dir");
        for (path, text) in [
            ("Cargo.toml", "[package]\nname = \"shop\"\n"),
            ("src/main.rs", MAIN),
            ("src/util.rs", "pub struct W { a: u8 }\n"),
            ("src/other.rs", "pub struct O;\n"),
        ] {
            std::fs::write(dir.join(path), text).expect("package file");
        }
        let dir = std::fs::canonicalize(dir).expect("package dir");
        let mut crates = CrateIndexes::default();
        assert!(crates.start(&dir));
        while {
            let (done, known) = crates.index_some(&dir, 100);
            done < known
        } {}
        (dir, crates)
    }

    fn analyzed(text: &str) -> Analyzer {
        let mut analyzer = Analyzer::default();
        analyzer.analyze(text, Target::default());
        analyzer
    }

    /// The inlay label of `w` in main.rs, with the index as it is.
    fn shown_for_w(crates: &mut CrateIndexes, dir: &Path) -> String {
        let main = dir.join("src/main.rs");
        let index = crates.index_for(&main).expect("main.rs is indexed");
        let krate = CrateFile { index, path: &main };
        let analysis = Analyzer::default().analyze_in_crate(
            MAIN,
            Target::default(),
            0..MAIN.len(),
            Some(krate),
        );
        crate::analysis::inlay::label(&analysis.bindings[0], Default::default())
    }

    #[test]
    fn unsaved_edits_survive_the_module_tree_being_walked_again() {
        let (dir, mut crates) = package("toggle");
        let (main, util) = (dir.join("src/main.rs"), dir.join("src/util.rs"));
        crates.note_analyzed(&util, &analyzed(EDITED_UTIL));
        assert_eq!(shown_for_w(&mut crates, &dir), "stack 16B");
        // `mod util;` commented out and back: util.rs leaves the tree and comes back from disk.
        crates.note_analyzed(&main, &analyzed(&MAIN.replace("mod util;", "// mod util;")));
        crates.note_analyzed(&main, &analyzed(MAIN));
        // Its next analysis (the server refreshes open documents) gives the editor's text again.
        crates.note_analyzed(&util, &analyzed(EDITED_UTIL));
        assert_eq!(shown_for_w(&mut crates, &dir), "stack 16B");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn renaming_a_mod_item_links_the_other_file() {
        let (dir, mut crates) = package("rename");
        let main = dir.join("src/main.rs");
        crates.note_analyzed(&main, &analyzed(MAIN));
        assert!(crates.index_for(&dir.join("src/other.rs")).is_none());
        crates.note_analyzed(&main, &analyzed(&MAIN.replace("mod util;", "mod other;")));
        assert!(crates.index_for(&dir.join("src/other.rs")).is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_created_binary_target_is_indexed_with_its_modules() {
        let (dir, mut crates) = package("new-bin");
        let (tool, helper) = (
            dir.join("src/bin/tool/main.rs"),
            dir.join("src/bin/tool/helper.rs"),
        );
        std::fs::create_dir_all(dir.join("src/bin/tool")).expect("bin dir");
        std::fs::write(&tool, "mod helper;\nfn main() {}\n").expect("bin file");
        std::fs::write(&helper, "pub struct H;\n").expect("module file");
        crates.files_changed(&[(tool.clone(), FileChange::Created)]);
        assert!(
            crates.index_for(&helper).is_some(),
            "the new target's module is indexed"
        );
        std::fs::remove_dir_all(dir.join("src/bin")).expect("bin dir");
        crates.files_changed(&[
            (tool, FileChange::Deleted),
            (helper.clone(), FileChange::Deleted),
        ]);
        assert!(
            crates.index_for(&helper).is_none(),
            "the deleted target's module is gone"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

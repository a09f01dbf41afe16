//! The build's own answers: locals and parameters read from the DWARF of a package's latest debug
//! artifacts (executables and the library's rlib under `target/debug/`), keyed by source file,
//! line and name.

pub mod artifacts;
pub mod dwarf;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use artifacts::{ArtifactNames, debug_artifacts, target_dir};
pub use dwarf::{DebugInfoError, read_variables};

/// One local or parameter as rustc described it in one artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildVariable {
    pub file: PathBuf,
    pub line: u64,
    pub name: String,
    /// The function item it belongs to as source names it (`twice` for `twice<u8>`, `main` for a
    /// closure in `main`); `None` when DWARF does not say.
    pub function: Option<String>,
    /// The type's `DW_AT_byte_size` (arrays: element size times count); `None` when DWARF gives none.
    pub size: Option<u64>,
    pub type_name: Option<String>,
}

/// Where a binding is declared, as DWARF can say it: no column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeclKey {
    pub file: PathBuf,
    pub line: u64,
    pub name: String,
}

/// One artifact's answer for a declaration key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildAnswer {
    pub function: Option<String>,
    pub size: Option<u64>,
    pub type_name: Option<String>,
    /// When the artifact was written: a source file newer than this may have changed since.
    pub built_at: SystemTime,
}

/// Every variable of every artifact, grouped by declaration key, plus the artifacts that could not
/// be read (each with its reason).
#[derive(Debug, Default)]
pub struct BuildFacts {
    pub by_key: HashMap<DeclKey, Vec<BuildAnswer>>,
    /// For each source file with a variable in some artifact: when the newest such artifact was
    /// written. A file modified after it has changed since any build that describes it.
    pub newest_build_of: HashMap<PathBuf, SystemTime>,
    pub artifacts_read: Vec<PathBuf>,
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Reads the debug info of the package's latest debug artifacts; only variables declared in files
/// under `package_dir` are kept. A package without a build gives empty facts.
pub fn read_build(package_dir: &Path, target_dir: &Path, names: &ArtifactNames) -> BuildFacts {
    let mut facts = BuildFacts::default();
    let package_dir = package_dir
        .canonicalize()
        .unwrap_or_else(|_| package_dir.to_path_buf());
    for artifact in debug_artifacts(target_dir, names) {
        let built_at = artifact.modified;
        match read_variables(&artifact.path, &package_dir) {
            Ok(variables) => {
                for variable in variables {
                    record(&mut facts, variable, built_at);
                }
                facts.artifacts_read.push(artifact.path);
            }
            Err(error) => facts.unreadable.push((artifact.path, error.to_string())),
        }
    }
    facts
}

fn record(facts: &mut BuildFacts, variable: BuildVariable, built_at: SystemTime) {
    let newest = facts
        .newest_build_of
        .entry(variable.file.clone())
        .or_insert(built_at);
    *newest = (*newest).max(built_at);
    let key = DeclKey {
        file: variable.file,
        line: variable.line,
        name: variable.name,
    };
    let answer = BuildAnswer {
        function: variable.function,
        size: variable.size,
        type_name: variable.type_name,
        built_at,
    };
    let answers = facts.by_key.entry(key).or_default();
    if !answers.contains(&answer) {
        answers.push(answer);
    }
}

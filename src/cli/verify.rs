//! `memlens verify [PATH]`: every local and parameter of a package, memlens's size beside the size
//! rustc wrote into the debug info of the last debug build, with agree / disagree counts.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

use crate::analysis::Target;
use crate::analysis::bindings::BindingKind;
use crate::cli::explain::{self, ExplainError, LineIndex};
use crate::debuginfo::{self, BuildAnswer, BuildFacts, DeclKey};

/// A package holds at most this many source files worth verifying; the walk stops there.
const MAX_SOURCE_FILES: usize = 20_000;
/// Directories deeper than this under the package are not walked (a symlink loop ends here).
const MAX_DEPTH: usize = 32;

/// Why a package could not be verified; one line on stderr and exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}: no such file or directory")]
    Missing(String),
    #[error("{0}: no Cargo package here or above (no Cargo.toml)")]
    NoPackage(String),
    #[error(
        "no debug build found in {0} for this package; run `cargo build` (or `cargo build --tests`)"
    )]
    NoBuild(String),
    #[error(transparent)]
    Explain(#[from] ExplainError),
}

/// How memlens's answer for one binding compares with the build's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Both give a size, and it is the same.
    Agree,
    /// Both give a size, and they differ: memlens stated a number that is not rustc's.
    Disagree,
    /// The build gives a size, memlens gives none.
    SourceUnknown,
    /// No fresh artifact has a variable of this file, line, name and function (not compiled,
    /// optimised out, a file outside every crate, or a build that predates the binding).
    NotInBuild,
    /// The file was modified after the newest artifact that describes it was built (or after
    /// every artifact that has this binding): what the build says may be about other source.
    Stale,
    /// Several bindings share the file, line, name and function, or the build's instances differ
    /// in size (a generic function's instantiations): without columns no one answer applies.
    Ambiguous,
    /// The build has the variable but DWARF gives its type no size.
    BuildUnknown,
}

/// One binding's comparison.
#[derive(Debug, Clone, Serialize)]
pub struct BindingCheck {
    pub file: String,
    pub line: u64,
    pub column: usize,
    pub name: String,
    pub function: Option<String>,
    pub verdict: Verdict,
    pub source_size: Option<u64>,
    /// The build's size; for an ambiguous binding, every distinct size the build gives.
    pub build_sizes: Vec<u64>,
    pub source_type: Option<String>,
    pub build_type: Option<String>,
}

/// How many bindings got each verdict (fixed fields: the JSON contract).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Counts {
    pub agree: usize,
    pub disagree: usize,
    pub source_unknown: usize,
    pub not_in_build: usize,
    pub stale: usize,
    pub ambiguous: usize,
    pub build_unknown: usize,
}

impl Counts {
    fn slot(&mut self, verdict: Verdict) -> &mut usize {
        match verdict {
            Verdict::Agree => &mut self.agree,
            Verdict::Disagree => &mut self.disagree,
            Verdict::SourceUnknown => &mut self.source_unknown,
            Verdict::NotInBuild => &mut self.not_in_build,
            Verdict::Stale => &mut self.stale,
            Verdict::Ambiguous => &mut self.ambiguous,
            Verdict::BuildUnknown => &mut self.build_unknown,
        }
    }

    fn rows(&self) -> [(&'static str, usize); 7] {
        [
            ("agree", self.agree),
            ("disagree", self.disagree),
            ("source-unknown", self.source_unknown),
            ("not-in-build", self.not_in_build),
            ("stale", self.stale),
            ("ambiguous", self.ambiguous),
            ("build-unknown", self.build_unknown),
        ]
    }
}

/// The whole report: counts by verdict, every binding, the artifacts read and those refused.
#[derive(Debug, Serialize)]
pub struct VerifyReport {
    pub package: String,
    pub target_dir: String,
    pub artifacts: usize,
    pub unreadable_artifacts: Vec<String>,
    /// Source files memlens could not read (not UTF-8, too large); their bindings are not counted.
    pub unreadable_sources: Vec<String>,
    pub counts: Counts,
    pub bindings: Vec<BindingCheck>,
}

/// A binding as memlens sees it from source, keyed like DWARF keys it.
struct SourceBinding {
    key: DeclKey,
    column: usize,
    function: Option<String>,
    size: Option<u64>,
    ty: Option<String>,
}

/// Whether the build can speak for a source file at all.
#[derive(Clone, Copy)]
enum FileState {
    /// No artifact has a variable declared in it.
    NotBuilt,
    /// Modified after the newest artifact describing it was built (or its time is unknown).
    Stale,
    /// Not modified since this time, which is no later than the newest build describing it.
    Fresh(SystemTime),
}

/// Verifies the package containing `path` (a directory or a file in it).
pub fn verify(path: &Path, target: Target) -> Result<VerifyReport, VerifyError> {
    let package = package_of(path)?;
    let target_dir = debuginfo::target_dir(&package);
    let info = crate::workspace::package_info(&package);
    let names = debuginfo::ArtifactNames {
        package: info.package_name,
        lib: info.lib_name,
    };
    let facts = debuginfo::read_build(&package, &target_dir, &names);
    if facts.newest_build_of.is_empty() {
        return Err(VerifyError::NoBuild(target_dir.display().to_string()));
    }
    let mut crates = crate::workspace::Crates::default();
    let mut bindings = Vec::new();
    let mut unreadable_sources = Vec::new();
    for file in source_files(&package) {
        match explain::read_source(&file) {
            Ok(text) => bindings.extend(source_bindings(&mut crates, &file, &text, target)),
            Err(error) => unreadable_sources.push(error.to_string()),
        }
    }
    let mut sharing: HashMap<(&DeclKey, &Option<String>), usize> = HashMap::new();
    for binding in &bindings {
        *sharing
            .entry((&binding.key, &binding.function))
            .or_default() += 1;
    }
    let mut file_states: HashMap<&Path, FileState> = HashMap::new();
    let checks: Vec<BindingCheck> = bindings
        .iter()
        .map(|binding| {
            let file = binding.key.file.as_path();
            let state = *file_states
                .entry(file)
                .or_insert_with(|| file_state(file, &facts));
            let shared = sharing
                .get(&(&binding.key, &binding.function))
                .is_some_and(|&count| count > 1);
            let answers = facts
                .by_key
                .get(&binding.key)
                .map_or(&[][..], Vec::as_slice);
            let (verdict, build) = judge(binding, shared, answers, state);
            checked(binding, verdict, &build, &package)
        })
        .collect();
    Ok(report(
        &package,
        &target_dir,
        &facts,
        unreadable_sources,
        checks,
    ))
}

fn report(
    package: &Path,
    target_dir: &Path,
    facts: &BuildFacts,
    unreadable_sources: Vec<String>,
    bindings: Vec<BindingCheck>,
) -> VerifyReport {
    let mut counts = Counts::default();
    for binding in &bindings {
        *counts.slot(binding.verdict) += 1;
    }
    VerifyReport {
        package: package.display().to_string(),
        target_dir: target_dir.display().to_string(),
        artifacts: facts.artifacts_read.len(),
        unreadable_artifacts: facts
            .unreadable
            .iter()
            .map(|(path, why)| format!("{}: {why}", path.display()))
            .collect(),
        unreadable_sources,
        counts,
        bindings,
    }
}

/// The package directory: `path` itself if it holds `Cargo.toml`, else the nearest ancestor that does.
fn package_of(path: &Path) -> Result<PathBuf, VerifyError> {
    let shown = path.display().to_string();
    let path = path
        .canonicalize()
        .map_err(|_| VerifyError::Missing(shown.clone()))?;
    if path.join("Cargo.toml").is_file() {
        return Ok(path);
    }
    crate::workspace::package_dir(&path).ok_or(VerifyError::NoPackage(shown))
}

/// The package's `.rs` files, outside `target/` and hidden directories, in a stable order.
fn source_files(package: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![(package.to_path_buf(), 0)];
    while let Some((dir, depth)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            if files.len() >= MAX_SOURCE_FILES {
                break;
            }
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                let skipped = name.starts_with('.') || (depth == 0 && name == "target");
                // A nested package is verified on its own.
                if !skipped && depth < MAX_DEPTH && !path.join("Cargo.toml").is_file() {
                    pending.push((path, depth + 1));
                }
            } else if kind.is_file() && name.ends_with(".rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn source_bindings(
    crates: &mut crate::workspace::Crates,
    file: &Path,
    text: &str,
    target: Target,
) -> Vec<SourceBinding> {
    let analysis = crates.analyze(file, text, target);
    let lines = LineIndex::new(text);
    analysis
        .bindings
        .iter()
        .filter(|r| matches!(r.binding.kind, BindingKind::Local | BindingKind::Param))
        .map(|report| {
            let (line, column) = lines.line_column(report.binding.name_range.start);
            SourceBinding {
                key: DeclKey {
                    file: file.to_path_buf(),
                    line: line as u64,
                    name: report.binding.name.clone(),
                },
                column,
                function: report.binding.function.clone(),
                size: report.layout.as_ref().ok().map(|l| l.size),
                ty: report.ty().map(ToString::to_string),
            }
        })
        .collect()
}

/// Staleness by modification time (this slice: no line-table checksums yet): a file changed
/// after the newest artifact that describes it was built is stale as a whole, whatever line moved.
fn file_state(file: &Path, facts: &BuildFacts) -> FileState {
    let Some(&newest_build) = facts.newest_build_of.get(file) else {
        return FileState::NotBuilt;
    };
    match std::fs::metadata(file).and_then(|m| m.modified()) {
        Ok(modified) if modified <= newest_build => FileState::Fresh(modified),
        _ => FileState::Stale,
    }
}

/// The build's answers that can be about this binding: those of its function (when both sides
/// name one), from artifacts built after the file last changed.
fn judge(
    binding: &SourceBinding,
    shared: bool,
    answers: &[BuildAnswer],
    state: FileState,
) -> (Verdict, Vec<BuildAnswer>) {
    let modified = match state {
        FileState::NotBuilt => return (Verdict::NotInBuild, Vec::new()),
        FileState::Stale => return (Verdict::Stale, Vec::new()),
        FileState::Fresh(modified) => modified,
    };
    let of_function: Vec<&BuildAnswer> = answers
        .iter()
        .filter(|answer| match (&answer.function, &binding.function) {
            (Some(built), Some(source)) => built == source,
            _ => true,
        })
        .collect();
    let fresh: Vec<BuildAnswer> = of_function
        .iter()
        .filter(|answer| modified <= answer.built_at)
        .map(|answer| (*answer).clone())
        .collect();
    if of_function.is_empty() {
        return (Verdict::NotInBuild, Vec::new());
    }
    if fresh.is_empty() {
        return (Verdict::Stale, Vec::new());
    }
    if shared || distinct_sizes(&fresh).len() > 1 {
        return (Verdict::Ambiguous, fresh);
    }
    let verdict = match (binding.size, fresh[0].size) {
        (_, None) => Verdict::BuildUnknown,
        (None, Some(_)) => Verdict::SourceUnknown,
        (Some(source), Some(built)) if source == built => Verdict::Agree,
        _ => Verdict::Disagree,
    };
    (verdict, fresh)
}

fn distinct_sizes(answers: &[BuildAnswer]) -> Vec<Option<u64>> {
    let mut sizes: Vec<Option<u64>> = answers.iter().map(|a| a.size).collect();
    sizes.sort();
    sizes.dedup();
    sizes
}

fn checked(
    binding: &SourceBinding,
    verdict: Verdict,
    build: &[BuildAnswer],
    package: &Path,
) -> BindingCheck {
    let file = binding
        .key
        .file
        .strip_prefix(package)
        .unwrap_or(&binding.key.file);
    BindingCheck {
        file: file.display().to_string(),
        line: binding.key.line,
        column: binding.column,
        name: binding.key.name.clone(),
        function: binding.function.clone(),
        verdict,
        source_size: binding.size,
        build_sizes: distinct_sizes(build).into_iter().flatten().collect(),
        source_type: binding.ty.clone(),
        build_type: build.first().and_then(|b| b.type_name.clone()),
    }
}

/// The human-readable report: counts, then each disagreement with both sizes and types.
pub fn to_text(report: &VerifyReport) -> String {
    let mut out = format!(
        "{}: {} debug artifact(s) read from {}\n",
        report.package, report.artifacts, report.target_dir
    );
    for unreadable in &report.unreadable_artifacts {
        let _ = writeln!(out, "  unreadable artifact: {unreadable}");
    }
    for unreadable in &report.unreadable_sources {
        let _ = writeln!(out, "  unreadable source: {unreadable}");
    }
    for (label, count) in report.counts.rows() {
        let _ = writeln!(out, "  {label:>15}: {count}");
    }
    out.push_str("  (stale: source modified after the build that describes it, by mtime)\n");
    for check in report
        .bindings
        .iter()
        .filter(|c| c.verdict == Verdict::Disagree)
    {
        let _ = writeln!(
            out,
            "  disagree {}:{}:{} {}: memlens {} B ({}), rustc {} B ({})",
            check.file,
            check.line,
            check.column,
            check.name,
            size_text(check.source_size),
            check.source_type.as_deref().unwrap_or("?"),
            check
                .build_sizes
                .first()
                .map_or_else(|| "?".to_string(), u64::to_string),
            check.build_type.as_deref().unwrap_or("?"),
        );
    }
    out
}

fn size_text(size: Option<u64>) -> String {
    size.map_or_else(|| "?".to_string(), |s| s.to_string())
}

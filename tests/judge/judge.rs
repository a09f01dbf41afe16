//! Judging one crate: probe a copy, ask rustc, ask memlens about the original, compare.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::collect::{Collected, collect};
use crate::compare::{types_match, verdict};
use crate::memlens::{Explained, explain};
use crate::modtree::module_files;
use crate::probe::{probe_file, strip_lint_attributes};
use crate::report::{CrateResult, Record};
use crate::rustc::{Answer, Check, Package, check, package};

pub struct Options {
    pub memlens: PathBuf,
    pub scratch: PathBuf,
    pub check_limit: Duration,
    pub memlens_limit: Duration,
}

/// One source file of the crate, with its bindings and, once rustc has been asked, its answers.
struct Source {
    path: PathBuf,
    relative: String,
    text: String,
    parsed: Option<syn::File>,
    collected: Collected,
    answers: Vec<Option<Answer>>,
}

/// Judges the crate at `dir`; whatever fails on the way is a problem in the result, not a crash.
pub fn judge_crate(dir: &Path, options: &Options) -> CrateResult {
    let mut result = CrateResult {
        label: dir.display().to_string(),
        dir: dir.display().to_string(),
        files: 0,
        uncompiled_files: Vec::new(),
        records: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
        other_errors: Vec::new(),
    };
    if let Err(e) = judge_into(dir, options, &mut result) {
        result.problems.push(format!("{e:#}"));
    }
    result
}

fn judge_into(dir: &Path, options: &Options, result: &mut CrateResult) -> Result<()> {
    let dir = dir
        .canonicalize()
        .with_context(|| format!("no crate at {}", dir.display()))?;
    let name = dir
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let scratch = options.scratch.join("work").join(&name);
    let _ = std::fs::remove_dir_all(&scratch);
    // Metadata reads only the manifest: it has its own short limit.
    let package = package(&dir, &scratch, Duration::from_secs(120))?;
    result.label = format!("{}@{}", package.name, package.version);
    let (lib_files, bin_files, shared) = target_files(&package);
    for path in &shared {
        let relative = path.strip_prefix(&dir).unwrap_or(path).display();
        result.notes.push(format!(
            "{relative} is compiled by the build script too: not probed, its bindings have no answer"
        ));
    }
    let mut sources: Vec<Source> = lib_files
        .iter()
        .chain(&bin_files)
        .chain(&shared)
        .filter_map(|path| load(&dir, path, result))
        .collect();
    result.files = sources.len();
    result.uncompiled_files = uncompiled(&dir, &sources);
    let passes = [("lib", &lib_files, "--lib"), ("bins", &bin_files, "--bins")];
    for (tag, files, selection) in passes {
        if files.is_empty() {
            continue;
        }
        // Probes name `mem::transmute` from the crate root: edition 2015 sees only the crates
        // the root declares (`std`, or `core` in a `#![no_std]` crate); later editions see both.
        let no_std = files.iter().any(|file| {
            std::fs::read_to_string(dir.join(file))
                .is_ok_and(|text| text.lines().any(|line| line.trim() == "#![no_std]"))
        });
        let root = if package.edition == "2015" && !no_std {
            "::std"
        } else {
            "::core"
        };
        let copy = scratch.join(tag);
        let check = probed_check(&dir, &copy, &mut sources, files, root, selection, options)?;
        // A timed-out check says nothing of the crate; a baseline would only time out again.
        if !note_check(tag, &check, &sources, files, result) && !check.timed_out {
            result
                .problems
                .push(baseline(&dir, &scratch, selection, options));
        }
        result.other_errors.extend(check.other_errors);
    }
    let explained = explain(
        &options.memlens,
        &dir,
        &sources.iter().map(|s| s.path.clone()).collect::<Vec<_>>(),
        (&scratch, &options.scratch.join("cargo-target")),
        options.memlens_limit,
    );
    for failure in &explained.failures {
        result.problems.push(format!("memlens: {failure}"));
    }
    result.records = records(&sources, &explained);
    Ok(())
}

/// The files of the library's module tree, those of the binaries' trees that the library does
/// not also compile (a probe there would break the library the binaries need), and those the
/// build script compiles too (never probed: a probe there breaks the build script).
fn target_files(package: &Package) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<PathBuf>) {
    let build: Vec<PathBuf> = package
        .build_root
        .as_deref()
        .map(|root| module_files(root, true))
        .unwrap_or_default();
    let mut seen: BTreeSet<PathBuf> = build.iter().cloned().collect();
    let mut shared = Vec::new();
    let mut own = |files: Vec<PathBuf>| -> Vec<PathBuf> {
        let mut out = Vec::new();
        for path in files {
            if build.contains(&path) {
                shared.push(path);
            } else if seen.insert(path.clone()) {
                out.push(path);
            }
        }
        out
    };
    let lib = own(package
        .lib_root
        .as_deref()
        .map(|root| module_files(root, false))
        .unwrap_or_default());
    let bins = own(package
        .bin_roots
        .iter()
        .flat_map(|root| module_files(root, false))
        .collect());
    shared.sort();
    shared.dedup();
    (lib, bins, shared)
}

fn load(dir: &Path, path: &Path, result: &mut CrateResult) -> Option<Source> {
    let relative = path.strip_prefix(dir).ok()?.to_string_lossy().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            result
                .problems
                .push(format!("{relative}: cannot read: {e}"));
            return None;
        }
    };
    let parsed = match syn::parse_file(&text) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            result
                .problems
                .push(format!("{relative}: syn cannot parse it: {e}"));
            None
        }
    };
    let collected = parsed.as_ref().map(collect).unwrap_or_default();
    let answers = vec![None; collected.bindings.len()];
    Some(Source {
        path: path.to_path_buf(),
        relative,
        text,
        parsed,
        collected,
        answers,
    })
}

/// `.rs` files under `src/` that no lib or bin target compiles (examples of dead code, or files
/// only `include!`d).
fn uncompiled(dir: &Path, sources: &[Source]) -> Vec<String> {
    let known: BTreeSet<&str> = sources.iter().map(|s| s.relative.as_str()).collect();
    let mut out = Vec::new();
    let mut pending = vec![dir.join("src")];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && let Ok(relative) = path.strip_prefix(dir)
            {
                let relative = relative.to_string_lossy().to_string();
                if !known.contains(relative.as_str()) {
                    out.push(relative);
                }
            }
        }
    }
    out.sort();
    out
}

/// Copies the crate, probes `files` in the copy, checks it, and stores each answer on its
/// binding.
fn probed_check(
    dir: &Path,
    copy: &Path,
    sources: &mut [Source],
    files: &[PathBuf],
    root: &str,
    selection: &str,
    options: &Options,
) -> Result<Check> {
    copy_crate(dir, copy)?;
    let mut tables = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        let Some(parsed) = &source.parsed else {
            continue;
        };
        if !files.contains(&source.path) {
            continue;
        }
        let stripped = strip_lint_attributes(&source.text, parsed);
        let probed = probe_file(&stripped, &source.collected, root);
        std::fs::write(copy.join(&source.relative), &probed.text)
            .with_context(|| format!("writing probed {}", source.relative))?;
        tables.push((index, probed.probes));
    }
    let target_dir = options.scratch.join("cargo-target");
    let scratch = copy.parent().unwrap_or(copy);
    let tag = selection.trim_start_matches('-');
    let check = check(
        copy,
        &target_dir,
        &[selection],
        scratch,
        tag,
        options.check_limit,
    )?;
    for (file, byte, answer) in &check.answers {
        let Some((index, probes)) = tables
            .iter()
            .find(|(index, _)| sources[*index].relative == *file)
        else {
            continue;
        };
        // Probes are disjoint; the error points inside one.
        if let Some(binding) = probes.iter().position(|range| range.contains(byte)) {
            sources[*index].answers[binding].get_or_insert_with(|| answer.clone());
        }
    }
    Ok(check)
}

/// Says in the result when a pass did not run to its end; false when rustc answered none of the
/// pass's probes.
fn note_check(
    tag: &str,
    check: &Check,
    sources: &[Source],
    files: &[PathBuf],
    result: &mut CrateResult,
) -> bool {
    if check.timed_out {
        result
            .problems
            .push(format!("{tag}: cargo check timed out"));
    } else if !check.finished {
        result.problems.push(format!(
            "{tag}: cargo check did not finish: {}",
            check.cargo_stderr
        ));
    }
    let probed: usize = sources
        .iter()
        .filter(|s| files.contains(&s.path))
        .map(|s| s.collected.bindings.len())
        .sum();
    if probed > 0 && check.answers.is_empty() {
        let first = check.other_errors.first().map_or_else(
            || "no error message".to_string(),
            |e| {
                format!(
                    "{}:{} {}",
                    e.file.as_deref().unwrap_or("?"),
                    e.line.unwrap_or(0),
                    e.message
                )
            },
        );
        result.problems.push(format!(
            "{tag}: rustc answered none of {probed} probes; first error: {first}"
        ));
        return false;
    }
    true
}

/// Checks an unprobed copy, to tell a crate that does not build as published from one the
/// probes broke.
fn baseline(dir: &Path, scratch: &Path, selection: &str, options: &Options) -> String {
    let copy = scratch.join("baseline");
    let outcome = copy_crate(dir, &copy).and_then(|()| {
        check(
            &copy,
            &options.scratch.join("cargo-target"),
            &[selection],
            scratch,
            "baseline",
            options.check_limit,
        )
    });
    match outcome {
        Ok(c) if c.finished && c.other_errors.is_empty() => {
            "the unprobed crate builds: the probes broke it (a harness bug)".to_string()
        }
        Ok(c) => format!(
            "the unprobed crate does not build either ({} errors; {}): not judged",
            c.other_errors.len(),
            c.other_errors
                .first()
                .map_or(c.cargo_stderr.clone(), |e| e.message.clone())
        ),
        Err(e) => format!("baseline check failed to run: {e:#}"),
    }
}

/// A fresh copy of the crate without its build output; its own `[workspace]` so that no
/// workspace above the scratch directory claims it.
fn copy_crate(from: &Path, to: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(to);
    copy_tree(from, to)?;
    let manifest = to.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).context("reading the copy's Cargo.toml")?;
    if !text.lines().any(|line| line.trim() == "[workspace]") {
        std::fs::write(&manifest, format!("{text}\n[workspace]\n"))?;
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &to.join(&name))?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

fn records(sources: &[Source], explained: &Explained) -> Vec<Record> {
    let mut out = Vec::new();
    for source in sources {
        let said = explained.by_file.get(&source.path);
        for (binding, answer) in source.collected.bindings.iter().zip(&source.answers) {
            let memlens = said
                .and_then(|m| m.get(&(binding.line, binding.column)))
                .cloned();
            out.push(Record {
                file: source.relative.clone(),
                name: binding.name.trim_start_matches("r#").to_string(),
                line: binding.line,
                column: binding.column,
                form: binding.form,
                verdict: verdict(answer.as_ref(), memlens.as_ref()),
                type_match: answer.as_ref().and_then(|a| {
                    types_match(a.ty(), memlens.as_ref().and_then(|m| m.ty.as_deref()))
                }),
                rustc: answer.clone(),
                memlens,
            });
        }
    }
    out
}

//! Asking memlens: `memlens explain --json` on the original files, read back per binding.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::process::run_bounded;

/// What memlens says of one binding.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Said {
    pub kind: String,
    #[serde(rename = "type")]
    pub ty: Option<String>,
    pub size: Option<u64>,
    pub align: Option<u64>,
}

/// memlens's bindings of each file by (line, column), and the files it could not explain.
#[derive(Default)]
pub struct Explained {
    pub by_file: HashMap<PathBuf, HashMap<(usize, usize), Said>>,
    pub failures: Vec<String>,
}

/// Explains all `files` in one run; if that run fails, each file alone, so that one file that
/// crashes memlens costs only its own bindings. memlens finds the crate's last build (its
/// dependencies' build-script outputs) in `cargo_target`, as it would in a user's `target/`.
pub fn explain(
    memlens: &Path,
    cwd: &Path,
    files: &[PathBuf],
    (scratch, cargo_target): (&Path, &Path),
    limit: Duration,
) -> Explained {
    let mut explained = Explained::default();
    let run = |files: &[PathBuf]| run(memlens, cwd, files, (scratch, cargo_target), limit);
    match run(files) {
        Ok(reports) => insert_all(&mut explained, files, reports),
        Err(_) => {
            for file in files {
                match run(std::slice::from_ref(file)) {
                    Ok(reports) => insert_all(&mut explained, std::slice::from_ref(file), reports),
                    Err(e) => explained
                        .failures
                        .push(format!("{}: {e:#}", file.display())),
                }
            }
        }
    }
    explained
}

fn insert_all(explained: &mut Explained, files: &[PathBuf], reports: Vec<Value>) {
    // Reports come in the order of the files given.
    for (file, report) in files.iter().zip(reports) {
        explained.by_file.insert(file.clone(), bindings(&report));
    }
}

fn run(
    memlens: &Path,
    cwd: &Path,
    files: &[PathBuf],
    (scratch, cargo_target): (&Path, &Path),
    limit: Duration,
) -> Result<Vec<Value>> {
    let mut command = Command::new(memlens);
    command
        .current_dir(cwd)
        .env("CARGO_TARGET_DIR", cargo_target)
        .args(["explain", "--json"])
        .args(files);
    let run = run_bounded(command, scratch, "memlens", limit)?;
    if run.timed_out {
        bail!("memlens did not finish in {}s", limit.as_secs());
    }
    if !run.success() {
        bail!("memlens failed ({:?}): {}", run.status, run.stderr_tail(3));
    }
    let document: Value = serde_json::from_str(&run.stdout).context("memlens JSON")?;
    let reports = match document {
        Value::Array(reports) => reports,
        single => vec![single],
    };
    if reports.len() != files.len() {
        bail!(
            "memlens gave {} reports for {} files",
            reports.len(),
            files.len()
        );
    }
    Ok(reports)
}

fn bindings(report: &Value) -> HashMap<(usize, usize), Said> {
    let mut out = HashMap::new();
    for binding in report["bindings"].as_array().into_iter().flatten() {
        let (Some(line), Some(column)) = (binding["line"].as_u64(), binding["column"].as_u64())
        else {
            continue;
        };
        let said = Said {
            kind: binding["kind"].as_str().unwrap_or("").to_string(),
            ty: binding["type"].as_str().map(str::to_string),
            size: binding["size"].as_u64(),
            align: binding["align"].as_u64(),
        };
        out.insert((line as usize, column as usize), said);
    }
    out
}

//! Asking rustc: the crate's targets (`cargo metadata`), and `cargo check` of a probed copy read
//! back into one answer per probe.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::process::{Finished, run_bounded};

/// What rustc says of one binding.
#[derive(Clone, Debug)]
pub enum Answer {
    /// A type with a size: `source type: `Vec<u16>` (192 bits)`.
    Sized { ty: String, bytes: u64 },
    /// A type whose size depends on a generic parameter, with rustc's words for why.
    Unsized { ty: String, why: String },
}

impl Answer {
    pub fn ty(&self) -> &str {
        match self {
            Answer::Sized { ty, .. } | Answer::Unsized { ty, .. } => ty,
        }
    }
}

/// A crate's package name, edition and the roots of its library and binary targets.
pub struct Package {
    pub name: String,
    pub version: String,
    pub edition: String,
    pub lib_root: Option<PathBuf>,
    pub bin_roots: Vec<PathBuf>,
    pub build_root: Option<PathBuf>,
}

/// Reads the package's targets with `cargo metadata --no-deps`, which resolves nothing.
pub fn package(dir: &Path, scratch: &Path, limit: Duration) -> Result<Package> {
    let mut command = Command::new("cargo");
    command
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"));
    let run = run_bounded(command, scratch, "metadata", limit)?;
    if run.timed_out {
        bail!("cargo metadata did not finish in {}s", limit.as_secs());
    }
    if !run.success() {
        bail!("cargo metadata failed: {}", run.stderr_tail(3));
    }
    let metadata: Value = serde_json::from_str(&run.stdout).context("cargo metadata output")?;
    let package = metadata["packages"]
        .get(0)
        .context("cargo metadata lists no package")?;
    let mut out = Package {
        name: package["name"].as_str().unwrap_or("?").to_string(),
        version: package["version"].as_str().unwrap_or("?").to_string(),
        edition: package["edition"].as_str().unwrap_or("2021").to_string(),
        lib_root: None,
        bin_roots: Vec::new(),
        build_root: None,
    };
    for target in package["targets"].as_array().into_iter().flatten() {
        let kinds: Vec<&str> = target["kind"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let Some(root) = target["src_path"].as_str().map(PathBuf::from) else {
            continue;
        };
        if kinds.contains(&"bin") {
            out.bin_roots.push(root);
        } else if kinds.contains(&"custom-build") {
            out.build_root = Some(root);
        } else if kinds
            .iter()
            .any(|k| k.ends_with("lib") || *k == "proc-macro")
        {
            out.lib_root = Some(root);
        }
    }
    Ok(out)
}

/// Everything one `cargo check` said: answers by probe (file relative to the package root,
/// byte offset of the error), and the other errors, for telling a broken build from a probed one.
#[derive(Default)]
pub struct Check {
    pub answers: Vec<(String, usize, Answer)>,
    pub other_errors: Vec<OtherError>,
    pub finished: bool,
    pub timed_out: bool,
    pub cargo_stderr: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct OtherError {
    pub code: Option<String>,
    pub file: Option<String>,
    pub byte: Option<usize>,
    pub line: Option<u64>,
    pub message: String,
}

/// `cargo check --message-format=json` of the package at `dir` for the given target selection,
/// lint levels capped so that no `deny` turns a probe into an unrelated error.
pub fn check(
    dir: &Path,
    target_dir: &Path,
    selection: &[&str],
    scratch: &Path,
    tag: &str,
    limit: Duration,
) -> Result<Check> {
    let mut command = Command::new("cargo");
    command
        .current_dir(dir)
        .args(["check", "--message-format=json"])
        .args(selection)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("RUSTFLAGS", "--cap-lints=warn")
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    let run = run_bounded(command, scratch, tag, limit)?;
    Ok(read_messages(&run))
}

fn read_messages(run: &Finished) -> Check {
    let mut check = Check {
        timed_out: run.timed_out,
        cargo_stderr: run.stderr_tail(5),
        ..Check::default()
    };
    for line in run.stdout.lines() {
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match value["reason"].as_str() {
            Some("build-finished") => check.finished = true,
            Some("compiler-message") => read_message(&value["message"], &mut check),
            _ => {}
        }
    }
    check
}

fn read_message(message: &Value, check: &mut Check) {
    if message["level"].as_str() != Some("error") {
        return;
    }
    let code = message["code"]["code"].as_str().map(str::to_string);
    let primary = message["spans"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|span| span["is_primary"].as_bool() == Some(true));
    let file = primary
        .and_then(|s| s["file_name"].as_str())
        .map(str::to_string);
    let byte = primary
        .and_then(|s| s["byte_start"].as_u64())
        .map(|b| b as usize);
    if code.as_deref() == Some("E0512")
        && let (Some(file), Some(byte), Some(answer)) = (&file, byte, source_type(message))
    {
        check.answers.push((file.clone(), byte, answer));
        return;
    }
    check.other_errors.push(OtherError {
        code,
        file,
        byte,
        line: primary.and_then(|s| s["line_start"].as_u64()),
        message: message["message"].as_str().unwrap_or("").to_string(),
    });
}

/// The E0512 note `source type: `T` (N bits)`, or `(this type does not have a fixed size)` and
/// the like for a type whose size depends on a generic parameter.
fn source_type(message: &Value) -> Option<Answer> {
    let note = message["children"]
        .as_array()?
        .iter()
        .filter_map(|child| child["message"].as_str())
        .find_map(|text| text.strip_prefix("source type: "))?;
    let rest = note.strip_prefix('`')?;
    let close = rest.find('`')?;
    let ty = rest[..close].to_string();
    let why = rest[close + 1..].trim();
    let bits = why
        .strip_prefix('(')
        .and_then(|w| w.strip_suffix(" bits)"))
        .and_then(|n| n.parse::<u64>().ok());
    Some(match bits {
        Some(bits) => Answer::Sized {
            ty,
            bytes: bits / 8,
        },
        None => Answer::Unsized {
            ty,
            why: why.trim_matches(|c| c == '(' || c == ')').to_string(),
        },
    })
}

//! The real-code judge: every binding of real crates, memlens's size against rustc's.
//!
//! `cargo test --release --test judge -- [--json OUT] [--memlens PATH] [--timeout SECS] CRATE_DIR...`
//! judges each crate and prints a table by binding form. With no CRATE_DIR it judges the
//! project's own sample crate (`tests/judge/sample`) and fails if memlens states any wrong size.

mod collect;
mod compare;
mod judge;
mod memlens;
mod modtree;
mod probe;
mod process;
mod report;
mod rustc;
mod selftest;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::compare::Verdict;
use crate::judge::{Options, judge_crate};
use crate::report::{CrateResult, Record};

/// What the command line asked for.
struct Args {
    json: Option<PathBuf>,
    memlens: PathBuf,
    timeout: Duration,
    crates: Vec<PathBuf>,
    list: bool,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        json: None,
        // Cargo builds the binary for integration tests and says where it is.
        memlens: PathBuf::from(env!("CARGO_BIN_EXE_memlens")),
        timeout: Duration::from_secs(900),
        crates: Vec::new(),
        list: false,
    };
    let mut raw = std::env::args().skip(1);
    while let Some(arg) = raw.next() {
        match arg.as_str() {
            "--json" => args.json = Some(raw.next().context("--json needs a file")?.into()),
            "--memlens" => args.memlens = raw.next().context("--memlens needs a path")?.into(),
            "--timeout" => {
                let secs = raw.next().context("--timeout needs seconds")?;
                args.timeout = Duration::from_secs(secs.parse().context("--timeout seconds")?);
            }
            "--list" => args.list = true,
            // What `cargo test` may pass to every test binary; this one has no test filter.
            "--nocapture" | "--quiet" | "-q" | "--ignored" | "--include-ignored" | "--exact" => {}
            "--test-threads" | "--color" | "--format" => {
                raw.next();
            }
            other if other.starts_with("--test-threads=") || other.starts_with("--color=") => {}
            other if other.starts_with('-') => bail!("unknown option {other}"),
            dir => args.crates.push(dir.into()),
        }
    }
    Ok(args)
}

fn scratch_root() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`: the judge's files go beside it, in `<target>/judge`.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("judge")
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/judge/sample")
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/judge/probe_fixture")
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("judge: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    let args = parse_args()?;
    if args.list {
        // Nothing to list: the judge is one run, not a set of named tests.
        return Ok(ExitCode::SUCCESS);
    }
    let sample_mode = args.crates.is_empty();
    let crates = if sample_mode {
        vec![sample_dir()]
    } else {
        args.crates.clone()
    };
    if !args.memlens.is_file() {
        bail!("no memlens binary at {}", args.memlens.display());
    }
    let options = Options {
        memlens: args.memlens.clone(),
        scratch: scratch_root(),
        check_limit: args.timeout,
        memlens_limit: Duration::from_secs(300),
    };
    let mut results = Vec::new();
    for dir in &crates {
        let result = judge_crate(dir, &options);
        print!("{}", report::crate_section(&result));
        results.push(result);
    }
    if results.len() > 1 {
        print_combined(&results);
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report::to_json(&results))?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("\nwrote {}", path.display());
    }
    if !sample_mode {
        return Ok(ExitCode::SUCCESS);
    }
    let mut failures = probe_self_test(&options);
    failures.extend(sample_failures(&results));
    Ok(verdict(&failures))
}

fn print_combined(results: &[CrateResult]) {
    println!("\n== all {} crates", results.len());
    println!(
        "  {:<24} {:>6} {:>6} {:>6} {:>7} {:>8} {:>9} {:>7}",
        "crate", "total", "right", "wrong", "unknown", "unsized", "no-answer", "right%"
    );
    for result in results {
        let (_, t) = report::tally(&result.records);
        let percent = if t.sized == 0 {
            "–".to_string()
        } else {
            format!("{:.1}%", 100.0 * t.right as f64 / t.sized as f64)
        };
        println!(
            "  {:<24} {:>6} {:>6} {:>6} {:>7} {:>8} {:>9} {:>7}",
            result.label, t.total, t.right, t.wrong, t.unknown, t.unsized_, t.no_answer, percent
        );
    }
    let all: Vec<&Record> = results.iter().flat_map(|r| &r.records).collect();
    println!("  by form, all crates:");
    print!("{}", report::table(&all));
}

/// The instrument's check: rustc's answers through the probes on the fixture are as expected.
fn probe_self_test(options: &Options) -> Vec<String> {
    let dir = fixture_dir();
    let text = match std::fs::read_to_string(dir.join("src/lib.rs")) {
        Ok(text) => text,
        Err(e) => return vec![format!("cannot read the probe fixture: {e}")],
    };
    let result = judge_crate(&dir, options);
    let failures = selftest::failures(&result, &text);
    if failures.is_empty() {
        println!(
            "\nprobe self-test: rustc's answer for all {} fixture bindings as expected",
            result.records.len()
        );
    }
    failures
}

/// The suite's own check on the sample: it must be judged completely, and memlens must state no
/// wrong size on it. Unknown sizes are allowed: they are honest.
fn sample_failures(results: &[CrateResult]) -> Vec<String> {
    let mut failures = Vec::new();
    for result in results {
        failures.extend(result.problems.iter().map(|p| format!("problem: {p}")));
        let unanswered = result
            .records
            .iter()
            .filter(|r| r.verdict == Verdict::NoAnswer)
            .count();
        if unanswered > 0 {
            failures.push(format!(
                "{unanswered} bindings got no rustc answer (a harness bug)"
            ));
        }
        if result.records.is_empty() {
            failures.push("no bindings found in the sample".to_string());
        }
        let wrong = result
            .records
            .iter()
            .filter(|r| r.verdict == Verdict::Wrong)
            .count();
        if wrong > 0 {
            failures.push(format!("memlens states {wrong} wrong sizes"));
        }
    }
    failures
}

fn verdict(failures: &[String]) -> ExitCode {
    if failures.is_empty() {
        println!("\njudge: 1 passed, 0 failed");
        ExitCode::SUCCESS
    } else {
        for failure in failures {
            println!("judge: FAILED: {failure}");
        }
        println!("\njudge: 0 passed, 1 failed");
        ExitCode::FAILURE
    }
}

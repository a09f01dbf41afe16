//! The heap judge: both heap figures of every local of whole programs, against a counting
//! allocator.
//!
//! `cargo test --release --test heap_judge -- [--misses] PROGRAM.rs|DIR...` instruments each
//! single-file program (std only, runs without input), runs it, and compares what each local
//! owns right after its `let` and after its last change with memlens's two figures. It prints
//! one line per program, the totals and every wrong claim, and fails if memlens states a wrong
//! number; `--misses` also lists the measured bindings without an exact figure. With no
//! program it judges the project's own heap fixtures.

mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use memlens::analysis::{self, Target};
use support::heap_judge::{ClaimCounts, HeapTruth, judge_heap};
use support::rustc_probe::rustc_available;

const OWN_PROGRAMS: [&str; 4] = [
    "examples/where_data_lives.rs",
    "tests/fixtures/heap_basics.rs",
    "tests/fixtures/heap_growth.rs",
    "tests/fixtures/heap_over_scope.rs",
];

/// The `.rs` files named, directories expanded one level, in order.
fn programs(args: &[String]) -> Vec<PathBuf> {
    if args.is_empty() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        return OWN_PROGRAMS.iter().map(|p| root.join(p)).collect();
    }
    let mut found = Vec::new();
    for arg in args {
        let path = PathBuf::from(arg);
        match std::fs::read_dir(&path) {
            Ok(entries) => {
                let mut files: Vec<PathBuf> = entries
                    .filter_map(|e| Some(e.ok()?.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "rs"))
                    .collect();
                files.sort();
                found.extend(files);
            }
            Err(_) => found.push(path),
        }
    }
    found
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".to_string()
    } else {
        format!("{:.1} %", 100.0 * part as f64 / whole as f64)
    }
}

fn row(label: &str, counts: &ClaimCounts) -> String {
    format!(
        "{label:<14} measured {:>5}  exact and right {:>5} ({})  bounds {:>4}  unknown {:>4}  wrong {:>3}",
        counts.measured,
        counts.exact_right,
        percent(counts.exact_right, counts.measured),
        counts.bounds,
        counts.unknown,
        counts.exact - counts.exact_right,
    )
}

fn main() -> ExitCode {
    let show_misses = std::env::args().any(|a| a == "--misses");
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !rustc_available() {
        eprintln!("SKIPPED: rustc is not on this machine, so there is no truth to compare with");
        return ExitCode::SUCCESS;
    }
    let mut total = HeapTruth::default();
    let (mut judged, mut skipped) = (0, 0);
    let mut wrong = Vec::new();
    let mut misses = Vec::new();
    for path in programs(&args) {
        let name = path
            .file_stem()
            .map_or("program".into(), |s| s.to_string_lossy().replace('-', "_"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("{name}: cannot be read");
            skipped += 1;
            continue;
        };
        let analysis = analysis::analyze(&text, Target::default());
        match judge_heap(&name, &text, &analysis, Duration::from_secs(10)) {
            Ok(result) => {
                judged += 1;
                let (at_let, later) = (result.counts.at_let, result.counts.after_changes);
                println!(
                    "{name}: at let {}/{} exact, after changes {}/{} exact, {} wrong",
                    at_let.exact_right,
                    at_let.measured,
                    later.exact_right,
                    later.measured,
                    result.wrong.len()
                );
                total.at_let.add(at_let);
                total.after_changes.add(later);
                wrong.extend(result.wrong);
                misses.extend(result.inexact);
            }
            Err(failure) => {
                skipped += 1;
                // rustc's first error says whether a type memlens claimed was refused.
                let mut lines = failure.lines();
                let reason = lines.next().unwrap_or_default();
                let error = lines.find(|l| l.starts_with("error")).unwrap_or_default();
                println!("{name}: skipped, the probe {reason} {error}");
            }
        }
    }
    println!("\n{judged} programs judged, {skipped} skipped");
    println!("{}", row("at its let", &total.at_let));
    println!("{}", row("after changes", &total.after_changes));
    if show_misses {
        println!("\nwithout an exact figure:");
        for miss in &misses {
            println!("  {miss}");
        }
    }
    if wrong.is_empty() {
        return ExitCode::SUCCESS;
    }
    println!("\nwrong claims:");
    for claim in &wrong {
        println!("  {claim}");
    }
    ExitCode::FAILURE
}

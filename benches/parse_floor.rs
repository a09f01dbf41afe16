//! The parse floor: how fast `syn::parse_file` alone reads a file, beside memlens's whole analysis of it.
//!
//! `cargo bench --bench parse_floor -- FILE` prints one tab-separated line per measurement:
//! what was timed, the file's lines, the number of timed runs, their median in milliseconds and
//! the lines per second that median gives. The runs follow one untimed warm-up run. memlens
//! parses every item with syn, so syn alone is the floor its analysis cannot go below.
//!
//! Without FILE (a plain `cargo bench`) it measures the crate's largest source file.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use memlens::analysis::incremental::invalidate_spans;
use memlens::analysis::{Target, analyze};

/// Timed runs per measurement, after one warm-up.
const RUNS: usize = 7;

/// What a plain `cargo bench` measures: real Rust, the largest file of the crate.
const DEFAULT_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/analysis/infer.rs");

fn main() -> ExitCode {
    // cargo bench adds `--bench`; the file is the one argument that is not a flag.
    let path = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with("--"))
        .unwrap_or_else(|| DEFAULT_FILE.to_string());
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::from(2);
        }
    };
    // Both run on a large stack, as the CLI and the server run the analysis.
    let measured = memlens::stack::on_large_stack(move || measure(&text));
    match measured {
        Ok(Ok(rows)) => {
            rows.iter().for_each(|row| println!("{row}"));
            ExitCode::SUCCESS
        }
        Ok(Err(message)) | Err(message) => {
            eprintln!("{path}: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The two measurements of `text` as output lines, or why the floor means nothing for it.
fn measure(text: &str) -> Result<[String; 2], String> {
    // A file syn rejects stops at the first error, which would make the floor look fast.
    if let Err(error) = syn::parse_file(text) {
        return Err(format!(
            "syn does not parse it ({error}), so it has no parse floor"
        ));
    }
    let lines = text.lines().count();
    let parse = median_time(|| {
        std::hint::black_box(syn::parse_file(text).is_ok());
    });
    let analysis = median_time(|| {
        std::hint::black_box(analyze(text, Target::default()).bindings.len());
    });
    Ok([
        row("syn::parse_file", lines, parse),
        row("memlens analyze", lines, analysis),
    ])
}

/// The median of [`RUNS`] timings of `run`, after one untimed warm-up. The span map that syn
/// fills is cleared before every run, as memlens clears it, so every run starts alike.
fn median_time(mut run: impl FnMut()) -> Duration {
    invalidate_spans();
    run();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            invalidate_spans();
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

/// `what<TAB>lines<TAB>runs<TAB>median ms<TAB>lines per second`.
fn row(what: &str, lines: usize, median: Duration) -> String {
    let seconds = median.as_secs_f64();
    format!(
        "{what}\t{lines}\t{RUNS}\t{:.1}\t{:.0}",
        seconds * 1000.0,
        lines as f64 / seconds
    )
}

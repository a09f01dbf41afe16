//! The first hover's work in-process, each phase timed once as a fresh server does it (so no
//! warm-up): loading std's tables (the server does it on a thread of its own while the client
//! connects), preparing the just-opened document, then analysing the one item under a cursor.
//!
//! `cargo bench --bench first_hover -- FILE NEEDLE` prints the phases in milliseconds; NEEDLE is
//! text in FILE, the cursor is at its start. Run under `valgrind --tool=callgrind` for the
//! instruction counts of each phase (`--toggle-collect` on `memlens::analysis::prewarm`,
//! `*Analyzer::prepare_in_crate*` or `*Analyzer::analyze_in_crate*`), which, unlike wall-clock
//! time on a noisy machine, repeat exactly.

use std::process::ExitCode;
use std::time::Instant;

use memlens::analysis::Target;
use memlens::analysis::incremental::Analyzer;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let [path, needle] = args.as_slice() else {
        eprintln!("usage: first_hover FILE NEEDLE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::from(2);
        }
    };
    let Some(cursor) = text.find(needle.as_str()) else {
        eprintln!("{path}: no {needle:?} in it");
        return ExitCode::from(2);
    };
    let measured = memlens::stack::on_large_stack(move || {
        let target = Target::default();
        let started = Instant::now();
        memlens::analysis::prewarm(&target);
        let prewarmed = started.elapsed();
        let mut analyzer = Analyzer::default();
        let started = Instant::now();
        analyzer.prepare_in_crate(&text, target, None);
        let prepared = started.elapsed();
        let started = Instant::now();
        let analysis = analyzer.analyze_in_crate(&text, target, cursor..cursor, None);
        let hovered = started.elapsed();
        (prewarmed, prepared, hovered, analysis.bindings.len())
    });
    match measured {
        Ok((prewarmed, prepared, hovered, bindings)) => {
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
            println!("prewarm\t{:.2} ms", ms(prewarmed));
            println!("prepare\t{:.2} ms", ms(prepared));
            println!("hover\t{:.2} ms\t{bindings} bindings", ms(hovered));
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{path}: {message}");
            ExitCode::FAILURE
        }
    }
}

//! The incremental analyzer gives exactly what a fresh analysis gives, edit after edit.

use crate::analysis::incremental::Analyzer;
use crate::analysis::{FileAnalysis, Target, analyze};

/// Everything but the definitions table (a hash map, whose order is not meaningful).
fn comparable(analysis: &FileAnalysis) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        analysis.bindings,
        analysis.uses,
        analysis.mentions,
        analysis.functions,
        analysis.leaks,
        analysis.types,
        analysis.errors
    )
}

const SEED: &str = include_str!("../../../examples/where_data_lives.rs");

#[test]
fn edits_give_the_same_result_as_a_fresh_analysis() {
    let steps: [fn(&str) -> String; 7] = [
        |t| t.to_string(),
        // Inside one function body.
        |t| t.replacen("let x = 42;", "let x = 42u8;", 1),
        // A line above everything shifts every chunk.
        |t| format!("// a new first line\n{t}"),
        // A declaration other items depend on: the signature changes.
        |t| t.replacen("param_num: i32", "param_num: i64", 1),
        // Half-typed: a broken function, then fixed again.
        |t| t.replacen("fn process_data(", "fn process_data( {", 1),
        |t| t.replacen("fn process_data( {", "fn process_data(", 1),
        // A new struct that a new binding uses.
        (|t| {
            format!(
                "{t}\nstruct Pair {{ a: u8, b: u64 }}\nfn extra() {{ let p = Pair {{ a: 1, b: 2 }}; }}\n"
            )
        }),
    ];
    let mut analyzer = Analyzer::default();
    let mut text = SEED.to_string();
    for (index, step) in steps.iter().enumerate() {
        text = step(&text);
        let incremental = analyzer.analyze(&text, Target::default());
        let fresh = analyze(&text, Target::default());
        assert_eq!(comparable(&incremental), comparable(&fresh), "step {index}");
    }
    // The target is part of what is cached.
    let i686 = Target::from_triple("i686-unknown-linux-gnu").expect("known target");
    assert_eq!(
        comparable(&analyzer.analyze(&text, i686)),
        comparable(&analyze(&text, i686))
    );
}

#[test]
fn a_span_reset_between_analyses_is_survived() {
    let mut analyzer = Analyzer::default();
    let first = analyzer.analyze(SEED, Target::default());
    crate::analysis::incremental::invalidate_spans();
    let edited = SEED.replacen("let y = 100;", "let y = 100u16;", 1);
    let second = analyzer.analyze(&edited, Target::default());
    assert_eq!(
        comparable(&second),
        comparable(&analyze(&edited, Target::default()))
    );
    assert_eq!(first.bindings.len(), second.bindings.len());
    assert!(
        !analyzer.files().is_empty(),
        "the trees of the last text are available"
    );
}

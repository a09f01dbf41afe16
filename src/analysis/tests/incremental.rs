//! The incremental analyzer gives exactly what a fresh analysis gives, edit after edit.

use crate::analysis::hover::hover;
use crate::analysis::incremental::Analyzer;
use crate::analysis::inlay::{InlayOptions, inlay_hints};
use crate::analysis::{FileAnalysis, Target, analyze};

const SEED: &str = include_str!("../../../examples/where_data_lives.rs");

#[test]
fn edits_give_the_same_result_as_a_fresh_analysis() {
    let steps: [fn(&str) -> String; 9] = [
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
        // An import that changes what a name in another item means, then another one.
        |t| format!("use std::io::Result;\n{t}\nfn io_user() {{ let r: Result<u8> = Ok(1); }}\n"),
        |t| t.replacen("use std::io::Result;", "use std::thread::Result;", 1),
    ];
    let mut analyzer = Analyzer::default();
    let text = apply_agreeing(&mut analyzer, SEED.to_string(), &steps);
    // The target is part of what is cached.
    let i686 = Target::from_triple("i686-unknown-linux-gnu").expect("known target");
    assert_eq!(
        analyzer.analyze(&text, i686).comparable(),
        analyze(&text, i686).comparable()
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
        second.comparable(),
        analyze(&edited, Target::default()).comparable()
    );
    assert_eq!(first.bindings.len(), second.bindings.len());
    assert!(
        !analyzer.files().is_empty(),
        "the trees of the last text are available"
    );
}

/// The project's own sample programs, one after another: many items of every kind.
fn corpus() -> String {
    [
        SEED,
        include_str!("../../../tests/fixtures/heap_basics.rs"),
        include_str!("../../../tests/fixtures/heap_growth.rs"),
        include_str!("../../../tests/fixtures/actions.rs"),
        include_str!("../../../tests/fixtures/statics.rs"),
    ]
    .iter()
    .map(|source| source.replace("//!", "//"))
    .collect::<Vec<_>>()
    .join("\n")
}

#[test]
fn edits_at_item_boundaries_give_the_same_result_as_a_fresh_analysis() {
    let steps: [fn(&str) -> String; 9] = [
        |t| t.to_string(),
        // A new item before everything.
        |t| format!("struct First(u32);\n{t}"),
        // A new item after everything, then blank text after it.
        |t| format!("{t}\nfn last() {{ let v = vec![1u8, 2]; }}"),
        |t| format!("{t}\n\n   \n"),
        // Between two items: a blank line, then an item glued to the end of the previous one.
        |t| {
            let at = t.find("\nfn ").map_or(0, |at| at + 1);
            format!("{}\n{}", &t[..at], &t[at..])
        },
        |t| {
            let at = t.find("}\n").map_or(0, |at| at + 1);
            format!("{}static GLUED: u8 = 1;{}", &t[..at], &t[at..])
        },
        // An item split in two by an inserted closing brace, then joined again.
        |t| t.replacen("let x = 42;", "let x = 42; }\nfn split() {", 1),
        |t| t.replacen("let x = 42; }\nfn split() {", "let x = 42;", 1),
        // Everything deleted.
        |_| String::new(),
    ];
    let mut analyzer = Analyzer::default();
    let mut text = corpus();
    let mut history = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        history.push(text.clone());
        text = step(&text);
        assert_same_as_fresh(&mut analyzer, &text, &format!("step {index}"));
    }
    // Undo, all the way back.
    for (index, earlier) in history.iter().rev().enumerate() {
        assert_same_as_fresh(&mut analyzer, earlier, &format!("undo {index}"));
    }
}

fn assert_same_as_fresh(analyzer: &mut Analyzer, text: &str, what: &str) {
    let incremental = analyzer.analyze(text, Target::default());
    let fresh = analyze(text, Target::default());
    assert_same(&incremental.comparable(), &fresh.comparable(), what);
}

/// Fails at the first line where two long debug dumps differ, showing that line of each.
fn assert_same(actual: &str, expected: &str, what: &str) {
    let mismatch = actual
        .split(", ")
        .zip(expected.split(", "))
        .enumerate()
        .find(|(_, (a, e))| a != e);
    if let Some((index, (a, e))) = mismatch {
        panic!("{what}: part {index} differs:\n  incremental: {a}\n  fresh:       {e}");
    }
    assert_eq!(actual.len(), expected.len(), "{what}: one dump is longer");
}

/// Byte offsets at character boundaries, every few bytes: enough to land on every name.
fn offsets(text: &str) -> impl Iterator<Item = usize> + '_ {
    (0..=text.len())
        .step_by(2)
        .filter(|&at| text.is_char_boundary(at))
}

#[test]
fn a_scoped_analysis_answers_hovers_as_the_whole_one_does() {
    let text = corpus();
    let whole = analyze(&text, Target::default());
    // A fresh analyzer per query leaves the other items unparsed, as on a first hover; a shared
    // one accumulates parses from earlier queries: both must answer the same.
    let mut shared = Analyzer::default();
    for offset in offsets(&text) {
        let expected = hover(&whole, offset);
        let scoped = shared.analyze_scope(&text, Target::default(), offset..offset);
        assert_eq!(hover(&scoped, offset), expected, "offset {offset}");
        if offset % 64 == 0 {
            let first = Analyzer::default().analyze_scope(&text, Target::default(), offset..offset);
            assert_eq!(hover(&first, offset), expected, "first query at {offset}");
        }
    }
}

/// A document prepared when opened (declarations only, every body left unparsed) answers its
/// first hover as a whole analysis does, wherever the hover is.
#[test]
fn a_prepared_analysis_answers_hovers_as_the_whole_one_does() {
    let text = corpus()
        .replace(
            "\nfn ",
            "\n/// A doc comment, with `code` and \"quotes\".\nfn ",
        )
        .replace("\nstruct ", "\n/** A block doc. */\nstruct ");
    let whole = analyze(&text, Target::default());
    for offset in offsets(&text).step_by(48) {
        let mut prepared = Analyzer::default();
        prepared.prepare_in_crate(&text, Target::default(), None);
        let scoped = prepared.analyze_scope(&text, Target::default(), offset..offset);
        assert_eq!(
            hover(&scoped, offset),
            hover(&whole, offset),
            "offset {offset}"
        );
    }
}

#[test]
fn a_scoped_analysis_gives_the_inlay_hints_of_its_range() {
    let text = corpus();
    let whole = analyze(&text, Target::default());
    let options = InlayOptions::default();
    let mut analyzer = Analyzer::default();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    for window in line_starts.windows(2).step_by(5) {
        let range = window[0]..(window[0] + 400).min(text.len());
        let scoped = analyzer.analyze_scope(&text, Target::default(), range.clone());
        // Hints point at bindings by index, which differs between analyses: compare names.
        let hints = |analysis: &FileAnalysis| {
            inlay_hints(analysis, range.clone(), options)
                .into_iter()
                .map(|hint| {
                    let binding = &analysis.bindings[hint.binding].binding;
                    (hint.offset, hint.label, binding.name_range.clone())
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(hints(&scoped), hints(&whole), "range {range:?}");
    }
}

/// An edit inside a chunk that moves a type definition without changing what any item
/// declares (a comment above it, a function body before it in a module) moves the type's
/// name range too. Found by the fuzz suite.
#[test]
fn a_definition_moved_within_its_chunk_is_found_at_its_new_place() {
    let text = "fn first() {}\n// a note\nstruct Moved { a: u8 }\nmod inner {\n    fn body() { let x = 1; }\n    struct Nested(u64);\n}\n";
    let steps: [fn(&str) -> String; 2] = [
        |t| t.replacen("// a note", "// a much longer note", 1),
        |t| t.replacen("let x = 1;", "let longer_name = 1;", 1),
    ];
    let mut analyzer = Analyzer::default();
    let mut text = text.to_string();
    analyzer.analyze(&text, Target::default());
    for (index, step) in steps.iter().enumerate() {
        text = step(&text);
        assert_same_as_fresh(&mut analyzer, &text, &format!("step {index}"));
    }
}

/// An item left open at the top (a brace or parenthesis not closed yet) makes the rest of the
/// file one region cut at its column-0 item lines; edits below it, in it, and the one that
/// closes it all give what a fresh analysis gives, including an `impl` whose methods start at
/// column 0 (cut while the region is open, whole once it closes).
#[test]
fn edits_under_an_unclosed_item_give_the_same_result_as_a_fresh_analysis() {
    let column_zero_impl =
        "struct Z { z: u32 }\nimpl Z {\nfn get(&self) -> u32 { let v = vec![self.z]; v[0] }\n}\n";
    let steps: [fn(&str) -> String; 10] = [
        |t| format!("fn open() {{\n    let a = (1, 2;\n}}\n{t}"),
        |t| t.replacen("let x = 42;", "let x = 42u8;", 1),
        |t| format!("{t}\nfn tail() {{ let s = String::from(\"t\"); }}\n"),
        |t| {
            t.replacen(
                "let s = String::from(\"t\");",
                "let s = String::from(\"tt\");",
                1,
            )
        },
        |t| t.replacen("fn tail() {", "fn tail() { let w = 1u64;", 1),
        |t| t.replacen("let a = (1, 2;", "let a = (1, 2);", 1),
        |t| t.replacen("let a = (1, 2);", "let a = (1, 2;", 1),
        |t| t.replacen("let a = (1, 2;", "let a = (1, 2u8;", 1),
        |t| t.replacen("fn open() {\n", "fn open() {\n    let b = 3;\n", 1),
        |t| t.replacen("fn open() {", "fn open() {}\nfn closed() {", 1),
    ];
    for base in [corpus(), format!("{column_zero_impl}{}", corpus())] {
        let mut analyzer = Analyzer::default();
        let text = apply_agreeing(&mut analyzer, base, &steps);
        // Closing the region from inside the impl's column-0 method, then opening it again.
        let close_and_reopen: [fn(&str) -> String; 2] = [
            |t| t.replacen("v[0] }", "v[0] } }", 1),
            |t| t.replacen("v[0] } }", "v[0] }", 1),
        ];
        apply_agreeing(&mut analyzer, text, &close_and_reopen);
    }
}

/// Applies each step in turn, checking after each that `analyzer` answers as a fresh analysis
/// of the same text; returns the last text.
fn apply_agreeing(
    analyzer: &mut Analyzer,
    mut text: String,
    steps: &[fn(&str) -> String],
) -> String {
    for (index, step) in steps.iter().enumerate() {
        text = step(&text);
        let incremental = analyzer.analyze(&text, Target::default());
        let fresh = analyze(&text, Target::default());
        assert_eq!(incremental.comparable(), fresh.comparable(), "step {index}");
    }
    text
}

//! Robustness of the analysis: typing a file character by character, deep nesting. (Random
//! text and edits are the fuzz suite's, in `tests/fuzz.rs`.)

use memlens::analysis::chunk::split_items;
use memlens::analysis::incremental::Analyzer;
use memlens::analysis::{FileAnalysis, Target, analyze, inlay};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .expect("fixture exists")
}

/// What a binding shows: name, type and inlay label.
fn shown(analysis: &FileAnalysis, index: usize) -> (String, String, String) {
    let report = &analysis.bindings[index];
    let ty = report
        .ty()
        .map_or_else(|| "?".to_string(), ToString::to_string);
    (
        report.binding.name.clone(),
        ty,
        inlay::label(report, Default::default()),
    )
}

/// Replays typing `text` in steps of `step` bytes. At every step, each binding in an item that
/// was complete before the one being typed must show what it showed when that item was
/// finished (the text up to its end). Returns (kept, checked).
fn replay_typing(text: &str, step: usize) -> (usize, usize) {
    let item_ends: Vec<usize> = split_items(text)
        .into_iter()
        .map(|range| range.end)
        .collect();
    let mut analyzer = Analyzer::default();
    let mut before: Option<(usize, FileAnalysis)> = None;
    let (mut kept, mut checked) = (0, 0);
    let mut cut = 0;
    while cut < text.len() {
        cut = (cut + step).min(text.len());
        while !text.is_char_boundary(cut) {
            cut += 1;
        }
        let partial = analyzer.analyze(&text[..cut], Target::default());
        let complete_until = item_ends
            .iter()
            .copied()
            .filter(|&end| end <= cut)
            .max()
            .unwrap_or(0);
        if before
            .as_ref()
            .is_none_or(|(until, _)| *until != complete_until)
        {
            before = Some((
                complete_until,
                analyze(&text[..complete_until], Target::default()),
            ));
        }
        let Some((_, finished)) = &before else {
            continue;
        };
        for (index, report) in finished.bindings.iter().enumerate() {
            checked += 1;
            let same = partial
                .bindings
                .iter()
                .position(|b| b.binding.name_range == report.binding.name_range)
                .is_some_and(|p| shown(&partial, p) == shown(finished, index));
            kept += usize::from(same);
        }
    }
    (kept, checked)
}

#[test]
fn typing_keeps_the_answers_of_finished_items() {
    let mut total = (0, 0);
    for path in [
        "examples/where_data_lives.rs",
        "tests/fixtures/heap_basics.rs",
        "tests/fixtures/actions.rs",
    ] {
        let (kept, checked) = replay_typing(&fixture(path), 7);
        eprintln!("typing replay {path}: {kept} of {checked} answers kept");
        total = (total.0 + kept, total.1 + checked);
    }
    let fraction = total.0 as f64 / total.1.max(1) as f64;
    eprintln!(
        "typing replay: {} of {} answers kept ({:.1}%)",
        total.0,
        total.1,
        fraction * 100.0
    );
    assert!(total.1 > 1000, "the replay checks something: {total:?}");
    assert!(fraction > 0.99, "answers kept while typing: {fraction}");
}

/// Nesting just under the limit is analysed, on the large-stack thread the server and the CLI
/// use. (Deeper items are left out: `tests/hostile_input.rs`.)
#[test]
fn nesting_just_under_the_limit_is_analysed() {
    let depth = memlens::analysis::chunk::MAX_NESTING - 8;
    let nested = [
        format!(
            "fn main() {{ let x = {}1{}; }}",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        format!(
            "fn main() {{ {}let y = 1u8;{} }}",
            "{ ".repeat(depth),
            " }".repeat(depth)
        ),
        format!(
            "fn main() {{ let z = {}0u8{}; }}",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    ];
    for text in nested {
        let (bindings, errors) = memlens::stack::on_large_stack(move || {
            let analysis = analyze(&text, Target::default());
            (analysis.bindings.len(), analysis.errors)
        })
        .expect("the analysis finishes");
        assert!(bindings >= 1);
        assert_eq!(errors, []);
    }
}

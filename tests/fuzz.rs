//! The fuzz suite: generated text and edits never panic or hang the analysis core, the
//! incremental analysis always equals a fresh one, and the document store applies LSP changes
//! as the protocol says.
//!
//! Inputs grow from the project's own Rust files (the example, the fixtures and the analysis
//! sources) by random splices, deletions and insertions of Rust-ish fragments, or are random
//! strings outright; a failure shrinks to a short list of edits. Each case runs on a thread of
//! its own with a deadline, so a hang fails the test with its input instead of stalling CI.
//!
//! `PROPTEST_CASES` sets how many cases every property runs; the defaults keep the suite near
//! half a minute in a release build on 2 cores.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use memlens::analysis::actions::{self, ActionOptions};
use memlens::analysis::diagnostics::{self, DiagnosticOptions};
use memlens::analysis::incremental::Analyzer;
use memlens::analysis::inlay::{self, InlayOptions};
use memlens::analysis::parse::parse_items;
use memlens::analysis::{FileAnalysis, Target, analyze, cycles, hover};
use memlens::cli::explain;
use memlens::server::{Document, PositionEncoding};
use memlens::stack::on_large_stack;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;
use tower_lsp_server::ls_types::{Position, Range as LspRange, TextDocumentContentChangeEvent};

/// How long one step of a case may take before it counts as a hang. The slowest honest step
/// (every query on every target over the largest seed) takes well under a second.
const STEP_DEADLINE: Duration = Duration::from_secs(10);

/// Pieces of Rust that open, close or confuse the constructs the scanner and parser track.
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    "\"",
    "r#\"",
    "\"#",
    "'",
    "'a",
    "b'",
    "'\\",
    "/*",
    "*/",
    "//",
    "//!",
    "///",
    "#[",
    "#![",
    "#[repr(C, packed)]",
    "#[repr(align(4096))]",
    "#[repr(packed(0))]",
    "#[repr(align(3))]",
    "for _ in 0..u64::MAX {",
    "for _ in 0..2 { for _ in 0..2 { for _ in 0..2 { for _ in 0..2 {",
    "vec![0u64; 1 << 61]",
    "fn",
    "fn f(",
    "fn g() {",
    "struct",
    "struct S {",
    "struct T(u8, u64);",
    "enum E { A, B(u32) }",
    "union U { a: u8, b: u64 }",
    "impl<T>",
    "impl S {",
    "trait",
    "mod m {",
    "macro_rules!",
    "static",
    "const",
    "type A = ",
    "let",
    "let x = ",
    "let mut v = Vec::new();",
    "v.push(1);",
    "vec![1, 2]",
    "String::from(\"hi\")",
    "Box::new(",
    "Rc::new(",
    "Box::leak(",
    "format!(\"{x}\")",
    "for i in 0..10 {",
    "while i < n {",
    "match x {",
    "=> ",
    "|x|",
    "move ||",
    "::",
    "->",
    "..",
    "..=",
    "&mut ",
    "&",
    "*",
    "?",
    ";",
    ",",
    ":",
    "=",
    "self",
    "Self",
    "r#type",
    "[u8; 99999999999999999999]",
    "[u64; 18446744073709551615]",
    "[[u128; 1 << 40]; 1 << 40]",
    "340282366920938463463374607431768211455",
    "-9223372036854775808i64",
    "usize::MAX",
    "0x",
    "1e",
    "1.0f32",
    "é😀",
    "\u{feff}",
    "\u{2028}",
    "\0",
    "\t",
    " ",
    "\n",
    "\r\n",
    "\r",
];

/// The project's real Rust files, in a fixed order: the example, the fixtures and the analysis
/// sources.
fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = vec![root.join("examples/where_data_lives.rs")];
        paths.extend(rust_files_in(&root.join("tests/fixtures")));
        paths.extend(rust_files_in(&root.join("src/analysis")));
        paths
            .iter()
            .map(|path| std::fs::read_to_string(path).expect("a seed file is readable"))
            .collect()
    })
}

fn rust_files_in(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("a seed directory is readable")
        .map(|entry| entry.expect("a seed directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    paths.sort();
    paths
}

/// Every target memlens accepts, looked up by its triple as the CLI and the settings do.
fn targets() -> Vec<Target> {
    Target::known_triples()
        .into_iter()
        .map(|triple| Target::from_triple(triple).expect("a known triple is accepted"))
        .collect()
}

/// The byte offset `index` picks among `0..=len`, moved back to a char boundary: the server only
/// ever passes offsets it converted from positions, which are whole characters.
fn offset_in(text: &str, index: &Index) -> usize {
    text.floor_char_boundary(index.index(text.len() + 1))
}

/// Up to `len` bytes from the offset `start` picks, widened to whole characters.
fn span_in(text: &str, start: &Index, len: usize) -> Range<usize> {
    let start = offset_in(text, start);
    start..text.ceil_char_boundary((start + len).min(text.len()))
}

/// One change to a source text.
#[derive(Clone, Debug)]
enum Edit {
    /// Inserts one of [`FRAGMENTS`].
    Insert { at: Index, fragment: Index },
    /// Deletes up to `len` bytes.
    Delete { at: Index, len: usize },
    /// Copies up to `len` bytes from one place of the text to another.
    Splice { from: Index, len: usize, at: Index },
}

impl Edit {
    fn apply(&self, text: &mut String) {
        match self {
            Edit::Insert { at, fragment } => {
                let at = offset_in(text, at);
                text.insert_str(at, FRAGMENTS[fragment.index(FRAGMENTS.len())]);
            }
            Edit::Delete { at, len } => {
                let span = span_in(text, at, *len);
                text.replace_range(span, "");
            }
            Edit::Splice { from, len, at } => {
                let piece = text[span_in(text, from, *len)].to_string();
                let at = offset_in(text, at);
                text.insert_str(at, &piece);
            }
        }
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<Index>(), any::<Index>())
            .prop_map(|(at, fragment)| Edit::Insert { at, fragment }),
        2 => (any::<Index>(), 1..80usize).prop_map(|(at, len)| Edit::Delete { at, len }),
        1 => (any::<Index>(), 1..400usize, any::<Index>())
            .prop_map(|(from, len, at)| Edit::Splice { from, len, at }),
    ]
}

/// Where a text under test comes from.
#[derive(Clone, Debug)]
enum Source {
    /// A seed file after some edits.
    Mutated { seed: Index, edits: Vec<Edit> },
    /// Fragments strung together, to reach parser states a seed seldom does.
    Fragments(Vec<Index>),
    /// Any characters at all.
    Random(String),
}

impl Source {
    fn text(&self) -> String {
        match self {
            Source::Mutated { seed, edits } => {
                let mut text = seed.get(seeds()).clone();
                edits.iter().for_each(|edit| edit.apply(&mut text));
                text
            }
            Source::Fragments(picks) => picks
                .iter()
                .map(|pick| FRAGMENTS[pick.index(FRAGMENTS.len())])
                .collect::<Vec<_>>()
                .join(" "),
            Source::Random(text) => text.clone(),
        }
    }
}

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![
        3 => (any::<Index>(), prop::collection::vec(edit(), 1..12))
            .prop_map(|(seed, edits)| Source::Mutated { seed, edits }),
        1 => prop::collection::vec(any::<Index>(), 0..120).prop_map(Source::Fragments),
        1 => any::<String>().prop_map(Source::Random),
        1 => "[ -~\t\n\r]{0,300}".prop_map(Source::Random),
    ]
}

/// Where the queries of one case look: offsets for hovers, ranges for hints and code actions.
#[derive(Clone, Debug)]
struct Probes {
    offsets: Vec<Index>,
    ranges: Vec<(Index, Index)>,
}

impl Probes {
    /// The picked offsets, and the two ends of the text.
    fn offsets(&self, text: &str) -> Vec<usize> {
        let picked = self.offsets.iter().map(|index| offset_in(text, index));
        [0, text.len()].into_iter().chain(picked).collect()
    }

    /// The picked ranges, start first as the server orders them, and the whole text.
    fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        let picked = self.ranges.iter().map(|(a, b)| {
            let (a, b) = (offset_in(text, a), offset_in(text, b));
            a.min(b)..a.max(b)
        });
        std::iter::once(0..text.len()).chain(picked).collect()
    }
}

fn probes() -> impl Strategy<Value = Probes> {
    (
        prop::collection::vec(any::<Index>(), 1..6),
        prop::collection::vec((any::<Index>(), any::<Index>()), 1..4),
    )
        .prop_map(|(offsets, ranges)| Probes { offsets, ranges })
}

/// What the worker thread of a case tells the test: the input it is about to work on, or how
/// the whole case ended (a panic as its message).
enum Report {
    Input(String),
    Finished(Result<Result<(), TestCaseError>, String>),
}

/// Runs a case on a thread of its own (with the large stack the server gives analyses). The
/// case calls `starting(input)` before each step; a step without news for [`STEP_DEADLINE`]
/// fails as a hang, and a panic fails as such; every failure names the input of its step.
fn guarded<Case>(case: Case) -> Result<(), TestCaseError>
where
    Case: FnOnce(&dyn Fn(&str)) -> Result<(), TestCaseError> + Send + 'static,
{
    let (sender, receiver) = mpsc::channel();
    let reporter = sender.clone();
    std::thread::spawn(move || {
        let outcome = on_large_stack(move || {
            case(&|input: &str| {
                // The test may have given up on this case already; then nobody listens.
                let _ = reporter.send(Report::Input(input.to_string()));
            })
        });
        let _ = sender.send(Report::Finished(outcome));
    });
    let mut input = String::new();
    loop {
        match receiver.recv_timeout(STEP_DEADLINE) {
            Ok(Report::Input(next)) => input = next,
            Ok(Report::Finished(Ok(Err(TestCaseError::Fail(reason))))) => {
                return Err(TestCaseError::fail(format!("{reason}\ninput: {input:?}")));
            }
            Ok(Report::Finished(Ok(verdict))) => return verdict,
            Ok(Report::Finished(Err(panic))) => {
                return Err(TestCaseError::fail(format!(
                    "panicked: {panic}\ninput: {input:?}"
                )));
            }
            Err(RecvTimeoutError::Timeout) => {
                return Err(TestCaseError::fail(format!(
                    "no answer within {STEP_DEADLINE:?}\ninput: {input:?}"
                )));
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(TestCaseError::fail("the case's thread vanished"));
            }
        }
    }
}

/// `PROPTEST_CASES` when set, else `default_cases`.
fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        // Failing cases are saved beside this file (`fuzz.proptest-regressions`) and replayed
        // first on the next run.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        // A hang costs a deadline per shrinking step; a minute of shrinking is plenty.
        max_shrink_time: 60_000,
        max_shrink_iters: 10_000,
        ..ProptestConfig::default()
    }
}

/// Whether `range` lies inside `text` with both ends on char boundaries.
fn fits(text: &str, range: &Range<usize>) -> bool {
    range.start <= range.end && text.get(range.clone()).is_some()
}

/// Every position the analysis reports lies inside the text, on char boundaries: the server
/// turns each into an LSP position.
fn check_positions(text: &str, analysis: &FileAnalysis) -> Result<(), TestCaseError> {
    let ranges = analysis
        .bindings
        .iter()
        .flat_map(|report| {
            let hint = report.binding.hint_offset;
            [report.binding.name_range.clone(), hint..hint]
        })
        .chain(analysis.uses.iter().map(|u| u.range.clone()))
        .chain(analysis.mentions.iter().map(|m| m.range.clone()))
        .chain(
            analysis
                .functions
                .iter()
                .flat_map(|f| [f.name_range.clone(), f.body_range.clone()]),
        )
        .chain(analysis.leaks.iter().map(|l| l.range.clone()))
        .chain(analysis.rc_links.iter().map(|l| l.range.clone()))
        .chain(analysis.types.iter().map(|t| t.name_range.clone()))
        .chain(analysis.errors.iter().map(|e| e.range.clone()));
    for range in ranges {
        prop_assert!(fits(text, &range), "reported range {range:?} does not fit");
    }
    Ok(())
}

/// Diagnostic thresholds of zero, so that every kind of diagnostic is computed.
const REPORT_EVERYTHING: DiagnosticOptions = DiagnosticOptions {
    stack_value_bytes: 0,
    stack_frame_bytes: 0,
    recursive_frame_bytes: 0,
};

/// Every query the core answers, on `analysis` of `text` at the probes' places.
fn ask_everything(
    text: &str,
    analysis: &FileAnalysis,
    files: &[(&syn::File, usize)],
    probes: &Probes,
) -> Result<(), TestCaseError> {
    check_positions(text, analysis)?;
    for offset in probes.offsets(text) {
        if let Some(found) = hover::hover(analysis, offset) {
            prop_assert!(
                found.range.start <= offset && offset <= found.range.end,
                "a hover at {offset} answers for {:?}",
                found.range
            );
        }
    }
    for range in probes.ranges(text) {
        for hint in inlay::inlay_hints(analysis, range.clone(), InlayOptions::default()) {
            prop_assert!(fits(text, &(hint.offset..hint.offset)));
            prop_assert!(range.start <= hint.offset && hint.offset <= range.end);
        }
        let options = ActionOptions::default();
        for action in actions::code_actions_in(files, text, analysis, range, options) {
            for edit in &action.edits {
                prop_assert!(fits(text, &edit.range), "{action:?}");
            }
            actions::apply(text, &action.edits);
        }
    }
    for options in [DiagnosticOptions::default(), REPORT_EVERYTHING] {
        for diagnostic in diagnostics::diagnostics(analysis, options) {
            prop_assert!(fits(text, &diagnostic.range), "{diagnostic:?}");
        }
    }
    for function in &analysis.functions {
        diagnostics::frame_estimate(analysis, function);
    }
    cycles::cycles(&analysis.rc_links);
    explain::to_table("fuzz.rs", text, analysis);
    explain::to_json("fuzz.rs", text, analysis);
    Ok(())
}

/// Analyses `text` for every target and asks every query, as `explain` and the server would.
fn analyse_and_ask(text: &str, probes: &Probes) -> Result<(), TestCaseError> {
    let (items, _) = parse_items(text);
    let files: Vec<(&syn::File, usize)> = items
        .iter()
        .filter_map(|item| Some((item.file.as_ref()?, item.range.start)))
        .collect();
    for target in targets() {
        let analysis = analyze(text, target);
        ask_everything(text, &analysis, &files, probes)?;
    }
    // The one-call form of code actions parses the text itself.
    let whole = analyze(text, Target::default());
    actions::code_actions(text, &whole, 0..text.len(), ActionOptions::default());
    Ok(())
}

proptest! {
    #![proptest_config(config(1000))]

    /// Whatever the text, the analysis and every query finish, without a panic.
    #[test]
    fn any_text_is_analysed_without_panic_or_hang(source in source(), probes in probes()) {
        guarded(move |starting| {
            let text = source.text();
            starting(&text);
            analyse_and_ask(&text, &probes)
        })?;
    }
}

/// After an edit: which target to analyse for, where to ask a scoped hover, and whether the
/// scoped query comes before the whole-file one (leaving items unparsed) or after.
#[derive(Clone, Debug)]
struct Query {
    target: Index,
    offset: Index,
    scoped_first: bool,
}

fn query() -> impl Strategy<Value = Query> {
    (any::<Index>(), any::<Index>(), any::<bool>()).prop_map(|(target, offset, scoped_first)| {
        Query {
            target,
            offset,
            scoped_first,
        }
    })
}

/// Where two long debug dumps first differ, a little of each from there; `None` when equal.
fn first_difference(left: &str, right: &str) -> Option<String> {
    let at = left
        .char_indices()
        .zip(right.chars())
        .find(|((_, l), r)| l != r)
        .map(|((at, _), _)| at)
        .or_else(|| (left.len() != right.len()).then(|| left.len().min(right.len())))?;
    let from = left.floor_char_boundary(at.saturating_sub(200));
    let excerpt =
        |dump: &str| dump[from..dump.ceil_char_boundary((at + 200).min(dump.len()))].to_string();
    Some(format!(
        "\n  incremental: …{}…\n  fresh:       …{}…",
        excerpt(left),
        excerpt(right)
    ))
}

/// One analyzer across edits answers as a fresh analysis does, whole and scoped.
fn check_edit_sequence(
    seed: &Index,
    steps: &[(Edit, Query)],
    starting: &dyn Fn(&str),
) -> Result<(), TestCaseError> {
    let targets = targets();
    let mut analyzer = Analyzer::default();
    let mut text = seed.get(seeds()).clone();
    for (step, (edit, query)) in steps.iter().enumerate() {
        let before = text.clone();
        edit.apply(&mut text);
        starting(&text);
        let target = *query.target.get(&targets);
        let offset = offset_in(&text, &query.offset);
        let fresh = analyze(&text, target);
        let scoped_hover = |analyzer: &mut Analyzer| {
            hover::hover(
                &analyzer.analyze_scope(&text, target, offset..offset),
                offset,
            )
        };
        let early = query.scoped_first.then(|| scoped_hover(&mut analyzer));
        let incremental = analyzer.analyze(&text, target);
        if let Some(difference) = first_difference(&incremental.comparable(), &fresh.comparable()) {
            return Err(TestCaseError::fail(format!(
                "step {step}: the incremental analysis differs from a fresh one: {difference}\n\
                 text before the step: {before:?}"
            )));
        }
        let scoped = early.unwrap_or_else(|| scoped_hover(&mut analyzer));
        prop_assert_eq!(
            scoped,
            hover::hover(&fresh, offset),
            "scoped hover at {} after step {}",
            offset,
            step
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(400))]

    /// Edit after edit, the incremental analyzer agrees with a fresh analysis of the same text.
    #[test]
    fn incremental_analysis_matches_a_fresh_one(
        seed in any::<Index>(),
        steps in prop::collection::vec((edit(), query()), 1..=30),
    ) {
        guarded(move |starting| check_edit_sequence(&seed, &steps, starting))?;
    }
}

/// Text for the document store: line breaks of every kind, and characters of one to four UTF-8
/// bytes (one or two UTF-16 units).
const DOCUMENT_PIECES: &[&str] = &[
    "fn", " ", "x", "ab", "{", "}", "\t", "é", "日本", "😀", "\n", "\r\n", "\r",
];

fn document_text(max_pieces: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(DOCUMENT_PIECES), 0..max_pieces)
        .prop_map(|pieces| pieces.concat())
}

/// A line or character number: mostly near the text, sometimes far past it.
fn position_number() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0u32..12, 1 => Just(u32::MAX), 1 => any::<u32>()]
}

fn position() -> impl Strategy<Value = Position> {
    (position_number(), position_number())
        .prop_map(|(line, character)| Position::new(line, character))
}

/// An LSP content change: mostly a range (in any order) and its new text, sometimes the whole
/// text.
fn content_change() -> impl Strategy<Value = TextDocumentContentChangeEvent> {
    prop_oneof![
        1 => document_text(30).prop_map(|text| TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text,
        }),
        9 => (position(), position(), document_text(6)).prop_map(|(start, end, text)| {
            TextDocumentContentChangeEvent {
                range: Some(LspRange::new(start, end)),
                range_length: None,
                text,
            }
        }),
    ]
}

fn encoding() -> impl Strategy<Value = PositionEncoding> {
    prop_oneof![Just(PositionEncoding::Utf8), Just(PositionEncoding::Utf16)]
}

/// Where an LSP position lies in a text, by the protocol's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    At(usize),
    /// Past the end of its line's content; the byte offset is the content's end.
    PastLineEnd(usize),
    PastLastLine,
    /// Between the bytes (UTF-8) or units (UTF-16) of one character: the protocol leaves this
    /// undefined, so the model makes no claim about it.
    InsideChar,
}

/// Each line's content (without its line break), for LSP's line breaks `\n`, `\r\n` and `\r`.
fn line_contents(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let (mut start, mut at) = (0, 0);
    while at < bytes.len() {
        let break_len = match (bytes[at], bytes.get(at + 1)) {
            (b'\r', Some(b'\n')) => 2,
            (b'\r' | b'\n', _) => 1,
            _ => 0,
        };
        if break_len > 0 {
            lines.push(start..at);
            start = at + break_len;
        }
        at += break_len.max(1);
    }
    lines.push(start..bytes.len());
    lines
}

fn units(character: char, encoding: PositionEncoding) -> usize {
    match encoding {
        PositionEncoding::Utf8 => character.len_utf8(),
        PositionEncoding::Utf16 => character.len_utf16(),
    }
}

fn place(text: &str, position: Position, encoding: PositionEncoding) -> Place {
    let Some(content) = line_contents(text).get(position.line as usize).cloned() else {
        return Place::PastLastLine;
    };
    let wanted = position.character as usize;
    let mut counted = 0;
    for (at, character) in text[content.clone()].char_indices() {
        if counted == wanted {
            return Place::At(content.start + at);
        }
        counted += units(character, encoding);
        if counted > wanted {
            return Place::InsideChar;
        }
    }
    if counted == wanted {
        Place::At(content.end)
    } else {
        Place::PastLineEnd(content.end)
    }
}

/// The position of a char boundary, or `None` inside a `\r\n` (no position names it).
fn model_position(text: &str, offset: usize, encoding: PositionEncoding) -> Option<Position> {
    let (line, content) = line_contents(text)
        .into_iter()
        .enumerate()
        .find(|(_, content)| content.start <= offset && offset <= content.end)?;
    let character: usize = text[content.start..offset]
        .chars()
        .map(|c| units(c, encoding))
        .sum();
    Some(Position::new(line as u32, character as u32))
}

/// Applies a change to the model as the store documents it: a position past the last line is
/// the end of the text, a character past the end of a line is that line's end, and a range
/// whose end comes before its start is empty at its start. `None` when the change names a
/// position inside a character, which the protocol leaves undefined.
fn model_apply(
    text: &str,
    change: &TextDocumentContentChangeEvent,
    encoding: PositionEncoding,
) -> Option<String> {
    let Some(range) = change.range else {
        return Some(change.text.clone());
    };
    let clamped = |position| match place(text, position, encoding) {
        Place::At(offset) | Place::PastLineEnd(offset) => Some(offset),
        Place::PastLastLine => Some(text.len()),
        Place::InsideChar => None,
    };
    let start = clamped(range.start)?;
    let end = clamped(range.end)?.max(start);
    let mut edited = text.to_string();
    edited.replace_range(start..end, &change.text);
    Some(edited)
}

/// The store converts offsets and positions as the model does, both ways.
fn check_conversions(
    document: &Document,
    encoding: PositionEncoding,
    offsets: &[Index],
    positions: &[Position],
) -> Result<(), TestCaseError> {
    let text = document.text();
    for offset in offsets.iter().map(|index| offset_in(&text, index)) {
        if let Some(position) = model_position(&text, offset, encoding) {
            prop_assert_eq!(
                document.position(offset, encoding),
                position,
                "position of {}",
                offset
            );
            prop_assert_eq!(
                document.offset(position, encoding),
                Some(offset),
                "offset of {:?}",
                position
            );
        }
    }
    prop_assert_eq!(
        document.position(usize::MAX, encoding),
        document.position(text.len(), encoding)
    );
    for &position in positions {
        let found = document.offset(position, encoding);
        match place(&text, position, encoding) {
            Place::At(offset) => prop_assert_eq!(found, Some(offset), "offset of {:?}", position),
            Place::PastLineEnd(_) | Place::PastLastLine => {
                prop_assert_eq!(found, None, "offset of {:?}", position)
            }
            Place::InsideChar => {}
        }
    }
    Ok(())
}

/// Applies batches of changes to the store and to the model; after each batch the texts agree,
/// unless the model declined a change (then it carries on from the store's text).
fn check_document_edits(
    initial: &str,
    encoding: PositionEncoding,
    batches: Vec<Vec<TextDocumentContentChangeEvent>>,
    offsets: &[Index],
    positions: &[Position],
    starting: &dyn Fn(&str),
) -> Result<(), TestCaseError> {
    let mut document = Document::new(initial, 1);
    let mut model = initial.to_string();
    for (version, batch) in (2..).zip(batches) {
        starting(&format!("{model:?} with {batch:?}"));
        let expected = batch.iter().try_fold(model.clone(), |text, change| {
            model_apply(&text, change, encoding)
        });
        document.apply_changes(batch, version, encoding);
        prop_assert_eq!(document.version, version);
        model = document.text();
        if let Some(expected) = expected {
            prop_assert_eq!(&model, &expected);
        }
        check_conversions(&document, encoding, offsets, positions)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(2000))]

    /// LSP changes in either encoding apply to the document store as the protocol says.
    #[test]
    fn document_store_applies_changes_as_the_protocol_says(
        initial in document_text(40),
        encoding in encoding(),
        batches in prop::collection::vec(prop::collection::vec(content_change(), 1..4), 1..12),
        offsets in prop::collection::vec(any::<Index>(), 1..6),
        positions in prop::collection::vec(position(), 1..6),
    ) {
        guarded(move |starting| {
            check_document_edits(&initial, encoding, batches, &offsets, &positions, starting)
        })?;
    }
}

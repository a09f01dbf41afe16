//! Truth tests: memlens's numbers against what rustc and the real allocator produce.
//!
//! Expected values are never typed in: sizes and alignments come from `size_of`/`align_of` in
//! probe programs, heap bytes from a counting allocator around each `let`, sections from
//! `readelf` on the compiled program.

mod support;

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use memlens::analysis::bindings::BindingKind;
use memlens::analysis::{self, FileAnalysis, Target};
use support::heap_judge::{HeapTruth, judge_heap, nameable};
use support::heap_probe::measure_heap;
use support::rustc_probe::{ProbeDir, compile, rustc_available, sizes_and_aligns};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .expect("fixture exists")
}

/// Every binding's size and alignment against rustc's; returns how many were compared.
fn check_layouts(name: &str, text: &str, analysis: &FileAnalysis) -> usize {
    let typed: Vec<_> = analysis
        .bindings
        .iter()
        .filter(|b| b.ty().is_some_and(nameable))
        .collect();
    let types: Vec<String> = typed
        .iter()
        .map(|b| b.ty().map(ToString::to_string).unwrap_or_default())
        .collect();
    let truth = sizes_and_aligns(text, &types);
    let mut wrong = Vec::new();
    for ((report, ty), (size, align)) in typed.iter().zip(&types).zip(&truth) {
        match &report.layout {
            Ok(layout) if (layout.size, layout.align) == (*size, *align) => {}
            other => wrong.push(format!(
                "{} `{}: {ty}`: memlens {:?}, rustc size {size} align {align}",
                name,
                report.binding.name,
                other.as_ref().map(|l| (l.size, l.align))
            )),
        }
    }
    assert!(
        wrong.is_empty(),
        "layout disagreements:\n{}",
        wrong.join("\n")
    );
    typed.len()
}

/// Every local's type and both heap claims against rustc and the counting allocator (see
/// [`judge_heap`]); any disagreement fails the test.
fn check_heap(name: &str, text: &str, analysis: &FileAnalysis) -> HeapTruth {
    let judged = judge_heap(name, text, analysis, Duration::from_secs(60))
        .unwrap_or_else(|failure| panic!("probe {name} {failure}"));
    assert!(
        judged.wrong.is_empty(),
        "heap disagreements:\n{}",
        judged.wrong.join("\n")
    );
    judged.counts
}

/// The ELF section of each named static of a compiled program.
fn static_sections(binary: &std::path::Path) -> HashMap<String, String> {
    let readelf = |flag: &str| {
        let output = Command::new("readelf")
            .args([flag, "-W"])
            .arg(binary)
            .output()
            .expect("readelf runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let sections: HashMap<String, String> = readelf("-S")
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix('[')?;
            let (index, rest) = rest.split_once(']')?;
            Some((
                index.trim().to_string(),
                rest.split_whitespace().next()?.to_string(),
            ))
        })
        .collect();
    readelf("-s")
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (index, symbol) = (fields.get(6)?, fields.get(7)?);
            let name = legacy_demangled_name(symbol)?;
            Some((name, sections.get(*index)?.clone()))
        })
        .collect()
}

/// The item name of a legacy-mangled symbol: `_ZN4seed8GREETING17h0123E` is `GREETING`.
fn legacy_demangled_name(symbol: &str) -> Option<String> {
    let mut rest = symbol.strip_prefix("_ZN")?;
    let mut segments = Vec::new();
    while let Some(digits) = rest.find(|c: char| !c.is_ascii_digit()).filter(|&n| n > 0) {
        let length: usize = rest[..digits].parse().ok()?;
        segments.push(rest.get(digits..digits + length)?);
        rest = &rest[digits + length..];
    }
    // The last segment is the hash (`h0123...`); the one before it is the item's name.
    let hash = segments.pop()?;
    hash.starts_with('h')
        .then(|| segments.pop().map(str::to_string))?
}

fn check_sections(name: &str, text: &str, analysis: &FileAnalysis) -> usize {
    let dir = ProbeDir::new(name);
    let binary = compile(&dir.path, name, text, &[]);
    let sections = static_sections(&binary);
    let mut compared = 0;
    let mut wrong = Vec::new();
    for report in analysis
        .bindings
        .iter()
        .filter(|b| b.binding.kind == BindingKind::Static)
    {
        let Some(section) = sections.get(&report.binding.name) else {
            wrong.push(format!(
                "{name}: static {} not found in the binary",
                report.binding.name
            ));
            continue;
        };
        compared += 1;
        let claimed = report.placement.section.unwrap_or("?");
        if claimed != section {
            wrong.push(format!(
                "{name}: static {} is in {section}, memlens says {claimed}",
                report.binding.name
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "section disagreements:\n{}",
        wrong.join("\n")
    );
    compared
}

fn skip_without_rustc() -> bool {
    if rustc_available() {
        return false;
    }
    eprintln!("SKIPPED: rustc is not on this machine, so there is no truth to compare with");
    true
}

#[test]
fn seed_program_matches_rustc() {
    if skip_without_rustc() {
        return;
    }
    let text = fixture("examples/where_data_lives.rs");
    let analysis = analysis::analyze(&text, Target::default());
    let layouts = check_layouts("seed", &text, &analysis);
    let heap = check_heap("seed", &text, &analysis);
    let sections = check_sections("seed", &text, &analysis);
    assert!(
        layouts >= 11 && sections == 2,
        "layouts {layouts}, sections {sections}"
    );
    assert_eq!(heap.at_let.unknown, 0, "every seed local's heap is known");
    eprintln!(
        "seed truth: {layouts} layouts, heap {heap:?} (exact, bound, unknown), {sections} sections"
    );
}

#[test]
fn statics_land_in_the_sections_rustc_picks() {
    if skip_without_rustc() {
        return;
    }
    let text = fixture("tests/fixtures/statics.rs");
    let analysis = analysis::analyze(&text, Target::default());
    let compared = check_sections("statics", &text, &analysis);
    check_layouts("statics", &text, &analysis);
    assert!(compared >= 14, "compared {compared}");
}

/// Checks a fixture's layouts and heap claims against rustc; returns the layouts compared and
/// the heap claims by figure.
fn fixture_truth(name: &str, path: &str) -> (usize, HeapTruth) {
    let text = fixture(path);
    let analysis = analysis::analyze(&text, Target::default());
    let layouts = check_layouts(name, &text, &analysis);
    let heap = check_heap(name, &text, &analysis);
    eprintln!("{name}: {layouts} layouts; heap {heap:?}");
    (layouts, heap)
}

#[test]
fn heap_basics_match_the_allocator() {
    if skip_without_rustc() {
        return;
    }
    let (_, heap) = fixture_truth("heap_basics", "tests/fixtures/heap_basics.rs");
    assert!(heap.at_let.exact >= 20, "exact claims: {heap:?}");
}

#[test]
fn heap_growth_follows_std() {
    if skip_without_rustc() {
        return;
    }
    let (_, heap) = fixture_truth("heap_growth", "tests/fixtures/heap_growth.rs");
    assert!(
        heap.at_let.exact >= 40 && heap.after_changes.exact >= 14,
        "exact claims: {heap:?}"
    );
}

#[test]
fn std_paths_defaults_and_self_match_rustc() {
    if skip_without_rustc() {
        return;
    }
    let (layouts, _) = fixture_truth("std_paths", "tests/fixtures/std_paths.rs");
    assert!(layouts >= 22, "layouts compared: {layouts}");
}

/// The type check in the heap probe can fail: a wrong claimed type does not compile.
#[test]
#[should_panic(expected = "does not compile")]
fn a_wrong_type_claim_is_caught() {
    if skip_without_rustc() {
        panic!("does not compile (skipped: no rustc)");
    }
    let text = "fn main() {\n    let s = String::from(\"x\");\n    println!(\"{s}\");\n}\n";
    let claimed = HashMap::from([((2, 9), "Vec<u8>".to_string())]);
    measure_heap("wrong_type", text, &claimed);
}

/// What memlens states for the type `S` defined in `definitions`, judged by rustc: where rustc
/// rejects the program with the error `code`, memlens gives `S` no size; where it accepts it,
/// memlens gives rustc's size. Returns whether rustc rejected it.
fn judge_definition(dir: &ProbeDir, index: usize, definitions: &str, code: &str) -> bool {
    let text =
        format!("{definitions}\nfn main() {{ println!(\"{{}}\", std::mem::size_of::<S>()); }}\n");
    let analysis = analysis::analyze(&text, Target::default());
    let report = analysis
        .types
        .iter()
        .find(|report| analysis::ty::display_name(&report.def.name) == "S");
    let stated = report.and_then(|report| report.layout.as_ref().ok().map(|layout| layout.size));
    match support::rustc_probe::try_compile(&dir.path, &format!("def{index}"), &text, &[]) {
        Err(errors) => {
            assert!(errors.contains(code), "{definitions}: rustc says {errors}");
            assert_eq!(
                stated, None,
                "{definitions}: rustc rejects it, memlens gives a size"
            );
            true
        }
        Ok(binary) => {
            let size: u64 = support::rustc_probe::run(&binary)
                .trim()
                .parse()
                .expect("a size");
            assert_eq!(stated, Some(size), "{definitions}: memlens against rustc");
            false
        }
    }
}

/// `repr(packed(n))` and `repr(align(n))` with every kind of `n`: rustc rejects some (E0589).
#[test]
fn reprs_rustc_rejects_have_no_layout() {
    if skip_without_rustc() {
        return;
    }
    let dir = ProbeDir::new("reprs");
    let reprs = [
        "packed(0)",
        "packed(3)",
        "packed(2)",
        "packed(1073741824)",
        "align(0)",
        "align(3)",
        "align(8)",
        "align(536870912)",
        "align(1073741824)",
    ];
    let rejected = reprs
        .iter()
        .enumerate()
        .filter(|(index, repr)| {
            let definitions = format!("#[repr({repr})]\nstruct S(u8, u32);");
            judge_definition(&dir, *index, &definitions, "E0589")
        })
        .count();
    assert!(
        rejected >= 5 && rejected < reprs.len() - 1,
        "rejected {rejected} of {}",
        reprs.len()
    );
}

/// Discriminants at the edge of their type, and types that hold themselves, directly or with
/// other arguments: rustc rejects some (E0370 overflow, E0081 repeats, an out-of-range literal,
/// E0072 infinite size), and accepts their neighbours.
#[test]
fn discriminants_and_recursive_types_rustc_rejects_have_no_layout() {
    if skip_without_rustc() {
        return;
    }
    let dir = ProbeDir::new("definitions");
    let cases = [
        ("#[repr(u8)] enum S { X = 255, Y }", "E0370"),
        ("#[repr(u8)] enum S { X = 254, Y }", ""),
        ("#[repr(i8)] enum S { X = 127, Y }", "E0370"),
        ("#[repr(i8)] enum S { X = -128, Y }", ""),
        ("#[repr(u16)] enum S { X = 65535, Y }", "E0370"),
        ("enum S { X = isize::MAX, Y }", "E0370"),
        ("enum S { X = isize::MAX - 1, Y }", ""),
        (
            "#[repr(u64)] enum S { X = u64::MAX as isize, Y }",
            "mismatched",
        ),
        ("enum S { X = 1, Y = 1 }", "E0081"),
        ("enum S { X = 1, Y = 0, Z }", "E0081"),
        ("#[repr(u8)] enum S { X = 256 }", "literal out of range"),
        ("struct S { s: S }", "E0072"),
        ("enum S { Nil, Cons(i32, S) }", "E0072"),
        ("struct Q<T> { q: Q<(T, T)> }\nstruct S(Q<u8>);", "E0072"),
        (
            "struct Q<T> { q: Option<Q<[T; 2]>> }\nstruct S(Q<u8>);",
            "E0072",
        ),
        ("struct S { s: Box<S> }", ""),
        ("struct P<T>(T, T);\nstruct S(P<P<P<P<P<P<u8>>>>>>);", ""),
    ];
    let mut rejected = 0;
    for (index, (definitions, code)) in cases.iter().enumerate() {
        let was_rejected = judge_definition(&dir, index, definitions, code);
        assert_eq!(
            was_rejected,
            !code.is_empty(),
            "{definitions}: rustc {}",
            if was_rejected {
                "rejects it"
            } else {
                "accepts it"
            }
        );
        rejected += usize::from(was_rejected);
    }
    assert!(rejected >= 10, "rejected {rejected}");
}

/// A program whose functions define types of their own; each binding's size is printed by the
/// program itself (`name size` lines), after the binding's `let`.
const BODY_TYPES: &str = r#"#![allow(dead_code)]
struct P { wide: u64 }
fn main() {
    struct P { x: u8, y: u64, z: u16 }
    enum Shape { Dot, Circle(f32), Rect { w: u32, h: u32 } }
    type Pair = (P, u8);
    let point = P { x: 1, y: 2, z: 3 };
    println!("point {}", std::mem::size_of_val(&point));
    let shape = Shape::Circle(1.0);
    println!("shape {}", std::mem::size_of_val(&shape));
    let maybe = Some(Shape::Dot);
    println!("maybe {}", std::mem::size_of_val(&maybe));
    let many = vec![P { x: 0, y: 0, z: 0 }];
    println!("many {}", std::mem::size_of_val(&many));
    let pair: Pair = (P { x: 0, y: 0, z: 0 }, 1);
    println!("pair {}", std::mem::size_of_val(&pair));
    let borrowed = &point;
    println!("borrowed {}", std::mem::size_of_val(&borrowed));
    other();
}
fn other() {
    let outer = crate::P { wide: 1 };
    println!("outer {}", std::mem::size_of_val(&outer));
    struct P(u8);
    let inner = P(1);
    println!("inner {}", std::mem::size_of_val(&inner));
}
"#;

/// Types written inside a body are laid out for that body's bindings (and only there: a
/// same-named type of the crate or of another body is another type), as the program says.
#[test]
fn types_defined_in_a_body_have_rustc_s_sizes() {
    if skip_without_rustc() {
        return;
    }
    let dir = ProbeDir::new("body-types");
    let binary = support::rustc_probe::compile(&dir.path, "body_types", BODY_TYPES, &[]);
    let printed = support::rustc_probe::run(&binary);
    let analysis = analysis::analyze(BODY_TYPES, Target::default());
    let mut compared = 0;
    for line in printed.lines() {
        let Some((name, size)) = line.split_once(' ') else {
            continue;
        };
        let size: u64 = size.parse().expect("a size");
        let report = analysis
            .bindings
            .iter()
            .find(|b| b.binding.name == name)
            .unwrap_or_else(|| panic!("no binding `{name}`"));
        let said = report.layout.as_ref().ok().map(|layout| layout.size);
        assert_eq!(said, Some(size), "`{name}`: memlens {said:?}, rustc {size}");
        compared += 1;
    }
    assert_eq!(compared, 8, "{printed}");
}

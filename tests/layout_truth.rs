//! Layout truth tests: every size, alignment and field offset `layout_of` computes for a wide corpus
//! of types, against what rustc itself computes, on every target memlens knows.
//!
//! Expected numbers come only from rustc at test time. On x86_64 Linux a std program is compiled and
//! run; on the other targets (whose std is not installed) a `#![no_core]` library holding memlens's
//! own std prelude is type-checked, which checks the engine on each target's primitives while the
//! x86_64 run checks the prelude against the real std.

#[path = "layout_truth/corpus.rs"]
mod corpus;
#[path = "layout_truth/probe.rs"]
mod probe;
/// The shared probe helpers (scratch directories, rustc detection), without the LSP client; only
/// some of them are used here.
#[allow(dead_code)]
#[path = "support/rustc_probe.rs"]
mod rustc_probe;

use std::collections::HashMap;

use memlens::analysis::defs::TypeDefs;
use memlens::analysis::layout::{Layout, STD_PRELUDE_SOURCE, Shape, TagEncoding, layout_of};
use memlens::analysis::lower::{self, LowerCtx};
use memlens::analysis::target::Target;
use memlens::analysis::ty::Ty;
use probe::{Measure, Question};
use rustc_probe::{ProbeDir, rustc_available};

/// The corpus's definitions, lowered as memlens lowers a user's file.
struct Corpus {
    defs: TypeDefs,
    consts: HashMap<String, u64>,
}

impl Corpus {
    fn new() -> Corpus {
        let file = syn::parse_file(corpus::USER_SOURCE).expect("the corpus parses");
        let mut consts = HashMap::new();
        for item in &file.items {
            if let syn::Item::Const(constant) = item {
                let value = LowerCtx::new(&consts)
                    .const_u64(&constant.expr)
                    .expect("const value");
                consts.insert(constant.ident.to_string(), value);
            }
        }
        let mut defs = TypeDefs::default();
        for (name, value) in &consts {
            defs.add_const(name, *value);
        }
        for item in &file.items {
            match item {
                syn::Item::Type(alias) => {
                    defs.add_alias(lower::alias_def(LowerCtx::new(&consts), alias))
                }
                other => {
                    if let Some(def) = lower::adt_def(LowerCtx::new(&consts), other) {
                        defs.add_adt(def);
                    }
                }
            }
        }
        Corpus { defs, consts }
    }

    fn ty(&self, text: &str) -> Ty {
        let written: syn::Type = syn::parse_str(text).expect("corpus types parse");
        LowerCtx::new(&self.consts).ty(&written)
    }

    fn layout(&self, text: &str, target: &Target) -> Result<Layout, String> {
        layout_of(&self.ty(text), target, &self.defs).map_err(|error| error.to_string())
    }
}

/// The fields `layout` lists, as `offset_of!` names them (`Variant.field` in enums).
fn field_paths(layout: &Layout) -> Vec<String> {
    match &layout.shape {
        Shape::Fields(fields) | Shape::Union(fields) => {
            fields.iter().map(|f| f.name.clone()).collect()
        }
        Shape::Enum { variants, .. } => variants
            .iter()
            .flat_map(|v| {
                v.fields
                    .iter()
                    .map(move |f| format!("{}.{}", v.name, f.name))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn field_offset(layout: &Layout, path: &str) -> Option<u64> {
    let (variant, field) = match path.split_once('.') {
        Some((variant, field)) => (Some(variant), field),
        None => (None, path),
    };
    let fields = match (&layout.shape, variant) {
        (Shape::Fields(fields) | Shape::Union(fields), None) => fields,
        (Shape::Enum { variants, .. }, Some(variant)) => {
            &variants.iter().find(|v| v.name == variant)?.fields
        }
        _ => return None,
    };
    fields.iter().find(|f| f.name == field).map(|f| f.offset)
}

/// The questions for each type: size and alignment, the offset of every field memlens lists, and
/// the size of the type in one and two `Option`s (which checks its niche).
fn questions(corpus: &Corpus, types: &[&str], target: &Target) -> Vec<Question> {
    let mut out = Vec::new();
    let ask = |ty: String, measure: Measure| Question { ty, measure };
    for ty in types {
        out.push(ask(ty.to_string(), Measure::Size));
        out.push(ask(ty.to_string(), Measure::Align));
        if let Ok(layout) = corpus.layout(ty, target) {
            for path in field_paths(&layout) {
                out.push(ask(ty.to_string(), Measure::Offset(path)));
            }
        }
        if !is_unsized_by_value(corpus, ty, target) {
            out.push(ask(format!("Option<{ty}>"), Measure::Size));
            out.push(ask(format!("Option<Option<{ty}>>"), Measure::Size));
        }
    }
    out
}

fn is_unsized_by_value(corpus: &Corpus, ty: &str, target: &Target) -> bool {
    matches!(
        layout_of(&corpus.ty(ty), target, &corpus.defs),
        Err(memlens::analysis::layout::LayoutError::Unsized(_))
    )
}

/// What memlens says for one question.
fn engine_answer(corpus: &Corpus, question: &Question, target: &Target) -> Result<u64, String> {
    let layout = corpus.layout(&question.ty, target)?;
    match &question.measure {
        Measure::Size => Ok(layout.size),
        Measure::Align => Ok(layout.align),
        Measure::Offset(path) => {
            field_offset(&layout, path).ok_or_else(|| format!("no field {path}"))
        }
    }
}

/// Compares and reports; returns the disagreements.
fn compare(corpus: &Corpus, target: &Target, questions: &[Question], truth: &[u64]) -> Vec<String> {
    let mut disagreements = Vec::new();
    for (question, &expected) in questions.iter().zip(truth) {
        let label = match &question.measure {
            Measure::Size => format!("size_of::<{}>()", question.ty),
            Measure::Align => format!("align_of::<{}>()", question.ty),
            Measure::Offset(path) => format!("offset_of!({}, {path})", question.ty),
        };
        match engine_answer(corpus, question, target) {
            Ok(actual) if actual == expected => {}
            Ok(actual) => {
                disagreements.push(format!("{label}: rustc {expected}, memlens {actual}"))
            }
            Err(error) => {
                disagreements.push(format!("{label}: rustc {expected}, memlens error: {error}"))
            }
        }
    }
    let types = questions
        .iter()
        .filter(|q| q.measure == Measure::Size)
        .count();
    let fields = questions
        .iter()
        .filter(|q| matches!(q.measure, Measure::Offset(_)))
        .count();
    println!(
        "layout truth [{}]: {types} types, {fields} fields, {} disagreements",
        target.triple,
        disagreements.len()
    );
    disagreements
}

fn assert_agreement(target: &Target, disagreements: &[String]) {
    assert!(
        disagreements.is_empty(),
        "{} disagreements with rustc on {}:\n{}",
        disagreements.len(),
        target.triple,
        disagreements.join("\n")
    );
}

fn types_for(target: &Target) -> Vec<&'static str> {
    let mut types = corpus::TYPES.to_vec();
    if target.triple.contains("linux") {
        types.extend_from_slice(corpus::LINUX_TYPES);
    }
    let arch = target.triple.split('-').next().unwrap_or("");
    let arch = match arch {
        "i686" => "x86",
        "armv7" => "arm",
        other => other,
    };
    for (name, arch_types) in corpus::ARCH_TYPES {
        if *name == arch {
            types.extend_from_slice(arch_types);
        }
    }
    types
}

/// A question for the std probe only, asked as a ready-made expression.
struct Extra {
    label: String,
    expression: String,
    engine: Result<u64, String>,
}

fn engine_layout(ty: &Ty, target: &Target, corpus: &Corpus) -> Result<Layout, String> {
    layout_of(ty, target, &corpus.defs).map_err(|error| error.to_string())
}

/// Closures and function items, whose types cannot be written, measured through values.
fn closure_extras(corpus: &Corpus, target: &Target) -> Vec<Extra> {
    let mut extras = Vec::new();
    for captures in corpus::CLOSURES {
        let ty = Ty::Closure {
            id: 0,
            captures: captures.iter().map(|capture| corpus.ty(capture)).collect(),
        };
        let layout = engine_layout(&ty, target, corpus);
        for align in [false, true] {
            extras.push(Extra {
                label: format!(
                    "{} of a closure capturing {captures:?}",
                    if align { "align" } else { "size" }
                ),
                expression: probe::closure_expression(captures, align),
                engine: layout.clone().map(|l| if align { l.align } else { l.size }),
            });
        }
    }
    let item = engine_layout(&Ty::FnItem("main".into()), target, corpus);
    for (measure, pick) in [("size_of_val", false), ("align_of_val", true)] {
        extras.push(Extra {
            label: format!("{measure}(&main)"),
            expression: format!("::std::mem::{measure}(&main)"),
            engine: item.clone().map(|l| if pick { l.align } else { l.size }),
        });
    }
    extras
}

/// Types with an unknown `Sized` argument, whose size is the same whatever the argument: each
/// filled in with every filler, against memlens's one answer for the unknown.
fn sized_argument_extras(corpus: &Corpus, target: &Target) -> Vec<Extra> {
    let mut extras = Vec::new();
    for template in corpus::SIZED_ARGUMENT_TYPES {
        let engine = corpus.layout(template, target);
        for filler in corpus::SIZED_FILLERS {
            let ty = template.replace('_', filler);
            for (measure, align) in [("size_of", false), ("align_of", true)] {
                extras.push(Extra {
                    label: format!("{measure}::<{ty}>() (memlens asked for {template})"),
                    expression: format!("::std::mem::{measure}::<{ty}>()"),
                    engine: engine.clone().map(|l| if align { l.align } else { l.size }),
                });
            }
        }
    }
    extras
}

/// memlens sizes none of the types whose unknown argument decides their size.
#[test]
fn an_unknown_argument_that_may_be_unsized_leaves_the_size_unknown() {
    let corpus = Corpus::new();
    for template in corpus::UNSIZED_ARGUMENT_TYPES {
        let answer = corpus.layout(template, &Target::X86_64_LINUX);
        assert!(answer.is_err(), "{template}: {answer:?}");
    }
}

/// The tag bits of every dataless variant of the corpus's enums, read back from real values.
fn tag_value_extras(corpus: &Corpus, types: &[&str], target: &Target) -> Vec<Extra> {
    let mut extras = Vec::new();
    for ty in types {
        let Ok(Layout {
            shape:
                Shape::Enum {
                    tag: Some(tag),
                    variants,
                },
            ..
        }) = corpus.layout(ty, target)
        else {
            continue;
        };
        let read = tag.bytes.min(8);
        let mask = u128::MAX >> (128 - read * 8);
        for variant in variants.iter().filter(|v| v.fields.is_empty()) {
            let Some(value) = variant.tag_value else {
                continue;
            };
            extras.push(Extra {
                label: format!("tag of {ty}::{}", variant.name),
                expression: probe::tag_expression(ty, &variant.name, tag.offset, tag.bytes),
                engine: u64::try_from(value & mask).map_err(|e| e.to_string()),
            });
        }
    }
    extras
}

/// How rustc names a corpus type in `-Zprint-type-sizes` (only plain user types and `Option`s
/// or `Result`s of them match; others are not checked).
fn printed_name(ty: &str) -> String {
    ty.replacen("Option<", "std::option::Option<", 1)
        .replacen("Result<", "std::result::Result<", 1)
}

/// Tag widths against rustc's: a direct tag's bytes, or no discriminant for niche-filled enums.
fn tag_width_checks(
    corpus: &Corpus,
    types: &[&str],
    target: &Target,
    widths: &HashMap<String, Option<u64>>,
) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for ty in types {
        let Ok(Layout {
            shape: Shape::Enum { tag, .. },
            ..
        }) = corpus.layout(ty, target)
        else {
            continue;
        };
        let Some(expected) = widths.get(&printed_name(ty)) else {
            continue;
        };
        let actual = tag
            .filter(|t| t.encoding == TagEncoding::Direct)
            .map(|t| t.bytes);
        checked += 1;
        if actual != *expected {
            disagreements.push(format!(
                "discriminant of {ty}: rustc {expected:?}, memlens {actual:?}"
            ));
        }
    }
    (checked, disagreements)
}

/// Variant sizes against `-Zprint-type-sizes`: the same variants (an absent one left out), in
/// its order (largest first, ties in declaration order), with the same sizes.
fn variant_size_checks(
    corpus: &Corpus,
    types: &[&str],
    target: &Target,
    printed: &HashMap<String, Vec<(String, u64)>>,
) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for ty in types {
        let Ok(Layout {
            shape: Shape::Enum { variants, .. },
            ..
        }) = corpus.layout(ty, target)
        else {
            continue;
        };
        let Some(expected) = printed.get(&printed_name(ty)) else {
            continue;
        };
        let mut actual: Vec<(String, u64)> =
            variants.iter().map(|v| (v.name.clone(), v.size)).collect();
        actual.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
        checked += 1;
        if actual != *expected {
            disagreements.push(format!(
                "variants of {ty}: rustc {expected:?}, memlens {actual:?}"
            ));
        }
    }
    (checked, disagreements)
}

/// The niche count of every sized type memlens lays out, against rustc's `largest_niche`.
fn niche_checks(corpus: &Corpus, types: &[&str], target: &Target, prefix: &str) -> Vec<String> {
    let sized: Vec<(String, u128)> = types
        .iter()
        .filter_map(|ty| {
            let layout = corpus.layout(ty, target).ok()?;
            Some((ty.to_string(), layout.niche.map_or(0, |n| n.available())))
        })
        .collect();
    let names: Vec<String> = sized.iter().map(|(ty, _)| ty.clone()).collect();
    let dir = ProbeDir::new("layout-niches");
    let truth = probe::ask_niches(
        &dir.path,
        target.triple,
        prefix,
        &names,
        target.pointer_bytes,
    )
    .unwrap_or_else(|error| panic!("the niche probe failed:\n{error}"));
    let disagreements: Vec<String> = sized
        .iter()
        .zip(&truth)
        .filter(|((_, memlens), rustc)| memlens != *rustc)
        .map(|((ty, memlens), rustc)| format!("niches of {ty}: rustc {rustc}, memlens {memlens}"))
        .collect();
    println!(
        "layout truth [{}] niches: {} types, {} disagreements",
        target.triple,
        sized.len(),
        disagreements.len()
    );
    disagreements
}

#[test]
fn x86_64_linux_against_real_std() {
    if !rustc_available() {
        eprintln!("SKIPPED: layout truth needs `rustc` on the PATH");
        return;
    }
    let target = Target::X86_64_LINUX;
    let corpus = Corpus::new();
    let types = types_for(&target);
    let questions = questions(&corpus, &types, &target);
    let mut extras = closure_extras(&corpus, &target);
    extras.extend(tag_value_extras(&corpus, &types, &target));
    extras.extend(sized_argument_extras(&corpus, &target));
    let expressions: Vec<String> = extras
        .iter()
        .map(|extra| extra.expression.clone())
        .collect();
    let dir = ProbeDir::new("layout-std");
    let answers = probe::ask_std(
        &dir.path,
        corpus::STD_USES,
        corpus::USER_SOURCE,
        &questions,
        &expressions,
    )
    .unwrap_or_else(|error| panic!("the std probe failed:\n{error}"));
    let (truth, extra_truth) = answers.values.split_at(questions.len());
    let mut disagreements = compare(&corpus, &target, &questions, truth);
    for (extra, &expected) in extras.iter().zip(extra_truth) {
        if extra.engine != Ok(expected) {
            disagreements.push(format!(
                "{}: rustc {expected}, memlens {:?}",
                extra.label, extra.engine
            ));
        }
    }
    let (widths, width_disagreements) =
        tag_width_checks(&corpus, &types, &target, &answers.discriminants);
    disagreements.extend(width_disagreements);
    let (enums, variant_disagreements) =
        variant_size_checks(&corpus, &types, &target, &answers.variants);
    disagreements.extend(variant_disagreements);
    let prefix = probe::std_program(corpus::STD_USES, corpus::USER_SOURCE);
    disagreements.extend(niche_checks(&corpus, &types, &target, &prefix));
    println!(
        "layout truth [{}] extras: {} closure and tag values, {widths} tag widths, variant sizes of {enums} enums; {} disagreements in all",
        target.triple,
        extras.len(),
        disagreements.len()
    );
    assert_agreement(&target, &disagreements);
}

fn check_no_core(triple: &str) {
    if !rustc_available() {
        eprintln!("SKIPPED: layout truth needs `rustc` on the PATH");
        return;
    }
    let target = Target::from_triple(triple).expect("a target memlens knows");
    let corpus = Corpus::new();
    let types = types_for(&target);
    let questions = questions(&corpus, &types, &target);
    let dir = ProbeDir::new("layout-no-core");
    let truth = probe::ask_no_core(
        &dir.path,
        triple,
        STD_PRELUDE_SOURCE,
        corpus::USER_SOURCE,
        &questions,
    )
    .unwrap_or_else(|error| panic!("the no_core probe failed:\n{error}"));
    let mut disagreements = compare(&corpus, &target, &questions, &truth);
    let prefix = probe::no_core_program(STD_PRELUDE_SOURCE, corpus::USER_SOURCE);
    disagreements.extend(niche_checks(&corpus, &types, &target, &prefix));
    assert_agreement(&target, &disagreements);
}

#[test]
fn x86_64_linux_no_core() {
    check_no_core("x86_64-unknown-linux-gnu");
}

#[test]
fn i686_linux_no_core() {
    check_no_core("i686-unknown-linux-gnu");
}

#[test]
fn aarch64_linux_no_core() {
    check_no_core("aarch64-unknown-linux-gnu");
}

#[test]
fn wasm32_no_core() {
    check_no_core("wasm32-unknown-unknown");
}

#[test]
fn armv7_linux_no_core() {
    check_no_core("armv7-unknown-linux-gnueabihf");
}

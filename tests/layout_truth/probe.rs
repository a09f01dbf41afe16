//! Probe programs that make rustc answer layout questions: one program per target answers them all.
//!
//! On the host, a std program is compiled and run and prints each answer. Other targets have no std
//! installed, so a `#![no_core]` library is only type-checked for them: each question is a constant
//! whose array length is the answer plus one, compared with an empty array, and rustc's "found one
//! with a size of N" errors carry the answers back.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// What is asked about a type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Measure {
    Size,
    Align,
    /// The offset of a field: `name`, or `Variant.name` in an enum.
    Offset(String),
}

/// One question: a measure of a type written as Rust source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub ty: String,
    pub measure: Measure,
}

/// A `usize` expression answering `question`, in std or in `no_core` (with the header's items).
fn expression(question: &Question, std: bool) -> String {
    let ty = &question.ty;
    match (&question.measure, std) {
        (Measure::Size, true) => format!("::std::mem::size_of::<{ty}>()"),
        (Measure::Align, true) => format!("::std::mem::align_of::<{ty}>()"),
        (Measure::Offset(field), true) => format!("::std::mem::offset_of!({ty}, {field})"),
        (Measure::Size, false) => format!("size_of::<{ty}>()"),
        (Measure::Align, false) => format!("align_of::<{ty}>()"),
        (Measure::Offset(field), false) => format!("builtin # offset_of({ty}, {field})"),
    }
}

/// A block evaluating to the size (or alignment) of a closure capturing values of `captures`.
pub fn closure_expression(captures: &[&str], align: bool) -> String {
    let names: Vec<String> = (0..captures.len())
        .map(|index| format!("c{index}"))
        .collect();
    let params: Vec<String> = names
        .iter()
        .zip(captures)
        .map(|(name, ty)| format!("{name}: {ty}"))
        .collect();
    let uses: Vec<String> = names.iter().map(|name| format!("&{name},")).collect();
    let measure = if align { "align_of" } else { "size_of" };
    format!(
        "{{ fn measure<R, F: Fn({tys}) -> R>(_: &F) -> usize {{ ::std::mem::{measure}::<R>() }} \
         let make = |{params}| move || {{ let _ = ({uses}); }}; measure(&make) }}",
        tys = captures.join(", "),
        params = params.join(", "),
        uses = uses.join(" "),
    )
}

/// A block evaluating to the bits stored in `bytes` bytes at `offset` of the value `<ty>::variant`
/// (little-endian, at most 8 bytes), which is how a tag is read back.
pub fn tag_expression(ty: &str, variant: &str, offset: u64, bytes: u64) -> String {
    format!(
        "{{ let value: {ty} = <{ty}>::{variant}; let base = (&value as *const {ty}).cast::<u8>(); \
         let mut bits = 0u64; for i in 0..{read} {{ \
         bits |= u64::from(unsafe {{ base.add({offset} + i).read() }}) << (8 * i); }} bits as usize }}",
        read = bytes.min(8),
    )
}

/// What the std probe found: the answers, and the discriminant width rustc reports (through
/// `-Zprint-type-sizes`) for each type it printed, `None` for types without a discriminant.
pub struct StdAnswers {
    pub values: Vec<u64>,
    pub discriminants: HashMap<String, Option<u64>>,
    /// Each printed enum's variants, as `-Zprint-type-sizes` lists them (largest first).
    pub variants: HashMap<String, Vec<(String, u64)>>,
}

/// Feature gates the probes use: `!` as a type, `offset_of!` on enum variants, `repr(simd)`.
const FEATURES: &str = "#![feature(never_type, offset_of_enum, repr_simd)]\n";

/// Std's unstable variants of `io::ErrorKind`, which the std probe names to read their tags.
const STD_FEATURES: &str =
    "#![feature(io_error_more, io_error_inprogress, io_error_uncategorized)]\n";

/// Compiles and runs a std program printing one answer per line for `questions` and `extra`
/// (ready-made `usize` expressions), in that order.
pub fn ask_std(
    dir: &Path,
    uses: &str,
    source: &str,
    questions: &[Question],
    extra: &[String],
) -> Result<StdAnswers, String> {
    let answers: Vec<String> = questions
        .iter()
        .map(|question| expression(question, true))
        .chain(extra.iter().cloned())
        .collect();
    let program = format!(
        "{FEATURES}{STD_FEATURES}#![allow(warnings)]\n{uses}\n{source}\n\
         fn main() {{\n    let answers: [usize; {count}] = [\n        {list}\n    ];\n    \
         for answer in answers {{ println!(\"{{answer}}\"); }}\n}}\n",
        count = answers.len(),
        list = answers.join(",\n        "),
    );
    let source_path = dir.join("std_probe.rs");
    std::fs::write(&source_path, &program).map_err(|e| e.to_string())?;
    let binary = dir.join("std_probe");
    let compiled = rustc()
        .args(["--edition", "2024", "-Zprint-type-sizes", "-o"])
        .arg(&binary)
        .arg(&source_path)
        .output()
        .map_err(|e| e.to_string())?;
    if !compiled.status.success() {
        return Err(String::from_utf8_lossy(&compiled.stderr).into_owned());
    }
    let run = Command::new(&binary).output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&run.stdout);
    let values: Vec<u64> = stdout
        .lines()
        .filter_map(|line| line.trim().parse().ok())
        .collect();
    if values.len() != answers.len() {
        return Err(format!(
            "expected {} answers, got:\n{stdout}",
            answers.len()
        ));
    }
    let type_sizes = String::from_utf8_lossy(&compiled.stdout);
    Ok(StdAnswers {
        values,
        discriminants: discriminant_widths(&type_sizes),
        variants: variant_sizes(&type_sizes),
    })
}

/// Reads `print-type-size type: `NAME`: ...` blocks and their `discriminant: N bytes` lines.
fn discriminant_widths(type_sizes: &str) -> HashMap<String, Option<u64>> {
    let mut widths = HashMap::new();
    let mut current = None;
    for line in type_sizes.lines() {
        let Some(rest) = line.strip_prefix("print-type-size ") else {
            continue;
        };
        if let Some(name) = rest
            .strip_prefix("type: `")
            .and_then(|r| r.rsplit_once("`: "))
        {
            current = Some(name.0.to_string());
            widths.entry(name.0.to_string()).or_insert(None);
        } else if let Some(width) = rest.trim().strip_prefix("discriminant: ") {
            let bytes = width.trim_end_matches(" bytes").parse().ok();
            if let Some(name) = &current {
                widths.insert(name.clone(), bytes);
            }
        }
    }
    widths
}

/// Reads the `variant `NAME`: N bytes` lines of each `print-type-size type:` block.
fn variant_sizes(type_sizes: &str) -> HashMap<String, Vec<(String, u64)>> {
    let mut variants: HashMap<String, Vec<(String, u64)>> = HashMap::new();
    let mut current = None;
    for line in type_sizes.lines() {
        let Some(rest) = line.strip_prefix("print-type-size ") else {
            continue;
        };
        if let Some((name, _)) = rest
            .strip_prefix("type: `")
            .and_then(|r| r.rsplit_once("`: "))
        {
            current = Some(name.to_string());
            variants.entry(name.to_string()).or_default();
        } else if let Some(variant) = rest.strip_prefix("    variant `") {
            let parsed = variant.split_once("`: ").and_then(|(name, size)| {
                Some((
                    name.to_string(),
                    size.trim_end_matches(" bytes").parse().ok()?,
                ))
            });
            if let (Some(name), Some(entry)) = (&current, parsed) {
                variants.entry(name.clone()).or_default().push(entry);
            }
        }
    }
    variants
}

/// The items `no_core` code needs to ask rustc for sizes, alignments and offsets.
const NO_CORE_HEADER: &str = r#"#![feature(no_core, lang_items, rustc_attrs, intrinsics, builtin_syntax, transparent_unions, auto_traits)]
#![no_core]
#![rustc_coherence_is_core]
#![allow(warnings)]
#[lang = "pointee_sized"] pub trait PointeeSized {}
#[lang = "meta_sized"] pub trait MetaSized: PointeeSized {}
#[lang = "sized"] pub trait Sized: MetaSized {}
#[lang = "copy"] pub trait Copy {}
#[lang = "bikeshed_guaranteed_no_drop"] pub trait BikeshedGuaranteedNoDrop {}
#[lang = "add"] pub trait Add<Rhs = Self> { type Output; fn add(self, rhs: Rhs) -> Self::Output; }
impl Add for usize { type Output = usize; fn add(self, rhs: usize) -> usize { self + rhs } }
#[lang = "neg"] pub trait Neg { type Output; fn neg(self) -> Self::Output; }
impl Neg for i8 { type Output = i8; fn neg(self) -> i8 { -self } }
impl Neg for i16 { type Output = i16; fn neg(self) -> i16 { -self } }
impl Neg for i32 { type Output = i32; fn neg(self) -> i32 { -self } }
impl Neg for i64 { type Output = i64; fn neg(self) -> i64 { -self } }
impl Neg for isize { type Output = isize; fn neg(self) -> isize { -self } }
#[rustc_intrinsic] pub const fn size_of<T>() -> usize;
#[rustc_intrinsic] pub const fn align_of<T>() -> usize;
#[rustc_intrinsic] #[lang = "offset_of"] pub const fn offset_of<T: PointeeSized>(variant: u32, field: u32) -> usize;
"#;

/// Type-checks a `no_core` library for `triple` holding `prelude` (in a module, glob-imported) and
/// `source`, and reads the answers to `questions` out of rustc's errors.
pub fn ask_no_core(
    dir: &Path,
    triple: &str,
    prelude: &str,
    source: &str,
    questions: &[Question],
) -> Result<Vec<u64>, String> {
    let mut program = no_core_program(prelude, source);
    let first_line = program.lines().count() + 1;
    for question in questions {
        let answer = expression(question, false);
        program.push_str(&format!("const _: [(); 0] = [(); 1 + {answer}];\n"));
    }
    let source_path = dir.join("no_core_probe.rs");
    std::fs::write(&source_path, &program).map_err(|e| e.to_string())?;
    let output = rustc()
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "lib",
            "--emit=metadata",
        ])
        .args(["--error-format=short", "--target", triple, "--out-dir"])
        .arg(dir)
        .arg(&source_path)
        .output()
        .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut answers = vec![None; questions.len()];
    let mut other_errors = Vec::new();
    for line in stderr.lines() {
        match answer_on_line(line) {
            Some((line_number, value)) => {
                let slot = line_number
                    .checked_sub(first_line)
                    .and_then(|index| answers.get_mut(index));
                if let Some(slot) = slot {
                    *slot = Some(value);
                }
            }
            None if line.contains("error") && !line.starts_with("error: aborting") => {
                other_errors.push(line.to_string());
            }
            None => {}
        }
    }
    if !other_errors.is_empty() {
        return Err(format!(
            "the no_core probe for {triple} has errors:\n{}",
            other_errors.join("\n")
        ));
    }
    answers
        .into_iter()
        .zip(questions)
        .map(|(answer, question)| answer.ok_or_else(|| format!("no answer for {question:?}")))
        .collect()
}

/// A `no_core` library holding `prelude` (in a module, glob-imported) and `source`.
pub fn no_core_program(prelude: &str, source: &str) -> String {
    format!(
        "{FEATURES}{NO_CORE_HEADER}{ints}pub mod p {{\nuse super::*;\n{prelude}\n}}\nuse p::*;\n{source}\n",
        ints = integer_items(),
    )
}

/// The start of the std probe: feature gates, `uses` and `source`.
pub fn std_program(uses: &str, source: &str) -> String {
    format!("{FEATURES}{STD_FEATURES}#![allow(warnings)]\n{uses}\n{source}\n")
}

const INTS: [&str; 12] = [
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
];

/// What `core` gives integers and the corpus's constant expressions use: the operators, and
/// `MIN`, `MAX` and `BITS`, each derived by rustc from the type itself (`!0`, shifts), so no
/// number is written here.
fn integer_items() -> String {
    let binary = [
        ("sub", "Sub", "-"),
        ("mul", "Mul", "*"),
        ("bitor", "BitOr", "|"),
        ("bitand", "BitAnd", "&"),
        ("shl", "Shl", "<<"),
        ("shr", "Shr", ">>"),
    ];
    let mut items = String::new();
    for (lang, name, _) in binary {
        let method = lang;
        items.push_str(&format!(
            "#[lang = \"{lang}\"] pub trait {name}<Rhs = Self> {{ type Output; fn {method}(self, rhs: Rhs) -> Self::Output; }}\n"
        ));
    }
    items.push_str(
        "#[lang = \"not\"] pub trait Not { type Output; fn not(self) -> Self::Output; }\n",
    );
    for ty in INTS {
        let unsigned = format!("u{}", &ty[1..]);
        for (lang, name, op) in binary {
            let rhs = if matches!(lang, "shl" | "shr") {
                "u32"
            } else {
                ty
            };
            items.push_str(&format!(
                "impl {name}<{rhs}> for {ty} {{ type Output = {ty}; fn {lang}(self, rhs: {rhs}) -> {ty} {{ self {op} rhs }} }}\n"
            ));
        }
        // Shifts by the default (`i32`) amount, as untyped literals give them.
        for (lang, name, op) in binary.iter().filter(|(l, ..)| matches!(*l, "shl" | "shr")) {
            items.push_str(&format!(
                "impl {name}<i32> for {ty} {{ type Output = {ty}; fn {lang}(self, rhs: i32) -> {ty} {{ self {op} rhs }} }}\n"
            ));
        }
        if ty != "usize" {
            items.push_str(&format!(
                "impl Add for {ty} {{ type Output = {ty}; fn add(self, rhs: {ty}) -> {ty} {{ self + rhs }} }}\n"
            ));
        }
        items.push_str(&format!(
            "impl Not for {ty} {{ type Output = {ty}; fn not(self) -> {ty} {{ !self }} }}\n"
        ));
        let (max, min) = if ty.starts_with('u') {
            ("!0".to_string(), "0".to_string())
        } else {
            (
                format!("(!0 as {unsigned} >> 1u32) as {ty}"),
                "!Self::MAX".to_string(),
            )
        };
        items.push_str(&format!(
            "impl {ty} {{ pub const MAX: {ty} = {max}; pub const MIN: {ty} = {min}; \
             pub const BITS: u32 = size_of::<{ty}>() as u32 * 8; }}\n"
        ));
    }
    items
}

/// `probe.rs:LINE:COL: error[E0308]: ... found one with a size of N` gives `(LINE, N - 1)`.
fn answer_on_line(line: &str) -> Option<(usize, u64)> {
    let (_, value) = line.split_once("found one with a size of ")?;
    let value: u64 = value.trim().parse().ok()?;
    let line_number = line.split(':').nth(1)?.parse().ok()?;
    Some((line_number, value.checked_sub(1)?))
}

/// The machine's rustc, allowed to use the feature gates the probes need.
fn rustc() -> Command {
    let mut command = Command::new("rustc");
    command.env("RUSTC_BOOTSTRAP", "1");
    command
}

/// The niche counts rustc gives `types`, read from `#[rustc_layout(debug)]` (the number of
/// invalid values of the largest niche's scalar, 0 without one). `prefix` holds everything the
/// types need (features, uses or the `no_core` header, the corpus); `pointer_bytes` sizes the
/// pointers a niche may sit in.
pub fn ask_niches(
    dir: &Path,
    triple: &str,
    prefix: &str,
    types: &[String],
    pointer_bytes: u64,
) -> Result<Vec<u128>, String> {
    // The `no_core` header enables `rustc_attrs` already, and a feature may be enabled once.
    let gate = if prefix.contains("rustc_attrs") {
        ""
    } else {
        "#![feature(rustc_attrs)]\n"
    };
    let mut program = format!("{gate}{prefix}\n");
    let first_line = program.lines().count() + 1;
    for (index, ty) in types.iter().enumerate() {
        program.push_str(&format!(
            "#[rustc_layout(debug)] type NicheQuestion{index} = {ty};\n"
        ));
    }
    let source_path = dir.join("niche_probe.rs");
    std::fs::write(&source_path, &program).map_err(|e| e.to_string())?;
    let output = rustc()
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "lib",
            "--emit=metadata",
        ])
        .args(["--target", triple, "--out-dir"])
        .arg(dir)
        .arg(&source_path)
        .output()
        .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut answers = vec![None; types.len()];
    for (line, niches) in layout_dumps(&stderr, pointer_bytes) {
        let slot = line
            .checked_sub(first_line)
            .and_then(|i| answers.get_mut(i));
        if let Some(slot) = slot {
            *slot = Some(niches);
        }
    }
    answers
        .into_iter()
        .zip(types)
        .map(|(answer, ty)| {
            answer.ok_or_else(|| format!("no layout dump for {ty}:\n{}", first_error(&stderr)))
        })
        .collect()
}

fn first_error(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|line| line.starts_with("error") && !line.starts_with("error: layout_of"))
        .take(5)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each `error: layout_of(..) = Layout { .. }` dump's source line and niche count. The first
/// `largest_niche` of a dump is the type's own (the variants' layouts come after it).
fn layout_dumps(stderr: &str, pointer_bytes: u64) -> Vec<(usize, u128)> {
    let mut dumps = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in stderr.lines() {
        if line.starts_with("error: layout_of(") {
            current = Some(vec![line]);
        } else if let Some(lines) = &mut current {
            if let Some(location) = line.trim_start().strip_prefix("--> ") {
                let number = location.split(':').nth(1).and_then(|n| n.parse().ok());
                if let Some(number) = number {
                    dumps.push((number, niche_of_dump(lines, pointer_bytes)));
                }
                current = None;
            } else {
                lines.push(line);
            }
        }
    }
    dumps
}

fn niche_of_dump(lines: &[&str], pointer_bytes: u64) -> u128 {
    let Some(start) = lines
        .iter()
        .position(|l| l.trim_start().starts_with("largest_niche:"))
    else {
        return 0;
    };
    if lines[start].contains("None") {
        return 0;
    }
    let rest = &lines[start..];
    let Some(range_line) = rest
        .iter()
        .find_map(|l| l.trim().strip_prefix("valid_range: "))
    else {
        return 0;
    };
    let value_text: String = rest
        .iter()
        .skip_while(|l| !l.trim_start().starts_with("value:"))
        .take(4)
        .copied()
        .collect();
    let bytes = scalar_bytes(&value_text, pointer_bytes);
    available(range_line.trim_end_matches(','), bytes)
}

fn scalar_bytes(value: &str, pointer_bytes: u64) -> u64 {
    if value.contains("Pointer") {
        return pointer_bytes;
    }
    for (name, bytes) in [("I8", 1), ("I16", 2), ("I32", 4), ("I64", 8), ("I128", 16)] {
        if value.contains(&format!("{name},")) {
            return bytes;
        }
    }
    if value.contains("F32") { 4 } else { 8 }
}

/// Invalid values of a `bytes`-wide scalar whose valid range rustc prints as `a..=b` or
/// `(..=b) | (a..)` (wrapping).
fn available(range: &str, bytes: u64) -> u128 {
    let number = |text: &str| {
        text.trim_matches(|c| "()|.= ".contains(c))
            .parse::<u128>()
            .ok()
    };
    let (start, end) = match range.split_once(" | ") {
        Some((low, high)) => (number(high), number(low)),
        None => match range.split_once("..=") {
            Some((a, b)) => (number(a), number(b)),
            None => (None, None),
        },
    };
    let (Some(start), Some(end)) = (start, end) else {
        return 0;
    };
    let max = if bytes >= 16 {
        u128::MAX
    } else {
        (1u128 << (bytes * 8)) - 1
    };
    max - (end.wrapping_sub(start) & max)
}

//! Hover text: what a binding or type is, where it lives and why, its bytes, layout and a diagram.

use std::fmt::Write;
use std::ops::Range;

use super::bindings::BindingKind;
use super::defs::AdtDef;
use super::heap::Heap;
use super::layout::{
    FieldLayout, Layout, LayoutError, Shape, TagEncoding, TagLayout, VariantLayout,
};
use super::placement::{Passing, Region};
use super::target::Arch;
use super::ty::Ty;
use super::{BindingReport, FileAnalysis};

/// A hover: the range of the hovered name and markdown to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverResult {
    pub range: Range<usize>,
    pub markdown: String,
}

fn covers(range: &Range<usize>, offset: usize) -> bool {
    range.start <= offset && offset <= range.end
}

/// The hover for the name at byte `offset`: a binding (where it is defined or used) or a type.
pub fn hover(analysis: &FileAnalysis, offset: usize) -> Option<HoverResult> {
    let binding = analysis
        .bindings
        .iter()
        .enumerate()
        .find(|(_, report)| covers(&report.binding.name_range, offset))
        .map(|(index, report)| (index, report.binding.name_range.clone()))
        .or_else(|| {
            analysis
                .uses
                .iter()
                .find(|u| covers(&u.range, offset))
                .map(|u| (u.binding, u.range.clone()))
        });
    if let Some((index, range)) = binding {
        let report = analysis.bindings.get(index)?;
        return Some(HoverResult {
            range,
            markdown: binding_markdown(analysis, report),
        });
    }
    if let Some(function) = analysis
        .functions
        .iter()
        .find(|f| covers(&f.name_range, offset))
    {
        return Some(HoverResult {
            range: function.name_range.clone(),
            markdown: function_markdown(analysis, function),
        });
    }
    let mention = analysis
        .mentions
        .iter()
        .filter(|m| covers(&m.range, offset))
        .min_by_key(|m| m.range.len())?;
    let markdown = match &mention.member {
        Some(member) => member_markdown(analysis, &mention.ty, member),
        None => type_markdown(analysis, &mention.ty),
    };
    Some(HoverResult {
        range: mention.range.clone(),
        markdown,
    })
}

/// `0 B here → 16 B after line 4`: what a changed binding owns at its `let` and after its last
/// change; an unchanged one's figure alone.
fn heap_over_scope(analysis: &FileAnalysis, report: &BindingReport) -> String {
    let at_let = report.heap().label();
    match report.heap_after_changes() {
        Some((after, changed_at)) => format!(
            "{at_let} here → {} after line {}",
            after.label(),
            analysis.line_of(changed_at)
        ),
        None => at_let,
    }
}

/// rust-analyzer's vocabulary: `size = 24 (0x18), align = 8, niches = 1`.
pub fn size_line(layout: &Layout) -> String {
    let mut line = if layout.size >= 10 {
        format!(
            "size = {} ({:#X}), align = {}",
            layout.size, layout.size, layout.align
        )
    } else {
        format!("size = {}, align = {}", layout.size, layout.align)
    };
    line = line.replace("0X", "0x");
    if let Some(niche) = layout.niche.filter(|_| has_niches(layout)) {
        let _ = write!(line, ", niches = {}", niche_count(niche.available()));
    }
    line
}

fn has_niches(layout: &Layout) -> bool {
    layout.niche.is_some_and(|niche| niche.available() > 0)
}

/// The exact number of niches, readable: `254`, `2^64`, `2^32 - 1 114 113`, or the decimal
/// in groups of three when no power of two is near.
pub fn niche_count(available: u128) -> String {
    if available <= 1024 {
        return available.to_string();
    }
    let above = available.checked_next_power_of_two();
    let exponent = above.map_or(128, u128::trailing_zeros);
    if available.is_power_of_two() {
        return format!("2^{exponent}");
    }
    let short_of = match above {
        Some(power) => power - available,
        None => u128::MAX - available + 1,
    };
    // Near a power of two (within a 256th of it), the difference says more than the digits.
    if short_of < (1u128 << (exponent - 8)) {
        format!("2^{exponent} - {}", grouped(short_of))
    } else {
        grouped(available)
    }
}

/// `1114113` as `1 114 113`.
fn grouped(value: u128) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

fn type_text(report: &BindingReport) -> String {
    report
        .ty()
        .map_or_else(|| "_".to_string(), ToString::to_string)
}

fn signature_line(report: &BindingReport) -> String {
    let binding = &report.binding;
    let ty = type_text(report);
    let mutable = if binding.mutable { "mut " } else { "" };
    match binding.kind {
        BindingKind::Local => format!("let {mutable}{}: {ty}", binding.name),
        BindingKind::Param if binding.name == "self" => format!("self: {ty}"),
        BindingKind::Param => format!("{mutable}{}: {ty}", binding.name),
        BindingKind::Static => format!("static {mutable}{}: {ty}", binding.name),
        BindingKind::Const => format!("const {}: {ty}", binding.name),
    }
}

fn binding_markdown(analysis: &FileAnalysis, report: &BindingReport) -> String {
    let mut text = format!("```rust\n{}\n```\n\n---\n\n", signature_line(report));
    text.push_str(&where_sentence(analysis, report));
    text.push_str("\n\n");
    text.push_str(&bytes_line(analysis, report));
    text.push_str("\n\n");
    match &report.layout {
        Ok(layout) => text.push_str(&size_line(layout)),
        Err(error) => {
            let _ = write!(text, "size unknown: {error}");
        }
    }
    if let Some(diagram) = diagram(report) {
        text.push_str("\n\n```text\n");
        text.push_str(&diagram);
        text.push_str("```");
    }
    text
}

/// The bytes in each place: `stack 24 B + heap 5 B — String::from copies ...`.
fn bytes_line(analysis: &FileAnalysis, report: &BindingReport) -> String {
    let size = report
        .layout
        .as_ref()
        .map_or_else(|_| "?".to_string(), |layout| format!("{} B", layout.size));
    let region = match report.placement.region {
        Region::Register => "register",
        other => other.as_str(),
    };
    let mut line = format!("`{region} {size}");
    if report.binding.kind == BindingKind::Local || report.final_heap() != Heap::NONE {
        let _ = write!(line, " + heap {}", heap_over_scope(analysis, report));
    }
    if let Some(text_bytes) = report.binding.literal_text_bytes {
        let _ = write!(line, " + {text_bytes} B of text in rodata");
    }
    line.push('`');
    let after_rule = report
        .binding
        .after_changes
        .as_ref()
        .map(|after| &after.rule);
    if let Some(rule) = after_rule.unwrap_or(&report.binding.value.heap_rule) {
        let _ = write!(line, " — {rule}");
    }
    line
}

fn article_size(report: &BindingReport) -> String {
    match &report.layout {
        Ok(layout) => format!("{} bytes", layout.size),
        Err(_) => "bytes".to_string(),
    }
}

/// One sentence on where the value lives and why, in the seed text's terms.
fn where_sentence(analysis: &FileAnalysis, report: &BindingReport) -> String {
    let binding = &report.binding;
    let name = &binding.name;
    let function = binding.function.as_deref().unwrap_or("its function");
    match binding.kind {
        BindingKind::Local => {
            let heap_part = match report.final_heap() {
                Heap::Exact(0) => String::new(),
                heap => format!(
                    "; {} it owns live on the heap, where it points",
                    heap_owned_words(heap)
                ),
            };
            format!(
                "`{name}` is a local variable, so its {} live on the stack in `{function}`'s frame{heap_part}.",
                article_size(report)
            )
        }
        BindingKind::Param => param_sentence(analysis, report, function),
        BindingKind::Static => static_sentence(report),
        BindingKind::Const => format!(
            "`{name}` is a constant: it has no address of its own; rustc copies its value into each place that uses it."
        ),
    }
}

fn heap_owned_words(heap: Heap) -> String {
    match heap {
        Heap::Exact(bytes) => format!("the {bytes} bytes"),
        Heap::AtLeast(bytes) => format!("at least {bytes} bytes"),
        Heap::Unknown => "the bytes".to_string(),
    }
}

fn convention(analysis: &FileAnalysis) -> &'static str {
    match analysis.target.arch {
        Arch::X86_64 => "the x86-64 System V convention",
        Arch::Aarch64 => "the AArch64 procedure call standard",
        Arch::X86 => "the 32-bit x86 convention",
        Arch::Arm => "the 32-bit Arm convention as rustc uses it",
        Arch::Wasm32 => "WebAssembly",
    }
}

fn param_sentence(analysis: &FileAnalysis, report: &BindingReport, function: &str) -> String {
    let name = &report.binding.name;
    let convention = convention(analysis);
    match &report.placement.passing {
        Some(Passing::Registers(registers)) if registers.len() == 1 => format!(
            "`{name}` is a parameter of `{function}`: {convention} passes it in `{}`, not in memory; the compiler may spill it to the stack.",
            registers[0]
        ),
        Some(Passing::Registers(registers)) => format!(
            "`{name}` is a parameter of `{function}`: {convention} passes its two halves in `{}`, not in memory; the compiler may spill them to the stack.",
            registers.join("` and `")
        ),
        Some(Passing::Nothing) => {
            format!("`{name}` is a zero-sized parameter of `{function}`: nothing is passed at all.")
        }
        Some(Passing::ByReference(register)) => format!(
            "`{name}` is a parameter of `{function}` too big for registers ({}): the caller keeps it in its own stack frame and passes its address in `{register}`.",
            article_size(report)
        ),
        Some(Passing::OnStack) => format!(
            "`{name}` is a parameter of `{function}`: {convention} passes it on the stack, in the caller's outgoing-argument area."
        ),
        None => format!(
            "`{name}` is a parameter of `{function}`; memlens cannot tell how it is passed without its layout."
        ),
    }
}

fn static_sentence(report: &BindingReport) -> String {
    let binding = &report.binding;
    let name = &binding.name;
    let section = report.placement.section.unwrap_or("?");
    let size = article_size(report);
    let text_part = binding
        .literal_text_bytes
        .map(|bytes| {
            format!("; the {bytes} bytes of text it points to are more read-only data (`.rodata`)")
        })
        .unwrap_or_default();
    match report.placement.region {
        Region::Bss => format!(
            "`{name}` is a writable static whose bytes are all zero, so it lives in BSS (`.bss`): the executable records only its size, and the loader zero-fills its {size} at start-up."
        ),
        Region::Data if report.placement.section_uncertain => format!(
            "`{name}` is a writable static, so it lives in `.data` for the whole run ({size}) — or in `.bss` if its initial value is all zero bytes, which memlens could not evaluate."
        ),
        Region::Data => format!(
            "`{name}` is a writable static with a non-zero initial value, so its {size} are stored in the executable and loaded into `.data` for the whole run."
        ),
        _ if section == ".data.rel.ro" => format!(
            "`{name}` is an immutable static holding a pointer, so it lives in read-only data for the whole run (`.data.rel.ro`: the loader fills in the address, then the page is made read-only){text_part}."
        ),
        _ => format!(
            "`{name}` is an immutable static, so its {size} live in read-only data (`.rodata`) for the whole run — even when they are all zero, since nothing may write them{text_part}."
        ),
    }
}

/// The names of the stack header's fields for std's owning pointers, in the seed's words.
fn header_fields(ty: &Ty) -> Option<&'static [&'static str]> {
    let Ty::Adt { name, .. } = ty else {
        return None;
    };
    Some(match name.as_str() {
        "String" | "Vec" | "PathBuf" | "OsString" => &["ptr", "len", "cap"],
        "Box" | "Rc" | "Arc" => &["ptr"],
        _ => return None,
    })
}

/// A small stack → heap picture for values that own heap memory: the header's fields on the
/// left, the heap block on the right, the arrow leaving from `ptr`.
fn diagram(report: &BindingReport) -> Option<String> {
    let ty = report.ty()?;
    let fields = header_fields(ty)?;
    let size = report.layout.as_ref().ok()?.size;
    let mut left = vec![format!("{}: {ty}", report.binding.name)];
    left.extend(fields.iter().map(|field| field.to_string()));
    let left_width = left
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(12)
        + 2;
    let heap_label = report.final_heap().label();
    let right_width = heap_label.chars().count().max(8) + 2;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<w$}heap",
        format!("stack ({size} B)"),
        w = left_width + 7
    );
    let _ = writeln!(
        out,
        "┌{}┐     ┌{}┐",
        "─".repeat(left_width),
        "─".repeat(right_width)
    );
    for (row, line) in left.iter().enumerate() {
        let is_pointer = row == 1;
        let fill = if is_pointer { "─" } else { " " };
        let cell = format!(
            " {line} {}",
            fill.repeat(left_width - line.chars().count() - 2)
        );
        let (edge, arrow) = if is_pointer {
            ("┼", "────▶")
        } else {
            ("│", "     ")
        };
        let right = if is_pointer {
            format!(" {heap_label:<w$}", w = right_width - 1)
        } else {
            " ".repeat(right_width)
        };
        let _ = writeln!(out, "│{cell}{edge}{arrow}│{right}│");
    }
    let _ = writeln!(
        out,
        "└{}┘     └{}┘",
        "─".repeat(left_width),
        "─".repeat(right_width)
    );
    Some(out)
}

/// The hover for a function's name: its estimated stack frame and the largest locals in it.
fn function_markdown(analysis: &FileAnalysis, function: &super::bindings::FunctionFacts) -> String {
    let frame = super::diagnostics::frame_estimate(analysis, function);
    let mut text = format!("```rust\nfn {}\n```\n\n---\n\n", function.name);
    let _ = write!(
        text,
        "Stack frame: about {} bytes of locals (an estimate: the compiler may overlap some and keep others in registers; saved registers and the return address add a little).",
        frame.bytes
    );
    if !frame.largest.is_empty() {
        text.push_str("\n\nLargest locals:");
        for (index, bytes) in &frame.largest {
            let report = &analysis.bindings[*index];
            let ty = report
                .ty()
                .map_or_else(|| "_".to_string(), ToString::to_string);
            let _ = write!(text, "\n- `{}: {ty}` — {bytes} B", report.binding.name);
        }
    }
    text
}

/// The hover for a field or variant name in a definition: where it sits in the type.
fn member_markdown(analysis: &FileAnalysis, ty: &Ty, member: &super::bindings::Member) -> String {
    use super::bindings::Member;
    let layout = analysis.layout_of(ty);
    let (heading, facts) = match (member, &layout) {
        (Member::Field { variant, name }, Ok(layout)) => {
            let fields = match (&layout.shape, variant) {
                (Shape::Fields(fields) | Shape::Union(fields), None) => Some(fields),
                (Shape::Enum { variants, .. }, Some(variant)) => variants
                    .iter()
                    .find(|v| &v.name == variant)
                    .map(|v| &v.fields),
                _ => None,
            };
            let field = fields.and_then(|fields| fields.iter().find(|f| &f.name == name));
            let owner = variant
                .as_ref()
                .map_or_else(|| ty.to_string(), |v| format!("{ty}::{v}"));
            match field {
                Some(field) => (
                    format!("{}: {}", field.name, field.ty),
                    format!(
                        "A field of `{owner}`: offset = {}, size = {}, align = {}",
                        field.offset, field.size, field.align
                    ),
                ),
                None => (
                    name.clone(),
                    format!("A field of `{owner}`; its place in the layout is not known."),
                ),
            }
        }
        (Member::Variant(name), Ok(layout)) => {
            let variant = match &layout.shape {
                Shape::Enum { variants, .. } => variants.iter().find(|v| &v.name == name),
                _ => None,
            };
            match variant {
                Some(variant) => (
                    format!("{ty}::{name}"),
                    format!(
                        "A variant of `{ty}`: its data uses {} of the enum's {} bytes{}.",
                        variant.size,
                        layout.size,
                        tag_words(&layout.shape)
                    ),
                ),
                None => (
                    format!("{ty}::{name}"),
                    "A variant that is never stored: no value of it can exist, and it takes no space."
                        .to_string(),
                ),
            }
        }
        (_, Err(error)) => (ty.to_string(), format!("size unknown: {error}")),
    };
    format!("```rust\n{heading}\n```\n\n---\n\n{facts}")
}

/// What the tag costs beside a variant's data: its own bytes, or none (a niche).
fn tag_words(shape: &Shape) -> String {
    match shape {
        Shape::Enum { tag: Some(tag), .. } if tag.encoding == TagEncoding::Direct => {
            let unit = if tag.bytes == 1 { "byte" } else { "bytes" };
            format!(", beside the {} {unit} of the tag", tag.bytes)
        }
        Shape::Enum { tag: Some(_), .. } => ", the tag kept in a niche of the data".to_string(),
        _ => String::new(),
    }
}

/// The hover for a type name: its layout, field by field in memory order.
fn type_markdown(analysis: &FileAnalysis, ty: &Ty) -> String {
    let mut text = format!("```rust\n{}\n```\n\n---\n\n", type_heading(analysis, ty));
    match analysis.layout_of(ty) {
        Ok(layout) => {
            text.push_str(&size_line(&layout));
            if !has_niches(&layout) {
                // A type's own hover says so outright: `Option<ThisType>` costs a tag.
                text.push_str(", niches = none");
            }
            text.push_str(&fields_table(&layout));
            if let Some(note) = reorder_note(analysis, ty, &layout) {
                text.push_str("\n\n");
                text.push_str(&note);
            }
        }
        Err(LayoutError::Generic(param)) => {
            let _ = write!(
                text,
                "The layout depends on `{param}`: hover a binding of a concrete `{ty}` to see it."
            );
        }
        Err(error) => {
            let _ = write!(text, "size unknown: {error}");
        }
    }
    text
}

fn type_heading(analysis: &FileAnalysis, ty: &Ty) -> String {
    match ty {
        Ty::Adt { name, .. } => match analysis.defs.adt(name) {
            Some(def) => format!("{} {ty}", kind_word(def)),
            None => ty.to_string(),
        },
        _ => ty.to_string(),
    }
}

fn kind_word(def: &AdtDef) -> &'static str {
    match def.kind {
        super::defs::AdtKind::Struct => "struct",
        super::defs::AdtKind::Enum => "enum",
        super::defs::AdtKind::Union => "union",
    }
}

/// Fields in memory order with padding gaps: offset, size, name and type.
fn fields_table(layout: &Layout) -> String {
    let rows = match &layout.shape {
        Shape::Fields(fields) | Shape::Union(fields) if !fields.is_empty() => {
            memory_rows(fields, layout.size)
        }
        Shape::Enum { tag, variants } => {
            let tag_row =
                tag.map(|tag| format!("{:<22} {} B", tag_label(&tag, variants), tag.bytes));
            tag_row
                .into_iter()
                .chain(
                    variants
                        .iter()
                        .map(|v| format!("{:<22} {} B", v.name, v.size)),
                )
                .collect()
        }
        _ => return String::new(),
    };
    let header = match &layout.shape {
        Shape::Enum { .. } => "variant                size",
        _ => "offset  size  field",
    };
    format!("\n\n```text\n{header}\n{}\n```", rows.join("\n"))
}

/// Where the tag sits: its own field, or inside the untagged variant's data (a niche).
fn tag_label(tag: &TagLayout, variants: &[VariantLayout]) -> String {
    match tag.encoding {
        TagEncoding::Direct => format!("[tag at {}]", tag.offset),
        TagEncoding::Niche { untagged_variant } => {
            // With a tag every variant is listed, so the index is the declaration's.
            let owner = variants
                .get(untagged_variant)
                .map_or("data", |v| v.name.as_str());
            format!("[tag in {owner} at {}]", tag.offset)
        }
    }
}

fn memory_rows(fields: &[FieldLayout], total: u64) -> Vec<String> {
    let mut ordered: Vec<&FieldLayout> = fields.iter().collect();
    ordered.sort_by_key(|f| (f.offset, f.size));
    let mut rows = Vec::new();
    let mut cursor = 0;
    for field in ordered {
        if field.offset > cursor {
            rows.push(padding_row(cursor, field.offset - cursor));
        }
        rows.push(format!(
            "{:<7} {:<5} {}: {}",
            field.offset, field.size, field.name, field.ty
        ));
        cursor = cursor.max(field.offset + field.size);
    }
    if total > cursor {
        rows.push(padding_row(cursor, total - cursor));
    }
    rows
}

fn padding_row(offset: u64, bytes: u64) -> String {
    let unit = if bytes == 1 { "byte" } else { "bytes" };
    format!("{offset:<7} {bytes:<5} [{bytes} {unit} padding]")
}

/// For a `repr(Rust)` struct: what declaration order (`repr(C)`) would have cost.
fn reorder_note(analysis: &FileAnalysis, ty: &Ty, layout: &Layout) -> Option<String> {
    let Ty::Adt { name, .. } = ty else {
        return None;
    };
    let def = analysis.defs.adt(name)?;
    if def.repr.c || def.repr.packed.is_some() || def.kind != super::defs::AdtKind::Struct {
        return None;
    }
    let mut defs = (*analysis.defs).clone();
    let mut as_c = def.clone();
    as_c.repr.c = true;
    defs.add_adt(as_c);
    let declared = super::layout::layout_of(ty, &analysis.target, &defs).ok()?;
    (declared.size > layout.size).then(|| {
        format!(
            "rustc reordered the fields: in declaration order (`#[repr(C)]`) this type would take {} bytes, {} more.",
            declared.size,
            declared.size - layout.size
        )
    })
}

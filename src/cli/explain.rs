//! `memlens explain`: every binding of each file as an aligned table, or as JSON.

use std::fmt::Write;
use std::path::Path;

use serde_json::{Value as Json, json};

use crate::analysis::heap::Heap;
use crate::analysis::layout::{Layout, Shape};
use crate::analysis::placement::Passing;
use crate::analysis::{self, BindingReport, FileAnalysis, Target, TypeReport};
use crate::files::{Boundary, Refusal, read_checked};

/// Why a file could not be explained; each is one line on stderr and exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("{path}: no such file")]
    Missing { path: String },
    #[error("{path}: cannot read: {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not UTF-8 text (Rust source must be UTF-8)")]
    NotUtf8 { path: String },
    /// A device, FIFO or directory, or a file over the size limit.
    #[error("{0}")]
    Refused(Refusal),
    #[error("unknown target `{0}`; known targets: {known}", known = Target::known_triples().join(", "))]
    UnknownTarget(String),
}

/// Reads a source file, telling apart a missing file, an unreadable one and one that is not UTF-8.
/// The file is the one the user named, so it may be anywhere; it must still be a regular file
/// under the size limit (`/dev/zero` would never end).
pub fn read_source(path: &Path) -> Result<String, ExplainError> {
    let shown = path.display().to_string();
    match read_checked(path, &Boundary::anywhere()) {
        Ok(source) => Ok(source.text),
        Err(Refusal::Missing(_)) => Err(ExplainError::Missing { path: shown }),
        Err(Refusal::NotUtf8(_)) => Err(ExplainError::NotUtf8 { path: shown }),
        Err(Refusal::Unreadable { source, .. }) => Err(ExplainError::Unreadable {
            path: shown,
            source,
        }),
        Err(refusal) => Err(ExplainError::Refused(refusal)),
    }
}

pub fn parse_target(triple: &str) -> Result<Target, ExplainError> {
    Target::from_triple(triple).ok_or_else(|| ExplainError::UnknownTarget(triple.to_string()))
}

/// Line starts of a text, for turning byte offsets into 1-based lines and char columns.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        LineIndex {
            text,
            starts: analysis::line_starts(text),
        }
    }

    /// 1-based line and column (in Unicode chars) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line - 1];
        (line, self.text[line_start..offset].chars().count() + 1)
    }
}

fn heap_json(heap: Heap) -> Json {
    json!({"bytes": heap.bytes(), "certainty": heap.certainty()})
}

fn binding_json(lines: &LineIndex<'_>, report: &BindingReport) -> Json {
    let binding = &report.binding;
    let (line, column) = lines.line_column(binding.name_range.start);
    let layout = report.layout.as_ref().ok();
    let mut object = json!({
        "name": binding.name,
        "line": line,
        "column": column,
        "kind": binding.kind.as_str(),
        "type": report.ty().map(ToString::to_string),
        "region": report.placement.region.as_str(),
        "size": layout.map(|l| l.size),
        "align": layout.map(|l| l.align),
        "heap": heap_json(report.heap()),
    });
    if let Some((heap, changed_at)) = report.heap_after_changes() {
        let mut after = heap_json(heap);
        after["line"] = json!(lines.line_column(changed_at).0);
        object["heap_after_changes"] = after;
    }
    if let Some(function) = &binding.function {
        object["function"] = json!(function);
    }
    if let Some(Passing::Registers(registers)) = &report.placement.passing {
        object["registers"] = json!(registers);
    }
    if let Some(section) = report.placement.section {
        object["section"] = json!(section);
    }
    if let Some(bytes) = binding.literal_text_bytes {
        object["text_bytes"] = json!(bytes);
    }
    object
}

fn fields_json(layout: &Layout) -> Json {
    match &layout.shape {
        Shape::Fields(fields) | Shape::Union(fields) => fields
            .iter()
            .map(|f| json!({"name": f.name, "type": f.ty.to_string(), "offset": f.offset, "size": f.size, "align": f.align}))
            .collect(),
        _ => json!([]),
    }
}

fn type_json(lines: &LineIndex<'_>, report: &TypeReport) -> Json {
    let (line, column) = lines.line_column(report.name_range.start);
    let layout = report.layout.as_ref().ok();
    let mut object = json!({
        "name": crate::analysis::ty::display_name(&report.def.name),
        "line": line,
        "column": column,
        "size": layout.map(|l| l.size),
        "align": layout.map(|l| l.align),
        "fields": layout.map_or(json!([]), fields_json),
    });
    if let Some(Shape::Enum { variants, .. }) = layout.map(|l| &l.shape) {
        object["variants"] = variants
            .iter()
            .map(|v| json!({"name": v.name, "size": v.size}))
            .collect();
    }
    object
}

/// The machine-readable report of one file (the stable `--json` contract).
pub fn to_json(path: &str, text: &str, analysis: &FileAnalysis) -> Json {
    let lines = LineIndex::new(text);
    let lines = &lines;
    json!({
        "file": path,
        "target": analysis.target.triple,
        "bindings": analysis.bindings.iter().map(|b| binding_json(lines, b)).collect::<Vec<_>>(),
        "types": analysis.types.iter().map(|t| type_json(lines, t)).collect::<Vec<_>>(),
        "errors": analysis.errors.iter().map(|e| {
            let (line, column) = lines.line_column(e.range.start);
            json!({"line": line, "column": column, "message": e.message})
        }).collect::<Vec<_>>(),
    })
}

fn heap_cell(report: &BindingReport) -> String {
    match report.heap() {
        Heap::Exact(0) if report.binding.kind != analysis::bindings::BindingKind::Local => {
            "–".to_string()
        }
        heap => heap.label(),
    }
}

/// `16 B (line 4)`: what the binding owns after its last change, and where that change is.
fn after_changes_cell(lines: &LineIndex<'_>, report: &BindingReport) -> String {
    report
        .heap_after_changes()
        .map_or_else(String::new, |(heap, changed_at)| {
            format!(
                "{} (line {})",
                heap.label(),
                lines.line_column(changed_at).0
            )
        })
}

fn where_cell(report: &BindingReport) -> String {
    let region = report.placement.region.as_str();
    match &report.placement.passing {
        Some(Passing::Registers(registers)) => format!("{region} ({})", registers.join("+")),
        Some(Passing::ByReference(register)) => format!("stack (by ref in {register})"),
        _ => match report.placement.section {
            Some(section) if section != format!(".{region}") => format!("{region} ({section})"),
            _ => region.to_string(),
        },
    }
}

/// The human-readable report: a header line, then one aligned row per binding.
pub fn to_table(path: &str, text: &str, analysis: &FileAnalysis) -> String {
    let lines = LineIndex::new(text);
    // The column for what bindings own after their changes shows only when one changes.
    let any_changed = analysis
        .bindings
        .iter()
        .any(|report| report.heap_after_changes().is_some());
    let header = [
        "line:col",
        "name",
        "type",
        "where",
        "stack",
        "heap",
        "after changes",
    ];
    let header = &header[..if any_changed { 7 } else { 6 }];
    let rows: Vec<Vec<String>> = analysis
        .bindings
        .iter()
        .map(|report| {
            let (line, column) = lines.line_column(report.binding.name_range.start);
            let stack = report
                .layout
                .as_ref()
                .map_or_else(|_| "?".to_string(), |layout| format!("{} B", layout.size));
            let mut row = vec![
                format!("{line}:{column}"),
                report.binding.name.clone(),
                report
                    .ty()
                    .map_or_else(|| "?".to_string(), ToString::to_string),
                where_cell(report),
                stack,
                heap_cell(report),
            ];
            if any_changed {
                row.push(after_changes_cell(&lines, report));
            }
            row
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|col| {
            rows.iter()
                .map(|r| r[col].chars().count())
                .chain([header[col].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("{path} ({})\n", analysis.target.triple);
    let mut push_row = |cells: &[&str]| {
        let mut line = String::new();
        for (col, cell) in cells.iter().enumerate() {
            let pad = widths[col] - cell.chars().count();
            // Byte counts read best right-aligned.
            if (4..6).contains(&col) {
                let _ = write!(line, "{}{cell}  ", " ".repeat(pad));
            } else {
                let _ = write!(line, "{cell}{}  ", " ".repeat(pad));
            }
        }
        let _ = writeln!(out, "  {}", line.trim_end());
    };
    push_row(header);
    for row in &rows {
        push_row(&row.iter().map(String::as_str).collect::<Vec<_>>());
    }
    for error in &analysis.errors {
        let (line, column) = lines.line_column(error.range.start);
        let _ = writeln!(out, "  error at {line}:{column}: {}", error.message);
    }
    out
}

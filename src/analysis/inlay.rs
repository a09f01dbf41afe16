//! Inlay hints: a short `stack 24B + heap 5B` label after each binding's name.

use std::ops::Range;

use super::bindings::BindingKind;
use super::heap::Heap;
use super::placement::Region;
use super::{BindingReport, FileAnalysis};

/// One hint: the byte offset it sits at and its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
    /// The binding the hint describes, so a client can ask for its hover.
    pub binding: usize,
}

/// Which heap figure a hint shows for a binding that changes after its `let`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HeapFigures {
    /// `heap 0B → 16B`: at the `let`, then after the last change.
    #[default]
    Both,
    /// `heap 0B`: right after the `let` only.
    AtLet,
    /// `heap 16B`: after the last change only.
    AfterChanges,
}

impl HeapFigures {
    /// The setting's name in client settings (`both`, `atLet`, `afterChanges`).
    pub fn from_setting(name: &str) -> Option<HeapFigures> {
        match name {
            "both" => Some(HeapFigures::Both),
            "atLet" => Some(HeapFigures::AtLet),
            "afterChanges" => Some(HeapFigures::AfterChanges),
            _ => None,
        }
    }
}

/// What the user wants hinted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InlayOptions {
    /// Values smaller than this many bytes (stack and the larger heap figure) get no hint.
    pub min_bytes: u64,
    pub heap: HeapFigures,
}

/// Hints for every binding whose name ends inside `range`.
pub fn inlay_hints(
    analysis: &FileAnalysis,
    range: Range<usize>,
    options: InlayOptions,
) -> Vec<InlayHint> {
    analysis
        .bindings
        .iter()
        .enumerate()
        .filter(|(_, report)| {
            range.contains(&report.binding.hint_offset) || range.end == report.binding.hint_offset
        })
        .filter(|(_, report)| total_bytes(report) >= options.min_bytes)
        .map(|(index, report)| InlayHint {
            offset: report.binding.hint_offset,
            label: label(report, options.heap),
            binding: index,
        })
        .collect()
}

fn total_bytes(report: &BindingReport) -> u64 {
    let stack = report.layout.as_ref().map_or(0, |layout| layout.size);
    let heap = report.heap().bytes().unwrap_or(0);
    let later = report.final_heap().bytes().unwrap_or(0);
    stack + heap.max(later)
}

/// `stack 24B + heap 5B`, `stack 24B + heap 0B → 16B`, `stack 4B`, `rodata 16B`, `reg 4B`,
/// `stack ?`.
pub fn label(report: &BindingReport, figures: HeapFigures) -> String {
    let size = report
        .layout
        .as_ref()
        .map_or_else(|_| "?".to_string(), |layout| format!("{}B", layout.size));
    let region = match (report.binding.kind, report.placement.region) {
        (BindingKind::Param, Region::Register) => "reg",
        (_, region) => region.as_str(),
    };
    let (at_let, later) = (report.heap(), report.final_heap());
    let heap = match (figures, report.heap_after_changes()) {
        (HeapFigures::Both, Some(_)) => format!("{at_let} → {later}"),
        (HeapFigures::AfterChanges, _) => later.to_string(),
        _ => at_let.to_string(),
    };
    let owns_nothing = at_let == Heap::NONE && later == Heap::NONE;
    if report.binding.kind == BindingKind::Local && !owns_nothing {
        format!("{region} {size} + heap {heap}")
    } else {
        format!("{region} {size}")
    }
}

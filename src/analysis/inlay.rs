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

/// What the user wants hinted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InlayOptions {
    /// Values smaller than this many bytes (stack and heap together) get no hint.
    pub min_bytes: u64,
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
            label: label(report),
            binding: index,
        })
        .collect()
}

fn total_bytes(report: &BindingReport) -> u64 {
    let stack = report.layout.as_ref().map_or(0, |layout| layout.size);
    stack + report.heap().bytes().unwrap_or(0)
}

/// `stack 24B + heap 5B`, `stack 4B`, `rodata 16B`, `reg 4B`, `stack ?`.
pub fn label(report: &BindingReport) -> String {
    let size = report
        .layout
        .as_ref()
        .map_or_else(|_| "?".to_string(), |layout| format!("{}B", layout.size));
    let region = match (report.binding.kind, report.placement.region) {
        (BindingKind::Param, Region::Register) => "reg",
        (_, region) => region.as_str(),
    };
    let heap = report.heap();
    if report.binding.kind == BindingKind::Local && heap != Heap::NONE {
        format!("{region} {size} + heap {heap}")
    } else {
        format!("{region} {size}")
    }
}

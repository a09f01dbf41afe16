//! Judging memlens's two heap figures of every local against a counting allocator.

use std::collections::HashMap;
use std::time::Duration;

use memlens::analysis::FileAnalysis;
use memlens::analysis::bindings::BindingKind;
use memlens::analysis::heap::Heap;
use memlens::analysis::ty::Ty;

use super::heap_probe::try_measure_heap;

/// 1-based line and column (in chars) of a byte offset, as the probe reports positions.
pub fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        (before.matches('\n').count() + 1) as u32,
        (before[line_start..].chars().count() + 1) as u32,
    )
}

/// Types a probe can name: no closures, function items or unknown parts.
pub fn nameable(ty: &Ty) -> bool {
    !matches!(ty, Ty::Closure { .. } | Ty::FnItem(_))
        && ty.is_fully_known()
        && !ty.to_string().contains('{')
}

/// Heap claims compared with the allocator, by certainty, and the exact ones that were right.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClaimCounts {
    /// Bindings the allocator measured.
    pub measured: usize,
    pub exact: usize,
    pub exact_right: usize,
    pub bounds: usize,
    pub unknown: usize,
}

impl ClaimCounts {
    /// Counts `claim` and says whether the allocator's `truth` agrees with it.
    fn judge(&mut self, claim: Heap, truth: i64) -> bool {
        self.measured += 1;
        let agrees = match claim {
            Heap::Exact(bytes) => {
                self.exact += 1;
                bytes as i64 == truth
            }
            Heap::AtLeast(bytes) => {
                self.bounds += 1;
                bytes as i64 <= truth
            }
            Heap::Unknown => {
                self.unknown += 1;
                true
            }
        };
        if agrees && matches!(claim, Heap::Exact(_)) {
            self.exact_right += 1;
        }
        agrees
    }

    pub fn add(&mut self, other: ClaimCounts) {
        self.measured += other.measured;
        self.exact += other.exact;
        self.exact_right += other.exact_right;
        self.bounds += other.bounds;
        self.unknown += other.unknown;
    }
}

/// Both heap figures of every local, as the allocator saw them.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeapTruth {
    /// What a binding owns right after its `let` statement.
    pub at_let: ClaimCounts,
    /// What a changed binding owns after its last change.
    pub after_changes: ClaimCounts,
}

/// A program's counts, the claims the allocator contradicts, and the measured bindings
/// memlens gave no exact figure for.
pub struct Judged {
    pub counts: HeapTruth,
    pub wrong: Vec<String>,
    pub inexact: Vec<String>,
}

/// Every local's type and both heap claims against rustc and the counting allocator. The probe
/// asserts each claimed type (a wrong one does not compile); exact heap claims must match to
/// the byte, lower bounds must not exceed the truth. `heap` is compared with what the allocator
/// sees right after the `let`; the figure after changes (the `let` figure, for a binding memlens
/// sees no change to) with what the binding owns after the last statement that changes it in
/// place. Fails when the probe does not build or run.
pub fn judge_heap(
    name: &str,
    text: &str,
    analysis: &FileAnalysis,
    deadline: Duration,
) -> Result<Judged, String> {
    let locals = || {
        analysis
            .bindings
            .iter()
            .filter(|b| b.binding.kind == BindingKind::Local)
    };
    let claimed_types: HashMap<(u32, u32), String> = locals()
        .filter_map(|b| {
            Some((
                line_column(text, b.binding.name_range.start),
                b.ty().filter(|t| nameable(t))?.to_string(),
            ))
        })
        .collect();
    let measured = try_measure_heap(name, text, &claimed_types, deadline)?;
    let mut counts = HeapTruth::default();
    let mut wrong = Vec::new();
    let mut inexact = Vec::new();
    for report in locals() {
        let position = line_column(text, report.binding.name_range.start);
        let Some(measurement) = measured.get(&position) else {
            continue;
        };
        let mut compare = |figure: &str, claim: Heap, truth: i64, counts: &mut ClaimCounts| {
            let line = format!(
                "{name}:{}:{} `{}` {figure}: memlens {claim:?}, allocator {truth}",
                position.0, position.1, report.binding.name
            );
            if !counts.judge(claim, truth) {
                wrong.push(line);
            } else if !matches!(claim, Heap::Exact(_)) {
                inexact.push(line);
            }
        };
        if let Some(truth) = measurement.after_let {
            compare("at its let", report.heap(), truth, &mut counts.at_let);
        }
        // A binding memlens sees no change to claims its `let` figure for its whole scope.
        if let Some(truth) = measurement.after_changes {
            compare(
                "after changes",
                report.final_heap(),
                truth,
                &mut counts.after_changes,
            );
        }
    }
    Ok(Judged {
        counts,
        wrong,
        inexact,
    })
}

//! Memory warnings: values and frames too big for the stack, deep recursion, leaked boxes.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::bindings::{BindingKind, FunctionFacts};
use super::heap::Heap;
use super::{BindingReport, FileAnalysis};

/// A main thread's stack on Linux, and a spawned thread's by default in Rust.
const MAIN_STACK_BYTES: u64 = 8 * 1024 * 1024;
const SPAWNED_STACK_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Information,
    Hint,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Range<usize>,
    pub severity: Severity,
    /// A stable name for the kind of finding.
    pub code: &'static str,
    pub message: String,
}

/// The thresholds, as the user set them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiagnosticOptions {
    /// A single local above this many bytes (clippy's `array-size-threshold`: 16 KiB).
    pub stack_value_bytes: u64,
    /// A frame above this many bytes (clippy's `stack-size-threshold`: 512 000).
    pub stack_frame_bytes: u64,
    /// A recursive function's frame above this many bytes gets its overflow depth stated.
    pub recursive_frame_bytes: u64,
}

impl Default for DiagnosticOptions {
    fn default() -> Self {
        DiagnosticOptions {
            stack_value_bytes: 16 * 1024,
            stack_frame_bytes: 512_000,
            recursive_frame_bytes: 1024,
        }
    }
}

/// An estimate of a function's stack frame: the sum of its locals' sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameEstimate {
    pub bytes: u64,
    /// The largest locals, biggest first: (binding index, bytes).
    pub largest: Vec<(usize, u64)>,
}

/// Local bindings by position, to find a function's locals without scanning every binding.
pub struct LocalsByPosition(Vec<(usize, usize)>);

impl LocalsByPosition {
    pub fn new(analysis: &FileAnalysis) -> Self {
        let mut locals: Vec<(usize, usize)> = analysis
            .bindings
            .iter()
            .enumerate()
            .filter(|(_, b)| b.binding.kind == BindingKind::Local)
            .map(|(index, b)| (b.binding.name_range.start, index))
            .collect();
        locals.sort_unstable();
        LocalsByPosition(locals)
    }

    fn within(&self, range: &Range<usize>) -> impl Iterator<Item = usize> + '_ {
        let (from, to) = (range.start, range.end);
        let first = self.0.partition_point(|(start, _)| *start < from);
        self.0[first..]
            .iter()
            .take_while(move |(start, _)| *start < to)
            .map(|(_, index)| *index)
    }
}

/// The locals of a function and their total size; the compiler may overlap some and keep
/// others in registers, so this is an estimate of what the frame needs, not a measurement.
pub fn frame_estimate(analysis: &FileAnalysis, function: &FunctionFacts) -> FrameEstimate {
    frame_estimate_with(analysis, &LocalsByPosition::new(analysis), function)
}

fn frame_estimate_with(
    analysis: &FileAnalysis,
    locals: &LocalsByPosition,
    function: &FunctionFacts,
) -> FrameEstimate {
    let mut locals: Vec<(usize, u64)> = locals
        .within(&function.body_range)
        .filter_map(|index| Some((index, analysis.bindings[index].layout.as_ref().ok()?.size)))
        .collect();
    locals.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    let bytes = locals.iter().map(|(_, size)| size).sum();
    locals.truncate(3);
    FrameEstimate {
        bytes,
        largest: locals,
    }
}

pub fn diagnostics(analysis: &FileAnalysis, options: DiagnosticOptions) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = analysis
        .bindings
        .iter()
        .filter_map(|report| large_value(report, options))
        .collect();
    let recursive = recursive_functions(&analysis.functions);
    let locals = LocalsByPosition::new(analysis);
    for function in &analysis.functions {
        let frame = frame_estimate_with(analysis, &locals, function);
        found.extend(large_frame(analysis, function, &frame, options));
        if recursive.contains(&function.name) && frame.bytes >= options.recursive_frame_bytes {
            found.push(recursion(function, &frame));
        }
    }
    found.extend(analysis.leaks.iter().map(|leak| Diagnostic {
        range: leak.range.clone(),
        severity: Severity::Information,
        code: "leaked-box",
        message: match leak.heap {
            Heap::Exact(bytes) => format!("Box::leak: these {bytes} heap bytes are never freed (the reference lives for the rest of the program)"),
            Heap::AtLeast(bytes) => format!("Box::leak: at least {bytes} heap bytes are never freed"),
            Heap::Unknown => "Box::leak: this heap allocation is never freed".to_string(),
        },
    }));
    found.extend(
        analysis
            .errors
            .iter()
            .filter(|error| error.left_out)
            .map(|error| Diagnostic {
                range: error.range.clone(),
                severity: Severity::Information,
                code: "item-left-out",
                message: error.message.clone(),
            }),
    );
    found.extend(
        super::cycles::cycles(&analysis.rc_links)
            .into_iter()
            .map(|(link, path)| cycle(analysis, link, &path)),
    );
    found.sort_by_key(|d| d.range.start);
    found
}

/// `a` → `b` → `a`: the counts never reach zero, so the values are never freed.
fn cycle(analysis: &FileAnalysis, link: &super::cycles::RcLink, path: &[usize]) -> Diagnostic {
    // The path runs from the link's target back to its source; the cycle reads source first.
    let names: Vec<String> = std::iter::once(&link.from)
        .chain(path)
        .map(|b| format!("`{}`", analysis.bindings[*b].binding.name))
        .collect();
    let leaked = path.iter().try_fold(0u64, |total, b| {
        Some(total + analysis.bindings[*b].final_heap().bytes()?)
    });
    let bytes = leaked.map_or_else(
        || "their heap memory is".to_string(),
        |n| format!("their {n} heap bytes are"),
    );
    Diagnostic {
        range: link.range.clone(),
        severity: Severity::Warning,
        code: "rc-cycle",
        message: format!(
            "Reference cycle: {} hold each other, so no count reaches zero and {bytes} never freed. Make one link a `Weak` (`Rc::downgrade`).",
            names.join(" → ")
        ),
    }
}

fn large_value(report: &BindingReport, options: DiagnosticOptions) -> Option<Diagnostic> {
    let size = report.layout.as_ref().ok()?.size;
    if report.binding.kind != BindingKind::Local || size <= options.stack_value_bytes {
        return None;
    }
    let name = &report.binding.name;
    Some(Diagnostic {
        range: report.binding.name_range.clone(),
        severity: Severity::Warning,
        code: "large-stack-value",
        message: format!(
            "`{name}` puts {size} bytes on the stack (more than {}); a main thread has {} MiB of stack, a spawned thread {} MiB. A Vec or Box keeps the bytes on the heap.",
            options.stack_value_bytes,
            MAIN_STACK_BYTES / 1024 / 1024,
            SPAWNED_STACK_BYTES / 1024 / 1024
        ),
    })
}

fn largest_text(analysis: &FileAnalysis, frame: &FrameEstimate) -> String {
    frame
        .largest
        .iter()
        .map(|(index, bytes)| format!("`{}` ({bytes} B)", analysis.bindings[*index].binding.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn large_frame(
    analysis: &FileAnalysis,
    function: &FunctionFacts,
    frame: &FrameEstimate,
    options: DiagnosticOptions,
) -> Option<Diagnostic> {
    (frame.bytes > options.stack_frame_bytes).then(|| Diagnostic {
        range: function.name_range.clone(),
        severity: Severity::Warning,
        code: "large-stack-frame",
        message: format!(
            "`{}` needs a stack frame of about {} bytes (estimated from its locals; more than {}). Largest: {}.",
            function.name,
            frame.bytes,
            options.stack_frame_bytes,
            largest_text(analysis, frame)
        ),
    })
}

fn recursion(function: &FunctionFacts, frame: &FrameEstimate) -> Diagnostic {
    Diagnostic {
        range: function.name_range.clone(),
        severity: Severity::Hint,
        code: "deep-recursion",
        message: format!(
            "`{}` is recursive and each call adds about {} bytes of locals: an 8 MiB main-thread stack overflows after about {} nested calls (a 2 MiB spawned thread after {}).",
            function.name,
            frame.bytes,
            MAIN_STACK_BYTES / frame.bytes.max(1),
            SPAWNED_STACK_BYTES / frame.bytes.max(1)
        ),
    }
}

/// Functions that can call themselves, directly or through other functions of the file.
fn recursive_functions(functions: &[FunctionFacts]) -> HashSet<String> {
    let calls: HashMap<&str, Vec<&str>> = functions
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.calls.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    functions
        .iter()
        .filter(|f| reaches(&calls, &f.name, &f.name))
        .map(|f| f.name.clone())
        .collect()
}

fn reaches(calls: &HashMap<&str, Vec<&str>>, from: &str, target: &str) -> bool {
    let mut seen = HashSet::new();
    let mut stack: Vec<&str> = calls.get(from).cloned().unwrap_or_default();
    while let Some(next) = stack.pop() {
        if next == target {
            return true;
        }
        if seen.insert(next) {
            stack.extend(calls.get(next).cloned().unwrap_or_default());
        }
    }
    false
}

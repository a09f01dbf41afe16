//! The analysis core: source text in, memory facts out. No LSP, async runtime or JSON here.

pub mod actions;
pub mod alloc_model;
pub mod bindings;
pub mod chunk;
pub mod crate_index;
pub mod cycles;
pub mod defs;
pub mod diagnostics;
pub mod guard;
pub mod heap;
pub mod hover;
pub mod incremental;
pub mod infer;
pub mod inlay;
pub mod items;
pub mod layout;
pub mod lower;
pub mod methods;
pub mod mutations;
pub mod parse;
pub mod paths;
pub mod placement;
pub mod std_api;
pub mod symbols;
pub mod syntax;
pub mod target;
#[cfg(test)]
mod tests;
pub mod ty;
pub mod typed_body;
pub mod values;

use std::ops::Range;

use bindings::{Binding, Collected, FunctionFacts, TypeMention, Use};
use defs::{AdtDef, TypeDefs};
use heap::Heap;
use layout::{Layout, LayoutError};
pub use parse::SyntaxError;
use placement::Placement;
pub use target::Target;
use ty::Ty;

/// Loads what every analysis for `target` needs and keeps for the process (std's API table and
/// std's type definitions), so that a thread started with the process can have it ready before
/// the first request arrives.
pub fn prewarm(target: &Target) {
    std_api::StdApi::for_target(target).prewarm();
    layout::prewarm(target);
}

/// A binding with everything memlens concludes about it.
#[derive(Clone, Debug)]
pub struct BindingReport {
    pub binding: Binding,
    pub layout: Result<Layout, LayoutError>,
    pub placement: Placement,
}

impl BindingReport {
    /// The type, when memlens knows it.
    pub fn ty(&self) -> Option<&Ty> {
        Some(&self.binding.value.ty).filter(|ty| !ty.is_unknown())
    }

    /// What the binding owns right after its `let` statement (for parameters, on entry).
    pub fn heap(&self) -> Heap {
        self.binding.value.heap
    }

    /// What the binding owns after its last change in its scope, and the byte offset where that
    /// change ends; `None` when nothing changes it after its `let`.
    pub fn heap_after_changes(&self) -> Option<(Heap, usize)> {
        let after = self.binding.after_changes.as_ref()?;
        Some((after.heap, self.binding.last_change?))
    }

    /// What the binding owns when its scope ends, as far as memlens follows it.
    pub fn final_heap(&self) -> Heap {
        self.heap_after_changes()
            .map_or(self.heap(), |(heap, _)| heap)
    }
}

/// A type defined in the file, laid out.
#[derive(Clone, Debug)]
pub struct TypeReport {
    pub def: AdtDef,
    pub name_range: Range<usize>,
    pub layout: Result<Layout, LayoutError>,
}

/// Everything memlens knows about one file, with positions as byte offsets.
#[derive(Clone, Debug)]
pub struct FileAnalysis {
    pub target: Target,
    pub bindings: Vec<BindingReport>,
    pub uses: Vec<Use>,
    pub mentions: Vec<TypeMention>,
    pub functions: Vec<FunctionFacts>,
    pub leaks: Vec<bindings::Leak>,
    pub rc_links: Vec<cycles::RcLink>,
    /// The file's types, shared between the analyses of one set of declarations.
    pub types: std::sync::Arc<Vec<TypeReport>>,
    pub errors: Vec<SyntaxError>,
    pub defs: std::sync::Arc<TypeDefs>,
    /// Where each line of the analysed text starts, for naming the line of a position.
    pub line_starts: Vec<usize>,
}

impl FileAnalysis {
    pub fn layout_of(&self, ty: &Ty) -> Result<Layout, LayoutError> {
        layout::layout_of(ty, &self.target, &self.defs)
    }

    /// The 1-based line a byte offset of the analysed text is on.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// Every finding as debug text, equal for two analyses that agree: how the tests check that
    /// an incremental analysis gives what a fresh one gives. The definitions table is left out
    /// because it is a hash map, whose order is not meaningful.
    pub fn comparable(&self) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            self.target,
            self.bindings,
            self.uses,
            self.mentions,
            self.functions,
            self.leaks,
            self.rc_links,
            self.types,
            self.errors
        )
    }
}

/// Where each line of `text` starts: 0, then the byte after every `\n`.
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Analyses one file's text for `target`.
pub fn analyze(text: &str, target: Target) -> FileAnalysis {
    incremental::Analyzer::default().analyze(text, target)
}

/// Lays out and places every binding the walk found.
fn build_reports(collected: &Collected, defs: &TypeDefs, target: &Target) -> Vec<BindingReport> {
    let passing = pass_all_params(&collected.functions, &collected.bindings, defs, target);
    collected
        .bindings
        .iter()
        .enumerate()
        .map(|(index, binding)| {
            let defs = collected.defs_of_binding(index, defs);
            BindingReport {
                layout: layout::layout_in(
                    &binding.value.ty,
                    target,
                    defs,
                    binding.unsized_params.as_deref(),
                ),
                placement: placement::place(binding, passing.get(&index).cloned().flatten(), defs),
                binding: binding.clone(),
            }
        })
        .collect()
}

/// How every parameter binding is passed, by binding index.
fn pass_all_params(
    functions: &[FunctionFacts],
    bindings: &[Binding],
    defs: &TypeDefs,
    target: &Target,
) -> std::collections::HashMap<usize, Option<placement::Passing>> {
    let mut passing = std::collections::HashMap::new();
    for function in functions {
        let slots: Vec<(Ty, Option<Layout>)> = function
            .params
            .iter()
            .map(|slot| {
                let unsized_params = slot
                    .bindings
                    .first()
                    .and_then(|&index| bindings.get(index))
                    .and_then(|binding| binding.unsized_params.as_deref());
                (
                    slot.ty.clone(),
                    layout::layout_in(&slot.ty, target, defs, unsized_params).ok(),
                )
            })
            .collect();
        let passed = placement::pass_params(&slots, target);
        for (slot, how) in function.params.iter().zip(passed) {
            for &binding in &slot.bindings {
                // A destructured parameter is passed as a whole; its parts share the answer.
                let _ = &bindings[binding];
                passing.insert(binding, how.clone());
            }
        }
    }
    passing
}

/// The user's types with concrete layouts (generic ones are laid out where they are used).
fn type_reports(defs: &TypeDefs, target: &Target) -> Vec<TypeReport> {
    let mut reports: Vec<TypeReport> = defs
        .adts()
        .filter_map(|def| {
            let span = def.span?;
            Some(TypeReport {
                def: def.clone(),
                name_range: span.name_start..span.name_end,
                layout: layout::layout_of(&def.declared_ty(), target, defs),
            })
        })
        .collect();
    reports.sort_by_key(|report| report.name_range.start);
    reports
}

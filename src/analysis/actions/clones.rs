//! Drop a needless clone: `x.clone()` where `x` is not used afterwards (move it instead), or
//! where a format macro only borrows it anyway.

use std::ops::Range;

use super::uses::{FORMAT_MACROS, UseKind, UseSite, absolute_range};
use super::{CodeAction, Context, FunctionSyntax, TextEdit, bytes_text};
use crate::analysis::heap::{Heap, may_own_heap};
use crate::analysis::ty::Ty;

/// Methods whose result does not borrow the receiver, so an earlier call leaves it free to move.
const OWNED_RESULT: [&str; 14] = [
    "len",
    "is_empty",
    "contains",
    "starts_with",
    "ends_with",
    "to_string",
    "to_owned",
    "clone",
    "to_uppercase",
    "to_lowercase",
    "push",
    "push_str",
    "capacity",
    "eq",
];

pub fn actions(context: &Context<'_>) -> Vec<CodeAction> {
    context
        .functions
        .iter()
        .flat_map(|function| fixes_in(context, function))
        .collect()
}

/// Loops, closures and borrowing macros of a function body, as byte ranges.
#[derive(Default)]
struct Regions {
    repeating: Vec<Range<usize>>,
    borrowing_macros: Vec<Range<usize>>,
}

fn regions(function: &FunctionSyntax<'_>) -> Regions {
    struct Finder {
        base: usize,
        regions: Regions,
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_expr(&mut self, expr: &'ast syn::Expr) {
            if matches!(
                expr,
                syn::Expr::ForLoop(_)
                    | syn::Expr::While(_)
                    | syn::Expr::Loop(_)
                    | syn::Expr::Closure(_)
            ) {
                self.regions.repeating.push(absolute_range(self.base, expr));
            }
            syn::visit::visit_expr(self, expr);
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if mac
                .path
                .segments
                .last()
                .is_some_and(|s| FORMAT_MACROS.contains(&s.ident.to_string().as_str()))
            {
                self.regions
                    .borrowing_macros
                    .push(absolute_range(self.base, mac));
            }
        }
    }
    let mut finder = Finder {
        base: function.base,
        regions: Regions::default(),
    };
    syn::visit::Visit::visit_block(&mut finder, function.body);
    finder.regions
}

fn within(ranges: &[Range<usize>], offset: usize) -> bool {
    ranges.iter().any(|range| range.contains(&offset))
}

fn fixes_in(context: &Context<'_>, function: &FunctionSyntax<'_>) -> Vec<CodeAction> {
    let regions = regions(function);
    let mut actions = Vec::new();
    for (&binding, sites) in &function.uses {
        let report = &context.analysis.bindings[binding];
        let Some(ty) = report.ty() else { continue };
        // Cloning a reference copies a pointer; only owners of heap memory are worth it.
        if matches!(ty, Ty::Ref { .. })
            || may_own_heap(ty, &context.analysis.defs, &context.analysis.target) != Some(true)
        {
            continue;
        }
        for site in sites
            .iter()
            .filter(|s| s.kind == UseKind::Receiver("clone".into()))
        {
            let in_macro = within(&regions.borrowing_macros, site.range.start);
            let movable = is_last_use(context, binding, site, sites)
                && !regions.repeating.iter().any(|r| {
                    r.contains(&site.range.start) && !r.contains(&report.binding.name_range.start)
                });
            if in_macro || movable {
                actions.extend(fix(context, binding, site, in_macro, report.heap()));
            }
        }
    }
    actions
}

/// No use after this one, and no earlier use that could still be borrowing the value.
fn is_last_use(context: &Context<'_>, binding: usize, site: &UseSite, sites: &[UseSite]) -> bool {
    let later = context
        .analysis
        .uses
        .iter()
        .any(|u| u.binding == binding && u.range.start > site.range.start);
    let earlier_borrow_may_live = sites
        .iter()
        .filter(|s| s.range.start < site.range.start)
        .any(|s| match &s.kind {
            UseKind::Receiver(method) => !OWNED_RESULT.contains(&method.as_str()),
            UseKind::Borrowed { call, .. } => call.is_none(),
            UseKind::FormatArgument | UseKind::Compared | UseKind::Indexed => false,
            _ => true,
        });
    !later && !earlier_borrow_may_live
}

fn fix(
    context: &Context<'_>,
    binding: usize,
    site: &UseSite,
    in_macro: bool,
    heap: Heap,
) -> Option<CodeAction> {
    let name = &context.analysis.bindings[binding].binding.name;
    let after = context.text.get(site.range.end..)?;
    let call_len = after.len() - after.trim_start_matches(".clone()").len();
    if call_len != ".clone()".len() {
        return None;
    }
    let range = site.range.start..site.range.end + call_len;
    let saving = match heap {
        Heap::Exact(bytes) if bytes > 0 => format!(" (saves a {} allocation)", bytes_text(bytes)),
        _ => String::new(),
    };
    let title = if in_macro {
        format!("Remove `.clone()`: the macro only borrows `{name}`{saving}")
    } else {
        format!("Move `{name}` instead of cloning it: it is not used afterwards{saving}")
    };
    Some(CodeAction {
        title,
        edits: vec![TextEdit {
            range: range.clone(),
            new_text: name.clone(),
        }],
        preferred: true,
        trigger: range,
    })
}

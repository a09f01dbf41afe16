//! Pre-allocate: `Vec::new()` / `String::new()` followed by a known number of pushes becomes
//! `with_capacity(n)`, with the count written in (`for i in 0..n` → `with_capacity(n)`).

use super::uses::absolute_range;
use super::{CodeAction, Context, FunctionSyntax, TextEdit, bytes_text};
use std::ops::Range;

use crate::analysis::alloc_model::{Buffer, Event, Mutation};
use crate::analysis::ty::{IntTy, Ty};

pub fn actions(context: &Context<'_>) -> Vec<CodeAction> {
    context
        .functions
        .iter()
        .flat_map(|function| {
            lets_with_new(function)
                .into_iter()
                .filter_map(|local| fix(context, function, local))
        })
        .collect()
}

/// `let mut v = Vec::new();` statements of a function, nested blocks included.
fn lets_with_new<'a>(function: &FunctionSyntax<'a>) -> Vec<&'a syn::Local> {
    struct Finder<'a>(Vec<&'a syn::Local>);
    impl<'a> syn::visit::Visit<'a> for Finder<'a> {
        fn visit_local(&mut self, local: &'a syn::Local) {
            if local
                .init
                .as_ref()
                .is_some_and(|init| constructor(&init.expr).is_some())
            {
                self.0.push(local);
            }
            syn::visit::visit_local(self, local);
        }
    }
    let mut finder = Finder(Vec::new());
    syn::visit::Visit::visit_block(&mut finder, function.body);
    finder.0
}

/// For `Vec::new()` / `Vec::<T>::new()` / `String::new()`: the path text before `new`.
fn constructor(expr: &syn::Expr) -> Option<(&'static str, &syn::ExprPath)> {
    let syn::Expr::Call(call) = expr else {
        return None;
    };
    let syn::Expr::Path(path) = &*call.func else {
        return None;
    };
    let segments = crate::analysis::lower::segment_names(&path.path);
    if !call.args.is_empty() {
        return None;
    }
    match segments
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [.., "Vec", "new"] => Some(("Vec", path)),
        [.., "String", "new"] => Some(("String", path)),
        _ => None,
    }
}

/// The capacity to reserve, as source text, and as a number when known.
struct Capacity {
    text: String,
    count: Option<u64>,
}

/// Reads the mutations: one loop that pushes once per iteration, or a run of pushes.
fn capacity_of(events: &[Event], is_string: bool) -> Option<Capacity> {
    match events {
        [
            Event::Repeat {
                times,
                count_text: Some(text),
                body,
            },
        ] if !is_string => match body.as_slice() {
            [Event::Mutate(Mutation::Push { count: 1, .. })] => Some(Capacity {
                text: text.clone(),
                count: *times,
            }),
            _ => None,
        },
        pushes if pushes.len() >= 2 => {
            let per_push = pushes.iter().map(|event| match event {
                Event::Mutate(Mutation::Push { count, .. }) if !is_string => Some(*count),
                Event::Mutate(Mutation::Extend {
                    count: Some(count), ..
                }) if is_string => Some(*count),
                _ => None,
            });
            let total: u64 = per_push.collect::<Option<Vec<u64>>>()?.iter().sum();
            Some(Capacity {
                text: total.to_string(),
                count: Some(total),
            })
        }
        _ => None,
    }
}

fn fix(
    context: &Context<'_>,
    function: &FunctionSyntax<'_>,
    local: &syn::Local,
) -> Option<CodeAction> {
    let syn::Pat::Ident(pat) = strip_type(&local.pat) else {
        return None;
    };
    let name_range = absolute_range(function.base, &pat.ident);
    let binding = context.binding_at(&name_range)?;
    let report = &context.analysis.bindings[binding];
    let init = &local.init.as_ref()?.expr;
    let (owner, path) = constructor(init)?;
    let capacity = capacity_of(&report.binding.mutations, owner == "String")?;
    let grown = report.binding.after_changes.as_ref()?.buffer.as_ref();
    let scope = absolute_range(function.base, function.sig).start
        ..absolute_range(function.base, function.body).end;
    if !declared_before(context, &capacity.text, &scope, name_range.start) {
        return None;
    }
    let path_text = context.source(function.base, path);
    let prefix = path_text.strip_suffix("new")?;
    // The title speaks the user's words (`n`); the edit writes what compiles (`n as usize`).
    let written = as_usize(context, &capacity.text, &scope);
    Some(CodeAction {
        title: title(owner, &capacity, grown).replace(
            &format!("with_capacity({})", capacity.text),
            &format!("with_capacity({written})"),
        ),
        edits: vec![TextEdit {
            range: absolute_range(function.base, init),
            new_text: format!("{prefix}with_capacity({written})"),
        }],
        preferred: true,
        trigger: name_range.start..absolute_range(function.base, init).end,
    })
}

fn strip_type(pat: &syn::Pat) -> &syn::Pat {
    match pat {
        syn::Pat::Type(typed) => &typed.pat,
        other => other,
    }
}

/// The bindings named `name` declared in `scope` (the function), with their declaration offset.
fn named_in_scope<'c>(
    context: &'c Context<'_>,
    name: &'c str,
    scope: &'c Range<usize>,
) -> impl Iterator<Item = &'c crate::analysis::BindingReport> {
    context
        .analysis
        .bindings
        .iter()
        .filter(move |b| b.binding.name == name && scope.contains(&b.binding.name_range.start))
}

/// `with_capacity` takes a `usize`: literals lose their suffix, a `usize` name or `.len()`
/// stays as it is, anything else is cast.
fn as_usize(context: &Context<'_>, text: &str, scope: &Range<usize>) -> String {
    let digits: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '_')
        .collect();
    if !digits.is_empty()
        && text[digits.len()..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric())
    {
        return digits;
    }
    let usize_ty = Ty::Int(IntTy::Usize);
    let is_usize_name = named_in_scope(context, text, scope).any(|b| b.ty() == Some(&usize_ty));
    if is_usize_name || text.ends_with(".len()") {
        text.to_string()
    } else if text.chars().all(|c| c.is_alphanumeric() || c == '_') {
        format!("{text} as usize")
    } else {
        format!("({text}) as usize")
    }
}

/// The names in a count expression must exist where the `let` is, or the fix does not compile.
fn declared_before(
    context: &Context<'_>,
    count_text: &str,
    scope: &Range<usize>,
    let_offset: usize,
) -> bool {
    count_text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with(|c: char| c.is_alphabetic() || c == '_') && *word != "len")
        .all(|name| {
            named_in_scope(context, name, scope).all(|b| b.binding.name_range.start < let_offset)
        })
}

/// "Pre-allocate 1000 elements: 1 allocation instead of 9 (8 KiB copied while growing)", from
/// the growth the analysis replayed.
fn title(owner: &str, capacity: &Capacity, grown: Option<&Buffer>) -> String {
    let unit = if owner == "String" {
        "bytes"
    } else {
        "elements"
    };
    let plain = format!(
        "Pre-allocate {} {unit}: {owner}::with_capacity({})",
        capacity.text, capacity.text
    );
    let (Some(count), Some(buffer)) = (
        capacity.count,
        grown.filter(|b| b.sized && b.exact && !b.lost),
    ) else {
        return plain;
    };
    let allocations = buffer.growth.len();
    if allocations <= 1 {
        return plain.replacen(&capacity.text, &count.to_string(), 1);
    }
    // Each reallocation copies the elements the buffer held when it was full.
    let copied: u64 = buffer.growth.iter().rev().skip(1).sum::<u64>() * buffer.element_size;
    format!(
        "Pre-allocate {count} {unit}: 1 allocation instead of {allocations} ({} copied while growing)",
        bytes_text(copied)
    )
}

//! Borrow instead of owning: `String` → `&str` (updating callers), `&String` → `&str`,
//! `&Vec<T>` → `&[T]`, `&PathBuf` → `&Path`, for parameters that are only read.

use std::collections::HashSet;

use super::uses::{UseKind, absolute_range};
use super::{CodeAction, Context, FunctionSyntax, TextEdit};
use crate::analysis::ty::Ty;

/// Methods that `str` has with the same meaning as on `String`.
const STR_METHODS: [&str; 34] = [
    "len",
    "is_empty",
    "chars",
    "char_indices",
    "bytes",
    "contains",
    "starts_with",
    "ends_with",
    "find",
    "rfind",
    "split",
    "rsplit",
    "splitn",
    "split_whitespace",
    "lines",
    "trim",
    "trim_start",
    "trim_end",
    "to_uppercase",
    "to_lowercase",
    "to_string",
    "to_owned",
    "parse",
    "as_bytes",
    "eq",
    "get",
    "replace",
    "repeat",
    "matches",
    "strip_prefix",
    "strip_suffix",
    "is_char_boundary",
    "encode_utf16",
    "split_once",
];

/// Methods that slices have with the same meaning as on `Vec`.
const SLICE_METHODS: [&str; 20] = [
    "len",
    "is_empty",
    "iter",
    "first",
    "last",
    "get",
    "contains",
    "starts_with",
    "ends_with",
    "to_vec",
    "windows",
    "chunks",
    "binary_search",
    "concat",
    "join",
    "split_at",
    "into_iter",
    "as_ptr",
    "split_first",
    "split_last",
];

/// Methods that `Path` has with the same meaning as on `PathBuf`.
const PATH_METHODS: [&str; 15] = [
    "exists",
    "is_file",
    "is_dir",
    "join",
    "display",
    "file_name",
    "extension",
    "parent",
    "to_path_buf",
    "to_str",
    "to_string_lossy",
    "components",
    "metadata",
    "with_extension",
    "starts_with",
];

/// Methods that take their receiver by value, which a `&T` cannot do in a `Box<T>`'s place.
const CONSUMING: [&str; 6] = [
    "into_inner",
    "into_iter",
    "into_raw",
    "leak",
    "unwrap",
    "take",
];

/// What a parameter's type becomes.
struct Change {
    new_type: String,
    methods: &'static [&'static str],
    /// `Box<T>` → `&T`: any of `T`'s methods that borrow still work, and so do field reads.
    any_borrowing_method: bool,
    /// `String` → `&str`: callers must lend instead of giving.
    updates_callers: bool,
    title: String,
}

pub fn actions(context: &Context<'_>) -> Vec<CodeAction> {
    context
        .functions
        .iter()
        .flat_map(|function| {
            function
                .sig
                .inputs
                .iter()
                .enumerate()
                .filter_map(move |(index, input)| match input {
                    syn::FnArg::Typed(typed) => fix(context, function, index, typed),
                    syn::FnArg::Receiver(_) => None,
                })
        })
        .collect()
}

fn change_for(
    context: &Context<'_>,
    function: &FunctionSyntax<'_>,
    ty: &syn::Type,
    by_value_ok: bool,
) -> Option<Change> {
    let named = |ty: &syn::Type, name: &str| matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name));
    match ty {
        syn::Type::Path(path) if named(ty, "Box") && by_value_ok => {
            let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else { return None };
            let Some(syn::GenericArgument::Type(inner)) = args.args.first() else { return None };
            let inner_text = context.source(function.base, inner).to_string();
            // `Box<dyn Trait>` / `Box<[T]>` would need `&dyn Trait` / `&[T]`: keep to sized types.
            if matches!(inner, syn::Type::TraitObject(_) | syn::Type::Slice(_)) {
                return None;
            }
            Some(Change {
                new_type: format!("&{inner_text}"),
                methods: &[],
                any_borrowing_method: true,
                updates_callers: true,
                title: format!("Take `&{inner_text}` instead of `Box<{inner_text}>`: callers lend the value instead of boxing it on the heap"),
            })
        }
        syn::Type::Path(_) if named(ty, "String") && by_value_ok => Some(Change {
            new_type: "&str".into(),
            methods: &STR_METHODS,
            any_borrowing_method: false,
            updates_callers: true,
            title: "Take `&str` instead of `String`: callers lend their text instead of handing over (or cloning) a heap buffer".into(),
        }),
        syn::Type::Reference(reference) if reference.mutability.is_none() => {
            let inner = &*reference.elem;
            if named(inner, "String") {
                Some(Change {
                    new_type: "&str".into(),
                    methods: &STR_METHODS,
                    any_borrowing_method: false,
                    updates_callers: false,
                    title: "Take `&str` instead of `&String`: one pointer hop less, and literals and slices are accepted".into(),
                })
            } else if named(inner, "Vec") {
                let element = vec_element_text(context, function, inner)?;
                Some(Change {
                    new_type: format!("&[{element}]"),
                    methods: &SLICE_METHODS,
                    any_borrowing_method: false,
                    updates_callers: false,
                    title: format!("Take `&[{element}]` instead of `&Vec<{element}>`: one pointer hop less, and arrays and slices are accepted"),
                })
            } else if named(inner, "PathBuf") {
                Some(Change {
                    new_type: "&std::path::Path".into(),
                    methods: &PATH_METHODS,
                    any_borrowing_method: false,
                    updates_callers: false,
                    title: "Take `&Path` instead of `&PathBuf`: one pointer hop less, and any path is accepted".into(),
                })
            } else {
                None
            }
        }
        _ => None,
    }
}

fn vec_element_text(
    context: &Context<'_>,
    function: &FunctionSyntax<'_>,
    vec: &syn::Type,
) -> Option<String> {
    let syn::Type::Path(path) = vec else {
        return None;
    };
    let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(element) => {
            Some(context.source(function.base, element).to_string())
        }
        _ => None,
    }
}

fn fix(
    context: &Context<'_>,
    function: &FunctionSyntax<'_>,
    index: usize,
    typed: &syn::PatType,
) -> Option<CodeAction> {
    let syn::Pat::Ident(pat) = &*typed.pat else {
        return None;
    };
    // Owned `String` parameters change their callers, which memlens finds only for free functions.
    let by_value_ok = !function.in_impl && pat.mutability.is_none();
    let change = change_for(context, function, &typed.ty, by_value_ok)?;
    let name_range = absolute_range(function.base, &pat.ident);
    let binding = context.binding_at(&name_range)?;
    if !only_read(context, function, binding, &change) {
        return None;
    }
    let mut edits = vec![TextEdit {
        range: absolute_range(function.base, &*typed.ty),
        new_text: change.new_type.clone(),
    }];
    if change.updates_callers {
        edits.extend(caller_edits(
            context,
            &function.sig.ident.to_string(),
            index,
        )?);
    }
    Some(CodeAction {
        title: change.title,
        edits,
        preferred: true,
        trigger: absolute_range(function.base, typed),
    })
}

/// Every use reads the parameter in a way the borrowed type supports.
fn only_read(
    context: &Context<'_>,
    function: &FunctionSyntax<'_>,
    binding: usize,
    change: &Change,
) -> bool {
    let sites = function
        .uses
        .get(&binding)
        .map(Vec::as_slice)
        .unwrap_or_default();
    sites.iter().all(|site| match &site.kind {
        UseKind::Receiver(method) => {
            change.methods.contains(&method.as_str())
                || change.any_borrowing_method && !CONSUMING.contains(&method.as_str())
        }
        UseKind::Field => change.any_borrowing_method,
        UseKind::Borrowed {
            mutable: false,
            call: Some((callee, position)),
        } => !callee_wants_owned_behind_ref(context, callee, *position),
        UseKind::Indexed | UseKind::Compared | UseKind::FormatArgument | UseKind::Iterated => true,
        _ => false,
    })
}

/// A callee in the file declared as `fn f(x: &String)` still needs the owned type.
fn callee_wants_owned_behind_ref(context: &Context<'_>, callee: &str, position: usize) -> bool {
    context
        .analysis
        .functions
        .iter()
        .filter(|f| f.name == callee)
        .any(|f| match f.params.get(position).map(|p| &p.ty) {
            Some(Ty::Ref { pointee, .. }) => matches!(&**pointee, Ty::Adt { name, .. } if matches!(name.as_str(), "String" | "Vec" | "PathBuf")),
            _ => false,
        })
}

/// Callers lend instead of giving: `f(s.clone())` → `f(&s)`, `f(String::from("x"))` → `f("x")`,
/// `f(s)` → `f(&s)`. `None` when some call cannot be found or rewritten (in a macro, say).
fn caller_edits(context: &Context<'_>, name: &str, index: usize) -> Option<Vec<TextEdit>> {
    let calls = context
        .calls
        .get(name)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if calls.len() != mentions(context.text, name).saturating_sub(1) {
        return None;
    }
    let mut seen = HashSet::new();
    calls
        .iter()
        .map(|(base, call)| {
            let arg = call.args.iter().nth(index)?;
            let range = absolute_range(*base, arg);
            seen.insert(range.start).then_some(())?;
            Some(TextEdit {
                range,
                new_text: lent(context, *base, arg),
            })
        })
        .collect()
}

/// How often `name(` appears as a whole word: the definition plus every call.
fn mentions(text: &str, name: &str) -> usize {
    text.match_indices(name)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let after = &text[at + name.len()..];
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == ':')
                && after.trim_start().starts_with('(')
        })
        .count()
}

fn lent(context: &Context<'_>, base: usize, arg: &syn::Expr) -> String {
    let source = |node: &syn::Expr| context.source(base, node).to_string();
    match arg {
        syn::Expr::MethodCall(call) if call.method == "clone" && call.args.is_empty() => {
            format!("&{}", source(&call.receiver))
        }
        syn::Expr::MethodCall(call)
            if matches!(
                call.method.to_string().as_str(),
                "to_string" | "to_owned" | "into"
            ) && matches!(
                &*call.receiver,
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(_),
                    ..
                })
            ) =>
        {
            source(&call.receiver)
        }
        syn::Expr::Call(call) if is_box_new(call) => call
            .args
            .first()
            .map_or_else(|| source(arg), |inner| format!("&{}", source(inner))),
        syn::Expr::Call(call) if is_string_from(call) => {
            call.args.first().map_or_else(|| source(arg), source)
        }
        syn::Expr::Path(_) | syn::Expr::Field(_) => format!("&{}", source(arg)),
        other => format!("&({})", source(other)),
    }
}

/// Whether a call's path ends with these segments (`Box::new`, `std::string::String::from`).
fn calls_path(call: &syn::ExprCall, tail: [&str; 2]) -> bool {
    let syn::Expr::Path(path) = &*call.func else {
        return false;
    };
    let segments = crate::analysis::lower::segment_names(&path.path);
    segments.len() >= 2 && segments[segments.len() - 2..] == tail
}

fn is_box_new(call: &syn::ExprCall) -> bool {
    calls_path(call, ["Box", "new"])
}

fn is_string_from(call: &syn::ExprCall) -> bool {
    calls_path(call, ["String", "from"])
        && matches!(
            call.args.first(),
            Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(_),
                ..
            }))
        )
}

//! Arrays and the heap: a fixed `vec![..]` that is never grown becomes an array, and a local
//! array too big for the stack becomes a `vec![..]`.

use super::uses::{UseKind, UseSite, absolute_range};
use super::{CodeAction, Context, FunctionSyntax, TextEdit, bytes_text};
use crate::analysis::ty::Ty;

/// Methods arrays and `Vec`s share (arrays through slices), with the same meaning.
const SHARED_METHODS: [&str; 27] = [
    "len",
    "is_empty",
    "iter",
    "iter_mut",
    "first",
    "last",
    "get",
    "get_mut",
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
    "sort",
    "sort_unstable",
    "reverse",
    "swap",
    "fill",
    "as_slice",
    "copy_from_slice",
    "clone",
];

pub fn actions(context: &Context<'_>) -> Vec<CodeAction> {
    context
        .functions
        .iter()
        .flat_map(|function| {
            locals(function)
                .into_iter()
                .filter_map(|local| fix(context, function, local))
        })
        .collect()
}

fn locals<'a>(function: &FunctionSyntax<'a>) -> Vec<&'a syn::Local> {
    struct Finder<'a>(Vec<&'a syn::Local>);
    impl<'a> syn::visit::Visit<'a> for Finder<'a> {
        fn visit_local(&mut self, local: &'a syn::Local) {
            self.0.push(local);
            syn::visit::visit_local(self, local);
        }
    }
    let mut finder = Finder(Vec::new());
    syn::visit::Visit::visit_block(&mut finder, function.body);
    finder.0
}

fn fix(
    context: &Context<'_>,
    function: &FunctionSyntax<'_>,
    local: &syn::Local,
) -> Option<CodeAction> {
    let syn::Pat::Ident(pat) = &local.pat else {
        return None;
    };
    let init = &local.init.as_ref()?.expr;
    let name_range = absolute_range(function.base, &pat.ident);
    let binding = context.binding_at(&name_range)?;
    let report = &context.analysis.bindings[binding];
    let sites = function
        .uses
        .get(&binding)
        .map(Vec::as_slice)
        .unwrap_or_default();
    match (init.as_ref(), report.ty()?) {
        (syn::Expr::Macro(mac), Ty::Adt { name, .. })
            if name == "Vec" && is_vec_macro(&mac.mac) =>
        {
            vec_to_array(
                context,
                function,
                &mac.mac,
                init,
                sites,
                report.heap().bytes(),
            )
        }
        (syn::Expr::Repeat(_) | syn::Expr::Array(_), Ty::Array(..)) => {
            let size = report.layout.as_ref().ok()?.size;
            (size > context.options.stack_array_bytes)
                .then(|| array_to_vec(context, function, init, &pat.ident, sites, size))?
        }
        _ => None,
    }
}

fn is_vec_macro(mac: &syn::Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| s.ident == "vec")
}

/// Every use works the same on the other type: shared methods, indexing, printing, iterating,
/// comparing, or lending to a parameter declared as a slice.
fn uses_are_shared(context: &Context<'_>, sites: &[UseSite]) -> bool {
    sites.iter().all(|site| match &site.kind {
        UseKind::Receiver(method) => SHARED_METHODS.contains(&method.as_str()),
        UseKind::Indexed | UseKind::FormatArgument | UseKind::Iterated | UseKind::Compared => true,
        UseKind::Borrowed {
            call: Some((callee, position)),
            ..
        } => takes_slice(context, callee, *position),
        _ => false,
    })
}

/// The named function of the file declares this parameter as `&[T]` or `&mut [T]`.
fn takes_slice(context: &Context<'_>, callee: &str, position: usize) -> bool {
    let mut candidates = context
        .analysis
        .functions
        .iter()
        .filter(|f| f.name == callee)
        .peekable();
    candidates.peek().is_some()
        && candidates.all(|f| matches!(f.params.get(position).map(|p| &p.ty), Some(Ty::Ref { pointee, .. }) if matches!(**pointee, Ty::Slice(_))))
}

/// The text inside a macro's or array's outer brackets.
fn inner_text<'t>(
    context: &'t Context<'_>,
    base: usize,
    node: &impl syn::spanned::Spanned,
    prefix: &str,
) -> Option<&'t str> {
    let text = context
        .source(base, node)
        .strip_prefix(prefix)?
        .trim_start();
    let inner = text.get(1..text.len().checked_sub(1)?)?;
    Some(inner)
}

fn vec_to_array(
    context: &Context<'_>,
    function: &FunctionSyntax<'_>,
    mac: &syn::Macro,
    init: &syn::Expr,
    sites: &[UseSite],
    heap: Option<u64>,
) -> Option<CodeAction> {
    // An array's length must be a constant: literal elements, or `[x; N]` with a constant N.
    let elements = inner_text(context, function.base, mac, "vec!")?;
    if let Some((_, count)) = elements.rsplit_once(';') {
        let count: syn::Expr = syn::parse_str(count).ok()?;
        crate::analysis::lower::LowerCtx::new(&Default::default())
            .const_u64(&count)
            .or_else(|| is_const_name(context, &count))?;
    }
    if !uses_are_shared(context, sites) {
        return None;
    }
    let replacement = format!("[{elements}]");
    let saving = heap
        .filter(|b| *b > 0)
        .map(|b| format!(" (saves a {} heap allocation)", bytes_text(b)))
        .unwrap_or_default();
    Some(CodeAction {
        title: format!(
            "Use an array: `{}` never grows, so it can live on the stack{saving}",
            shorten(&replacement)
        ),
        edits: vec![TextEdit {
            range: absolute_range(function.base, init),
            new_text: replacement,
        }],
        preferred: true,
        trigger: absolute_range(function.base, init),
    })
}

fn is_const_name(context: &Context<'_>, count: &syn::Expr) -> Option<u64> {
    let syn::Expr::Path(path) = count else {
        return None;
    };
    context
        .analysis
        .defs
        .const_value(&path.path.get_ident()?.to_string())
}

fn array_to_vec(
    context: &Context<'_>,
    function: &FunctionSyntax<'_>,
    init: &syn::Expr,
    ident: &syn::Ident,
    sites: &[UseSite],
    size: u64,
) -> Option<CodeAction> {
    if !uses_are_shared(context, sites) {
        return None;
    }
    let replacement = format!("vec![{}]", inner_text(context, function.base, init, "")?);
    Some(CodeAction {
        title: format!(
            "Move `{ident}` to the heap: `{}` takes {} of stack; a Vec puts it on the heap (24 bytes on the stack)",
            shorten(&replacement),
            bytes_text(size)
        ),
        edits: vec![TextEdit {
            range: absolute_range(function.base, init),
            new_text: replacement,
        }],
        preferred: true,
        trigger: absolute_range(function.base, ident).start
            ..absolute_range(function.base, init).end,
    })
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 30 {
        return text.to_string();
    }
    let head: String = text.chars().take(26).collect();
    format!("{head}…")
}

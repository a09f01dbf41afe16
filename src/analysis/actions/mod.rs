//! Memory code actions: fixes of memory habits that keep the program compiling.
//!
//! Each fix is a small module that looks at the analysis and the syntax of one function and
//! proposes edits. A fix is offered only when every use of what it changes works the same
//! afterwards; when in doubt, no fix.

mod arrays;
mod borrow_params;
mod clones;
mod preallocate;
mod uses;

use std::collections::HashMap;
use std::ops::Range;

use super::FileAnalysis;
use super::parse::parse_items;
use uses::{UseClassifier, UseSite};

/// One replacement in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// A fix: what it says, and the edits that make it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    pub edits: Vec<TextEdit>,
    /// Safe enough to apply without a second look (LSP `isPreferred`).
    pub preferred: bool,
    /// Where the cursor must be for the fix to be offered.
    pub trigger: Range<usize>,
}

/// Settings that decide what counts as a memory problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionOptions {
    /// A local array above this many bytes is better on the heap.
    pub stack_array_bytes: u64,
}

impl Default for ActionOptions {
    fn default() -> Self {
        ActionOptions {
            stack_array_bytes: 16 * 1024,
        }
    }
}

/// A function of the file with its syntax and how its bindings are used.
pub struct FunctionSyntax<'a> {
    pub sig: &'a syn::Signature,
    pub body: &'a syn::Block,
    /// A method or associated function (callers are not plain `name(..)` calls).
    pub in_impl: bool,
    /// Byte offset of the item's text in the file.
    pub base: usize,
    /// Uses of each binding inside the body, by binding index.
    pub uses: HashMap<usize, Vec<UseSite>>,
}

/// What every fix can look at.
pub struct Context<'a> {
    pub text: &'a str,
    pub analysis: &'a FileAnalysis,
    pub options: ActionOptions,
    pub functions: Vec<FunctionSyntax<'a>>,
    /// All calls of free functions in the file, by function name: (item base, call).
    pub calls: HashMap<String, Vec<(usize, syn::ExprCall)>>,
}

impl Context<'_> {
    /// The source text of a syntax node.
    pub fn source(&self, base: usize, node: &impl syn::spanned::Spanned) -> &str {
        let range = uses::absolute_range(base, node);
        self.text.get(range).unwrap_or_default()
    }

    /// The binding declared at this name range, if any.
    pub fn binding_at(&self, name_range: &Range<usize>) -> Option<usize> {
        self.analysis
            .bindings
            .iter()
            .position(|b| b.binding.name_range == *name_range)
    }
}

/// The fixes offered where `range` is (a cursor or selection), best first.
pub fn code_actions(
    text: &str,
    analysis: &FileAnalysis,
    range: Range<usize>,
    options: ActionOptions,
) -> Vec<CodeAction> {
    let (items, _) = parse_items(text);
    let files: Vec<(&syn::File, usize)> = items
        .iter()
        .filter_map(|i| Some((i.file.as_ref()?, i.range.start)))
        .collect();
    code_actions_in(&files, text, analysis, range, options)
}

/// [`code_actions`] on syntax trees already parsed (by the incremental analyzer), each with the
/// byte offset its text starts at.
pub fn code_actions_in(
    files: &[(&syn::File, usize)],
    text: &str,
    analysis: &FileAnalysis,
    range: Range<usize>,
    options: ActionOptions,
) -> Vec<CodeAction> {
    let resolved: HashMap<usize, usize> = analysis
        .uses
        .iter()
        .map(|u| (u.range.start, u.binding))
        .collect();
    let mut functions = Vec::new();
    let mut calls: HashMap<String, Vec<(usize, syn::ExprCall)>> = HashMap::new();
    for (file, base) in files {
        collect_functions(&file.items, *base, false, &resolved, &mut functions);
        collect_calls(file, *base, &mut calls);
    }
    let context = Context {
        text,
        analysis,
        options,
        functions,
        calls,
    };
    let mut actions = Vec::new();
    actions.extend(preallocate::actions(&context));
    actions.extend(borrow_params::actions(&context));
    actions.extend(clones::actions(&context));
    actions.extend(arrays::actions(&context));
    actions.retain(|action| overlaps(&action.trigger, &range));
    actions
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn collect_functions<'a>(
    items: &'a [syn::Item],
    base: usize,
    in_impl: bool,
    resolved: &HashMap<usize, usize>,
    out: &mut Vec<FunctionSyntax<'a>>,
) {
    for item in items {
        match item {
            syn::Item::Fn(function) => out.push(function_syntax(
                &function.sig,
                &function.block,
                in_impl,
                base,
                resolved,
            )),
            syn::Item::Impl(block) => {
                for impl_item in &block.items {
                    if let syn::ImplItem::Fn(method) = impl_item {
                        out.push(function_syntax(
                            &method.sig,
                            &method.block,
                            true,
                            base,
                            resolved,
                        ));
                    }
                }
            }
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = &module.content {
                    collect_functions(inner, base, false, resolved, out);
                }
            }
            _ => {}
        }
    }
}

fn function_syntax<'a>(
    sig: &'a syn::Signature,
    body: &'a syn::Block,
    in_impl: bool,
    base: usize,
    resolved: &HashMap<usize, usize>,
) -> FunctionSyntax<'a> {
    let mut classifier = UseClassifier::new(base, resolved);
    classifier.block(body);
    FunctionSyntax {
        sig,
        body,
        in_impl,
        base,
        uses: classifier.sites,
    }
}

/// Every call `name(..)` of a plain function in the file (macro arguments included), for fixes
/// that update callers. The calls are cloned: those inside macros are parsed here, not kept.
fn collect_calls(
    file: &syn::File,
    base: usize,
    calls: &mut HashMap<String, Vec<(usize, syn::ExprCall)>>,
) {
    struct Finder<'c> {
        base: usize,
        calls: &'c mut HashMap<String, Vec<(usize, syn::ExprCall)>>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder<'_> {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            if let syn::Expr::Path(path) = &*call.func
                && let Some(ident) = path.path.get_ident()
            {
                self.calls
                    .entry(ident.to_string())
                    .or_default()
                    .push((self.base, call.clone()));
            }
            syn::visit::visit_expr_call(self, call);
        }
        // Calls inside `println!(..)` and the like are calls too; their spans are real.
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            use syn::parse::Parser;
            let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
            if let Ok(args) = parser.parse2(mac.tokens.clone()) {
                args.iter().for_each(|arg| self.visit_expr(arg));
            }
        }
    }
    syn::visit::Visit::visit_file(&mut Finder { base, calls }, file);
}

/// Applies edits to a text (later edits first, so earlier offsets stay valid).
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|edit| std::cmp::Reverse(edit.range.start));
    let mut result = text.to_string();
    for edit in sorted {
        result.replace_range(edit.range.clone(), &edit.new_text);
    }
    result
}

/// `1 234 B`-style sizes for titles: bytes, KiB or MiB.
pub fn bytes_text(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.0} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

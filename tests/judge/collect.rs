//! Finding every binding rustc will type-check in a file, and where a probe for it can go.

use proc_macro2::LineColumn;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// The syntactic form that introduced a binding; the tables are broken down by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Form {
    Let,
    Param,
    For,
    MatchIf,
    Closure,
}

impl Form {
    pub const ALL: [Form; 5] = [
        Form::Let,
        Form::Param,
        Form::For,
        Form::MatchIf,
        Form::Closure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Form::Let => "let",
            Form::Param => "param",
            Form::For => "for",
            Form::MatchIf => "match/if-let",
            Form::Closure => "closure-param",
        }
    }
}

/// A binding's name as written (`r#type` keeps its prefix: the probe must spell it so).
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: String,
    /// 1-based line and 1-based column in chars, at the name: memlens's convention.
    pub line: usize,
    pub column: usize,
    pub form: Form,
    /// Index of the [`Site`] its probe goes to.
    pub site: usize,
}

/// Where the probes of one group of bindings go, as proc-macro2 positions (1-based line,
/// 0-based char column).
#[derive(Clone, Copy, Debug)]
pub enum Site {
    /// Right after this position: after a `let`'s `;`, or after the `{` opening a body.
    After(LineColumn),
    /// Around an expression that is not a block (a match arm's, a closure's): `{ probes expr }`.
    Wrap { start: LineColumn, end: LineColumn },
}

#[derive(Default)]
pub struct Collected {
    pub bindings: Vec<Binding>,
    pub sites: Vec<Site>,
}

/// Every binding of `file` that code outside macro invocations introduces, except in items only
/// compiled for tests (`#[cfg(test)]`, `#[test]`): `cargo check` of the lib and bins never sees
/// those.
pub fn collect(file: &syn::File) -> Collected {
    let mut collector = Collector::default();
    collector.visit_file(file);
    collector.out
}

#[derive(Default)]
struct Collector {
    out: Collected,
}

impl Collector {
    /// Records one site and its bindings; when a name repeats (`if let Some(x) = a && let
    /// Some(x) = b`), only the last one is in scope where the probe goes, so only it is kept.
    fn add(&mut self, site: Site, form: Form, names: Vec<syn::Ident>) {
        if names.is_empty() {
            return;
        }
        let index = self.out.sites.len();
        self.out.sites.push(site);
        for (i, ident) in names.iter().enumerate() {
            let name = ident.to_string();
            if names[i + 1..].iter().any(|later| *later == name) {
                continue;
            }
            let start = ident.span().start();
            self.out.bindings.push(Binding {
                name,
                line: start.line,
                column: start.column + 1,
                form,
                site: index,
            });
        }
    }

    fn fn_body(&mut self, sig: &syn::Signature, block: &syn::Block) {
        let mut names = Vec::new();
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(receiver) => {
                    names.push(syn::Ident::new("self", receiver.self_token.span));
                }
                syn::FnArg::Typed(typed) => pattern_names(&typed.pat, false, &mut names),
            }
        }
        self.add(after_open(block), Form::Param, names);
    }
}

fn after_open(block: &syn::Block) -> Site {
    Site::After(block.brace_token.span.open().end())
}

fn body_site(expr: &syn::Expr) -> Site {
    match expr {
        syn::Expr::Block(block) => after_open(&block.block),
        other => Site::Wrap {
            start: other.span().start(),
            end: other.span().end(),
        },
    }
}

/// The names a pattern binds. `refutable` turns on the one guess this makes: a bare identifier
/// starting with an uppercase letter in a match or `if let` is a constant or a unit variant
/// (`None`, `MAX`), not a binding — probing it would be a type error, not an answer.
fn pattern_names(pat: &syn::Pat, refutable: bool, out: &mut Vec<syn::Ident>) {
    match pat {
        syn::Pat::Ident(p) => {
            let plain = p.by_ref.is_none() && p.mutability.is_none() && p.subpat.is_none();
            let upper = p.ident.to_string().starts_with(char::is_uppercase);
            if !(refutable && plain && upper) {
                out.push(p.ident.clone());
            }
            if let Some((_, sub)) = &p.subpat {
                pattern_names(sub, refutable, out);
            }
        }
        syn::Pat::Tuple(t) => t
            .elems
            .iter()
            .for_each(|p| pattern_names(p, refutable, out)),
        syn::Pat::TupleStruct(t) => t
            .elems
            .iter()
            .for_each(|p| pattern_names(p, refutable, out)),
        syn::Pat::Struct(s) => s
            .fields
            .iter()
            .for_each(|f| pattern_names(&f.pat, refutable, out)),
        syn::Pat::Slice(s) => s
            .elems
            .iter()
            .for_each(|p| pattern_names(p, refutable, out)),
        syn::Pat::Reference(r) => pattern_names(&r.pat, refutable, out),
        // Every alternative binds the same names; the first one is where they are declared.
        syn::Pat::Or(or) => {
            if let Some(first) = or.cases.first() {
                pattern_names(first, refutable, out);
            }
        }
        syn::Pat::Paren(p) => pattern_names(&p.pat, refutable, out),
        syn::Pat::Type(t) => pattern_names(&t.pat, refutable, out),
        _ => {}
    }
}

/// The patterns of every `let` in a condition (`if let`, `while let`, let-chains).
fn condition_lets<'e>(cond: &'e syn::Expr, out: &mut Vec<&'e syn::Pat>) {
    match cond {
        syn::Expr::Let(l) => out.push(&l.pat),
        syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            condition_lets(&b.left, out);
            condition_lets(&b.right, out);
        }
        syn::Expr::Paren(p) => condition_lets(&p.expr, out),
        _ => {}
    }
}

fn condition_names(cond: &syn::Expr) -> Vec<syn::Ident> {
    let mut pats = Vec::new();
    condition_lets(cond, &mut pats);
    let mut names = Vec::new();
    for pat in pats {
        pattern_names(pat, true, &mut names);
    }
    names
}

/// Whether an item is compiled only for tests: `#[test]`, `#[cfg(test)]`, `#[cfg(all(test, ..))]`.
pub fn test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        if path.is_ident("test") || path.is_ident("bench") {
            return true;
        }
        if !path.is_ident("cfg") {
            return false;
        }
        let Ok(list) = attr.meta.require_list() else {
            return false;
        };
        let tokens: String = list
            .tokens
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        tokens == "test"
            || tokens
                .strip_prefix("all(")
                .and_then(|rest| rest.strip_suffix(')'))
                .is_some_and(|inner| inner.split(',').any(|part| part == "test"))
    })
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Mod(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Trait(i) => &i.attrs,
            syn::Item::Const(i) => &i.attrs,
            syn::Item::Static(i) => &i.attrs,
            _ => return visit::visit_item(self, item),
        };
        if !test_only(attrs) {
            visit::visit_item(self, item);
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.fn_body(&item.sig, &item.block);
        visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        if test_only(&item.attrs) {
            return;
        }
        self.fn_body(&item.sig, &item.block);
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(block) = &item.default {
            self.fn_body(&item.sig, block);
        }
        visit::visit_trait_item_fn(self, item);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let mut names = Vec::new();
        pattern_names(&local.pat, true, &mut names);
        self.add(Site::After(local.semi_token.span.end()), Form::Let, names);
        visit::visit_local(self, local);
    }

    fn visit_expr_for_loop(&mut self, expr: &'ast syn::ExprForLoop) {
        let mut names = Vec::new();
        pattern_names(&expr.pat, true, &mut names);
        self.add(after_open(&expr.body), Form::For, names);
        visit::visit_expr_for_loop(self, expr);
    }

    fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
        let names = condition_names(&expr.cond);
        self.add(after_open(&expr.then_branch), Form::MatchIf, names);
        visit::visit_expr_if(self, expr);
    }

    fn visit_expr_while(&mut self, expr: &'ast syn::ExprWhile) {
        let names = condition_names(&expr.cond);
        self.add(after_open(&expr.body), Form::MatchIf, names);
        visit::visit_expr_while(self, expr);
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        let mut names = Vec::new();
        pattern_names(&arm.pat, true, &mut names);
        // Wrapping even a block body keeps one rule: `{ probes {..} }` is still a block.
        let body = &arm.body;
        let site = Site::Wrap {
            start: body.span().start(),
            end: body.span().end(),
        };
        self.add(site, Form::MatchIf, names);
        visit::visit_arm(self, arm);
    }

    fn visit_expr_closure(&mut self, expr: &'ast syn::ExprClosure) {
        let mut names = Vec::new();
        for input in &expr.inputs {
            pattern_names(input, false, &mut names);
        }
        self.add(body_site(&expr.body), Form::Closure, names);
        visit::visit_expr_closure(self, expr);
    }
}

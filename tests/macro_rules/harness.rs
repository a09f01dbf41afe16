//! Test-side plumbing: expanding every macro call in a file (all positions, to a fixpoint) with
//! memlens's expander, and a canonical text for comparing syntax trees printed by rustc with
//! ours (grouping made explicit with parentheses, invisible groups and trailing commas dropped).

use std::process::Command;

use memlens::analysis::syntax::macro_rules::{Edition, MacroRules, MacroScope, MacroTable};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream, Parser};
use syn::visit_mut::{self, VisitMut};

/// How many rounds of expansion a file gets (each round expands every call it can see).
const MAX_ROUNDS: usize = 64;

pub fn edition_of(source: &str) -> Edition {
    let first = source.lines().next().unwrap_or_default();
    match first.trim().strip_prefix("// edition:").map(str::trim) {
        Some("2015") => Edition::E2015,
        Some("2018") => Edition::E2018,
        Some("2024") => Edition::E2024,
        _ => Edition::E2021,
    }
}

pub fn edition_flag(edition: Edition) -> &'static str {
    match edition {
        Edition::E2015 => "2015",
        Edition::E2018 => "2018",
        Edition::E2021 => "2021",
        Edition::E2024 => "2024",
    }
}

/// rustc 1.95 with `-Zunpretty`, or `None` (with the reason printed) when there is none.
pub fn rustc_available() -> bool {
    match Command::new("rustc").arg("--version").output() {
        Ok(output) if output.status.success() => true,
        _ => {
            eprintln!("SKIPPED: rustc is not installed, so expansions cannot be compared with it");
            false
        }
    }
}

/// rustc's expansion of a whole crate file.
pub fn rustc_expanded(path: &std::path::Path, edition: Edition) -> Result<String, String> {
    let output = Command::new("rustc")
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["-Zunpretty=expanded", "--crate-type", "lib", "--edition"])
        .arg(edition_flag(edition))
        .arg(path)
        .output()
        .map_err(|error| error.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Expands every macro call whose macro the file defines, in every position, until none is
/// left (or `MAX_ROUNDS`). Errors are collected, the failing call left in place.
pub fn expand_file(file: &mut syn::File, edition: Edition) -> Vec<String> {
    let mut expander = FileExpander {
        table: MacroTable::new(quote::quote!(crate)),
        edition,
        changed: false,
        errors: Vec::new(),
    };
    for _ in 0..MAX_ROUNDS {
        expander.collect_definitions(file);
        expander.changed = false;
        expander.visit_file_mut(file);
        if !expander.changed {
            break;
        }
    }
    expander.errors
}

struct FileExpander {
    table: MacroTable,
    edition: Edition,
    changed: bool,
    errors: Vec<String>,
}

/// Collects `macro_rules!` definitions anywhere in a file.
struct Definitions<'a> {
    table: &'a mut MacroTable,
    edition: Edition,
    errors: &'a mut Vec<String>,
}

impl VisitMut for Definitions<'_> {
    fn visit_item_macro_mut(&mut self, item: &mut syn::ItemMacro) {
        let parsed =
            memlens::analysis::syntax::macro_rules::parse_macro_rules_item(item, self.edition);
        match parsed {
            Some((name, Ok(rules))) => {
                self.table
                    .insert(&name.to_string(), rules, quote::quote!(crate))
            }
            Some((name, Err(error))) => self.errors.push(format!("definition of {name}: {error}")),
            None => {}
        }
    }
}

impl FileExpander {
    fn collect_definitions(&mut self, file: &mut syn::File) {
        let mut definitions = Definitions {
            table: &mut self.table,
            edition: self.edition,
            errors: &mut self.errors,
        };
        definitions.visit_file_mut(file);
    }

    /// The expansion of `call` parsed as `T`s, or `None` (error recorded) when there is none.
    fn expand<T>(
        &mut self,
        call: &syn::Macro,
        parse: impl FnOnce(ParseStream) -> syn::Result<T>,
    ) -> Option<T> {
        let (rules, crate_path): (MacroRules, TokenStream) = self.table.resolve(&call.path)?;
        let name = call.path.to_token_stream().to_string();
        let tokens = match rules.expand(call.tokens.clone(), &crate_path) {
            Ok(tokens) => tokens,
            Err(error) => {
                self.errors.push(format!("{name}!: {error}"));
                return None;
            }
        };
        match parse.parse2(tokens.clone()) {
            Ok(parsed) => {
                self.changed = true;
                Some(parsed)
            }
            Err(error) => {
                self.errors.push(format!(
                    "{name}! expanded to `{tokens}`, which does not parse: {error}"
                ));
                None
            }
        }
    }
}

fn parse_many<T: Parse>(input: ParseStream) -> syn::Result<Vec<T>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        out.push(input.parse()?);
    }
    Ok(out)
}

impl FileExpander {
    fn splice_items(&mut self, items: &mut Vec<syn::Item>) {
        let mut out = Vec::new();
        for item in std::mem::take(items) {
            let expanded = match &item {
                syn::Item::Macro(mac) if mac.ident.is_none() => {
                    self.expand(&mac.mac, parse_many::<syn::Item>)
                }
                _ => None,
            };
            match expanded {
                Some(expanded) => out.extend(expanded),
                None => out.push(item),
            }
        }
        *items = out;
    }

    fn splice_impl_items(&mut self, items: &mut Vec<syn::ImplItem>) {
        let mut out = Vec::new();
        for item in std::mem::take(items) {
            let expanded = match &item {
                syn::ImplItem::Macro(mac) => self.expand(&mac.mac, parse_many::<syn::ImplItem>),
                _ => None,
            };
            match expanded {
                Some(expanded) => out.extend(expanded),
                None => out.push(item),
            }
        }
        *items = out;
    }

    fn splice_stmts(&mut self, stmts: &mut Vec<syn::Stmt>) {
        let mut out = Vec::new();
        for stmt in std::mem::take(stmts) {
            let expanded = match &stmt {
                syn::Stmt::Macro(mac) => self
                    .expand(&mac.mac, syn::Block::parse_within)
                    .map(|stmts| with_semicolon(stmts, mac.semi_token.is_some())),
                syn::Stmt::Item(syn::Item::Macro(mac)) if mac.ident.is_none() => {
                    self.expand(&mac.mac, syn::Block::parse_within)
                }
                _ => None,
            };
            match expanded {
                Some(expanded) => out.extend(expanded),
                None => out.push(stmt),
            }
        }
        *stmts = out;
    }
}

/// `m!(…);` expanding to an expression is an expression statement, not the block's value.
fn with_semicolon(mut stmts: Vec<syn::Stmt>, semi: bool) -> Vec<syn::Stmt> {
    if let (true, Some(syn::Stmt::Expr(_, semi_token @ None))) = (semi, stmts.last_mut()) {
        *semi_token = Some(Default::default());
    }
    stmts
}

impl VisitMut for FileExpander {
    fn visit_file_mut(&mut self, file: &mut syn::File) {
        self.splice_items(&mut file.items);
        visit_mut::visit_file_mut(self, file);
    }

    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        if let Some((_, items)) = &mut module.content {
            self.splice_items(items);
        }
        visit_mut::visit_item_mod_mut(self, module);
    }

    fn visit_item_impl_mut(&mut self, block: &mut syn::ItemImpl) {
        self.splice_impl_items(&mut block.items);
        visit_mut::visit_item_impl_mut(self, block);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        self.splice_stmts(&mut block.stmts);
        visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Macro(mac) = expr
            && let Some(expanded) = self.expand(&mac.mac.clone(), syn::Expr::parse)
        {
            *expr = expanded;
        }
        visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Macro(mac) = ty
            && let Some(expanded) = self.expand(&mac.mac.clone(), syn::Type::parse)
        {
            *ty = expanded;
        }
        visit_mut::visit_type_mut(self, ty);
    }

    fn visit_pat_mut(&mut self, pat: &mut syn::Pat) {
        if let syn::Pat::Macro(mac) = pat
            && let Some(expanded) =
                self.expand(&mac.mac.clone(), syn::Pat::parse_multi_with_leading_vert)
        {
            *pat = expanded;
        }
        visit_mut::visit_pat_mut(self, pat);
    }
}

/// Makes grouping explicit: every parenthesis and invisible group removed, then every compound
/// expression put in parentheses — so that rustc's printed `(1 + 1) * 2` and our
/// `⟦1 + 1⟧ * 2` both become `((1 + 1) * 2)`. Empty statements (`;`) are dropped.
struct Canon;

impl VisitMut for Canon {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        loop {
            match expr {
                syn::Expr::Paren(inner) => *expr = (*inner.expr).clone(),
                syn::Expr::Group(inner) => *expr = (*inner.expr).clone(),
                _ => break,
            }
        }
        visit_mut::visit_expr_mut(self, expr);
        let compound = matches!(
            expr,
            syn::Expr::Binary(_)
                | syn::Expr::Unary(_)
                | syn::Expr::Cast(_)
                | syn::Expr::Range(_)
                | syn::Expr::Assign(_)
                | syn::Expr::Reference(_)
                | syn::Expr::Closure(_)
                | syn::Expr::Let(_)
        );
        if compound {
            *expr = syn::Expr::Paren(syn::ExprParen {
                attrs: Vec::new(),
                paren_token: Default::default(),
                expr: Box::new(expr.clone()),
            });
        }
    }

    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        loop {
            match ty {
                syn::Type::Paren(inner) => *ty = (*inner.elem).clone(),
                syn::Type::Group(inner) => *ty = (*inner.elem).clone(),
                _ => break,
            }
        }
        visit_mut::visit_type_mut(self, ty);
    }

    fn visit_pat_mut(&mut self, pat: &mut syn::Pat) {
        while let syn::Pat::Paren(inner) = pat {
            *pat = (*inner.pat).clone();
        }
        visit_mut::visit_pat_mut(self, pat);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        block.stmts.retain(|stmt| !is_empty_statement(stmt));
        visit_mut::visit_block_mut(self, block);
    }
}

fn is_empty_statement(stmt: &syn::Stmt) -> bool {
    match stmt {
        syn::Stmt::Expr(syn::Expr::Verbatim(tokens), _) => {
            tokens.is_empty() || tokens.to_string() == ";"
        }
        _ => false,
    }
}

/// The canonical text of an item, for comparing ours with rustc's: invisible groups flattened
/// and a trailing comma before a closing delimiter dropped (rustc's printer adds and drops them).
pub fn canonical(item: &syn::Item) -> String {
    let mut item = item.clone();
    Canon.visit_item_mut(&mut item);
    flatten_invisible(item.to_token_stream()).to_string()
}

fn flatten_invisible(stream: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    for tree in stream {
        match tree {
            TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
                out.extend(flatten_invisible(group.stream()));
            }
            TokenTree::Group(group) => {
                let mut rebuilt =
                    proc_macro2::Group::new(group.delimiter(), flatten_invisible(group.stream()));
                rebuilt.set_span(group.span());
                out.push(TokenTree::Group(rebuilt));
            }
            TokenTree::Literal(literal) => out.push(TokenTree::Literal(plain_string(literal))),
            other => out.push(other),
        }
    }
    if matches!(out.last(), Some(TokenTree::Punct(punct)) if punct.as_char() == ',') {
        out.pop();
    }
    out.into_iter().collect()
}

/// The top-level item named `name` (a `fn`, `mod`, `const`, `static` or type).
pub fn item_named<'a>(file: &'a syn::File, name: &str) -> Option<&'a syn::Item> {
    file.items
        .iter()
        .find(|item| item_name(item).as_deref() == Some(name))
}

pub fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Fn(item) => &item.sig.ident,
        syn::Item::Mod(item) => &item.ident,
        syn::Item::Const(item) => &item.ident,
        syn::Item::Static(item) => &item.ident,
        syn::Item::Struct(item) => &item.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// A string literal written plainly (rustc prints doc strings raw: `r" doc"`).
fn plain_string(literal: proc_macro2::Literal) -> proc_macro2::Literal {
    match syn::parse2::<syn::LitStr>(TokenTree::Literal(literal.clone()).into()) {
        Ok(string) => proc_macro2::Literal::string(&string.value()),
        Err(_) => literal,
    }
}

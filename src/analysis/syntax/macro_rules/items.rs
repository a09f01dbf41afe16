//! Expanding item-position macro calls in a syntax tree, recursively: in modules, impl blocks
//! and traits — what a reader of std's API needs to see the impls and methods std's macros
//! write. Which macro a path names is the caller's business ([`MacroScope`]).

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;

use super::{Edition, MacroError, MacroRules};

/// Name resolution for macro calls, supplied by the caller.
pub trait MacroScope {
    /// The macro `path` names and what `$crate` means in it, or `None` to leave the call as is.
    fn resolve(&self, path: &syn::Path) -> Option<(MacroRules, TokenStream)>;
    /// A `macro_rules!` definition met on the way, in source order (also ones that expansions
    /// produce); ignored unless the scope wants it.
    fn define(&mut self, name: &syn::Ident, rules: MacroRules) {
        let _ = (name, rules);
    }
}

/// The simplest scope: macros by the last segment of the call's path, definitions met on the way
/// added (later ones shadow earlier ones, as textual `macro_rules!` scoping does).
#[derive(Clone, Debug, Default)]
pub struct MacroTable {
    macros: HashMap<String, (MacroRules, TokenStream)>,
    /// What `$crate` becomes in macros added by [`MacroScope::define`].
    pub crate_path: TokenStream,
}

impl MacroTable {
    pub fn new(crate_path: TokenStream) -> MacroTable {
        MacroTable {
            macros: HashMap::new(),
            crate_path,
        }
    }

    pub fn insert(&mut self, name: &str, rules: MacroRules, crate_path: TokenStream) {
        self.macros.insert(name.to_string(), (rules, crate_path));
    }

    pub fn get(&self, name: &str) -> Option<&MacroRules> {
        self.macros.get(name).map(|(rules, _)| rules)
    }

    pub fn len(&self) -> usize {
        self.macros.len()
    }

    pub fn is_empty(&self) -> bool {
        self.macros.is_empty()
    }
}

impl MacroScope for MacroTable {
    fn resolve(&self, path: &syn::Path) -> Option<(MacroRules, TokenStream)> {
        let name = path.segments.last()?.ident.to_string();
        self.macros.get(&name).cloned()
    }

    fn define(&mut self, name: &syn::Ident, rules: MacroRules) {
        let crate_path = self.crate_path.clone();
        self.insert(&name.to_string(), rules, crate_path);
    }
}

/// A call that was left unexpanded, and why.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ItemExpansionError {
    #[error("`{name}!`: {error}")]
    Macro {
        name: String,
        span: Span,
        error: MacroError,
    },
    #[error("`{name}!` expanded to tokens that do not parse here: {message}")]
    NotItems {
        name: String,
        span: Span,
        message: String,
    },
    #[error("`{name}!`: expansions nest deeper than {depth}")]
    TooDeep {
        name: String,
        span: Span,
        depth: usize,
    },
}

/// A file with its item-position calls expanded, and the calls that could not be.
#[derive(Debug)]
pub struct ExpandedItems {
    pub file: syn::File,
    pub errors: Vec<ItemExpansionError>,
}

/// Expands every item-position macro call in `file` that `scope` resolves — in modules, impl
/// blocks and traits, and again in what they expand to, up to `max_depth` nested expansions.
/// `macro_rules!` definitions met on the way go to `scope.define` (parsed in `edition`).
/// Unresolved calls and calls that fail stay in place.
pub fn expand_items_in(
    file: &syn::File,
    scope: &mut dyn MacroScope,
    edition: Edition,
    max_depth: usize,
) -> ExpandedItems {
    let mut expander = Expander {
        scope,
        edition,
        max_depth,
        errors: Vec::new(),
    };
    let mut file = file.clone();
    file.items = expander.expand_list(std::mem::take(&mut file.items), 0);
    ExpandedItems {
        file,
        errors: expander.errors,
    }
}

/// Something that stands in item position and may be a macro call.
trait ItemLike: Parse + Sized {
    fn macro_call(&self) -> Option<&syn::Macro>;
    /// Expands the calls nested inside (a module's items, an impl's items).
    fn expand_inside(&mut self, _expander: &mut Expander, _depth: usize) {}
    /// A `macro_rules!` definition this is.
    fn definition(&self) -> Option<(&syn::Ident, &TokenStream)> {
        None
    }
}

impl ItemLike for syn::Item {
    fn macro_call(&self) -> Option<&syn::Macro> {
        match self {
            syn::Item::Macro(item) if item.ident.is_none() => Some(&item.mac),
            _ => None,
        }
    }

    fn expand_inside(&mut self, expander: &mut Expander, depth: usize) {
        match self {
            syn::Item::Mod(module) => {
                if let Some((_, items)) = &mut module.content {
                    *items = expander.expand_list(std::mem::take(items), depth);
                }
            }
            syn::Item::Impl(block) => {
                block.items = expander.expand_list(std::mem::take(&mut block.items), depth);
            }
            syn::Item::Trait(block) => {
                block.items = expander.expand_list(std::mem::take(&mut block.items), depth);
            }
            _ => {}
        }
    }

    fn definition(&self) -> Option<(&syn::Ident, &TokenStream)> {
        match self {
            syn::Item::Macro(item) if item.mac.path.is_ident("macro_rules") => {
                Some((item.ident.as_ref()?, &item.mac.tokens))
            }
            _ => None,
        }
    }
}

impl ItemLike for syn::ImplItem {
    fn macro_call(&self) -> Option<&syn::Macro> {
        match self {
            syn::ImplItem::Macro(item) => Some(&item.mac),
            _ => None,
        }
    }
}

impl ItemLike for syn::TraitItem {
    fn macro_call(&self) -> Option<&syn::Macro> {
        match self {
            syn::TraitItem::Macro(item) => Some(&item.mac),
            _ => None,
        }
    }
}

struct Expander<'a> {
    scope: &'a mut dyn MacroScope,
    edition: Edition,
    max_depth: usize,
    errors: Vec<ItemExpansionError>,
}

impl Expander<'_> {
    fn expand_list<T: ItemLike>(&mut self, items: Vec<T>, depth: usize) -> Vec<T> {
        let mut out = Vec::with_capacity(items.len());
        for mut item in items {
            if let Some((name, body)) = item.definition()
                && let Ok(rules) = MacroRules::parse(body.clone(), self.edition)
            {
                self.scope.define(name, rules);
            }
            match self.expand_call::<T>(&item, depth) {
                Some(Ok(expanded)) => out.extend(self.expand_list(expanded, depth + 1)),
                Some(Err(error)) => {
                    self.errors.push(error);
                    out.push(item);
                }
                None => {
                    item.expand_inside(self, depth);
                    out.push(item);
                }
            }
        }
        out
    }

    /// `None` when `item` is no call of a macro the scope knows.
    fn expand_call<T: ItemLike>(
        &mut self,
        item: &T,
        depth: usize,
    ) -> Option<Result<Vec<T>, ItemExpansionError>> {
        let call = item.macro_call()?;
        let (rules, crate_path) = self.scope.resolve(&call.path)?;
        let name = call_name(call);
        let span = call.span();
        if depth >= self.max_depth {
            let depth = self.max_depth;
            return Some(Err(ItemExpansionError::TooDeep { name, span, depth }));
        }
        let expanded = match rules.expand(call.tokens.clone(), &crate_path) {
            Ok(tokens) => tokens,
            Err(error) => return Some(Err(ItemExpansionError::Macro { name, span, error })),
        };
        Some(
            parse_all::<T>(expanded).map_err(|error| ItemExpansionError::NotItems {
                name,
                span,
                message: error.to_string(),
            }),
        )
    }
}

fn call_name(call: &syn::Macro) -> String {
    call.path
        .segments
        .last()
        .map_or_else(String::new, |segment| segment.ident.to_string())
}

fn parse_all<T: Parse>(tokens: TokenStream) -> syn::Result<Vec<T>> {
    let parser = |input: ParseStream| {
        let mut out = Vec::new();
        while !input.is_empty() {
            out.push(input.parse()?);
        }
        Ok(out)
    };
    parser.parse2(tokens)
}

//! The seam to `macro_rules!` expansion: std's macro definitions as the walk meets them, and the
//! expansion of an invocation into tokens with memlens's expander
//! (`analysis::syntax::macro_rules`), each definition's rules parsed once, on first use.

use std::cell::OnceCell;
use std::rc::Rc;

use memlens::analysis::syntax::macro_rules::{Edition, MacroRules};
use proc_macro2::TokenStream;

/// One `macro_rules!` definition.
pub struct MacroDef {
    pub name: String,
    pub krate: usize,
    pub body: TokenStream,
    rules: OnceCell<Result<MacroRules, String>>,
}

impl MacroDef {
    pub fn new(name: String, krate: usize, body: TokenStream) -> MacroDef {
        MacroDef {
            name,
            krate,
            body,
            rules: OnceCell::new(),
        }
    }
}

/// Why an invocation was not expanded.
pub type ExpandError = String;

/// Expands an invocation of `def` with `input`; `$crate` becomes `crate_path`. Std's crates are
/// all edition 2024.
pub fn expand(
    def: &Rc<MacroDef>,
    input: TokenStream,
    crate_path: &TokenStream,
) -> Result<TokenStream, ExpandError> {
    let rules = def.rules.get_or_init(|| {
        MacroRules::parse(def.body.clone(), Edition::E2024)
            .map_err(|e| format!("definition: {e:?}"))
    });
    let rules = rules.as_ref().map_err(Clone::clone)?;
    rules
        .expand(input, crate_path)
        .map_err(|e| format!("{e:?}").chars().take(160).collect())
}

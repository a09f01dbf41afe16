//! What the items and inference stages ask of std: its paths, types, traits, impls and
//! signatures. The std API table answers it; tests answer it with a handful of items.

use super::def_map::{Edition, StdDef, StdPaths};
use crate::analysis::defs::{AdtDef, AliasDef};
use crate::analysis::std_api::StdApi;
use crate::analysis::ty::{FnSig, ImplData, TraitData, Ty, TyHead};

pub trait StdItems: StdPaths {
    fn adt(&self, key: &str) -> Option<&AdtDef>;
    fn alias(&self, key: &str) -> Option<&AliasDef>;
    fn trait_data(&self, key: &str) -> Option<&TraitData>;
    /// Inherent impls whose self type has this head.
    fn inherent_impls(&self, head: &TyHead) -> Vec<&ImplData>;
    /// Every impl of a trait, blanket ones included.
    fn trait_impls(&self, trait_key: &str) -> Vec<&ImplData>;
    fn fn_sig(&self, key: &str) -> Option<&FnSig>;
    /// The types of consts and statics.
    fn value_ty(&self, key: &str) -> Option<&Ty>;
    /// The body of one of std's exported `macro_rules!` macros, as token text.
    fn macro_body(&self, name: &str) -> Option<&str>;
    /// Whether std's macro of this name is built into the compiler (`format_args!`, `concat!`).
    fn is_builtin_macro(&self, name: &str) -> bool;
}

/// A std with nothing in it: for crates analysed without std's table (tests, `#![no_core]`).
pub struct NoStd;

impl StdPaths for NoStd {
    fn resolve(&self, _: &[&str]) -> Option<StdDef> {
        None
    }
    fn prelude(&self, _: Edition, _: &str) -> Option<StdDef> {
        None
    }
    fn module_names(&self, _: &[&str]) -> Vec<(String, StdDef)> {
        Vec::new()
    }
    fn variant(&self, _: &str, _: &str) -> Option<StdDef> {
        None
    }
}

impl StdItems for NoStd {
    fn adt(&self, _: &str) -> Option<&AdtDef> {
        None
    }
    fn alias(&self, _: &str) -> Option<&AliasDef> {
        None
    }
    fn trait_data(&self, _: &str) -> Option<&TraitData> {
        None
    }
    fn inherent_impls(&self, _: &TyHead) -> Vec<&ImplData> {
        Vec::new()
    }
    fn trait_impls(&self, _: &str) -> Vec<&ImplData> {
        Vec::new()
    }
    fn fn_sig(&self, _: &str) -> Option<&FnSig> {
        None
    }
    fn value_ty(&self, _: &str) -> Option<&Ty> {
        None
    }
    fn macro_body(&self, _: &str) -> Option<&str> {
        None
    }
    fn is_builtin_macro(&self, _: &str) -> bool {
        false
    }
}

/// std's API table answers what the items and inference stages ask.
impl StdPaths for StdApi {
    fn resolve(&self, path: &[&str]) -> Option<StdDef> {
        StdApi::resolve(self, path)
    }
    fn prelude(&self, edition: Edition, name: &str) -> Option<StdDef> {
        StdApi::prelude(self, edition, name)
    }
    fn module_names(&self, module: &[&str]) -> Vec<(String, StdDef)> {
        StdApi::module_names(self, module)
    }
    fn variant(&self, type_key: &str, name: &str) -> Option<StdDef> {
        let adt = StdApi::adt(self, type_key)?;
        let index = adt.variants.iter().position(|v| v.name == name)?;
        Some(StdDef::Variant {
            adt: type_key.to_string(),
            index,
        })
    }
}

impl StdItems for StdApi {
    fn adt(&self, key: &str) -> Option<&AdtDef> {
        StdApi::adt(self, key)
    }
    fn alias(&self, key: &str) -> Option<&AliasDef> {
        StdApi::alias(self, key)
    }
    fn trait_data(&self, key: &str) -> Option<&TraitData> {
        StdApi::trait_data(self, key)
    }
    fn inherent_impls(&self, head: &TyHead) -> Vec<&ImplData> {
        StdApi::inherent_impls(self, head)
    }
    fn trait_impls(&self, trait_key: &str) -> Vec<&ImplData> {
        StdApi::trait_impls(self, trait_key)
    }
    fn fn_sig(&self, key: &str) -> Option<&FnSig> {
        StdApi::fn_sig(self, key)
    }
    fn value_ty(&self, key: &str) -> Option<&Ty> {
        StdApi::value_ty(self, key)
    }
    fn macro_body(&self, name: &str) -> Option<&str> {
        StdApi::macro_body(self, name)
    }
    fn is_builtin_macro(&self, name: &str) -> bool {
        StdApi::is_builtin_macro(self, name)
    }
}

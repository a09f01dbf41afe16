//! What the items and inference stages ask of std: its paths, types, traits, impls and
//! signatures. The std API table answers it; tests answer it with a handful of items.

use super::def_map::StdPaths;
use crate::analysis::defs::{AdtDef, AliasDef};
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

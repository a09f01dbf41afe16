//! What the generator reads from std's source: modules, items, impls and imports of `core`,
//! `alloc` and `std`, with their cfgs, visibilities and stability, before any name is resolved.

use super::cfg::Cfg;

pub type ModId = usize;
pub type ItemId = usize;

/// Who can name an item: everyone, or the code inside one module (and its descendants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vis {
    Public,
    Restricted(ModId),
}

#[derive(Clone, Debug)]
pub struct Module {
    pub name: String,
    pub parent: Option<ModId>,
    pub krate: usize,
    pub cfg: Cfg,
    pub vis: Vis,
    pub unstable: bool,
    pub hidden: bool,
}

/// A macro's definition as the table needs it: its body's text, or none for compiler built-ins.
#[derive(Clone, Debug)]
pub struct MacroItem {
    pub body: Option<String>,
    pub builtin: bool,
}

#[derive(Clone, Debug)]
pub enum ItemKind {
    Struct(syn::ItemStruct),
    Enum(syn::ItemEnum),
    Union(syn::ItemUnion),
    Trait(syn::ItemTrait),
    Alias(syn::ItemType),
    Fn(syn::Signature),
    Const(syn::Type),
    Static(syn::Type),
    Macro(MacroItem),
}

impl ItemKind {
    pub fn in_types(&self) -> bool {
        matches!(
            self,
            ItemKind::Struct(_)
                | ItemKind::Enum(_)
                | ItemKind::Union(_)
                | ItemKind::Trait(_)
                | ItemKind::Alias(_)
        )
    }

    /// Unit and tuple structs are values too (their constructors).
    pub fn in_values(&self) -> bool {
        match self {
            ItemKind::Struct(s) => !matches!(s.fields, syn::Fields::Named(_)),
            ItemKind::Fn(_) | ItemKind::Const(_) | ItemKind::Static(_) => true,
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Item {
    pub name: String,
    pub module: ModId,
    pub kind: ItemKind,
    pub vis: Vis,
    pub cfg: Cfg,
    pub unstable: bool,
    pub hidden: bool,
    pub attrs: Vec<syn::Attribute>,
}

#[derive(Clone, Debug)]
pub struct ImplBlock {
    pub module: ModId,
    pub item: syn::ItemImpl,
    pub cfg: Cfg,
    pub unstable: bool,
}

/// `use path::name as alias;` (`name` `Some`) or `use path::*;` (`name` `None`).
#[derive(Clone, Debug)]
pub struct Import {
    pub module: ModId,
    pub path: Vec<String>,
    /// `use ::core::x`: the path starts at a crate.
    pub global: bool,
    pub name: Option<(String, String)>,
    pub vis: Vis,
    pub cfg: Cfg,
    /// `#[prelude_import]`: the crate's prelude, a fallback for every module.
    pub prelude: bool,
}

#[derive(Clone, Debug)]
pub struct Crate {
    pub name: &'static str,
    pub root: ModId,
    /// Crate names in scope (`alloc_crate` → `alloc`), from `extern crate` and the extern prelude.
    pub extern_names: Vec<(String, &'static str)>,
    /// Extern crate names that stand for a module of this crate (std's `libc`, see
    /// `source::LIBC_SHIM`).
    pub extern_modules: Vec<(String, ModId)>,
}

/// How many macro invocations among items were expanded, by macro name.
#[derive(Clone, Debug, Default)]
pub struct MacroStats {
    pub expanded: std::collections::BTreeMap<String, usize>,
    pub failed: std::collections::BTreeMap<String, (usize, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct Model {
    pub modules: Vec<Module>,
    pub items: Vec<Item>,
    pub impls: Vec<ImplBlock>,
    pub imports: Vec<Import>,
    pub crates: Vec<Crate>,
    pub macros: MacroStats,
    /// FNV-1a over every source file read, in reading order.
    pub fingerprint: u64,
    pub files: usize,
}

impl Model {
    /// Whether `inner` is `outer` or inside it.
    pub fn is_within(&self, inner: ModId, outer: ModId) -> bool {
        let mut current = Some(inner);
        // The module tree has no cycles; the bound only guards against a bug.
        for _ in 0..64 {
            match current {
                Some(m) if m == outer => return true,
                Some(m) => current = self.modules[m].parent,
                None => return false,
            }
        }
        false
    }

    pub fn crate_root(&self, module: ModId) -> ModId {
        self.crates[self.modules[module].krate].root
    }

    /// The defining path, crate first (`core::iter::adapters::map`).
    pub fn module_path(&self, module: ModId) -> Vec<String> {
        let mut path = Vec::new();
        let mut current = Some(module);
        for _ in 0..64 {
            let Some(m) = current else { break };
            path.push(self.modules[m].name.clone());
            current = self.modules[m].parent;
        }
        path.reverse();
        path
    }
}

//! Std's API as std's own source declares it: the module tree, preludes, types, traits, impls,
//! functions, constants and macros of `core`, `alloc` and `std`, read from a table generated from
//! the pinned toolchain's `rust-src` (`tests/std_api.rs`) and embedded in the binary.
//!
//! The table is decoded lazily: loading indexes the entries' header lines; an entry's details are
//! decoded, for one target, the first time they are asked for, and kept. Items that exist only on
//! some targets carry a `cfg` predicate that [`StdApi::for_target`] evaluates.
//!
//! Conventions of the data handed out:
//! - types are keyed as `ty::Ty::Adt { name: key }`; keys are std's type names, prefixed by their
//!   public module when the name alone is ambiguous (`io::Error`, `hash_map::Iter`);
//! - const and lifetime arguments are left out of `Adt` and trait arguments (as `AdtDef::generics`
//!   lists type parameters only); `[T; N]` with a generic length is `Array(_, None)`;
//! - in a trait `Self` is `Param("Self")`; in an impl it is the impl's self type, receivers too;
//! - a method's `FnSig` lists the enclosing impl's or trait's generics and predicates first;
//! - type parameters are `Sized` unless listed in the item's `unsized_params`;
//! - a trait key starting with `?` is a trait std does not export (a sealed or private trait):
//!   bounds on it cannot be proven from the table;
//! - a type the table cannot name (a private type in a private field) is `Ty::Unknown(text)`.

pub mod cfg;
pub mod format;
mod table;
#[cfg(test)]
mod tests;

pub use table::escape_line;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::defs::{AdtDef, AliasDef};
use super::target::Target;
use super::ty::{FnSig, GenericParam, Predicate, Ty};
use table::{Decoded, Kind, Table};

/// The embedded table (see `tests/std_api.rs` for how it is generated and checked).
pub const TABLE_TEXT: &str = include_str!("std_api.txt");

/// Editions decide the prelude; the same enum as the macro expander's.
pub use super::syntax::macro_rules::Edition;

fn edition_year(edition: Edition) -> &'static str {
    match edition {
        Edition::E2015 => "2015",
        Edition::E2018 => "2018",
        Edition::E2021 => "2021",
        Edition::E2024 => "2024",
    }
}

/// Rust's namespaces: a name can mean a type and a value at once (`PhantomData`, `String`'s
/// module `string`...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Namespace {
    Type,
    Value,
    Macro,
}

/// What a std path or prelude name denotes, by key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StdDef {
    /// A module, by its canonical path (`core::option`, `std::collections`).
    Module(String),
    /// A struct, enum, union, alias or trait, by key; see [`StdApi::type_kind`].
    Type(String),
    Fn(String),
    Const(String),
    Static(String),
    /// An enum variant, by its enum's key and its index in `AdtDef::variants`.
    Variant {
        adt: String,
        index: usize,
    },
    /// A macro, by key: its name when std exports it at its root (`vec`, `format_args`), else its
    /// canonical path (`core::panic::panic_2015`).
    Macro(String),
    /// A primitive type by its name (`core::primitive::u8`, which `u8` also names).
    Primitive(String),
}

impl StdDef {
    pub fn namespace(&self) -> Namespace {
        match self {
            StdDef::Module(_) | StdDef::Type(_) | StdDef::Primitive(_) => Namespace::Type,
            StdDef::Macro(_) => Namespace::Macro,
            _ => Namespace::Value,
        }
    }
}

/// Which kind of item a type key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeKind {
    Adt,
    Alias,
    Trait,
}

impl TyHead {
    /// The head of a type; `None` for parameters, projections and other types no impl is
    /// written for directly.
    pub fn of(ty: &Ty) -> Option<TyHead> {
        ty.head()
    }

    #[allow(dead_code)]
    fn of_written_out(ty: &Ty) -> Option<TyHead> {
        Some(match ty {
            Ty::Adt { name, .. } => TyHead::Adt(name.clone()),
            Ty::Int(int) => TyHead::Int(*int),
            Ty::Float(float) => TyHead::Float(*float),
            Ty::Bool => TyHead::Bool,
            Ty::Char => TyHead::Char,
            Ty::Str => TyHead::Str,
            Ty::Slice(_) => TyHead::Slice,
            Ty::Array(..) => TyHead::Array,
            Ty::Ref { mutable, .. } => TyHead::Ref { mutable: *mutable },
            Ty::Ptr { mutable, .. } => TyHead::Ptr { mutable: *mutable },
            Ty::Tuple(items) => TyHead::Tuple(items.len()),
            Ty::FnPtr { .. } => TyHead::FnPtr,
            Ty::Never => TyHead::Never,
            Ty::Dyn(bounds) => TyHead::Dyn(bounds.traits.first()?.key.clone()),
            _ => return None,
        })
    }

    /// How the table writes the head in an impl's header line.
    pub fn text(&self) -> String {
        match self {
            TyHead::Adt(key) => format!("@{key}"),
            TyHead::Int(int) => int.name().to_string(),
            TyHead::Float(float) => float.name().to_string(),
            TyHead::Bool => "bool".into(),
            TyHead::Char => "char".into(),
            TyHead::Str => "str".into(),
            TyHead::Slice => "[]".into(),
            TyHead::Array => "[;]".into(),
            TyHead::Ref { mutable: false } => "&".into(),
            TyHead::Ref { mutable: true } => "&mut".into(),
            TyHead::Ptr { mutable: false } => "*const".into(),
            TyHead::Ptr { mutable: true } => "*mut".into(),
            TyHead::Tuple(arity) => format!("({arity})"),
            TyHead::FnPtr => "fn".into(),
            TyHead::Never => "!".into(),
            TyHead::Dyn(key) => format!("dyn:{key}"),
        }
    }
}

/// The head text of impls whose self type is a bare parameter (`impl<T: Display> ToString for T`).
pub const BLANKET_HEAD: &str = "$";

/// A struct, enum or union with what the layout-oriented `AdtDef` leaves out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdtData {
    pub def: AdtDef,
    /// All generic parameters, lifetimes and consts included.
    pub generics: Vec<GenericParam>,
    pub predicates: Vec<Predicate>,
    /// Per variant, per field: whether the field is `pub` (std's private fields are kept, since
    /// layout needs their types).
    pub field_public: Vec<Vec<bool>>,
    pub path: String,
    pub stable: bool,
    /// Its layout is not what its fields make (valid ranges, a lang item, SIMD, a discriminant
    /// the table does not hold): layout must not be computed from the table.
    pub layout_special: bool,
}

pub use super::ty::{AssocConst, AssocTypeDecl, ImplData, MethodDecl, TraitData, TyHead};

/// What the table says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableInfo {
    /// `rustc --version` of the toolchain whose `rust-src` the table was generated from.
    pub rustc: String,
    /// A fingerprint of the source files read.
    pub source: String,
    /// The edition std's crates are written in (their macros expand with it).
    pub edition: String,
}

/// The traits whose impls [`StdApi::prewarm`] decodes, most asked first.
const PREWARMED_TRAITS: [&str; 8] = [
    "Deref",
    "Iterator",
    "Ord",
    "marker::FnPtr",
    "Destruct",
    "PartialOrd",
    "PartialEq",
    "Clone",
];

/// Std's API for one target. Obtain it with [`StdApi::for_target`]; it lives for the process.
pub struct StdApi {
    table: &'static Table,
    target_cfg: cfg::TargetCfg,
    /// Per `cfg` predicate of the table, whether it holds here, evaluated on first use: the
    /// table has about 500 of them, 158 KB in all, and an analysis asks for a few.
    active_cfgs: Vec<OnceLock<bool>>,
    /// Per entry, decoded on first use (boxed: most entries are never asked for).
    decoded: Vec<OnceLock<Option<Box<Decoded>>>>,
    impls_by_trait: OnceLock<HashMap<&'static str, Vec<usize>>>,
    /// Per edition, the prelude's members by name: a crate's every module asks it for every
    /// name it resolves (a 20 000-module crate, on each declaration edit).
    preludes: [OnceLock<HashMap<String, Vec<StdDef>>>; 4],
}

impl StdApi {
    /// The API for `target`, built on first use and kept for the process.
    pub fn for_target(target: &Target) -> &'static StdApi {
        static LOADED: OnceLock<Mutex<Vec<(&'static str, &'static StdApi)>>> = OnceLock::new();
        let loaded = LOADED.get_or_init(|| Mutex::new(Vec::new()));
        let mut loaded = loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, api)) = loaded.iter().find(|(triple, _)| *triple == target.triple) {
            return api;
        }
        // One per known target, so leaking is bounded.
        let api: &'static StdApi = Box::leak(Box::new(StdApi::new(Table::get(), target)));
        loaded.push((target.triple, api));
        api
    }

    fn new(table: &'static Table, target: &Target) -> StdApi {
        StdApi {
            table,
            target_cfg: cfg::TargetCfg::of(target),
            active_cfgs: (0..table.cfgs.len()).map(|_| OnceLock::new()).collect(),
            decoded: (0..table.entries.len()).map(|_| OnceLock::new()).collect(),
            impls_by_trait: OnceLock::new(),
            preludes: Default::default(),
        }
    }

    /// Indexes the impls by trait and decodes those of the traits nearly every body asks
    /// about (autoderef asks `Deref`; a method such as `max` or `map` asks `Iterator` and `Ord`;
    /// a call, `FnPtr` and `Destruct`), so that the first analysis does not wait for them.
    pub fn prewarm(&self) {
        for trait_key in PREWARMED_TRAITS {
            self.trait_impls(trait_key);
        }
    }

    pub fn info(&self) -> &'static TableInfo {
        &self.table.info
    }

    /// Resolves a full path (`["std", "collections", "HashMap"]`), the last segment looked up in
    /// the type namespace first, then values, then macros.
    pub fn resolve(&self, path: &[&str]) -> Option<StdDef> {
        [Namespace::Type, Namespace::Value, Namespace::Macro]
            .into_iter()
            .find_map(|ns| self.resolve_in(path, ns))
    }

    /// Resolves a full path whose last segment is in namespace `ns`. An enum's variants resolve
    /// below the enum (`["std", "option", "Option", "Some"]`) in both namespaces.
    pub fn resolve_in(&self, path: &[&str], ns: Namespace) -> Option<StdDef> {
        let (&root, rest) = path.split_first()?;
        let mut current = self.crate_root(root)?;
        for (index, segment) in rest.iter().enumerate() {
            let last = index + 1 == rest.len();
            let wanted = if last { ns } else { Namespace::Type };
            current = match &current {
                StdDef::Module(module) => self.member(module, segment, wanted)?,
                StdDef::Type(key) if wanted != Namespace::Macro => self.variant(key, segment)?,
                _ => return None,
            };
        }
        (current.namespace() == ns || matches!(current, StdDef::Variant { .. })).then_some(current)
    }

    fn crate_root(&self, name: &str) -> Option<StdDef> {
        ["std", "core", "alloc"]
            .contains(&name)
            .then(|| StdDef::Module(name.to_string()))
    }

    fn member(&self, module: &str, name: &str, ns: Namespace) -> Option<StdDef> {
        let members = self.module_members(module)?;
        members
            .iter()
            .find(|member| member.name == name && member.def.namespace() == ns)
            .map(|member| member.def.clone())
            .or_else(|| {
                // Variants sit in both namespaces.
                members
                    .iter()
                    .find(|m| m.name == name && matches!(m.def, StdDef::Variant { .. }))
                    .map(|m| m.def.clone())
            })
    }

    fn variant(&self, key: &str, name: &str) -> Option<StdDef> {
        let adt = self.adt(key)?;
        let index = adt.variants.iter().position(|v| v.name == name)?;
        (adt.kind == super::defs::AdtKind::Enum).then(|| StdDef::Variant {
            adt: key.to_string(),
            index,
        })
    }

    /// What `name` means through the prelude of `edition`: the edition's prelude module, then
    /// the macros std exports at its root, then the crates `std` and `core`.
    /// (The type namespace first, then values, then macros.)
    pub fn prelude(&self, edition: Edition, name: &str) -> Option<StdDef> {
        [Namespace::Type, Namespace::Value, Namespace::Macro]
            .into_iter()
            .find_map(|ns| self.prelude_in(edition, name, ns))
    }

    /// What `name` means in namespace `ns` through the prelude of `edition` (`Clone` is a
    /// trait in the type namespace and a derive macro in the macro namespace).
    pub fn prelude_in(&self, edition: Edition, name: &str, ns: Namespace) -> Option<StdDef> {
        let in_ns = |def: &StdDef| {
            def.namespace() == ns || matches!(def, StdDef::Variant { .. }) && ns != Namespace::Macro
        };
        let from_prelude = self
            .prelude_members(edition)
            .get(name)
            .and_then(|defs| defs.iter().find(|def| in_ns(def)))
            .cloned();
        let root_macro = || {
            (ns == Namespace::Macro)
                .then(|| self.member("std", name, Namespace::Macro))
                .flatten()
        };
        let crate_name = || {
            (ns == Namespace::Type && ["std", "core"].contains(&name))
                .then(|| StdDef::Module(name.to_string()))
        };
        from_prelude.or_else(root_macro).or_else(crate_name)
    }

    fn prelude_members(&self, edition: Edition) -> &HashMap<String, Vec<StdDef>> {
        let slot = match edition {
            Edition::E2015 => 0,
            Edition::E2018 => 1,
            Edition::E2021 => 2,
            Edition::E2024 => 3,
        };
        self.preludes[slot].get_or_init(|| {
            let module = format!("std::prelude::rust_{}", edition_year(edition));
            let mut by_name: HashMap<String, Vec<StdDef>> = HashMap::new();
            for member in self.module_members(&module).unwrap_or_default() {
                by_name
                    .entry(member.name.to_string())
                    .or_default()
                    .push(member.def.clone());
            }
            by_name
        })
    }

    /// Every name a module exports (for `use path::*;`), in name order, on this target.
    pub fn module_names(&self, module: &[&str]) -> Vec<(String, StdDef)> {
        let Some(StdDef::Module(key)) = self.resolve_in(module, Namespace::Type) else {
            return Vec::new();
        };
        self.module_members(&key)
            .map(|members| {
                members
                    .iter()
                    .map(|m| (m.name.to_string(), m.def.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The key of every struct, enum and union active on this target, in key order.
    pub fn adt_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .table
            .keys(Kind::Adt)
            .filter(|key| self.find(Kind::Adt, key).is_some())
            .collect();
        keys.dedup();
        keys
    }

    /// Which kind of item a type key names.
    pub fn type_kind(&self, key: &str) -> Option<TypeKind> {
        if self.find(Kind::Adt, key).is_some() {
            Some(TypeKind::Adt)
        } else if self.find(Kind::Alias, key).is_some() {
            Some(TypeKind::Alias)
        } else if self.find(Kind::Trait, key).is_some() {
            Some(TypeKind::Trait)
        } else {
            None
        }
    }

    pub fn adt(&self, key: &str) -> Option<&AdtDef> {
        self.adt_data(key).map(|data| &data.def)
    }

    pub fn adt_data(&self, key: &str) -> Option<&AdtData> {
        match self.decoded_entry(self.find(Kind::Adt, key)?)? {
            Decoded::Adt(data) => Some(data),
            _ => None,
        }
    }

    pub fn alias(&self, key: &str) -> Option<&AliasDef> {
        match self.decoded_entry(self.find(Kind::Alias, key)?)? {
            Decoded::Alias(alias) => Some(alias),
            _ => None,
        }
    }

    pub fn trait_data(&self, key: &str) -> Option<&TraitData> {
        match self.decoded_entry(self.find(Kind::Trait, key)?)? {
            Decoded::Trait(data) => Some(data),
            _ => None,
        }
    }

    /// Inherent impls whose self type has this head (`impl<T> Vec<T>`, `impl u32`, `impl<T> [T]`).
    pub fn inherent_impls(&self, head: &TyHead) -> Vec<&ImplData> {
        let head = head.text();
        self.impls_in(self.table.impls_with_head(&head), |trait_key| {
            trait_key == "-"
        })
    }

    /// Every impl of a trait, blanket impls included.
    pub fn trait_impls(&self, trait_key: &str) -> Vec<&ImplData> {
        let by_trait = self
            .impls_by_trait
            .get_or_init(|| self.table.impls_by_trait());
        let indices = by_trait.get(trait_key).map(Vec::as_slice).unwrap_or(&[]);
        indices
            .iter()
            .filter_map(|&index| self.impl_at(index))
            .collect()
    }

    /// Trait impls whose self type has this head, then the blanket impls (self type a bare
    /// parameter) of every trait.
    pub fn trait_impls_for(&self, head: &TyHead) -> Vec<&ImplData> {
        let head = head.text();
        let mut impls = self.impls_in(self.table.impls_with_head(&head), |t| t != "-");
        impls.extend(self.impls_in(self.table.impls_with_head(BLANKET_HEAD), |t| t != "-"));
        impls
    }

    fn impls_in(
        &self,
        range: std::ops::Range<usize>,
        keep_trait: impl Fn(&str) -> bool,
    ) -> Vec<&ImplData> {
        range
            .filter(|&index| keep_trait(self.table.entries[index].rest_word()))
            .filter_map(|index| self.impl_at(index))
            .collect()
    }

    fn impl_at(&self, index: usize) -> Option<&ImplData> {
        match self.decoded_entry(index)? {
            Decoded::Impl(data) => Some(data),
            _ => None,
        }
    }

    pub fn fn_sig(&self, key: &str) -> Option<&FnSig> {
        match self.decoded_entry(self.find(Kind::Fn, key)?)? {
            Decoded::Fn(sig) => Some(sig),
            _ => None,
        }
    }

    /// The type of a const or static, by key (`core::f64::consts::PI`, `core::u32::MAX`).
    pub fn value_ty(&self, key: &str) -> Option<&Ty> {
        let index = self
            .find(Kind::Const, key)
            .or_else(|| self.find(Kind::Static, key))?;
        match self.decoded_entry(index)? {
            Decoded::Value(ty) => Some(ty),
            _ => None,
        }
    }

    /// A `macro_rules!` macro's body (`{ ($x:expr) => { ... }; ... }` without the outer braces),
    /// by key or by the name std exports it under. Single-arm `macro` 2.0 items are given in the
    /// same shape. `None` for compiler built-ins, which have no body.
    pub fn macro_body(&self, name: &str) -> Option<&str> {
        let key = self.macro_key(name)?;
        match self.decoded_entry(self.find(Kind::Macro, &key)?)? {
            Decoded::Macro(Some(body)) => Some(body),
            _ => None,
        }
    }

    /// Whether a macro is built into the compiler (`format_args`, `concat`, `line`, `cfg`...).
    pub fn is_builtin_macro(&self, name: &str) -> bool {
        let Some(key) = self.macro_key(name) else {
            return false;
        };
        self.find(Kind::Macro, &key)
            .is_some_and(|index| self.table.entries[index].rest_word() == "builtin")
    }

    fn macro_key(&self, name: &str) -> Option<String> {
        if self.find(Kind::Macro, name).is_some() {
            return Some(name.to_string());
        }
        match self.member("std", name, Namespace::Macro)? {
            StdDef::Macro(key) => Some(key),
            _ => None,
        }
    }

    /// Whether an item is stable (`#[stable]`, or inheriting it); unstable items are kept because
    /// they appear in bounds (`Pattern`), but code on stable Rust cannot use them.
    pub fn is_stable(&self, def: &StdDef) -> bool {
        let (kind, key) = match def {
            StdDef::Module(key) => (Kind::Module, key),
            StdDef::Type(key) => match self.type_kind(key) {
                Some(TypeKind::Adt) => (Kind::Adt, key),
                Some(TypeKind::Alias) => (Kind::Alias, key),
                _ => (Kind::Trait, key),
            },
            StdDef::Fn(key) => (Kind::Fn, key),
            StdDef::Const(key) => (Kind::Const, key),
            StdDef::Static(key) => (Kind::Static, key),
            StdDef::Variant { adt, .. } => (Kind::Adt, adt),
            StdDef::Macro(key) => (Kind::Macro, key),
            StdDef::Primitive(_) => return true,
        };
        self.find(kind, key)
            .is_some_and(|index| !self.table.entries[index].unstable)
    }

    /// The entry of this kind and key active on this target.
    fn find(&self, kind: Kind, key: &str) -> Option<usize> {
        self.table
            .entries_with_key(kind, key)
            .find(|&index| self.is_active(self.table.entries[index].cfg))
    }

    fn is_active(&self, cfg: Option<u32>) -> bool {
        cfg.is_none_or(|index| {
            let index = index as usize;
            let (Some(active), Some(predicate)) =
                (self.active_cfgs.get(index), self.table.cfgs.get(index))
            else {
                return false;
            };
            *active.get_or_init(|| self.target_cfg.eval(predicate))
        })
    }

    fn module_members(&self, key: &str) -> Option<&[table::Member]> {
        match self.decoded_entry(self.find(Kind::Module, key)?)? {
            Decoded::Module(members) => Some(members),
            _ => None,
        }
    }

    fn decoded_entry(&self, index: usize) -> Option<&Decoded> {
        let slot = self.decoded.get(index)?;
        slot.get_or_init(|| {
            let entry = &self.table.entries[index];
            table::decode(entry, &|cfg| self.is_active(cfg)).map(Box::new)
        })
        .as_deref()
    }

    /// How many entries of each kind the table holds (for reports and tests).
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        self.table.counts()
    }
}

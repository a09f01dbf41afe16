//! Everything a body's inference can look up, the crate's items and std's alike, by key.

use crate::analysis::defs::{AdtDef, AliasDef};
use crate::analysis::items::def_map::{CrateGraph, DefId, Res};
use crate::analysis::items::lower::{ImplIndex, Lowered};
use crate::analysis::items::std_items::StdItems;
use crate::analysis::ty::{FnSig, ImplData, TraitData, Ty, TyHead};

/// A world: the crate graph and std. Indexes are kept in the crates' maps, so a world is
/// cheap to make for each body.
pub struct World<'a> {
    pub graph: &'a CrateGraph,
    pub std: &'a dyn StdItems,
}

impl<'a> World<'a> {
    pub fn new(graph: &'a CrateGraph, std: &'a dyn StdItems) -> World<'a> {
        World { graph, std }
    }

    /// The crate definition with this key, if a crate of the graph has it.
    pub fn def_by_key(&self, key: &str) -> Option<DefId> {
        let crate_name = key.strip_prefix("::")?.split("::").next()?;
        self.graph
            .crates
            .iter()
            .filter(|map| map.name == crate_name)
            .find_map(|map| map.def_by_key(key))
    }

    pub fn lowered(&self, def: DefId) -> &'a Lowered {
        self.graph.lowered(def, self.std)
    }

    pub fn adt(&self, key: &str) -> Option<&'a AdtDef> {
        match self.def_by_key(key) {
            Some(def) => self.graph.adt_def(def, self.std),
            None => self.std.adt(key),
        }
    }

    pub fn alias(&self, key: &str) -> Option<&'a AliasDef> {
        match self.def_by_key(key) {
            Some(def) => match self.lowered(def) {
                Lowered::Alias(alias) => Some(alias),
                _ => None,
            },
            None => self.std.alias(key),
        }
    }

    pub fn trait_data(&self, key: &str) -> Option<&'a TraitData> {
        match self.def_by_key(key) {
            Some(def) => match self.lowered(def) {
                Lowered::Trait(data) => Some(data),
                _ => None,
            },
            None => self.std.trait_data(key),
        }
    }

    pub fn fn_sig_of(&self, res: &Res) -> Option<&'a FnSig> {
        match res {
            Res::Def(def) => match self.lowered(*def) {
                Lowered::Fn(sig) => Some(sig),
                _ => None,
            },
            Res::Std(crate::analysis::items::def_map::StdDef::Fn(key)) => self.std.fn_sig(key),
            _ => None,
        }
    }

    fn crate_impls(&self, pick: impl Fn(&ImplIndex) -> Vec<DefId>) -> Vec<&'a ImplData> {
        let mut found = Vec::new();
        for map in &self.graph.crates {
            let index = map.impl_index(self.graph, self.std);
            for id in pick(index) {
                if let Lowered::Impl(data) = self.lowered(id) {
                    found.push(data);
                }
            }
        }
        found
    }

    /// The impls of trait `key` that may apply to `query` (the self type and the trait's
    /// arguments): those whose self type can have the query's head (a crate graph holds
    /// thousands of `Clone` impls, few of them for one type). An impl whose self type memlens
    /// could not resolve is left out when the orphan rule rules it out: an impl of a trait
    /// foreign to its crate must name a type of that crate, so it cannot apply to a query naming
    /// none (and nothing left to infer).
    pub fn trait_impls(&self, key: &str, query: &[Ty]) -> Vec<&'a ImplData> {
        let wanted = query.first().and_then(comparable_head);
        let may_match = |data: &ImplData| match (&wanted, comparable_head(&data.self_ty)) {
            (Some(wanted), Some(head)) => *wanted == head,
            _ => true,
        };
        let mut impls = Vec::new();
        for map in &self.graph.crates {
            let index = map.impl_index(self.graph, self.std);
            let foreign_trait = !is_key_of(key, &map.name);
            let query_is_foreign = || query.iter().all(|ty| names_nothing_of(ty, &map.name));
            for &id in index.by_trait.get(key).into_iter().flatten() {
                let Lowered::Impl(data) = self.lowered(id) else {
                    continue;
                };
                if !may_match(data) {
                    continue;
                }
                let unresolved = data.self_ty.mentions(&|t| matches!(t, Ty::Unknown(_)));
                if unresolved && foreign_trait && query_is_foreign() {
                    continue;
                }
                impls.push(data);
            }
            if let Some(derived) = map.derived_impls(self.graph, self.std).get(key) {
                impls.extend(derived.iter().filter(|data| may_match(data)));
            }
        }
        impls.extend(
            self.std
                .trait_impls(key)
                .into_iter()
                .filter(|data| may_match(data)),
        );
        impls
    }

    /// Inherent impls of types with this head, the crate's and std's.
    pub fn inherent_impls(&self, head: &TyHead) -> Vec<&'a ImplData> {
        let mut impls: Vec<&ImplData> = self
            .crate_impls(|index| index.by_head.get(head).cloned().unwrap_or_default())
            .into_iter()
            .filter(|data| data.trait_ref.is_none())
            .collect();
        impls.extend(self.std.inherent_impls(head));
        impls
    }

    /// The value of a const item, if memlens could evaluate it.
    pub fn value_ty(&self, res: &Res) -> Option<Ty> {
        match res {
            Res::Def(def) => match self.lowered(*def) {
                Lowered::Const { ty, .. } | Lowered::Static { ty, .. } => Some(ty.clone()),
                _ => None,
            },
            Res::Std(
                crate::analysis::items::def_map::StdDef::Const(key)
                | crate::analysis::items::def_map::StdDef::Static(key),
            ) => self.std.value_ty(key).cloned(),
            _ => None,
        }
    }
}

/// A type's head where two different heads surely never unify: `dyn` heads are left out, as
/// the same object type may list its traits in another order.
fn comparable_head(ty: &Ty) -> Option<TyHead> {
    ty.head().filter(|head| !matches!(head, TyHead::Dyn(_)))
}

/// Whether `key` names an item of crate `krate` (keys are `::krate::path::Name`).
fn is_key_of(key: &str, krate: &str) -> bool {
    key.strip_prefix("::")
        .and_then(|rest| rest.strip_prefix(krate))
        .is_some_and(|rest| rest.starts_with("::"))
}

/// Whether `ty` is fully known and names no type or trait of crate `krate`.
fn names_nothing_of(ty: &Ty, krate: &str) -> bool {
    !ty.mentions(&|t| match t {
        Ty::Adt { name, .. } => is_key_of(name, krate),
        Ty::Dyn(bounds) | Ty::Opaque(bounds) => {
            bounds.traits.iter().any(|t| is_key_of(&t.key, krate))
        }
        Ty::Unknown(_) | Ty::Infer(_) | Ty::Param(_) | Ty::Assoc(_) | Ty::Closure { .. } => true,
        _ => false,
    })
}

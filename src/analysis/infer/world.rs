//! Everything a body's inference can look up, the crate's items and std's alike, by key.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::analysis::defs::{AdtDef, AliasDef};
use crate::analysis::items::def_map::{CrateGraph, CrateId, DefId, DefKind, Res};
use crate::analysis::items::lower::Lowered;
use crate::analysis::items::std_items::StdItems;
use crate::analysis::ty::{FnSig, ImplData, TraitData, Ty, TyHead};

/// The crate's impls, indexed the way method and trait lookups ask for them.
#[derive(Debug, Default)]
pub struct ImplIndex {
    by_head: HashMap<TyHead, Vec<DefId>>,
    by_trait: HashMap<String, Vec<DefId>>,
    /// Impls whose self type is a bare parameter (`impl<T: Tr> Other for T`).
    blanket: Vec<DefId>,
}

/// A world: the crate graph, std, and indexes built on first use.
pub struct World<'a> {
    pub graph: &'a CrateGraph,
    pub std: &'a dyn StdItems,
    /// Each crate's definitions by key, and each crate's impl index.
    keys: Vec<OnceLock<HashMap<String, u32>>>,
    impls: Vec<OnceLock<ImplIndex>>,
}

impl<'a> World<'a> {
    pub fn new(graph: &'a CrateGraph, std: &'a dyn StdItems) -> World<'a> {
        let count = graph.crates.len();
        World {
            graph,
            std,
            keys: (0..count).map(|_| OnceLock::new()).collect(),
            impls: (0..count).map(|_| OnceLock::new()).collect(),
        }
    }

    fn keys_of(&self, krate: usize) -> Option<&HashMap<String, u32>> {
        let map = self.graph.crates.get(krate)?;
        Some(self.keys.get(krate)?.get_or_init(|| {
            map.defs
                .iter()
                .enumerate()
                .filter(|(_, def)| def.kind != DefKind::Impl)
                .map(|(index, def)| (def.key.clone(), index as u32))
                .collect()
        }))
    }

    /// The crate definition with this key, if a crate of the graph has it.
    pub fn def_by_key(&self, key: &str) -> Option<DefId> {
        let crate_name = key.strip_prefix("::")?.split("::").next()?;
        for (index, map) in self.graph.crates.iter().enumerate() {
            if map.name != crate_name {
                continue;
            }
            if let Some(&def) = self.keys_of(index)?.get(key) {
                return Some(DefId {
                    krate: CrateId(index as u32),
                    index: def,
                });
            }
        }
        None
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

    fn impl_index(&self, krate: usize) -> Option<&ImplIndex> {
        let map = self.graph.crates.get(krate)?;
        Some(self.impls.get(krate)?.get_or_init(|| {
            let mut index = ImplIndex::default();
            for (number, def) in map.defs.iter().enumerate() {
                if def.kind != DefKind::Impl {
                    continue;
                }
                let id = DefId {
                    krate: CrateId(krate as u32),
                    index: number as u32,
                };
                let Lowered::Impl(data) = self.graph.lowered(id, self.std) else {
                    continue;
                };
                if let Some(trait_ref) = &data.trait_ref {
                    index
                        .by_trait
                        .entry(trait_ref.key.clone())
                        .or_default()
                        .push(id);
                }
                match data.self_ty.head() {
                    Some(head) => index.by_head.entry(head).or_default().push(id),
                    None => index.blanket.push(id),
                }
            }
            index
        }))
    }

    fn crate_impls(&self, pick: impl Fn(&ImplIndex) -> Vec<DefId>) -> Vec<&'a ImplData> {
        let mut found = Vec::new();
        for krate in 0..self.graph.crates.len() {
            let Some(index) = self.impl_index(krate) else {
                continue;
            };
            for id in pick(index) {
                if let Lowered::Impl(data) = self.lowered(id) {
                    found.push(data);
                }
            }
        }
        found
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

    /// Every impl of the trait `key`, the crate's and std's.
    pub fn trait_impls(&self, key: &str) -> Vec<&'a ImplData> {
        let mut impls =
            self.crate_impls(|index| index.by_trait.get(key).cloned().unwrap_or_default());
        impls.extend(self.std.trait_impls(key));
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

/// A shared, immutable world's pieces, for callers that keep them.
pub type SharedGraph = Arc<CrateGraph>;

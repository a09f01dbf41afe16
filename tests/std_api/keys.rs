//! Keys for every public definition: a type's name when unique among std's public types and
//! traits (stable ones first, then the prelude's), else prefixed by its public module names
//! until unique (`io::Error`, `hash_map::Iter`); functions, consts, statics and modules by their
//! canonical path (`core::mem::swap`); macros by the name std exports them under. Private
//! structs, enums and unions get their defining path (`std::sys::fs::unix::File`): public types'
//! fields name them, and their own fields decide those types' layouts.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::model::ItemKind;
use super::resolve::{Def, Ns, Resolver};

pub struct Keys {
    pub of: HashMap<Def, String>,
    /// The private structs, enums and unions among `of`.
    pub private: HashSet<Def>,
}

impl Keys {
    pub fn get(&self, def: Def) -> Option<&str> {
        self.of.get(&def).map(String::as_str)
    }

    pub fn is_private(&self, def: Def) -> bool {
        self.private.contains(&def)
    }
}

/// A type-namespace definition users can name, grouped by its canonical path.
struct Candidate {
    path: Vec<String>,
    defs: Vec<Def>,
    stable: bool,
    in_prelude: bool,
}

pub fn assign(resolver: &Resolver) -> Keys {
    let mut keys = Keys {
        of: HashMap::new(),
        private: HashSet::new(),
    };
    let prelude = prelude_defs(resolver);
    let mut groups: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for (id, item) in resolver.model.items.iter().enumerate() {
        let def = Def::Item(id);
        let Some(path) = resolver.canonical_path(def) else {
            let mut private = resolver.model.module_path(item.module);
            private.push(item.name.clone());
            match item.kind {
                ItemKind::Trait(_) => {
                    keys.of.insert(def, format!("?{}", private.join("::")));
                }
                ItemKind::Struct(_) | ItemKind::Enum(_) | ItemKind::Union(_) => {
                    keys.of.insert(def, private.join("::"));
                    keys.private.insert(def);
                }
                _ => {}
            }
            continue;
        };
        let joined = path.segments.join("::");
        match &item.kind {
            kind if kind.in_types() => {
                let group = groups.entry(item.name.clone()).or_default();
                let candidate = match group.iter_mut().find(|c| c.path == path.segments) {
                    Some(candidate) => candidate,
                    None => {
                        group.push(Candidate {
                            path: path.segments.clone(),
                            defs: Vec::new(),
                            stable: false,
                            in_prelude: false,
                        });
                        group.last_mut().expect("just pushed")
                    }
                };
                candidate.defs.push(def);
                candidate.stable |= !item.unstable;
                candidate.in_prelude |= prelude.contains(&def);
            }
            ItemKind::Macro(_) => {
                let exported = resolver
                    .lookup_in(resolver.crate_named("std"), &item.name, Ns::Macro)
                    .iter()
                    .any(|(d, _)| *d == def);
                let key = if exported { item.name.clone() } else { joined };
                keys.of.insert(def, key);
            }
            _ => {
                keys.of.insert(def, joined);
            }
        }
    }
    for (name, group) in groups {
        assign_group(&mut keys, &name, &group);
    }
    for (id, _) in resolver.model.modules.iter().enumerate() {
        if let Some(path) = resolver.canonical_path(Def::Module(id)) {
            keys.of.insert(Def::Module(id), path.segments.join("::"));
        }
    }
    keys
}

/// The definitions the 2021 prelude names (whose bare names win a tie: `Result`).
fn prelude_defs(resolver: &Resolver) -> HashSet<Def> {
    let path: Vec<String> = ["std", "prelude", "rust_2021"].map(String::from).to_vec();
    let std = resolver.crate_named("std");
    let modules = resolver.resolve(std, &path, true, Ns::Type);
    modules
        .iter()
        .filter_map(|(def, _)| match def {
            Def::Module(m) => Some(*m),
            _ => None,
        })
        .flat_map(|m| resolver.public_members(m))
        .map(|(_, _, def, _)| def)
        .collect()
}

fn assign_group(keys: &mut Keys, name: &str, group: &[Candidate]) {
    let winner = bare_name_winner(group);
    let mut taken: HashSet<String> = HashSet::new();
    if let Some(w) = winner {
        taken.insert(name.to_string());
        for def in &group[w].defs {
            keys.of.insert(*def, name.to_string());
        }
    }
    // Shortest paths first take the shortest prefixes: `core::net::SocketAddr` is
    // `net::SocketAddr`, `std::os::unix::net::SocketAddr` then `unix::net::SocketAddr`.
    let mut order: Vec<usize> = (0..group.len()).filter(|&i| Some(i) != winner).collect();
    order.sort_by_key(|&i| (group[i].path.len(), group[i].path.clone()));
    for index in order {
        let candidate = &group[index];
        let key = if group.len() == 1 {
            name.to_string()
        } else {
            prefixed_key(candidate, &taken)
        };
        taken.insert(key.clone());
        for def in &candidate.defs {
            keys.of.insert(*def, key.clone());
        }
    }
}

/// Which candidate keeps the bare name: the prelude's, else the only stable one.
fn bare_name_winner(group: &[Candidate]) -> Option<usize> {
    let only = |keep: &dyn Fn(&Candidate) -> bool| {
        let matching: Vec<usize> = (0..group.len()).filter(|&i| keep(&group[i])).collect();
        (matching.len() == 1).then(|| matching[0])
    };
    only(&|c| c.in_prelude && c.stable).or_else(|| only(&|c| c.stable))
}

/// `module::Name` with as many trailing module names as make it a key not yet taken; the
/// crate name is the last resort.
fn prefixed_key(candidate: &Candidate, taken: &HashSet<String>) -> String {
    let path = &candidate.path;
    for take in 1..path.len().saturating_sub(1) {
        let suffix = path[path.len() - 1 - take..].join("::");
        if !taken.contains(&suffix) {
            return suffix;
        }
    }
    path.join("::")
}

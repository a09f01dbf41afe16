//! Name resolution over the model: each module's scope after `use` imports (globs too) reach a
//! fixed point, paths resolved from a module, and the public paths of everything `std`, `core`
//! and `alloc` export.

use std::collections::{HashMap, HashSet, VecDeque};

use super::cfg::Cfg;
use super::model::{ItemId, ItemKind, ModId, Model, Vis};

/// What a name can denote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Def {
    Module(ModId),
    Item(ItemId),
    Variant(ItemId, usize),
    Prim(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ns {
    Type,
    Value,
    Macro,
}

pub const NAMESPACES: [Ns; 3] = [Ns::Type, Ns::Value, Ns::Macro];

pub const PRIMITIVES: [&str; 17] = [
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f32", "f64",
];

/// Primitives the vocabulary has no type for; they resolve, to an unknown type.
pub const OTHER_PRIMITIVES: [&str; 2] = ["f16", "f128"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub def: Def,
    pub vis: Vis,
    pub cfg: Cfg,
    pub glob: bool,
}

pub type Scope = HashMap<(Ns, String), Vec<Binding>>;

/// A public path to a definition, crate name first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PubPath {
    pub segments: Vec<String>,
    /// Through a `#[doc(hidden)]` module or item, or a prelude: not where users look.
    pub hidden: bool,
}

pub struct Resolver<'m> {
    pub model: &'m Model,
    pub scopes: Vec<Scope>,
    /// Per crate, its prelude module.
    pub preludes: Vec<Option<ModId>>,
    /// Every public path of each definition.
    pub pub_paths: HashMap<Def, Vec<PubPath>>,
    /// Modules in the order the walk of public paths reached them.
    pub pub_modules: Vec<ModId>,
}

/// Deepest chain of `super::` or path segments followed.
const MAX_SEGMENTS: usize = 32;
/// Rounds of import resolution; std settles in well under ten.
const MAX_ROUNDS: usize = 64;

fn prim(name: &str) -> Option<&'static str> {
    PRIMITIVES
        .iter()
        .chain(OTHER_PRIMITIVES.iter())
        .copied()
        .find(|&p| p == name)
}

impl<'m> Resolver<'m> {
    pub fn new(model: &'m Model) -> Resolver<'m> {
        let mut resolver = Resolver {
            model,
            scopes: vec![Scope::new(); model.modules.len()],
            preludes: vec![None; model.crates.len()],
            pub_paths: HashMap::new(),
            pub_modules: Vec::new(),
        };
        resolver.add_definitions();
        resolver.resolve_imports();
        resolver.walk_public_paths();
        resolver
    }

    fn bind(&mut self, module: ModId, ns: Ns, name: &str, binding: Binding) -> bool {
        let list = self.scopes[module]
            .entry((ns, name.to_string()))
            .or_default();
        if list
            .iter()
            .any(|b| b.def == binding.def && b.cfg == binding.cfg && b.glob == binding.glob)
        {
            return false;
        }
        list.push(binding);
        true
    }

    fn add_definitions(&mut self) {
        let model = self.model;
        for (id, item) in model.items.iter().enumerate() {
            let binding = Binding {
                def: Def::Item(id),
                vis: item.vis,
                cfg: item.cfg.clone(),
                glob: false,
            };
            let namespaces = match &item.kind {
                ItemKind::Macro(_) => vec![Ns::Macro],
                kind if kind.in_types() && kind.in_values() => vec![Ns::Type, Ns::Value],
                kind if kind.in_types() => vec![Ns::Type],
                _ => vec![Ns::Value],
            };
            for ns in namespaces {
                self.bind(item.module, ns, &item.name, binding.clone());
            }
        }
        for (id, module) in model.modules.iter().enumerate() {
            let Some(parent) = module.parent else {
                continue;
            };
            let binding = Binding {
                def: Def::Module(id),
                vis: module.vis,
                cfg: module.cfg.clone(),
                glob: false,
            };
            self.bind(parent, Ns::Type, &module.name, binding);
        }
    }

    fn resolve_imports(&mut self) {
        let model = self.model;
        for import in model.imports.iter().filter(|i| i.prelude) {
            let krate = model.modules[import.module].krate;
            let found = self.resolve(import.module, &import.path, import.global, Ns::Type);
            self.preludes[krate] = found.iter().find_map(|(def, _)| match def {
                Def::Module(m) => Some(*m),
                _ => None,
            });
        }
        // A `#![no_std]` crate without its own prelude (alloc) has core's.
        let core_prelude = self.core_prelude();
        for prelude in self.preludes.iter_mut().filter(|p| p.is_none()) {
            *prelude = core_prelude;
        }
        for _ in 0..MAX_ROUNDS {
            let mut changed = false;
            for import in model.imports.iter().filter(|i| !i.prelude) {
                changed |= self.apply_import(import);
            }
            if !changed {
                break;
            }
        }
    }

    fn core_prelude(&self) -> Option<ModId> {
        let mut module = self.crate_named("core");
        for name in ["prelude", "rust_2024"] {
            module =
                self.lookup_in(module, name, Ns::Type)
                    .iter()
                    .find_map(|(def, _)| match def {
                        Def::Module(m) => Some(*m),
                        _ => None,
                    })?;
        }
        Some(module)
    }

    fn apply_import(&mut self, import: &super::model::Import) -> bool {
        let mut changed = false;
        match &import.name {
            Some((name, alias)) => {
                let mut path = import.path.clone();
                path.push(name.clone());
                for ns in NAMESPACES {
                    for (def, cfg) in self.resolve(import.module, &path, import.global, ns) {
                        // A re-export wider than what it names imports nothing in that
                        // namespace (std's prelude shadows the modules `vec` and `panic` so).
                        if import.vis == Vis::Public && !self.is_public_def(def) {
                            continue;
                        }
                        let binding = Binding {
                            def,
                            vis: import.vis,
                            cfg: import.cfg.and(&cfg),
                            glob: false,
                        };
                        changed |= self.bind(import.module, ns, alias, binding);
                    }
                }
            }
            None => {
                let sources = self.resolve(import.module, &import.path, import.global, Ns::Type);
                for (def, cfg) in sources {
                    changed |= self.apply_glob(import, def, &import.cfg.and(&cfg));
                }
            }
        }
        changed
    }

    /// Whether a definition itself is declared `pub` (primitives and variants are).
    fn is_public_def(&self, def: Def) -> bool {
        match def {
            Def::Module(m) => self.model.modules[m].vis == Vis::Public,
            Def::Item(id) => self.model.items[id].vis == Vis::Public,
            _ => true,
        }
    }

    fn apply_glob(&mut self, import: &super::model::Import, source: Def, cfg: &Cfg) -> bool {
        let mut added: Vec<(Ns, String, Binding)> = Vec::new();
        match source {
            Def::Module(m) => {
                for ((ns, name), bindings) in &self.scopes[m] {
                    for b in self.preferred(bindings) {
                        if !self.visible_from(b.vis, m, import.module) {
                            continue;
                        }
                        let vis = if b.vis == Vis::Public {
                            import.vis
                        } else {
                            b.vis
                        };
                        let binding = Binding {
                            def: b.def,
                            vis,
                            cfg: cfg.and(&b.cfg),
                            glob: true,
                        };
                        added.push((*ns, name.clone(), binding));
                    }
                }
            }
            Def::Item(id) => {
                for (index, name) in self.variant_names(id).into_iter().enumerate() {
                    for ns in [Ns::Type, Ns::Value] {
                        let binding = Binding {
                            def: Def::Variant(id, index),
                            vis: import.vis,
                            cfg: cfg.clone(),
                            glob: true,
                        };
                        added.push((ns, name.clone(), binding));
                    }
                }
            }
            _ => {}
        }
        let mut changed = false;
        for (ns, name, binding) in added {
            changed |= self.bind(import.module, ns, &name, binding);
        }
        changed
    }

    /// Whether code in `from` may name something of visibility `vis` defined in `owner`.
    fn visible_from(&self, vis: Vis, owner: ModId, from: ModId) -> bool {
        let same_crate = self.model.modules[owner].krate == self.model.modules[from].krate;
        match vis {
            Vis::Public => true,
            Vis::Restricted(m) => same_crate && self.model.is_within(from, m),
        }
    }

    /// Explicit bindings shadow glob ones.
    fn preferred<'b>(&self, bindings: &'b [Binding]) -> Vec<&'b Binding> {
        let explicit: Vec<&Binding> = bindings.iter().filter(|b| !b.glob).collect();
        if explicit.is_empty() {
            bindings.iter().collect()
        } else {
            explicit
        }
    }

    /// The names of an enum's variants that the build keeps, in order (their indices).
    pub fn variant_names(&self, item: ItemId) -> Vec<String> {
        match &self.model.items[item].kind {
            ItemKind::Enum(e) => e
                .variants
                .iter()
                .filter(|v| !super::cfg::cfg_of(&super::cfg::expand_cfg_attrs(&v.attrs)).is_never())
                .map(|v| v.ident.to_string())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A name's bindings in a module's own scope.
    pub fn lookup_in(&self, module: ModId, name: &str, ns: Ns) -> Vec<(Def, Cfg)> {
        self.scopes[module]
            .get(&(ns, name.to_string()))
            .map(|bindings| {
                self.preferred(bindings)
                    .into_iter()
                    .map(|b| (b.def, b.cfg.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A path's first segment, from inside `module`: its scope, the crates in scope, the
    /// crate's prelude, the primitive types.
    fn lookup_first(&self, module: ModId, name: &str, ns: Ns) -> Vec<(Def, Cfg)> {
        let found = self.lookup_in(module, name, ns);
        if !found.is_empty() {
            return found;
        }
        let krate = &self.model.crates[self.model.modules[module].krate];
        if ns == Ns::Type
            && let Some((_, target)) = krate.extern_names.iter().find(|(n, _)| n == name)
        {
            return vec![(Def::Module(self.crate_named(target)), Cfg::always())];
        }
        if ns == Ns::Type
            && let Some((_, shim)) = krate.extern_modules.iter().find(|(n, _)| n == name)
        {
            return vec![(Def::Module(*shim), self.model.modules[*shim].cfg.clone())];
        }
        if let Some(prelude) = self.preludes[self.model.modules[module].krate] {
            let found = self.lookup_in(prelude, name, ns);
            if !found.is_empty() {
                return found;
            }
        }
        if ns == Ns::Macro {
            return self.exported_macro(name);
        }
        match (ns, prim(name)) {
            (Ns::Type, Some(p)) => vec![(Def::Prim(p), Cfg::always())],
            _ => Vec::new(),
        }
    }

    /// `#[macro_export]`ed macros are in scope by name everywhere in std's crates.
    fn exported_macro(&self, name: &str) -> Vec<(Def, Cfg)> {
        let roots = self.model.crates.iter().rev().map(|c| c.root);
        roots
            .map(|root| self.lookup_in(root, name, Ns::Macro))
            .find(|found| !found.is_empty())
            .unwrap_or_default()
    }

    pub fn crate_named(&self, name: &str) -> ModId {
        self.model
            .crates
            .iter()
            .find(|c| c.name == name)
            .map_or(0, |c| c.root)
    }

    /// Resolves a path written in `module` whose last segment is in `ns`.
    pub fn resolve(&self, module: ModId, path: &[String], global: bool, ns: Ns) -> Vec<(Def, Cfg)> {
        let Some((first, rest)) = path.split_first() else {
            return Vec::new();
        };
        if path.len() > MAX_SEGMENTS {
            return Vec::new();
        }
        let first_ns = if rest.is_empty() { ns } else { Ns::Type };
        let mut current: Vec<(Def, Cfg)> = if global {
            let known = self.model.crates.iter().any(|c| c.name == first);
            if known {
                vec![(Def::Module(self.crate_named(first)), Cfg::always())]
            } else {
                Vec::new()
            }
        } else {
            match first.as_str() {
                "crate" => vec![(Def::Module(self.model.crate_root(module)), Cfg::always())],
                "self" => vec![(Def::Module(module), Cfg::always())],
                "super" => self.parent_of(module),
                _ => self.lookup_first(module, first, first_ns),
            }
        };
        for (index, segment) in rest.iter().enumerate() {
            let segment_ns = if index + 1 == rest.len() {
                ns
            } else {
                Ns::Type
            };
            current = current
                .iter()
                .flat_map(|(def, cfg)| {
                    self.step(*def, segment, segment_ns)
                        .into_iter()
                        .map(move |(d, c)| (d, cfg.and(&c)))
                })
                .collect();
            if current.is_empty() {
                break;
            }
        }
        current.retain(|(_, cfg)| !cfg.is_never());
        current
    }

    fn parent_of(&self, module: ModId) -> Vec<(Def, Cfg)> {
        self.model.modules[module]
            .parent
            .map(|p| vec![(Def::Module(p), Cfg::always())])
            .unwrap_or_default()
    }

    fn step(&self, def: Def, segment: &str, ns: Ns) -> Vec<(Def, Cfg)> {
        match def {
            Def::Module(m) if segment == "super" => self.parent_of(m),
            Def::Module(m) => self.lookup_in(m, segment, ns),
            Def::Item(id) if ns != Ns::Macro => self
                .variant_names(id)
                .iter()
                .position(|v| v == segment)
                .map(|index| vec![(Def::Variant(id, index), Cfg::always())])
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Whether `def` is one of the shim's stand-ins for `libc`, which std re-exports in places
    /// (`pub use libc::mode_t`) but which stand for no public item of std.
    fn in_shim(&self, def: Def) -> bool {
        let Def::Item(id) = def else {
            return false;
        };
        let module = self.model.items[id].module;
        self.model
            .crates
            .iter()
            .any(|krate| krate.extern_modules.iter().any(|(_, m)| *m == module))
    }

    /// The public bindings of a module, explicit ones shadowing globs, per namespace and name.
    pub fn public_members(&self, module: ModId) -> Vec<(Ns, String, Def, Cfg)> {
        let mut members = Vec::new();
        for ((ns, name), bindings) in &self.scopes[module] {
            for b in self.preferred(bindings) {
                if b.vis == Vis::Public && !b.cfg.is_never() && !self.in_shim(b.def) {
                    members.push((*ns, name.clone(), b.def, b.cfg.clone()));
                }
            }
        }
        members.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
        members.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1 && a.2 == b.2 && a.3 == b.3);
        members
    }

    /// Breadth-first from each crate root over public bindings: every public path of every
    /// definition (each module entered once per crate, by its shortest path there).
    fn walk_public_paths(&mut self) {
        let mut seen_modules: HashSet<ModId> = HashSet::new();
        for krate in &self.model.crates {
            let mut entered: HashSet<ModId> = HashSet::new();
            let mut queue: VecDeque<(ModId, Vec<String>, bool)> = VecDeque::new();
            queue.push_back((krate.root, vec![krate.name.to_string()], false));
            entered.insert(krate.root);
            self.add_path(Def::Module(krate.root), vec![krate.name.to_string()], false);
            while let Some((module, path, hidden)) = queue.pop_front() {
                if seen_modules.insert(module) {
                    self.pub_modules.push(module);
                }
                for (_, name, def, _) in self.public_members(module) {
                    let mut child_path = path.clone();
                    child_path.push(name.clone());
                    let child_hidden = hidden || self.is_hidden(def, &name);
                    self.add_path(def, child_path.clone(), child_hidden);
                    if let Def::Module(child) = def
                        && child_path.len() < MAX_SEGMENTS
                        && entered.insert(child)
                    {
                        queue.push_back((child, child_path, child_hidden));
                    }
                }
            }
        }
    }

    fn is_hidden(&self, def: Def, name: &str) -> bool {
        match def {
            Def::Module(m) => self.model.modules[m].hidden || name == "prelude",
            Def::Item(id) => self.model.items[id].hidden,
            _ => false,
        }
    }

    fn add_path(&mut self, def: Def, segments: Vec<String>, hidden: bool) {
        let paths = self.pub_paths.entry(def).or_default();
        if !paths.iter().any(|p| p.segments == segments) {
            paths.push(PubPath { segments, hidden });
        }
    }

    /// The path users find a definition by: not hidden, in the crate that defines it, shortest,
    /// then alphabetical.
    pub fn canonical_path(&self, def: Def) -> Option<&PubPath> {
        let defining = match def {
            Def::Module(m) => self.model.modules[m].krate,
            Def::Item(id) | Def::Variant(id, _) => {
                self.model.modules[self.model.items[id].module].krate
            }
            Def::Prim(_) => 0,
        };
        let defining = self.model.crates[defining].name;
        self.pub_paths.get(&def)?.iter().min_by(|a, b| {
            let rank = |p: &PubPath| {
                (
                    p.hidden,
                    p.segments[0] != defining,
                    p.segments.len(),
                    p.segments.clone(),
                )
            };
            rank(a).cmp(&rank(b))
        })
    }
}

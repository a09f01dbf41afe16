//! The crate's modules and what each name in each module means: one path, one definition.
//!
//! Built from every file's [`FileItems`]: the module tree, each module's items, then its `use`
//! imports resolved to a fixed point (globs included), as rustc's resolver does. A name that
//! cannot be resolved, or that two glob imports give different meanings, resolves to `Unknown`,
//! never to a guess such as another item of the same name elsewhere in the crate.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::cfg::CfgOptions;
use super::item_tree::{
    ChildModule, FileItems, Item, ItemKind, MacroCall, MacroDef, ModuleItems, PathRef, UseItem,
    Visibility,
};

pub use crate::analysis::syntax::macro_rules::Edition;

pub use crate::analysis::std_api::StdDef;

/// What std's paths and preludes name; the std API table answers it.
pub trait StdPaths {
    fn resolve(&self, path: &[&str]) -> Option<StdDef>;
    fn prelude(&self, edition: Edition, name: &str) -> Option<StdDef>;
    fn module_names(&self, module: &[&str]) -> Vec<(String, StdDef)>;
    /// A variant of std's enum `type_key` (`Ordering::Less`), for `use` paths through it.
    fn variant(&self, type_key: &str, name: &str) -> Option<StdDef>;
}

/// Index of a module in its crate's map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleId(pub u32);

/// Index of a crate in the [`CrateGraph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CrateId(pub u32);

/// An item of a crate: which crate, and its index in that crate's map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefId {
    pub krate: CrateId,
    pub index: u32,
}

/// A module of a crate of the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ModuleRef {
    pub krate: CrateId,
    pub module: ModuleId,
}

/// What a name means in one namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Res {
    Module(ModuleRef),
    Def(DefId),
    /// A variant of one of the crate's enums.
    Variant(DefId, usize),
    Std(StdDef),
    /// A `macro_rules!` macro of a crate of the graph.
    Macro(CrateId, MacroRef),
    /// A dependency memlens does not read, or something inside one.
    Extern(String),
    /// The name exists but memlens cannot tell what it is (unresolved imports, ambiguous globs,
    /// modules whose file is missing).
    Unknown,
}

impl Res {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Res::Unknown | Res::Extern(_))
    }
}

/// The three namespaces of Rust names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Namespace {
    Types,
    Values,
    Macros,
}

/// A name defined in a scope, with where it may be seen from and how it got there.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    res: Res,
    vis: Visibility,
    /// Defined by a glob import: explicit items and imports shadow it.
    from_glob: bool,
}

/// The names one module defines or imports.
#[derive(Clone, Debug, Default)]
pub struct ItemScope {
    types: HashMap<String, Entry>,
    values: HashMap<String, Entry>,
    macros: HashMap<String, Entry>,
    /// Traits imported with `use Trait as _;`: in scope for method calls, under no name.
    anonymous_traits: Vec<Res>,
}

impl ItemScope {
    fn namespace(&self, ns: Namespace) -> &HashMap<String, Entry> {
        match ns {
            Namespace::Types => &self.types,
            Namespace::Values => &self.values,
            Namespace::Macros => &self.macros,
        }
    }

    fn namespace_mut(&mut self, ns: Namespace) -> &mut HashMap<String, Entry> {
        match ns {
            Namespace::Types => &mut self.types,
            Namespace::Values => &mut self.values,
            Namespace::Macros => &mut self.macros,
        }
    }

    /// Defines `name`; returns whether the scope changed. Explicit definitions replace glob
    /// ones; two different glob meanings make the name ambiguous (`Unknown`).
    fn define(&mut self, ns: Namespace, name: &str, entry: Entry) -> bool {
        let map = self.namespace_mut(ns);
        match map.get_mut(name) {
            None => {
                map.insert(name.to_string(), entry);
                true
            }
            Some(old) if old.from_glob && !entry.from_glob => {
                *old = entry;
                true
            }
            Some(old) if old.from_glob && entry.from_glob && old.res != entry.res => {
                if old.res == Res::Unknown {
                    return false;
                }
                old.res = Res::Unknown;
                true
            }
            Some(_) => false,
        }
    }

    pub fn get(&self, ns: Namespace, name: &str) -> Option<&Res> {
        self.namespace(ns).get(name).map(|entry| &entry.res)
    }

    /// Every trait in scope by name or anonymously, for method resolution.
    pub fn traits(&self) -> impl Iterator<Item = &Res> {
        self.types
            .values()
            .map(|entry| &entry.res)
            .chain(self.anonymous_traits.iter())
    }

    /// Names defined in a namespace, with their meaning.
    pub fn names(&self, ns: Namespace) -> impl Iterator<Item = (&str, &Res)> {
        self.namespace(ns)
            .iter()
            .map(|(name, entry)| (name.as_str(), &entry.res))
    }
}

/// One module of the crate.
#[derive(Clone, Debug)]
pub struct ModuleData {
    pub parent: Option<ModuleId>,
    pub name: String,
    /// The path from the crate root (empty for the root).
    pub path: Vec<String>,
    pub children: HashMap<String, ModuleId>,
    pub scope: ItemScope,
    /// False when the module's file was not found: names in it are unknown, not absent.
    pub complete: bool,
    /// The file and the module of that file (see [`FileItems::modules`]) it was lowered from.
    pub source: Option<(usize, usize)>,
    /// `macro_rules!` macros visible in the module by textual scope, innermost last.
    pub macros: Vec<MacroRef>,
    /// Files (in [`DefMap::files`]) holding the items that macro calls in the module expanded to.
    pub expanded: Vec<usize>,
}

/// A `macro_rules!` definition of the crate: file, module of the file, and index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MacroRef {
    pub file: usize,
    pub module: usize,
    pub index: usize,
}

/// What kind of item a definition is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DefKind {
    Adt,
    Alias,
    Fn,
    Const,
    Static,
    Trait,
    Impl,
}

/// One item of the crate.
#[derive(Clone, Debug)]
pub struct DefData {
    pub module: ModuleId,
    pub name: String,
    pub kind: DefKind,
    /// A name unique in the crate graph: the item's absolute path (`::mycrate::parser::Token`),
    /// which std's keys never start with; impls get `::mycrate::parser::{impl#3}`.
    pub key: String,
    /// The file, the module within it and the item within that module.
    pub source: (usize, usize, usize),
}

/// A file of the crate and the module path its own module has.
#[derive(Clone, Debug)]
pub struct CrateFile {
    pub module_path: Vec<String>,
    pub items: Arc<FileItems>,
}

/// Everything needed to build a crate's map.
pub struct CrateInput<'a> {
    /// The crate's name as paths spell it (`-` replaced by `_`).
    pub name: String,
    pub edition: Edition,
    pub files: Vec<CrateFile>,
    pub cfg: &'a CfgOptions,
    /// Crates this one can name: the graph's crates (by name), and dependencies memlens does
    /// not read (named only).
    pub deps: Vec<(String, Option<CrateId>)>,
    /// Which of those are proc-macro crates, which export macros only.
    pub proc_macro_deps: Vec<String>,
    /// For a function body's own items: the module the body is written in, where names the
    /// block does not define are looked up (a block is not a module in Rust).
    pub parent: Option<ModuleRef>,
}

/// A crate's modules, items and scopes.
#[derive(Debug)]
pub struct DefMap {
    pub krate: CrateId,
    pub name: String,
    pub edition: Edition,
    pub modules: Vec<ModuleData>,
    pub defs: Vec<DefData>,
    pub files: Vec<CrateFile>,
    /// Dependencies by the name paths use, with their crate in the graph when it is read.
    pub deps: HashMap<String, Option<CrateId>>,
    /// Dependencies that are proc-macro crates: a name imported from one is a macro only, and
    /// leaves a glob's type or value of that name visible (`clap` re-exports both the trait
    /// `Parser`, by a glob, and the derive macro `Parser`, from `clap_derive`).
    pub proc_macro_deps: HashSet<String>,
    /// The module around a function body whose items this map holds.
    pub parent: Option<ModuleRef>,
    /// `#[macro_export]` macros, by name.
    pub exported_macros: HashMap<String, MacroRef>,
    pub no_std: bool,
    /// The build the map describes.
    pub cfg: CfgOptions,
    /// Each definition lowered to the vocabulary of types, when first asked for.
    pub lowered: super::lower::LoweredDefs,
    /// Definitions by key, and impls by head and trait, built when first asked for.
    pub(super) keys: std::sync::OnceLock<HashMap<String, u32>>,
    pub(super) impls: std::sync::OnceLock<super::lower::ImplIndex>,
    pub(super) derived: std::sync::OnceLock<HashMap<String, Vec<crate::analysis::ty::ImplData>>>,
}

/// Every crate the analysed crate can see, each before the crates that depend on it.
#[derive(Clone, Debug, Default)]
pub struct CrateGraph {
    pub crates: Vec<Arc<DefMap>>,
}

impl CrateGraph {
    pub fn crate_map(&self, krate: CrateId) -> Option<&DefMap> {
        self.crates.get(krate.0 as usize).map(|map| &**map)
    }

    pub fn def(&self, id: DefId) -> Option<&DefData> {
        self.crate_map(id.krate)?.defs.get(id.index as usize)
    }

    /// The lowered item behind a definition.
    pub fn item(&self, id: DefId) -> Option<&Item> {
        let map = self.crate_map(id.krate)?;
        let def = map.defs.get(id.index as usize)?;
        map.item(def)
    }

    pub fn module(&self, module: ModuleRef) -> Option<&ModuleData> {
        self.crate_map(module.krate)?
            .modules
            .get(module.module.0 as usize)
    }
}

/// Bounds on the work a crate's map takes, whatever the input.
const MAX_MODULE_DEPTH: usize = 64;
const MAX_IMPORT_ROUNDS: usize = 64;
const MAX_SUPER: usize = 64;
const MAX_ITEM_EXPANSIONS: usize = 4096;
const MAX_ITEM_EXPANSION_DEPTH: usize = 32;

impl DefMap {
    pub const ROOT: ModuleId = ModuleId(0);

    /// Builds the map of crate `krate` of `graph` (which holds the crates it depends on).
    pub fn build(
        input: CrateInput<'_>,
        krate: CrateId,
        graph: &CrateGraph,
        std: &dyn StdPaths,
    ) -> DefMap {
        let mut map = DefMap {
            krate,
            name: input.name,
            edition: input.edition,
            modules: Vec::new(),
            defs: Vec::new(),
            files: input.files,
            deps: input.deps.into_iter().collect(),
            proc_macro_deps: input.proc_macro_deps.into_iter().collect(),
            parent: input.parent,
            exported_macros: HashMap::new(),
            no_std: false,
            cfg: input.cfg.clone(),
            lowered: super::lower::LoweredDefs::default(),
            keys: std::sync::OnceLock::new(),
            impls: std::sync::OnceLock::new(),
            derived: std::sync::OnceLock::new(),
        };
        map.no_std = map
            .files
            .iter()
            .find(|file| file.module_path.is_empty())
            .and_then(|file| file.items.no_std.as_ref())
            .is_some_and(|cfg| input.cfg.enabled(cfg.as_ref()));
        map.collect_modules(input.cfg);
        map.collect_items(input.cfg);
        map.resolve_imports(input.cfg, graph, std);
        map.lowered = super::lower::LoweredDefs::with_len(map.defs.len());
        map
    }

    pub fn root(&self) -> ModuleRef {
        ModuleRef {
            krate: self.krate,
            module: DefMap::ROOT,
        }
    }

    pub fn module(&self, id: ModuleId) -> &ModuleData {
        &self.modules[id.0 as usize]
    }

    pub fn item(&self, def: &DefData) -> Option<&Item> {
        let (file, module, item) = def.source;
        self.files
            .get(file)?
            .items
            .modules
            .get(module)?
            .items
            .get(item)
    }

    /// The lowered module behind a module of the map.
    pub fn module_items(&self, id: ModuleId) -> Option<&ModuleItems> {
        let (file, module) = self.module(id).source?;
        self.files.get(file)?.items.modules.get(module)
    }

    pub fn macro_def(&self, macro_ref: MacroRef) -> Option<&MacroDef> {
        self.files
            .get(macro_ref.file)?
            .items
            .modules
            .get(macro_ref.module)?
            .macros
            .get(macro_ref.index)
    }

    /// The module at `path` from the root, if the crate has it.
    pub fn module_at(&self, path: &[String]) -> Option<ModuleId> {
        let mut module = DefMap::ROOT;
        for name in path {
            module = *self.module(module).children.get(name)?;
        }
        Some(module)
    }

    fn add_module(
        &mut self,
        parent: Option<ModuleId>,
        name: &str,
        complete: bool,
        vis: Visibility,
    ) -> ModuleId {
        let path = match parent {
            Some(parent) => {
                let mut path = self.module(parent).path.clone();
                path.push(name.to_string());
                path
            }
            None => Vec::new(),
        };
        let id = ModuleId(self.modules.len() as u32);
        self.modules.push(ModuleData {
            parent,
            name: name.to_string(),
            path,
            children: HashMap::new(),
            scope: ItemScope::default(),
            complete,
            source: None,
            macros: Vec::new(),
            expanded: Vec::new(),
        });
        if let Some(parent) = parent {
            let krate = self.krate;
            let data = &mut self.modules[parent.0 as usize];
            data.children.insert(name.to_string(), id);
            let entry = Entry {
                res: Res::Module(ModuleRef { krate, module: id }),
                vis,
                from_glob: false,
            };
            data.scope.define(Namespace::Types, name, entry);
        }
        id
    }

    /// The module tree: the root, each file's own module where its parent declares it, and the
    /// inline modules of each file. A `mod x;` without a file is an incomplete module.
    fn collect_modules(&mut self, cfg: &CfgOptions) {
        let by_path: HashMap<Vec<String>, usize> = self
            .files
            .iter()
            .enumerate()
            .map(|(index, file)| (file.module_path.clone(), index))
            .collect();
        let root = self.add_module(
            None,
            "",
            by_path.contains_key(&Vec::new()),
            Visibility::Public,
        );
        let Some(&root_file) = by_path.get(&Vec::new()) else {
            return;
        };
        let mut pending = vec![(root, root_file, 0usize)];
        while let Some((module, file, depth)) = pending.pop() {
            if depth > MAX_MODULE_DEPTH {
                continue;
            }
            pending.extend(self.attach_file(module, file, cfg, &by_path, depth));
        }
    }

    /// Attaches `file`'s modules under `module`; returns the child files to attach next.
    fn attach_file(
        &mut self,
        module: ModuleId,
        file: usize,
        cfg: &CfgOptions,
        by_path: &HashMap<Vec<String>, usize>,
        depth: usize,
    ) -> Vec<(ModuleId, usize, usize)> {
        let items = Arc::clone(&self.files[file].items);
        let mut next = Vec::new();
        // Inline modules come after their parents in `FileItems::modules`.
        let mut ids: HashMap<Vec<String>, ModuleId> = HashMap::new();
        for (index, module_items) in items.modules.iter().enumerate() {
            let id = if module_items.inline.is_empty() {
                module
            } else {
                let (last, parent_path) = match module_items.inline.split_last() {
                    Some(split) => split,
                    None => continue,
                };
                let Some(&parent) = (if parent_path.is_empty() {
                    Some(&module)
                } else {
                    ids.get(parent_path)
                }) else {
                    continue;
                };
                if !cfg.enabled(module_items.cfg.as_ref()) {
                    continue;
                }
                let vis = module_items.vis.clone().unwrap_or(Visibility::Private);
                self.add_module(Some(parent), last, true, vis)
            };
            ids.insert(module_items.inline.clone(), id);
            self.modules[id.0 as usize].source = Some((file, index));
            for child in &module_items.children {
                next.extend(self.attach_child(id, child, cfg, by_path, depth));
            }
        }
        next
    }

    fn attach_child(
        &mut self,
        parent: ModuleId,
        child: &ChildModule,
        cfg: &CfgOptions,
        by_path: &HashMap<Vec<String>, usize>,
        depth: usize,
    ) -> Option<(ModuleId, usize, usize)> {
        if !cfg.enabled(child.cfg.as_ref()) {
            return None;
        }
        let mut path = self.module(parent).path.clone();
        path.push(child.name.clone());
        let file = by_path.get(&path).copied();
        let id = self.add_module(Some(parent), &child.name, file.is_some(), child.vis.clone());
        file.map(|file| (id, file, depth + 1))
    }

    /// Defines every item of every module in its scope, and the macros of each module.
    fn collect_items(&mut self, cfg: &CfgOptions) {
        for module_index in 0..self.modules.len() {
            let id = ModuleId(module_index as u32);
            let Some((file, file_module)) = self.module(id).source else {
                continue;
            };
            let items = Arc::clone(&self.files[file].items);
            let Some(module_items) = items.modules.get(file_module) else {
                continue;
            };
            for (index, item) in module_items.items.iter().enumerate() {
                if cfg.enabled(item.cfg.as_ref()) {
                    self.define_item(id, (file, file_module, index), item);
                }
            }
            for (index, def) in module_items.macros.iter().enumerate() {
                let macro_ref = MacroRef {
                    file,
                    module: file_module,
                    index,
                };
                if def.exported {
                    self.exported_macros.insert(def.name.clone(), macro_ref);
                }
            }
        }
        self.collect_textual_macros();
        self.expand_item_macros(cfg);
        self.inject_std();
    }

    /// rustc puts `extern crate std;` (`core` under `#![no_std]`) at every crate's root: 2015
    /// paths start there (`use std::io;` is `::std::io`), and `crate::std` names it too.
    fn inject_std(&mut self) {
        let name = if self.no_std { "core" } else { "std" };
        let Some(root) = self.modules.first_mut() else {
            return;
        };
        let entry = Entry {
            res: Res::Std(StdDef::Module(name.to_string())),
            vis: Visibility::Private,
            from_glob: true,
        };
        root.scope.define(Namespace::Types, name, entry);
    }

    /// Expands the macro calls in item position (`cfg_x! { pub struct A; }`) with the crate's
    /// `macro_rules!`, defining what they expand to in their module, to a bounded depth.
    fn expand_item_macros(&mut self, cfg: &CfgOptions) {
        let mut queue: Vec<(ModuleId, MacroCall, usize)> = Vec::new();
        for index in 0..self.modules.len() {
            let id = ModuleId(index as u32);
            if let Some(items) = self.module_items(id) {
                queue.extend(items.macro_calls.iter().map(|call| (id, call.clone(), 0)));
            }
        }
        let mut budget = MAX_ITEM_EXPANSIONS;
        while let Some((module, call, depth)) = queue.pop() {
            if budget == 0 || depth >= MAX_ITEM_EXPANSION_DEPTH {
                continue;
            }
            budget -= 1;
            let Some(items) = self.expand_call(module, &call) else {
                continue;
            };
            let file = self.files.len();
            queue.extend(
                items.modules[0]
                    .macro_calls
                    .iter()
                    .map(|inner| (module, inner.clone(), depth + 1)),
            );
            self.files.push(CrateFile {
                module_path: vec!["{expansion}".into()],
                items,
            });
            self.modules[module.0 as usize].expanded.push(file);
            let items = Arc::clone(&self.files[file].items);
            for (index, item) in items.modules[0].items.iter().enumerate() {
                if cfg.enabled(item.cfg.as_ref()) {
                    self.define_item(module, (file, 0, index), item);
                }
            }
        }
    }

    /// The items a macro call in `module` expands to: the file an `include!` names (read by
    /// the crate index), or the expansion of one of the crate's macros.
    fn expand_call(&self, module: ModuleId, call: &MacroCall) -> Option<Arc<FileItems>> {
        let name = call.path.last_name();
        if name == "include" {
            let (file, _) = self.module(module).source?;
            let included = &self.files.get(file)?.items.included;
            let found = included.iter().find(|part| part.tokens == call.tokens)?;
            return Some(Arc::clone(&found.items));
        }
        self.expand_rules(module, call).map(Arc::new)
    }

    /// The items a call of one of the crate's `macro_rules!` in `module` expands to.
    fn expand_rules(&self, module: ModuleId, call: &MacroCall) -> Option<FileItems> {
        let name = call.path.last_name();
        let found = self
            .module(module)
            .macros
            .iter()
            .rev()
            .find(|macro_ref| {
                self.macro_def(**macro_ref)
                    .is_some_and(|def| def.name == name)
            })
            .or_else(|| self.exported_macros.get(name))?;
        let rules = crate::analysis::syntax::respan::parse_rules_text(
            &self.macro_def(*found)?.body,
            self.edition,
        )?;
        let input: proc_macro2::TokenStream = call.tokens.parse().ok()?;
        let crate_path = quote::quote!(crate);
        let expanded = rules.expand(input, &crate_path).ok()?;
        let file: syn::File = syn::parse2(expanded).ok()?;
        let mut items = FileItems::lower(file.items.iter().map(|item| (item, 0)));
        // Positions in an expansion are not positions in the file.
        for module_items in &mut items.modules {
            module_items
                .items
                .iter_mut()
                .for_each(|item| item.name_range = None);
        }
        Some(items)
    }

    /// Textual macro scope: a module sees the macros of its ancestors and its own (defined
    /// before it or in it), and those of `#[macro_use]` children.
    fn collect_textual_macros(&mut self) {
        let order: Vec<ModuleId> = (0..self.modules.len() as u32).map(ModuleId).collect();
        for id in order {
            let mut visible = self
                .module(id)
                .parent
                .map(|parent| self.module(parent).macros.clone())
                .unwrap_or_default();
            if let Some((file, file_module)) = self.module(id).source {
                let count = self.files[file].items.modules[file_module].macros.len();
                visible.extend((0..count).map(|index| MacroRef {
                    file,
                    module: file_module,
                    index,
                }));
            }
            self.modules[id.0 as usize].macros = visible;
        }
    }

    fn define_item(&mut self, module: ModuleId, source: (usize, usize, usize), item: &Item) {
        let kind = match &item.kind {
            ItemKind::Adt(_) => DefKind::Adt,
            ItemKind::Alias { .. } => DefKind::Alias,
            ItemKind::Fn(_) => DefKind::Fn,
            ItemKind::Const { .. } => DefKind::Const,
            ItemKind::Static { .. } => DefKind::Static,
            ItemKind::Trait(_) => DefKind::Trait,
            ItemKind::Impl(_) => DefKind::Impl,
            ItemKind::ExternCrate { krate } => {
                let res = self.extern_crate(krate);
                let entry = Entry {
                    res,
                    vis: item.vis.clone(),
                    from_glob: false,
                };
                self.modules[module.0 as usize]
                    .scope
                    .define(Namespace::Types, &item.name, entry);
                return;
            }
        };
        let id = DefId {
            krate: self.krate,
            index: self.defs.len() as u32,
        };
        let key = self.key_for(module, &item.name, kind);
        self.defs.push(DefData {
            module,
            name: item.name.clone(),
            kind,
            key,
            source,
        });
        if kind == DefKind::Impl {
            return;
        }
        let entry = Entry {
            res: Res::Def(id),
            vis: item.vis.clone(),
            from_glob: false,
        };
        let scope = &mut self.modules[module.0 as usize].scope;
        let namespaces: &[Namespace] = match &item.kind {
            // Tuple and unit structs are also their constructor.
            ItemKind::Adt(adt)
                if adt.kind == crate::analysis::defs::AdtKind::Struct
                    && adt
                        .variants
                        .first()
                        .is_some_and(|v| v.shape != super::item_tree::VariantShape::Named) =>
            {
                &[Namespace::Types, Namespace::Values]
            }
            ItemKind::Adt(_) | ItemKind::Alias { .. } | ItemKind::Trait(_) => &[Namespace::Types],
            _ => &[Namespace::Values],
        };
        for &ns in namespaces {
            scope.define(ns, &item.name, entry.clone());
        }
    }

    /// `crate::a::b::Name`-style keys, unique in the graph; impls are numbered in their module.
    fn key_for(&self, module: ModuleId, name: &str, kind: DefKind) -> String {
        let mut key = format!("::{}", self.name);
        for segment in &self.module(module).path {
            key.push_str("::");
            key.push_str(segment);
        }
        key.push_str("::");
        if kind == DefKind::Impl {
            let count = self.defs.iter().filter(|d| d.kind == DefKind::Impl).count();
            key.push_str(&format!("{{impl#{count}}}"));
        } else {
            key.push_str(name);
        }
        key
    }

    fn extern_crate(&self, name: &str) -> Res {
        match name {
            "std" | "core" | "alloc" => Res::Std(StdDef::Module(name.to_string())),
            _ => match self.deps.get(name) {
                Some(Some(krate)) => Res::Module(ModuleRef {
                    krate: *krate,
                    module: DefMap::ROOT,
                }),
                _ => Res::Extern(name.to_string()),
            },
        }
    }

    /// Resolves every module's `use` items to a fixed point; those still unresolved then name
    /// something memlens cannot see and define their names as `Unknown`.
    fn resolve_imports(&mut self, cfg: &CfgOptions, graph: &CrateGraph, std: &dyn StdPaths) {
        let mut pending: Vec<(ModuleId, UseItem)> = Vec::new();
        for index in 0..self.modules.len() {
            let id = ModuleId(index as u32);
            let expanded = self
                .module(id)
                .expanded
                .iter()
                .map(|&file| &self.files[file].items.modules[0]);
            for module_items in self.module_items(id).into_iter().chain(expanded) {
                pending.extend(
                    module_items
                        .uses
                        .iter()
                        .filter(|u| cfg.enabled(u.cfg.as_ref()))
                        .map(|u| (id, u.clone())),
                );
            }
        }
        // Globs are applied again every round: the module they import from may have grown.
        let mut globs: Vec<(ModuleId, UseItem, Res)> = Vec::new();
        for _ in 0..MAX_IMPORT_ROUNDS {
            let mut changed = false;
            let mut still = Vec::new();
            for (module, import) in pending {
                match self.resolve_import(module, &import, graph, std) {
                    Some(resolved) if import.glob => {
                        globs.push((module, import, resolved.types.unwrap_or(Res::Unknown)));
                        changed = true;
                    }
                    Some(resolved) => {
                        changed |= self.define_import(module, &import, resolved);
                    }
                    None => still.push((module, import)),
                }
            }
            pending = still;
            for (module, import, source) in &globs {
                changed |= self.apply_glob(*module, import, source, graph, std);
            }
            if !changed {
                break;
            }
        }
        for (module, import) in pending {
            let unknown = PerNs::all(Res::Unknown);
            if !import.glob {
                self.define_import(module, &import, unknown);
            }
        }
    }

    /// Resolves one import's path in every namespace; `None` while some prefix is not known yet.
    fn resolve_import(
        &self,
        module: ModuleId,
        import: &UseItem,
        graph: &CrateGraph,
        std: &dyn StdPaths,
    ) -> Option<PerNs> {
        let names: Vec<&str> = import.path.iter().map(String::as_str).collect();
        let (start, rest) = self.import_start(module, import.global, &names, graph, std)?;
        if import.glob {
            let target = self.walk_types(start, rest, graph, std)?;
            return Some(PerNs {
                types: Some(target),
                ..PerNs::default()
            });
        }
        let Some((last, middle)) = rest.split_last() else {
            // `use a::b::{self}` or `use crate_name;`: the start itself.
            return Some(PerNs {
                types: Some(start),
                ..PerNs::default()
            });
        };
        let parent = self.walk_types(start, middle, graph, std)?;
        self.lookup_all(&parent, last, graph, std)
    }

    /// Where an import path starts: `crate`, `self`, `super`, a crate name, or (2018+) a name in
    /// scope in the module; returns the start and the segments after it.
    fn import_start<'n>(
        &self,
        module: ModuleId,
        global: bool,
        names: &'n [&'n str],
        graph: &CrateGraph,
        std: &dyn StdPaths,
    ) -> Option<(Res, &'n [&'n str])> {
        if let Some(parent) = self.parent.filter(|_| module == DefMap::ROOT) {
            return self.block_import_start(parent, global, names, graph, std);
        }
        let (&first, rest) = names.split_first()?;
        let local = |id: ModuleId| {
            Res::Module(ModuleRef {
                krate: self.krate,
                module: id,
            })
        };
        match first {
            "crate" => return Some((local(DefMap::ROOT), rest)),
            "self" => return Some((local(module), rest)),
            "super" => {
                let mut at = module;
                let mut rest = names;
                for _ in 0..MAX_SUPER {
                    match rest.split_first() {
                        Some((&"super", tail)) => {
                            at = self.module(at).parent?;
                            rest = tail;
                        }
                        _ => break,
                    }
                }
                return Some((local(at), rest));
            }
            _ => {}
        }
        if self.edition == Edition::E2015 && !global {
            // 2015: `use` paths start at the crate root.
            return Some((local(DefMap::ROOT), names));
        }
        if global {
            return Some((self.extern_root(first, std), rest));
        }
        // 2018+: a name in scope here, else a crate name.
        let in_scope = self
            .module(module)
            .scope
            .get(Namespace::Types, first)
            .cloned();
        match in_scope {
            Some(res) => Some((res, rest)),
            None if self.is_extern_name(first) => Some((self.extern_root(first, std), rest)),
            None => {
                // A later import may define it; an unknown name in a complete module is final.
                None
            }
        }
    }

    /// Where an import written among a body's items starts: what the block defines itself,
    /// else what the path means in the module around the body.
    fn block_import_start<'n>(
        &self,
        parent: ModuleRef,
        global: bool,
        names: &'n [&'n str],
        graph: &CrateGraph,
        std: &dyn StdPaths,
    ) -> Option<(Res, &'n [&'n str])> {
        let (&first, rest) = names.split_first()?;
        let outer = super::resolve::Scope::new(graph, parent.krate, parent.module, std);
        let in_block = self.module(DefMap::ROOT).scope.get(Namespace::Types, first);
        if let (false, Some(res)) = (global, in_block) {
            return Some((res.clone(), rest));
        }
        if !global && self.block_defines(first) {
            // A later round resolves the block's own import of it.
            return None;
        }
        let keyword = matches!(first, "crate" | "self" | "super");
        let edition_2015 = graph
            .crate_map(parent.krate)
            .is_some_and(|map| map.edition == Edition::E2015);
        // 2015: an import path starts at the crate root, as `::a` does.
        let from_root = !keyword && (global || edition_2015);
        let (res, used) = outer.path_start(from_root, names, Namespace::Types)?;
        Some((res, names.get(used..).unwrap_or(&[])))
    }

    /// Whether the block's own items or (non-glob) imports define `name`.
    fn block_defines(&self, name: &str) -> bool {
        self.module_items(DefMap::ROOT).is_some_and(|items| {
            items.uses.iter().any(|u| u.defined_name() == Some(name))
                || items.items.iter().any(|item| item.name == name)
        })
    }

    fn is_extern_name(&self, name: &str) -> bool {
        matches!(name, "std" | "core" | "alloc") || self.deps.contains_key(name)
    }

    fn extern_root(&self, name: &str, _std: &dyn StdPaths) -> Res {
        self.extern_crate(name)
    }

    /// Follows `names` through modules and enums in the type namespace.
    fn walk_types(
        &self,
        mut at: Res,
        names: &[&str],
        graph: &CrateGraph,
        std: &dyn StdPaths,
    ) -> Option<Res> {
        for name in names {
            let next = self.lookup_all(&at, name, graph, std)?;
            at = next.types.unwrap_or(Res::Unknown);
            if at.is_unknown() {
                return Some(at);
            }
        }
        Some(at)
    }

    /// What `name` means inside `parent` (a module or an enum), in every namespace; `None`
    /// while it may still be defined by an import not yet resolved.
    fn lookup_all(
        &self,
        parent: &Res,
        name: &str,
        graph: &CrateGraph,
        std: &dyn StdPaths,
    ) -> Option<PerNs> {
        match parent {
            Res::Module(module) => self.lookup_in_module(*module, name, graph),
            Res::Std(StdDef::Module(path)) => {
                let mut full: Vec<&str> = path.split("::").collect();
                full.push(name);
                Some(std_per_ns(std.resolve(&full)))
            }
            // `use std::cmp::Ordering::Less;`: std's enums' variants.
            Res::Std(StdDef::Type(key)) => Some(std_per_ns(std.variant(key, name))),
            Res::Def(def) => {
                let variant = self.enum_variant(graph, *def, name);
                Some(match variant {
                    Some(res) => PerNs {
                        types: Some(res.clone()),
                        values: Some(res),
                        macros: None,
                    },
                    None => PerNs::all(Res::Unknown),
                })
            }
            Res::Extern(krate) if self.proc_macro_deps.contains(krate) => Some(PerNs {
                macros: Some(Res::Unknown),
                ..PerNs::default()
            }),
            _ => Some(PerNs::all(Res::Unknown)),
        }
    }

    fn lookup_in_module(&self, module: ModuleRef, name: &str, graph: &CrateGraph) -> Option<PerNs> {
        let map: &DefMap = if module.krate == self.krate {
            self
        } else {
            graph.crate_map(module.krate)?
        };
        let data = map.modules.get(module.module.0 as usize)?;
        let types = data.scope.get(Namespace::Types, name).cloned().or_else(|| {
            data.children.get(name).map(|&child| {
                Res::Module(ModuleRef {
                    krate: module.krate,
                    module: child,
                })
            })
        });
        let values = data.scope.get(Namespace::Values, name).cloned();
        let macros = data
            .scope
            .get(Namespace::Macros, name)
            .cloned()
            .or_else(|| {
                (module.module == DefMap::ROOT)
                    .then(|| map.exported_macros.get(name))
                    .flatten()
                    .map(|&macro_ref| Res::Macro(module.krate, macro_ref))
            });
        if types.is_none() && values.is_none() && macros.is_none() {
            if !data.complete {
                return Some(PerNs::all(Res::Unknown));
            }
            // Nothing yet; an import still pending may define it (`None` asks to wait).
            return None;
        }
        Some(PerNs {
            types,
            values,
            macros,
        })
    }

    /// A variant of the crate's enum `def` by name.
    fn enum_variant(&self, graph: &CrateGraph, def: DefId, name: &str) -> Option<Res> {
        let item = if def.krate == self.krate {
            self.item(self.defs.get(def.index as usize)?)?
        } else {
            graph.item(def)?
        };
        let ItemKind::Adt(adt) = &item.kind else {
            return None;
        };
        if adt.kind != crate::analysis::defs::AdtKind::Enum {
            return None;
        }
        let index = adt.variants.iter().position(|v| v.name == name)?;
        Some(Res::Variant(def, index))
    }

    fn define_import(&mut self, module: ModuleId, import: &UseItem, resolved: PerNs) -> bool {
        let Some(name) = import.defined_name().map(str::to_string) else {
            return false;
        };
        let scope = &mut self.modules[module.0 as usize].scope;
        if name == "_" {
            if let Some(res) = resolved.types {
                scope.anonymous_traits.push(res);
            }
            return true;
        }
        let mut changed = false;
        for (ns, res) in resolved.into_iter() {
            let entry = Entry {
                res,
                vis: import.vis.clone(),
                from_glob: false,
            };
            changed |= scope.define(ns, &name, entry);
        }
        changed
    }

    /// Brings in every name of `source` visible from `module` that `module` does not define.
    fn apply_glob(
        &mut self,
        module: ModuleId,
        import: &UseItem,
        source: &Res,
        graph: &CrateGraph,
        std: &dyn StdPaths,
    ) -> bool {
        let names = self.glob_names(module, source, graph, std);
        let scope = &mut self.modules[module.0 as usize].scope;
        let mut changed = false;
        for (ns, name, res) in names {
            let entry = Entry {
                res,
                vis: import.vis.clone(),
                from_glob: true,
            };
            changed |= scope.define(ns, &name, entry);
        }
        changed
    }

    /// The names a glob import of `source` brings into `module`.
    fn glob_names(
        &self,
        module: ModuleId,
        source: &Res,
        graph: &CrateGraph,
        std: &dyn StdPaths,
    ) -> Vec<(Namespace, String, Res)> {
        match source {
            Res::Module(from) => {
                let map: &DefMap = if from.krate == self.krate {
                    self
                } else {
                    match graph.crate_map(from.krate) {
                        Some(map) => map,
                        None => return Vec::new(),
                    }
                };
                let Some(data) = map.modules.get(from.module.0 as usize) else {
                    return Vec::new();
                };
                let mut names = Vec::new();
                for ns in [Namespace::Types, Namespace::Values, Namespace::Macros] {
                    for (name, entry) in data.scope.namespace(ns) {
                        let visible = from.krate == self.krate
                            && self.visible_from(&entry.vis, from.module, module)
                            || entry.vis == Visibility::Public;
                        if visible {
                            names.push((ns, name.clone(), entry.res.clone()));
                        }
                    }
                }
                names
            }
            Res::Def(def) => {
                let Some(item) = graph.item(*def).or_else(|| {
                    (def.krate == self.krate)
                        .then(|| self.defs.get(def.index as usize))
                        .flatten()
                        .and_then(|d| self.item(d))
                }) else {
                    return Vec::new();
                };
                let ItemKind::Adt(adt) = &item.kind else {
                    return Vec::new();
                };
                adt.variants
                    .iter()
                    .enumerate()
                    .flat_map(|(index, variant)| {
                        [Namespace::Types, Namespace::Values]
                            .map(|ns| (ns, variant.name.clone(), Res::Variant(*def, index)))
                    })
                    .collect()
            }
            Res::Std(StdDef::Module(path)) => {
                let segments: Vec<&str> = path.split("::").collect();
                std.module_names(&segments)
                    .into_iter()
                    .flat_map(|(name, def)| {
                        let per_ns = std_per_ns(Some(def));
                        per_ns
                            .into_iter()
                            .map(move |(ns, res)| (ns, name.clone(), res))
                            .collect::<Vec<_>>()
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// Whether an item of `owner` with visibility `vis` may be named from `from`.
    pub fn visible_from(&self, vis: &Visibility, owner: ModuleId, from: ModuleId) -> bool {
        match vis {
            Visibility::Public | Visibility::Crate => true,
            Visibility::Private => self.is_within(from, owner),
            Visibility::Super => match self.module(owner).parent {
                Some(parent) => self.is_within(from, parent),
                None => true,
            },
            Visibility::In(path) => {
                let names: Vec<String> = path
                    .names()
                    .filter(|name| *name != "crate")
                    .map(str::to_string)
                    .collect();
                match self.module_at(&names) {
                    Some(scope) => self.is_within(from, scope),
                    None => true,
                }
            }
        }
    }

    /// Whether `module` is `ancestor` or inside it.
    pub fn is_within(&self, module: ModuleId, ancestor: ModuleId) -> bool {
        let mut at = Some(module);
        for _ in 0..=MAX_MODULE_DEPTH * 2 {
            match at {
                Some(id) if id == ancestor => return true,
                Some(id) => at = self.module(id).parent,
                None => return false,
            }
        }
        false
    }
}

/// A meaning per namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PerNs {
    pub types: Option<Res>,
    pub values: Option<Res>,
    pub macros: Option<Res>,
}

impl PerNs {
    pub fn all(res: Res) -> PerNs {
        PerNs {
            types: Some(res.clone()),
            values: Some(res.clone()),
            macros: Some(res),
        }
    }

    pub fn get(&self, ns: Namespace) -> Option<&Res> {
        match ns {
            Namespace::Types => self.types.as_ref(),
            Namespace::Values => self.values.as_ref(),
            Namespace::Macros => self.macros.as_ref(),
        }
    }

    fn into_iter(self) -> impl Iterator<Item = (Namespace, Res)> {
        [
            (Namespace::Types, self.types),
            (Namespace::Values, self.values),
            (Namespace::Macros, self.macros),
        ]
        .into_iter()
        .filter_map(|(ns, res)| Some((ns, res?)))
    }
}

/// A std item in the namespaces it lives in.
fn std_per_ns(def: Option<StdDef>) -> PerNs {
    let Some(def) = def else {
        // A path into std that std does not have: the crate would not compile; stay unknown.
        return PerNs::all(Res::Unknown);
    };
    let res = Res::Std(def.clone());
    match def {
        StdDef::Module(_) | StdDef::Type(_) | StdDef::Primitive(_) => PerNs {
            types: Some(res),
            ..PerNs::default()
        },
        StdDef::Fn(_) | StdDef::Const(_) | StdDef::Static(_) => PerNs {
            values: Some(res),
            ..PerNs::default()
        },
        StdDef::Variant { .. } => PerNs {
            types: Some(res.clone()),
            values: Some(res),
            macros: None,
        },
        StdDef::Macro(_) => PerNs {
            macros: Some(res),
            ..PerNs::default()
        },
    }
}

/// Why a `PathRef` is about to be resolved: the part of a path before its last segment names
/// modules or types; a `use` path is read differently in 2015.
pub fn path_is_plain(path: &PathRef) -> bool {
    path.qself.is_none()
}

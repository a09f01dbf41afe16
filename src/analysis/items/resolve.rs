//! Resolving a written path, from a module or a block inside a function, to what it names.
//!
//! A single name is looked up as rustc does: the blocks around it (their items and `use`s), the
//! module's items and imports (glob ones last), the crates the crate depends on, std's prelude,
//! then the primitive types. A longer path walks modules until it reaches a type; what follows a
//! type is an associated item, which name resolution leaves to inference (`Vec::new`).

use super::def_map::{
    CrateGraph, CrateId, DefMap, Edition, ItemScope, ModuleId, ModuleRef, Namespace, Res, StdDef,
    StdPaths,
};
use super::item_tree::PathRef;

/// Where a path is written: a module of a crate, and the block scopes around it, innermost last.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub graph: &'a CrateGraph,
    pub krate: CrateId,
    pub module: ModuleId,
    pub std: &'a dyn StdPaths,
    pub blocks: &'a [ItemScope],
}

/// What a path resolved to, and how many of its segments that took; the segments after them
/// name associated items (`Vec::new`, `Self::Item`, `u32::MAX`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathResolution {
    pub res: Res,
    pub resolved: usize,
}

/// Bounds on hostile input.
const MAX_SEGMENTS: usize = 64;
const MAX_SUPER: usize = 64;

impl<'a> Scope<'a> {
    pub fn new(
        graph: &'a CrateGraph,
        krate: CrateId,
        module: ModuleId,
        std: &'a dyn StdPaths,
    ) -> Self {
        Scope {
            graph,
            krate,
            module,
            std,
            blocks: &[],
        }
    }

    pub fn with_blocks(self, blocks: &'a [ItemScope]) -> Self {
        Scope { blocks, ..self }
    }

    pub fn def_map(&self) -> Option<&'a DefMap> {
        self.graph.crate_map(self.krate)
    }

    fn edition(&self) -> Edition {
        self.def_map().map_or(Edition::E2021, |map| map.edition)
    }

    fn module_ref(&self, module: ModuleId) -> Res {
        Res::Module(ModuleRef {
            krate: self.krate,
            module,
        })
    }

    /// What a single name means here in `ns`.
    pub fn resolve_name(&self, name: &str, ns: Namespace) -> Option<Res> {
        for block in self.blocks.iter().rev() {
            if let Some(res) = block.get(ns, name) {
                return Some(res.clone());
            }
        }
        let map = self.def_map()?;
        let module = map.module(self.module);
        if let Some(res) = module.scope.get(ns, name) {
            return Some(res.clone());
        }
        if ns == Namespace::Types
            && let Some(&child) = module.children.get(name)
        {
            return Some(self.module_ref(child));
        }
        if let Some(outer) = self.block_parent() {
            return outer.resolve_name(name, ns);
        }
        if ns == Namespace::Types
            && self.edition() >= Edition::E2018
            && let Some(res) = self.extern_crate(name)
        {
            return Some(res);
        }
        if ns == Namespace::Macros
            && let Some(res) = self.textual_macro(name)
        {
            return Some(res);
        }
        // A `#![no_std]` crate has core's prelude: std's without what `alloc` provides.
        let alloc_only = matches!(name, "Box" | "String" | "Vec" | "ToOwned" | "ToString");
        if (!map.no_std || !alloc_only || ns == Namespace::Macros)
            && let Some(def) = self.std.prelude(self.edition(), name)
        {
            return Some(Res::Std(def));
        }
        None
    }

    /// The scope around a function body, when this is the top of the body's own items: names
    /// the block does not define mean what they mean there.
    fn block_parent(&self) -> Option<Scope<'a>> {
        let parent = self
            .def_map()?
            .parent
            .filter(|_| self.module == DefMap::ROOT)?;
        Some(Scope::new(
            self.graph,
            parent.krate,
            parent.module,
            self.std,
        ))
    }

    /// The innermost `macro_rules!` of that name in textual scope, else an exported one.
    fn textual_macro(&self, name: &str) -> Option<Res> {
        let map = self.def_map()?;
        let module = map.module(self.module);
        let found = module
            .macros
            .iter()
            .rev()
            .find(|macro_ref| {
                map.macro_def(**macro_ref)
                    .is_some_and(|def| def.name == name)
            })
            .or_else(|| map.exported_macros.get(name))?;
        Some(Res::Macro(self.krate, *found))
    }

    /// A name of the extern prelude: the crate's dependencies, `std` and `core`, and `alloc`
    /// (which is there only after an `extern crate alloc;` at the root, without which a path
    /// through it does not compile).
    fn extern_crate(&self, name: &str) -> Option<Res> {
        let map = self.def_map()?;
        match name {
            "std" | "core" | "alloc" => Some(Res::Std(StdDef::Module(name.to_string()))),
            _ if map.name == name => Some(self.module_ref(DefMap::ROOT)),
            _ => match map.deps.get(name)? {
                Some(krate) => Some(Res::Module(ModuleRef {
                    krate: *krate,
                    module: DefMap::ROOT,
                })),
                None => Some(Res::Extern(name.to_string())),
            },
        }
    }

    /// Resolves `path` as far as modules and items go; the last resolved segment is looked up in
    /// `ns` when it is the path's last one, in the type namespace otherwise.
    pub fn resolve_path(&self, path: &PathRef, ns: Namespace) -> Option<PathResolution> {
        if path.qself.is_some() || path.segments.is_empty() || path.segments.len() > MAX_SEGMENTS {
            return None;
        }
        let names: Vec<&str> = path.names().collect();
        let (mut res, mut used) = self.path_start(path.global, &names, ns)?;
        if res.is_unknown() {
            used = names.len();
        }
        while used < names.len() {
            if !matches!(res, Res::Module(_) | Res::Std(StdDef::Module(_))) {
                break;
            }
            let last = used + 1 == names.len();
            let wanted = if last { ns } else { Namespace::Types };
            res = self.lookup_in(&res, names[used], wanted)?;
            used += 1;
            if res.is_unknown() {
                // Nothing after an unknown module can be known.
                return Some(PathResolution {
                    res,
                    resolved: names.len(),
                });
            }
        }
        Some(PathResolution {
            res,
            resolved: used,
        })
    }

    /// The meaning of a path's first segment(s): `crate`, `self`, `super::super`, `::krate`,
    /// or a name in scope.
    pub fn path_start(&self, global: bool, names: &[&str], ns: Namespace) -> Option<(Res, usize)> {
        let first = *names.first()?;
        if let Some(outer) = self.block_parent() {
            let keyword = matches!(first, "crate" | "self" | "super");
            if keyword || global {
                return outer.path_start(global, names, ns);
            }
        }
        let wanted = if names.len() == 1 {
            ns
        } else {
            Namespace::Types
        };
        match first {
            "crate" => Some((self.module_ref(DefMap::ROOT), 1)),
            "self" if names.len() > 1 => Some((self.module_ref(self.module), 1)),
            "super" => {
                let map = self.def_map()?;
                let mut at = self.module;
                let mut used = 0;
                while used < names.len().min(MAX_SUPER) && names[used] == "super" {
                    at = map.module(at).parent?;
                    used += 1;
                }
                Some((self.module_ref(at), used))
            }
            _ if global => {
                if self.edition() == Edition::E2015 {
                    // 2015: `::a::b` starts at the crate root.
                    let map = self.def_map()?;
                    let root = self.module_ref(DefMap::ROOT);
                    let _ = map;
                    return Some((self.lookup_in(&root, first, wanted)?, 1));
                }
                Some((self.extern_crate(first)?, 1))
            }
            _ => Some((self.resolve_name(first, wanted)?, 1)),
        }
    }

    /// What `name` means inside the module `parent`.
    fn lookup_in(&self, parent: &Res, name: &str, ns: Namespace) -> Option<Res> {
        match parent {
            Res::Module(module) => {
                let data = self.graph.module(*module)?;
                if let Some(res) = data.scope.get(ns, name) {
                    return Some(res.clone());
                }
                if ns == Namespace::Types
                    && let Some(&child) = data.children.get(name)
                {
                    return Some(Res::Module(ModuleRef {
                        krate: module.krate,
                        module: child,
                    }));
                }
                if ns == Namespace::Macros && module.module == DefMap::ROOT {
                    let map = self.graph.crate_map(module.krate)?;
                    if let Some(found) = map.exported_macros.get(name) {
                        return Some(Res::Macro(module.krate, *found));
                    }
                }
                (!data.complete).then_some(Res::Unknown)
            }
            Res::Std(StdDef::Module(path)) => {
                let mut full: Vec<&str> = path.split("::").collect();
                full.push(name);
                let def = self.std.resolve(&full)?;
                Some(Res::Std(def))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::analysis::items::cfg::CfgOptions;
    use crate::analysis::items::def_map::{CrateFile, CrateInput};
    use crate::analysis::items::item_tree::FileItems;
    use crate::analysis::target::Target;

    /// A std with a handful of paths, enough to see that paths into std go there.
    struct TinyStd;

    impl StdPaths for TinyStd {
        fn resolve(&self, path: &[&str]) -> Option<StdDef> {
            match path {
                ["std" | "core", "collections"] => Some(StdDef::Module("std::collections".into())),
                ["std" | "core", "collections", "HashMap"] => Some(StdDef::Type("HashMap".into())),
                ["std", "mem"] => Some(StdDef::Module("std::mem".into())),
                ["std", "mem", "swap"] => Some(StdDef::Fn("core::mem::swap".into())),
                _ => None,
            }
        }
        fn prelude(&self, _: Edition, name: &str) -> Option<StdDef> {
            matches!(name, "Vec" | "Option" | "String").then(|| StdDef::Type(name.into()))
        }
        fn module_names(&self, module: &[&str]) -> Vec<(String, StdDef)> {
            match module {
                ["std", "collections"] => vec![("HashMap".into(), StdDef::Type("HashMap".into()))],
                _ => Vec::new(),
            }
        }
        fn variant(&self, _: &str, _: &str) -> Option<StdDef> {
            None
        }
    }

    /// Builds a crate from `//- path` sections; the first is the root.
    fn build(fixture: &str) -> CrateGraph {
        build_in(fixture, Edition::E2021)
    }

    fn build_in(fixture: &str, edition: Edition) -> CrateGraph {
        let mut files = Vec::new();
        for section in fixture.split("//- ").filter(|s| !s.trim().is_empty()) {
            let (header, text) = section.split_once('\n').unwrap_or((section, ""));
            let module_path: Vec<String> = header
                .trim()
                .split("::")
                .filter(|s| !s.is_empty() && *s != "crate")
                .map(str::to_string)
                .collect();
            let file = syn::parse_file(text).expect("fixture parses");
            let items = FileItems::lower(file.items.iter().map(|item| (item, 0)));
            files.push(CrateFile {
                module_path,
                items: Arc::new(items),
            });
        }
        let cfg = CfgOptions::for_build(&Target::X86_64_LINUX, &[], false);
        let input = CrateInput {
            name: "demo".into(),
            edition,
            files,
            cfg: &cfg,
            deps: vec![("serde".into(), None)],
            proc_macro_deps: Vec::new(),
            parent: None,
        };
        let mut graph = CrateGraph::default();
        let map = DefMap::build(input, CrateId(0), &graph, &TinyStd);
        graph.crates.push(Arc::new(map));
        graph
    }

    /// Resolves `path` in the module at `module` (names separated by `::`) and names the result.
    fn resolve(graph: &CrateGraph, module: &str, path: &str, ns: Namespace) -> String {
        let map = graph.crate_map(CrateId(0)).unwrap();
        let names: Vec<String> = module
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let module = map.module_at(&names).expect("module exists");
        let scope = Scope::new(graph, CrateId(0), module, &TinyStd);
        let syn_path: syn::Path = syn::parse_str(path).expect("path parses");
        let path_ref = crate::analysis::items::item_tree::path_ref(&syn_path);
        match scope.resolve_path(&path_ref, ns) {
            None => "unresolved".into(),
            Some(resolution) => {
                let res = match &resolution.res {
                    Res::Def(def) => graph.def(*def).unwrap().key.clone(),
                    Res::Module(m) => format!("mod {}", graph.module(*m).unwrap().path.join("::")),
                    other => format!("{other:?}"),
                };
                format!("{res} +{}", path_ref.segments.len() - resolution.resolved)
            }
        }
    }

    #[test]
    fn same_names_in_different_modules_stay_apart() {
        let graph = build(
            "//- crate\n\
             mod a; mod b;\n\
             use a::Config;\n\
             //- a\n\
             pub struct Config { pub x: u8 }\n\
             //- b\n\
             pub struct Config { pub y: u64 }\n\
             pub fn f() {}\n",
        );
        let types = Namespace::Types;
        assert_eq!(resolve(&graph, "", "Config", types), "::demo::a::Config +0");
        assert_eq!(
            resolve(&graph, "", "b::Config", types),
            "::demo::b::Config +0"
        );
        assert_eq!(
            resolve(&graph, "b", "Config", types),
            "::demo::b::Config +0"
        );
        assert_eq!(
            resolve(&graph, "a", "super::b::Config", types),
            "::demo::b::Config +0"
        );
        assert_eq!(
            resolve(&graph, "a", "crate::Config", types),
            "::demo::a::Config +0"
        );
        assert_eq!(
            resolve(&graph, "", "b::f", Namespace::Values),
            "::demo::b::f +0"
        );
    }

    #[test]
    fn globs_reexports_and_ambiguity() {
        let graph = build(
            "//- crate\n\
             mod a; mod b; mod c;\n\
             pub use c::*;\n\
             use a::*; use b::*;\n\
             //- a\n\
             pub struct Shared; pub struct OnlyA;\n\
             //- b\n\
             pub struct Shared; struct Private;\n\
             //- c\n\
             mod deep { pub struct Deep; }\n\
             pub use self::deep::Deep as Renamed;\n",
        );
        let types = Namespace::Types;
        assert_eq!(resolve(&graph, "", "OnlyA", types), "::demo::a::OnlyA +0");
        assert_eq!(resolve(&graph, "", "Shared", types), "Unknown +0");
        assert_eq!(resolve(&graph, "", "Private", types), "unresolved");
        assert_eq!(
            resolve(&graph, "", "Renamed", types),
            "::demo::c::deep::Deep +0"
        );
    }

    #[test]
    fn std_prelude_extern_crates_and_associated_items() {
        let graph = build(
            "//- crate\n\
             use std::collections::*;\n\
             struct Vec;\n\
             mod m { pub fn g() {} }\n",
        );
        let types = Namespace::Types;
        assert_eq!(
            resolve(&graph, "", "HashMap", types),
            "Std(Type(\"HashMap\")) +0"
        );
        assert_eq!(resolve(&graph, "", "Vec", types), "::demo::Vec +0");
        assert_eq!(resolve(&graph, "m", "Vec", types), "Std(Type(\"Vec\")) +0");
        assert_eq!(
            resolve(&graph, "", "Option::Some", Namespace::Values),
            "Std(Type(\"Option\")) +1"
        );
        assert_eq!(
            resolve(&graph, "", "serde::Value", types),
            "Extern(\"serde\") +0"
        );
        assert_eq!(
            resolve(&graph, "", "std::mem::swap", Namespace::Values),
            "Std(Fn(\"core::mem::swap\")) +0"
        );
        assert_eq!(
            resolve(&graph, "", "m::g", Namespace::Values),
            "::demo::m::g +0"
        );
    }

    #[test]
    fn edition_2015_paths_start_at_the_crate_root_where_std_is() {
        let graph = build_in(
            "//- crate\nuse std::collections::HashMap;\nmod m;\n//- m\nuse Top;\npub struct Inner;\n",
            Edition::E2015,
        );
        let types = Namespace::Types;
        assert_eq!(
            resolve(&graph, "", "HashMap", types),
            "Std(Type(\"HashMap\")) +0"
        );
        assert_eq!(resolve(&graph, "m", "Top", types), "Unknown +0");
        assert_eq!(
            resolve(&graph, "", "m::Inner", types),
            "::demo::m::Inner +0"
        );
    }

    #[test]
    fn missing_module_files_make_names_unknown() {
        let graph = build("//- crate\nmod gone;\nuse gone::Thing;\n");
        assert_eq!(resolve(&graph, "", "Thing", Namespace::Types), "Unknown +0");
        assert_eq!(
            resolve(&graph, "", "gone::Other", Namespace::Types),
            "Unknown +0"
        );
    }
}

//! Building the crate graph a file is analysed in: the package's dependencies that memlens
//! reads, the package's library when the file belongs to one of its other crates (a binary, a
//! test, an example), and the file's crate.

use std::sync::{Arc, Mutex};

use super::cfg::CfgOptions;
use super::def_map::{CrateFile, CrateGraph, CrateId, CrateInput, DefMap, Edition, StdPaths};
use super::package::{PackageInfo, TargetKind};
use crate::analysis::target::Target;

/// One crate to build: its name, files and what it may name.
#[derive(Clone, Debug)]
pub struct CrateSpec {
    pub name: String,
    pub edition: Edition,
    pub files: Vec<CrateFile>,
    /// Dependencies memlens does not read, by the names paths use.
    pub deps: Vec<String>,
    /// Which of them are proc-macro crates (they export macros only).
    pub proc_macro_deps: Vec<String>,
    pub features: Vec<String>,
    /// Built as a test (`cfg(test)` on).
    pub test: bool,
    /// `cfg`s its build script sets (`name` or `key="value"`, as `cargo::rustc-cfg` prints them).
    pub build_cfgs: Vec<String>,
    /// The dependencies memlens reads, shared by every crate of the package.
    pub dependencies: Option<Arc<Dependencies>>,
}

/// The package's dependencies that memlens reads (from their sources on disk), each before the
/// crates that depend on it; target-independent, with their maps built once per target.
#[derive(Debug, Default)]
pub struct Dependencies {
    pub crates: Vec<DependencyCrate>,
    /// The package's own dependencies among them: the name paths use, and the index in `crates`.
    pub direct: Vec<(String, usize)>,
    /// The `cfg`s the package's own build script sets, when its last output was found.
    pub root_cfgs: Vec<String>,
    /// The package's own dependencies that are proc-macro crates, by the names paths use.
    pub proc_macros: Vec<String>,
    built: Mutex<Vec<(Target, DependencyMaps)>>,
}

/// The dependencies' maps for one target, crate `i` of the list being `CrateId(i)`.
type DependencyMaps = Arc<Vec<Arc<DefMap>>>;

/// One dependency crate: what to build, and which earlier crates of the list it names.
#[derive(Clone, Debug)]
pub struct DependencyCrate {
    pub spec: CrateSpec,
    pub links: Vec<(String, usize)>,
}

impl Dependencies {
    pub fn new(
        crates: Vec<DependencyCrate>,
        direct: Vec<(String, usize)>,
        root_cfgs: Vec<String>,
    ) -> Dependencies {
        Dependencies {
            crates,
            direct,
            root_cfgs,
            proc_macros: Vec::new(),
            built: Mutex::new(Vec::new()),
        }
    }

    /// The dependencies, with the package's own proc-macro dependencies named.
    pub fn with_proc_macros(mut self, proc_macros: Vec<String>) -> Dependencies {
        self.proc_macros = proc_macros;
        self
    }

    /// Every dependency's map for `target`, crate `i` of the list being `CrateId(i)`.
    fn maps_for(&self, target: &Target, std: &dyn StdPaths) -> DependencyMaps {
        let mut built = self
            .built
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, maps)) = built.iter().find(|(t, _)| t == target) {
            return Arc::clone(maps);
        }
        let mut graph = CrateGraph::default();
        for (index, krate) in self.crates.iter().enumerate() {
            let links = links_to(&krate.links, index);
            let id = CrateId(index as u32);
            let map = build_one(krate.spec.clone(), id, &graph, target, std, links);
            graph.crates.push(Arc::new(map));
        }
        let maps = Arc::new(graph.crates);
        built.push((*target, Arc::clone(&maps)));
        maps
    }
}

/// Links by name to crates of the dependency list, keeping only those built before `before`.
fn links_to(links: &[(String, usize)], before: usize) -> Vec<(String, Option<CrateId>)> {
    links
        .iter()
        .filter(|(_, index)| *index < before)
        .map(|(name, index)| (name.clone(), Some(CrateId(*index as u32))))
        .collect()
}

impl CrateSpec {
    /// A crate of `package` made of `files`; `is_lib` says whether it is the library.
    pub fn of_package(package: &PackageInfo, files: Vec<CrateFile>, kind: TargetKind) -> CrateSpec {
        let name = if kind == TargetKind::Library {
            package
                .lib_name
                .clone()
                .unwrap_or_else(|| package.name.clone())
        } else {
            package.name.clone()
        };
        let deps = match kind {
            TargetKind::BuildScript => package.build_deps.clone(),
            kind if kind.is_dev() => [&package.deps[..], &package.dev_deps[..]].concat(),
            _ => package.deps.clone(),
        };
        CrateSpec {
            name,
            edition: package.edition,
            files,
            deps,
            proc_macro_deps: Vec::new(),
            features: package.features.clone(),
            test: false,
            build_cfgs: Vec::new(),
            dependencies: None,
        }
    }
}

/// The graph for analysing a file of `main`: the library first if `main` uses it, then `main`
/// as the analysed crate. Returns the graph and the analysed crate's id.
pub fn build_graph(
    main: CrateSpec,
    library: Option<CrateSpec>,
    target: &Target,
    std: &dyn StdPaths,
) -> (Arc<CrateGraph>, CrateId) {
    let mut graph = CrateGraph::default();
    let mut deps: Vec<(String, Option<CrateId>)> = Vec::new();
    let mut main = main;
    let mut library = library;
    if let Some(dependencies) = main.dependencies.clone() {
        graph.crates = dependencies.maps_for(target, std).to_vec();
        deps = links_to(&dependencies.direct, graph.crates.len());
        for spec in std::iter::once(&mut main).chain(library.as_mut()) {
            spec.proc_macro_deps
                .extend(dependencies.proc_macros.iter().cloned());
        }
    }
    if let Some(library) = library {
        // A binary usually shares the library's name; its items need keys of their own.
        if library.name == main.name {
            main.name = format!("{}@bin", main.name);
        }
        let id = CrateId(graph.crates.len() as u32);
        let map = build_one(library, id, &graph, target, std, deps.clone());
        deps.push((map.name.clone(), Some(id)));
        graph.crates.push(Arc::new(map));
    }
    let id = CrateId(graph.crates.len() as u32);
    let map = build_one(main, id, &graph, target, std, deps);
    graph.crates.push(Arc::new(map));
    (Arc::new(graph), id)
}

fn build_one(
    spec: CrateSpec,
    id: CrateId,
    graph: &CrateGraph,
    target: &Target,
    std: &dyn StdPaths,
    mut deps: Vec<(String, Option<CrateId>)>,
) -> DefMap {
    let cfg = CfgOptions::for_build(target, &spec.features, spec.test).with(&spec.build_cfgs);
    // Dependencies memlens does not read are still names (a path into one is unknown).
    for name in spec.deps {
        if !deps.iter().any(|(known, _)| *known == name) {
            deps.push((name, None));
        }
    }
    let input = CrateInput {
        name: spec.name,
        edition: spec.edition,
        files: spec.files,
        cfg: &cfg,
        deps,
        proc_macro_deps: spec.proc_macro_deps,
        parent: None,
    };
    DefMap::build(input, id, graph, std)
}

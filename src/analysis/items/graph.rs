//! Building the crate graph a file is analysed in: its crate, and the package's library when
//! the file belongs to one of the package's other crates (a binary, a test, an example).

use std::sync::Arc;

use super::cfg::CfgOptions;
use super::def_map::{CrateFile, CrateGraph, CrateId, CrateInput, DefMap, Edition, StdPaths};
use super::package::PackageInfo;
use crate::analysis::target::Target;

/// One crate to build: its name, files and what it may name.
#[derive(Clone, Debug)]
pub struct CrateSpec {
    pub name: String,
    pub edition: Edition,
    pub files: Vec<CrateFile>,
    /// Dependencies memlens does not read, by the names paths use.
    pub deps: Vec<String>,
    pub features: Vec<String>,
    /// Built as a test (`cfg(test)` on).
    pub test: bool,
}

impl CrateSpec {
    /// A crate of `package` made of `files`; `is_lib` says whether it is the library.
    pub fn of_package(
        package: &PackageInfo,
        files: Vec<CrateFile>,
        is_lib: bool,
        dev: bool,
    ) -> CrateSpec {
        let name = if is_lib {
            package
                .lib_name
                .clone()
                .unwrap_or_else(|| package.name.clone())
        } else {
            package.name.clone()
        };
        let mut deps = package.deps.clone();
        if dev {
            deps.extend(package.dev_deps.iter().cloned());
        }
        CrateSpec {
            name,
            edition: package.edition,
            files,
            deps,
            features: package.features.clone(),
            test: false,
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
    if let Some(library) = library {
        // A binary usually shares the library's name; its items need keys of their own.
        if library.name == main.name {
            main.name = format!("{}@bin", main.name);
        }
        let id = CrateId(0);
        let map = build_one(library, id, &graph, target, std, Vec::new());
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
    let cfg = CfgOptions::for_build(target, &spec.features, spec.test);
    deps.extend(spec.deps.into_iter().map(|name| (name, None)));
    let input = CrateInput {
        name: spec.name,
        edition: spec.edition,
        files: spec.files,
        cfg: &cfg,
        deps,
    };
    DefMap::build(input, id, graph, std)
}

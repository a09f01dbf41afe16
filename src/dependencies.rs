//! The package's dependencies on disk, as cargo resolved them: `cargo tree` (when cargo is
//! installed) names each dependency and its enabled features; its manifest and files are read
//! here into crate specs for the core, which never touches the disk.
//!
//! A dependency is read only when memlens can build it as cargo does: a library (not a proc
//! macro), needed on every platform, and either without a build script or with the output of
//! its last run found in the target directory (build scripts set `cfg`s). Any other dependency
//! stays a name, and paths into it are unknown.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::analysis::Target;
use crate::analysis::crate_index::{CrateIndex, ReadSource};
use crate::analysis::items::cfg::CfgOptions;
use crate::analysis::items::def_map::Edition;
use crate::analysis::items::graph::{CrateSpec, Dependencies, DependencyCrate};
use crate::analysis::items::include::IncludeEnv;
use crate::analysis::items::package::{CrateRoot, PackageInfo, TargetKind, crate_name};
use crate::build_scripts;
use crate::files::{Boundary, read_logged};

/// Bounds on what one package's dependencies may cost to read.
const MAX_CRATES: usize = 160;
const MAX_FILES: usize = 8000;
/// A crate with more source than this (generated bindings, mostly) is left unread.
const MAX_CRATE_BYTES: usize = 1 << 21;
const MAX_TREE_LINES: usize = 100_000;
const TREE_TIMEOUT: Duration = Duration::from_secs(30);

/// Reads the dependencies of the package in `dir` for `triple`; `None` when cargo is not
/// installed or cannot tell the resolved graph offline.
pub fn load(dir: &Path, target: Target) -> Option<Arc<Dependencies>> {
    let started = Instant::now();
    let tree = cargo_tree(dir, target.triple)?;
    let graph = Resolved::parse(&tree, target, target_dir(dir))?;
    let dependencies = graph.read();
    tracing::debug!(
        "read {} dependency crates of {} in {:?}",
        dependencies.crates.len(),
        dir.display(),
        started.elapsed()
    );
    Some(Arc::new(dependencies))
}

/// `cargo tree` of the package in `dir`: each package's depth, id, features and crate name,
/// for the normal dependencies on `triple`, offline, given up after a while. (`cargo metadata`
/// would say more, but it needs every package of the lock file downloaded, dev-dependencies and
/// other platforms' included.)
fn cargo_tree(dir: &Path, triple: &str) -> Option<String> {
    let mut child = Command::new("cargo")
        .args(["tree", "--offline", "-e", "normal", "--prefix", "depth"])
        .args(["--target", triple, "-f", "{p}|{f}|{lib}"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    // Read on another thread so that a full pipe never blocks the child.
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let deadline = Instant::now() + TREE_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    reader.join().ok()?.ok()
}

/// Where cargo puts builds of the package in `dir`: `CARGO_TARGET_DIR`, else `target` beside
/// the nearest `Cargo.lock` (the workspace root).
fn target_dir(dir: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    dir.ancestors()
        .find(|ancestor| ancestor.join("Cargo.lock").is_file())
        .unwrap_or(dir)
        .join("target")
}

/// Where cargo's debug build of the package in `dir` keeps build-script runs and their output.
pub fn build_dir(dir: &Path) -> PathBuf {
    target_dir(dir).join("debug").join("build")
}

/// One package of the resolved graph.
struct Package {
    /// `name vX.Y.Z` (the id `cargo tree` prints).
    id: String,
    name: String,
    version: String,
    /// The directory of a path dependency (`None` for the registry's).
    path: Option<PathBuf>,
    proc_macro: bool,
    /// The library's crate name, as paths spell it.
    lib_name: String,
    /// Enabled features, as cargo resolved them.
    features: Vec<String>,
    /// Its dependencies' ids.
    deps: Vec<String>,
}

/// The resolved normal-dependency graph of one package.
struct Resolved {
    target: Target,
    root: String,
    packages: HashMap<String, Package>,
    target_dir: PathBuf,
}

impl Resolved {
    /// Reads `cargo tree --prefix depth -f '{p}|{f}|{lib}'` output.
    fn parse(tree: &str, target: Target, target_dir: PathBuf) -> Option<Resolved> {
        let mut packages: HashMap<String, Package> = HashMap::new();
        // The id of the package last seen at each depth: a line's parent is one shallower.
        let mut at_depth: Vec<String> = Vec::new();
        let mut root = None;
        for line in tree.lines().take(MAX_TREE_LINES) {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            let Ok(depth) = line[..digits].parse::<usize>() else {
                continue;
            };
            let Some(package) = parse_package(&line[digits..]) else {
                continue;
            };
            at_depth.truncate(depth);
            if depth == 0 {
                root = Some(package.id.clone());
            } else if let Some(parent) = at_depth.last().and_then(|id| packages.get_mut(id))
                && !parent.deps.contains(&package.id)
            {
                parent.deps.push(package.id.clone());
            }
            at_depth.push(package.id.clone());
            packages.entry(package.id.clone()).or_insert(package);
        }
        Some(Resolved {
            target,
            root: root?,
            packages,
            target_dir,
        })
    }

    /// Reads every dependency that can be read, each after the ones it depends on.
    fn read(&self) -> Dependencies {
        let mut crates: Vec<DependencyCrate> = Vec::new();
        let mut index_of: HashMap<&str, usize> = HashMap::new();
        let mut names: HashSet<String> = HashSet::new();
        let mut files = 0;
        for id in self.post_order() {
            let Some(package) = self.packages.get(id) else {
                continue;
            };
            let Some(spec) = self.spec_of(package, &mut files, &mut names) else {
                continue;
            };
            let links = self.linked(package, &index_of);
            index_of.insert(id, crates.len());
            crates.push(DependencyCrate { spec, links });
        }
        let root = self.packages.get(&self.root);
        let direct = root.map(|p| self.linked(p, &index_of)).unwrap_or_default();
        let proc_macros = root.map(|p| self.proc_macro_deps(p)).unwrap_or_default();
        let root_cfgs = root
            .and_then(|p| {
                let dir = p
                    .path
                    .clone()
                    .or_else(|| registry_dir(&p.name, &p.version))?;
                build_scripts::build_cfgs(&self.target_dir, &dir, &p.name)
            })
            .unwrap_or_default();
        Dependencies::new(crates, direct, root_cfgs).with_proc_macros(proc_macros)
    }

    /// The package's dependencies that are proc-macro crates, by the names paths use.
    fn proc_macro_deps(&self, package: &Package) -> Vec<String> {
        package
            .deps
            .iter()
            .filter_map(|id| self.packages.get(id))
            .filter(|dep| dep.proc_macro)
            .map(|dep| dep.lib_name.clone())
            .collect()
    }

    /// The root's dependencies, transitively, each after its own (bounded).
    fn post_order(&self) -> Vec<&str> {
        let mut order = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack: Vec<(&str, bool)> = vec![(self.root.as_str(), false)];
        while let Some((id, expanded)) = stack.pop() {
            if expanded {
                order.push(id);
                continue;
            }
            if seen.len() > MAX_CRATES || !seen.insert(id) {
                continue;
            }
            stack.push((id, true));
            // A proc macro runs in the compiler: what it depends on is not the crate's.
            if let Some(package) = self.packages.get(id).filter(|p| !p.proc_macro) {
                for dep in &package.deps {
                    stack.push((dep.as_str(), false));
                }
            }
        }
        order.retain(|id| *id != self.root);
        order
    }

    /// The package's read dependencies, by the names its paths use.
    fn linked(&self, package: &Package, index_of: &HashMap<&str, usize>) -> Vec<(String, usize)> {
        package
            .deps
            .iter()
            .filter_map(|id| {
                let dep = self.packages.get(id)?;
                Some((dep.lib_name.clone(), *index_of.get(id.as_str())?))
            })
            .collect()
    }

    /// The crate spec of one dependency, with its files read, if it can be built as cargo does.
    fn spec_of(
        &self,
        package: &Package,
        files: &mut usize,
        names: &mut HashSet<String>,
    ) -> Option<CrateSpec> {
        if package.proc_macro {
            return None;
        }
        let dir = match &package.path {
            Some(path) => path.clone(),
            None => registry_dir(&package.name, &package.version)?,
        };
        let manifest = Manifest::read(&dir)?;
        if manifest.proc_macro {
            return None;
        }
        let build_cfgs = match manifest.has_build_script {
            true => build_scripts::build_cfgs(&self.target_dir, &dir, &package.name)?,
            false => Vec::new(),
        };
        let deps = package
            .deps
            .iter()
            .filter_map(|id| Some(self.packages.get(id)?.lib_name.clone()))
            .collect();
        let info = PackageInfo {
            name: crate_name(&package.name),
            package_name: package.name.clone(),
            lib_name: Some(package.lib_name.clone()),
            edition: manifest.edition,
            deps,
            dev_deps: Vec::new(),
            build_deps: Vec::new(),
            features: package.features.clone(),
        };
        let root = dir.join(&manifest.lib_path);
        let cfg = CfgOptions::for_build(&self.target, &package.features, false).with(&build_cfgs);
        let mut index = CrateIndex::with_roots(
            vec![CrateRoot {
                path: root.clone(),
                kind: TargetKind::Library,
            }],
            Some(package.lib_name.clone()),
        )
        .with_package(info)
        .with_module_cfg(cfg)
        .with_include_env(build_scripts::include_env(
            &self.target_dir,
            &dir,
            &package.name,
        ));
        let read = CountingReader::default();
        while index.index_some(16, &read) > 0 {
            if index.progress().0 + *files > MAX_FILES || read.bytes.get() > MAX_CRATE_BYTES {
                return None;
            }
        }
        *files += index.progress().0;
        // The root is indexed under its canonical path, which may not be `root` as spelled.
        let root = index.root_path(0)?.to_path_buf();
        let (mut spec, _, _) = index.crate_specs(&root, None)?;
        // Two versions of one crate need keys of their own.
        let mut name = package.lib_name.clone();
        let mut count = 1;
        while !names.insert(name.clone()) {
            count += 1;
            name = format!("{}@{count}", package.lib_name);
        }
        spec.name = name;
        spec.build_cfgs = build_cfgs;
        spec.proc_macro_deps = self.proc_macro_deps(package);
        Some(spec)
    }
}

/// Reads a dependency's files, counting the bytes read. Dependencies live outside the
/// workspace (in Cargo's registry, or wherever a path dependency points), so any directory is
/// admitted; the file-type and size checks still apply.
#[derive(Default)]
struct CountingReader {
    bytes: Cell<usize>,
}

impl ReadSource for CountingReader {
    fn read_source(&self, path: &Path) -> Option<(PathBuf, String)> {
        let source = read_logged(path, &Boundary::anywhere())?;
        self.bytes.set(self.bytes.get() + source.text.len());
        Some((source.path, source.text))
    }
}

/// One line of `cargo tree` after its depth: `name vX.Y.Z [(proc-macro)] [(path)]|features|lib`,
/// with ` (*)` after a package shown before.
fn parse_package(text: &str) -> Option<Package> {
    let mut parts = text.splitn(3, '|');
    let head = parts.next()?;
    let features = parts.next()?;
    let lib = parts.next()?.trim_end_matches(" (*)").trim();
    let mut words = head.split(' ');
    let name = words.next()?.to_string();
    let version = words.next()?.strip_prefix('v')?.to_string();
    let rest: Vec<&str> = words.collect();
    let rest = rest.join(" ");
    let proc_macro = rest.contains("(proc-macro)");
    let path = rest
        .replace("(proc-macro)", "")
        .trim()
        .strip_prefix('(')
        .and_then(|p| p.strip_suffix(')'))
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    Some(Package {
        id: format!("{name} v{version}"),
        lib_name: if lib.is_empty() {
            crate_name(&name)
        } else {
            lib.to_string()
        },
        name,
        version,
        path,
        proc_macro,
        features: features
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
        deps: Vec::new(),
    })
}

/// A registry package's unpacked sources: `$CARGO_HOME/registry/src/<index>/<name>-<version>`.
fn registry_dir(name: &str, version: &str) -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))?;
    let src = home.join("registry").join("src");
    std::fs::read_dir(src)
        .ok()?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join(format!("{name}-{version}")))
        .find(|dir| dir.join("Cargo.toml").is_file())
}

/// What a dependency's manifest says that building it needs.
struct Manifest {
    edition: Edition,
    lib_path: PathBuf,
    proc_macro: bool,
    has_build_script: bool,
}

impl Manifest {
    fn read(dir: &Path) -> Option<Manifest> {
        let text = read_logged(&dir.join("Cargo.toml"), &Boundary::anywhere())?.text;
        let manifest: toml::Table = toml::from_str(&text).ok()?;
        let package = manifest.get("package")?.as_table()?;
        let lib = manifest.get("lib").and_then(|lib| lib.as_table());
        // Cargo finds `build.rs` by itself unless `build = false`.
        let has_build_script = match package.get("build") {
            Some(toml::Value::Boolean(build)) => *build,
            Some(toml::Value::String(_)) => true,
            _ => dir.join("build.rs").is_file(),
        };
        Some(Manifest {
            edition: package
                .get("edition")
                .and_then(|e| e.as_str())
                .and_then(Edition::from_year)
                .unwrap_or(Edition::E2015),
            lib_path: lib
                .and_then(|lib| lib.get("path"))
                .and_then(|p| p.as_str())
                .map_or_else(|| PathBuf::from("src/lib.rs"), PathBuf::from),
            proc_macro: lib
                .and_then(|lib| lib.get("proc-macro").or_else(|| lib.get("proc_macro")))
                .and_then(|p| p.as_bool())
                .unwrap_or(false),
            has_build_script,
        })
    }
}

/// What `env!` gives in `include!` paths of the package `package` in `dir`: its directory, and
/// the `OUT_DIR` of each of its build-script runs.
pub fn include_env(dir: &Path, package: &str) -> IncludeEnv {
    build_scripts::include_env(&target_dir(dir), dir, package)
}

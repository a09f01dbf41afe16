//! What the package's manifest says that name resolution needs: crate names, edition,
//! dependencies as paths name them, the features a default build enables, and the kinds of
//! crate its targets are.

use std::path::PathBuf;

use super::def_map::Edition;

/// What kind of Cargo target a crate root is: it decides the crate's name, which dependencies
/// it sees and whether it sees the package's library.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetKind {
    Library,
    Binary,
    Example,
    Test,
    Bench,
    BuildScript,
}

impl TargetKind {
    /// Examples, tests and benches also see the dev-dependencies.
    pub fn is_dev(self) -> bool {
        matches!(
            self,
            TargetKind::Example | TargetKind::Test | TargetKind::Bench
        )
    }

    /// Every target but the library itself and the build script (which runs before the
    /// library is built) may name the package's library.
    pub fn sees_library(self) -> bool {
        !matches!(self, TargetKind::Library | TargetKind::BuildScript)
    }
}

/// One crate root of the package: the file rustc is given, and its kind of target.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CrateRoot {
    pub path: PathBuf,
    pub kind: TargetKind,
}

/// A package as `Cargo.toml` describes it (read by the caller; the core never reads files).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PackageInfo {
    /// `[package] name`, as paths spell it (`-` is `_`).
    pub name: String,
    /// `[package] name` as written: cargo names the package's build directories after it.
    pub package_name: String,
    /// The library's crate name (`[lib] name`, else the package's).
    pub lib_name: Option<String>,
    pub edition: Edition,
    /// Dependencies by the name paths use (`[dependencies] serde_json`, or the rename).
    pub deps: Vec<String>,
    /// Dev-dependencies, which tests, examples and benches also see.
    pub dev_deps: Vec<String>,
    /// Build-dependencies, the only ones the build script sees.
    pub build_deps: Vec<String>,
    /// Features a default build enables (the `default` feature, followed transitively).
    pub features: Vec<String>,
}

impl PackageInfo {
    /// A package for a file that belongs to none: a crate named `main`, edition 2021.
    pub fn standalone() -> PackageInfo {
        PackageInfo {
            name: "main".into(),
            ..PackageInfo::default()
        }
    }

    /// What a parsed manifest says.
    pub fn from_table(manifest: &toml::Table) -> PackageInfo {
        let package = manifest.get("package").and_then(|p| p.as_table());
        let package_name = package
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or("main")
            .to_string();
        let name = crate_name(&package_name);
        let lib_name = manifest
            .get("lib")
            .and_then(|lib| lib.get("name"))
            .and_then(|n| n.as_str())
            .map(crate_name);
        let edition = package
            .and_then(|p| p.get("edition"))
            .and_then(|e| e.as_str())
            .and_then(Edition::from_year)
            .unwrap_or(Edition::E2015);
        PackageInfo {
            lib_name: lib_name.or_else(|| Some(name.clone())),
            name,
            package_name,
            edition,
            deps: dependency_names(manifest.get("dependencies")),
            dev_deps: dependency_names(manifest.get("dev-dependencies")),
            build_deps: dependency_names(manifest.get("build-dependencies")),
            features: default_features(manifest.get("features")),
        }
    }
}

/// A crate name as paths spell it.
pub fn crate_name(name: &str) -> String {
    name.replace('-', "_")
}

/// The names paths use for the dependencies of one table.
fn dependency_names(table: Option<&toml::Value>) -> Vec<String> {
    let Some(table) = table.and_then(|t| t.as_table()) else {
        return Vec::new();
    };
    table.keys().map(|key| crate_name(key)).collect()
}

/// The features `default` enables, followed through features that enable features (bounded).
fn default_features(table: Option<&toml::Value>) -> Vec<String> {
    let Some(table) = table.and_then(|t| t.as_table()) else {
        return Vec::new();
    };
    let mut enabled: Vec<String> = Vec::new();
    let mut pending = vec!["default".to_string()];
    while let Some(feature) = pending.pop() {
        if enabled.contains(&feature) || enabled.len() > 1024 {
            continue;
        }
        enabled.push(feature.clone());
        let Some(implied) = table.get(&feature).and_then(|v| v.as_array()) else {
            continue;
        };
        for value in implied.iter().filter_map(|v| v.as_str()) {
            // `dep:x` and `x/feature` enable dependencies' things, not this package's features.
            if !value.contains(':') && !value.contains('/') {
                pending.push(value.to_string());
            }
        }
    }
    enabled.retain(|feature| feature != "default");
    enabled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_edition_dependencies_and_default_features() {
        let manifest: toml::Table = toml::from_str(
            r#"
[package]
name = "my-tool"
edition = "2021"

[lib]
name = "my_lib"

[dependencies]
serde-json = "1"
rand = { version = "0.8", optional = true }

[features]
default = ["fast", "dep:rand"]
fast = ["simd"]
simd = []
slow = []
"#,
        )
        .expect("manifest parses");
        let info = PackageInfo::from_table(&manifest);
        assert_eq!(info.name, "my_tool");
        assert_eq!(info.lib_name.as_deref(), Some("my_lib"));
        assert_eq!(info.edition, Edition::E2021);
        assert_eq!(info.deps, ["rand", "serde_json"]);
        let mut features = info.features.clone();
        features.sort();
        assert_eq!(features, ["fast", "simd"]);
    }
}

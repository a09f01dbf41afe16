//! A package's Cargo targets: where each crate root is and what kind of target it is, from the
//! manifest's `[lib]`, `[[bin]]`, `[[example]]`, `[[test]]`, `[[bench]]` and `build` and from
//! Cargo's target auto-discovery.

use std::path::{Path, PathBuf};

use crate::analysis::items::def_map::Edition;
use crate::analysis::items::package::{CrateRoot, TargetKind};

/// At most this many targets of one kind are taken from a directory listing: a listing is user
/// data, and a crate root costs an index walk.
const MAX_DISCOVERED: usize = 4096;

/// One kind of target that Cargo also discovers in a directory.
struct Section {
    kind: TargetKind,
    /// The manifest's array of tables (`[[bin]]`).
    key: &'static str,
    /// The `[package]` flag that turns discovery off (`autobins = false`).
    auto_key: &'static str,
    /// Where Cargo discovers them: `DIR/*.rs` and `DIR/*/main.rs`.
    dir: &'static str,
}

const SECTIONS: [Section; 4] = [
    Section {
        kind: TargetKind::Binary,
        key: "bin",
        auto_key: "autobins",
        dir: "src/bin",
    },
    Section {
        kind: TargetKind::Example,
        key: "example",
        auto_key: "autoexamples",
        dir: "examples",
    },
    Section {
        kind: TargetKind::Test,
        key: "test",
        auto_key: "autotests",
        dir: "tests",
    },
    Section {
        kind: TargetKind::Bench,
        key: "bench",
        auto_key: "autobenches",
        dir: "benches",
    },
];

/// The package's crate roots as Cargo builds them: the library first (when there is one), then
/// binaries, examples, tests, benches and the build script; each root file once, each existing.
/// `manifest` is the parsed `Cargo.toml` (an empty table when it could not be read).
pub fn crate_roots(dir: &Path, manifest: &toml::Table, edition: Edition) -> Vec<CrateRoot> {
    let package = manifest.get("package").and_then(|p| p.as_table());
    let package_name = package
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or_default();
    let mut roots: Vec<CrateRoot> = library(dir, manifest, package).into_iter().collect();
    for section in &SECTIONS {
        let paths = section_targets(dir, manifest, package, section, package_name, edition);
        roots.extend(paths.into_iter().map(|path| CrateRoot {
            path,
            kind: section.kind,
        }));
    }
    roots.extend(build_script(dir, package).map(|path| CrateRoot {
        path,
        kind: TargetKind::BuildScript,
    }));
    let mut seen = std::collections::HashSet::new();
    roots.retain(|root| root.path.is_file() && seen.insert(root.path.clone()));
    roots
}

/// `[lib] path`, else `src/lib.rs` (unless `autolib = false` and no `[lib]` is declared).
fn library(dir: &Path, manifest: &toml::Table, package: Option<&toml::Table>) -> Option<CrateRoot> {
    let declared = manifest.get("lib");
    let path = match declared
        .and_then(|lib| lib.get("path"))
        .and_then(|p| p.as_str())
    {
        Some(path) => dir.join(path),
        None if declared.is_none() && !auto_flag(package, "autolib").unwrap_or(true) => {
            return None;
        }
        None => dir.join("src/lib.rs"),
    };
    Some(CrateRoot {
        path,
        kind: TargetKind::Library,
    })
}

/// The targets of one section: the declared ones, then the discovered ones that no declared
/// target names (a declared `[[bin]] name = "x"` replaces the discovered `x`).
fn section_targets(
    dir: &Path,
    manifest: &toml::Table,
    package: Option<&toml::Table>,
    section: &Section,
    package_name: &str,
    edition: Edition,
) -> Vec<PathBuf> {
    let declared: Vec<&toml::Table> = manifest
        .get(section.key)
        .and_then(|targets| targets.as_array())
        .map(|targets| targets.iter().filter_map(|t| t.as_table()).collect())
        .unwrap_or_default();
    let discovered = discover(dir, section, package_name);
    let mut names = Vec::new();
    let mut paths = Vec::new();
    for target in &declared {
        let name = target.get("name").and_then(|n| n.as_str());
        let path = match target.get("path").and_then(|p| p.as_str()) {
            Some(path) => Some(dir.join(path)),
            None => name.and_then(|name| inferred_path(dir, section, &discovered, name)),
        };
        names.extend(name.map(str::to_string));
        paths.extend(path);
    }
    // Edition 2015 turns discovery off for a kind once one target of it is declared.
    let auto = auto_flag(package, section.auto_key)
        .unwrap_or(edition != Edition::E2015 || declared.is_empty());
    if auto {
        let not_declared: Vec<PathBuf> = discovered
            .into_iter()
            .filter(|(name, path)| !names.contains(name) && !paths.contains(path))
            .map(|(_, path)| path)
            .collect();
        paths.extend(not_declared);
    }
    paths
}

/// A `[package]` flag such as `autobins`, when it is written.
fn auto_flag(package: Option<&toml::Table>, key: &str) -> Option<bool> {
    package?.get(key)?.as_bool()
}

/// Where a declared target without `path` is: the discovered target of its name, else the
/// places Cargo's 2015 rules look.
fn inferred_path(
    dir: &Path,
    section: &Section,
    discovered: &[(String, PathBuf)],
    name: &str,
) -> Option<PathBuf> {
    if let Some((_, path)) = discovered.iter().find(|(found, _)| found == name) {
        return Some(path.clone());
    }
    let mut candidates = vec![dir.join(section.dir).join(format!("{name}.rs"))];
    if section.kind == TargetKind::Binary {
        candidates.push(dir.join("src").join(format!("{name}.rs")));
        candidates.push(dir.join("src/main.rs"));
    }
    candidates.into_iter().find(|path| path.is_file())
}

/// The targets Cargo discovers for a section, with the names it gives them: `src/main.rs`
/// (binaries only, named after the package), `DIR/NAME.rs` and `DIR/NAME/main.rs`.
fn discover(dir: &Path, section: &Section, package_name: &str) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let main = dir.join("src/main.rs");
    if section.kind == TargetKind::Binary && main.is_file() {
        found.push((package_name.to_string(), main));
    }
    let Ok(entries) = std::fs::read_dir(dir.join(section.dir)) else {
        return found;
    };
    let mut listed: Vec<(String, PathBuf)> = entries
        .filter_map(|entry| discovered_target(&entry.ok()?.path()))
        .take(MAX_DISCOVERED)
        .collect();
    listed.sort();
    found.extend(listed);
    found
}

/// The target a directory entry makes: `NAME.rs`, or a directory `NAME` holding `main.rs`.
fn discovered_target(path: &Path) -> Option<(String, PathBuf)> {
    let name = path.file_stem()?.to_str()?.to_string();
    if path.is_dir() {
        let main = path.join("main.rs");
        return main.is_file().then_some((name, main));
    }
    let is_rust = path.extension().is_some_and(|ext| ext == "rs") && path.is_file();
    is_rust.then(|| (name, path.to_path_buf()))
}

/// `[package] build`: a path, `true` for `build.rs`, `false` for none; unset, `build.rs` when
/// it is there.
fn build_script(dir: &Path, package: Option<&toml::Table>) -> Option<PathBuf> {
    match package.and_then(|p| p.get("build")) {
        Some(toml::Value::String(path)) => Some(dir.join(path)),
        Some(toml::Value::Boolean(false)) => None,
        _ => Some(dir.join("build.rs")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A package directory holding `files` (empty ones) and `manifest` as its `Cargo.toml`.
    fn package(name: &str, manifest: &str, files: &[&str]) -> (PathBuf, toml::Table) {
        let dir =
            std::env::temp_dir().join(format!("memlens-targets-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for file in files {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().expect("a file has a parent"))
                .expect("temp dir is writable");
            std::fs::write(&path, "").expect("temp dir is writable");
        }
        (dir, toml::from_str(manifest).expect("manifest parses"))
    }

    /// The roots as `kind path` lines, paths relative to the package.
    fn shown(dir: &Path, roots: &[CrateRoot]) -> Vec<String> {
        roots
            .iter()
            .map(|root| {
                let path = root.path.strip_prefix(dir).expect("inside the package");
                format!("{:?} {}", root.kind, path.display())
            })
            .collect()
    }

    #[test]
    fn discovers_every_kind_of_target_in_cargo_s_places() {
        let files = [
            "src/lib.rs",
            "src/main.rs",
            "src/bin/extra.rs",
            "src/bin/tool/main.rs",
            "src/bin/tool/helper.rs",
            "src/bin/notes.txt",
            "examples/demo.rs",
            "tests/it/main.rs",
            "benches/speed.rs",
            "build.rs",
        ];
        let (dir, manifest) = package("auto", "[package]\nname = \"auto\"\n", &files);
        let roots = crate_roots(&dir, &manifest, Edition::E2021);
        assert_eq!(
            shown(&dir, &roots),
            [
                "Library src/lib.rs",
                "Binary src/main.rs",
                "Binary src/bin/extra.rs",
                "Binary src/bin/tool/main.rs",
                "Example examples/demo.rs",
                "Test tests/it/main.rs",
                "Bench benches/speed.rs",
                "BuildScript build.rs",
            ]
        );
    }

    #[test]
    fn declared_paths_replace_discovered_targets_of_their_name() {
        // pastel's manifest as written: the binary is `src/cli/main.rs`, and a stray
        // `src/main.rs` would be replaced by it, as Cargo names both `pastel`.
        let manifest = r#"
[package]
name = "pastel"
build = "gen/build.rs"

[lib]
path = "src/pastel.rs"

[[bin]]
name = "pastel"
path = "src/cli/main.rs"

[[bin]]
name = "tool"
"#;
        let files = [
            "src/pastel.rs",
            "src/lib.rs",
            "src/main.rs",
            "src/cli/main.rs",
            "src/bin/tool/main.rs",
            "gen/build.rs",
            "build.rs",
        ];
        let (dir, manifest) = package("declared", manifest, &files);
        let roots = crate_roots(&dir, &manifest, Edition::E2021);
        assert_eq!(
            shown(&dir, &roots),
            [
                "Library src/pastel.rs",
                "Binary src/cli/main.rs",
                "Binary src/bin/tool/main.rs",
                "BuildScript gen/build.rs",
            ]
        );
    }

    #[test]
    fn discovery_stops_where_the_manifest_or_edition_2015_says() {
        // As `cargo package` writes manifests: every target declared, discovery off.
        let manifest = r#"
[package]
name = "diskus"
autolib = false
autobins = false
autotests = false
build = false

[[bin]]
name = "diskus"
path = "src/main.rs"
"#;
        let files = [
            "src/lib.rs",
            "src/main.rs",
            "src/bin/other.rs",
            "tests/t.rs",
            "build.rs",
        ];
        let (dir, manifest) = package("off", manifest, &files);
        let roots = crate_roots(&dir, &manifest, Edition::E2021);
        assert_eq!(shown(&dir, &roots), ["Binary src/main.rs"]);

        let old = "[package]\nname = \"old\"\n[[bin]]\nname = \"main\"\n";
        let (dir, manifest) = package("e2015", old, &["src/main.rs", "src/bin/other.rs"]);
        let roots = crate_roots(&dir, &manifest, Edition::E2015);
        assert_eq!(shown(&dir, &roots), ["Binary src/main.rs"]);
    }
}

//! A package whose targets are not in Cargo's default places (`[lib] path`, `[[bin]] path`,
//! `src/bin/NAME/main.rs`, `examples/NAME/main.rs`, a build script that shares a module file):
//! each target's modules and the package's library are known, as `memlens explain` shows them,
//! with the sizes cargo's build prints.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::rustc_probe::ProbeDir;

const MANIFEST: &str = r#"[package]
name = "shop"
version = "0.1.0"
edition = "2021"

[lib]
name = "shop"
path = "src/core.rs"

[[bin]]
name = "shop"
path = "src/cli/main.rs"
"#;

/// The files of the package; each executable prints `NAME SIZE` for each of its bindings.
const FILES: &[(&str, &str)] = &[
    ("Cargo.toml", MANIFEST),
    (
        "src/core.rs",
        "pub struct Color { pub r: u8, pub g: u8, pub b: u8, pub alpha: f64 }\n",
    ),
    (
        "src/cli/main.rs",
        r#"mod view;
use shop::Color;
fn main() {
    let color = Color { r: 1, g: 2, b: 3, alpha: 0.5 };
    let pane = view::Pane { lines: Vec::new(), width: 7 };
    println!("color {}", std::mem::size_of_val(&color));
    println!("pane {}", std::mem::size_of_val(&pane));
}
"#,
    ),
    (
        "src/cli/view.rs",
        "pub struct Pane { pub lines: Vec<String>, pub width: u16 }\n",
    ),
    // The build script compiles the binary's `view` module too: one file in two crates.
    (
        "build.rs",
        "#[path = \"src/cli/view.rs\"]\nmod view;\nfn main() {\n    let _ = std::mem::size_of::<view::Pane>();\n}\n",
    ),
    (
        "src/bin/tool/main.rs",
        r#"mod helper;
fn main() {
    let tally = helper::Tally { counts: [0; 5], total: 1 };
    let color = shop::Color { r: 0, g: 0, b: 0, alpha: 1.0 };
    println!("tally {}", std::mem::size_of_val(&tally));
    println!("color {}", std::mem::size_of_val(&color));
}
"#,
    ),
    (
        "src/bin/tool/helper.rs",
        "pub struct Tally { pub counts: [u32; 5], pub total: u64 }\n",
    ),
    (
        "examples/demo/main.rs",
        r#"mod scene;
fn main() {
    let scene = scene::Scene { id: 3, name: None };
    println!("scene {}", std::mem::size_of_val(&scene));
}
"#,
    ),
    (
        "examples/demo/scene.rs",
        "pub struct Scene { pub id: u8, pub name: Option<Box<str>> }\n",
    ),
];

fn write_package(dir: &Path) {
    for (path, text) in FILES {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("dirs");
        std::fs::write(path, text).expect("package file");
    }
}

/// What an executable built by cargo prints: its bindings' sizes.
fn printed_sizes(dir: &Path, args: &[&str]) -> Vec<(String, u64)> {
    let output = Command::new("cargo")
        .args(["run", "--quiet", "--offline"])
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo run {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let (name, size) = line.split_once(' ')?;
            Some((name.to_string(), size.parse().ok()?))
        })
        .collect()
}

/// The sizes `memlens explain --json` gives the locals of `file`.
fn explained_sizes(dir: &Path, file: &str) -> Vec<(String, u64)> {
    let output = Command::new(env!("CARGO_BIN_EXE_memlens"))
        .args(["explain", "--json"])
        .arg(dir.join(file))
        .output()
        .expect("memlens runs");
    assert!(output.status.success(), "{file}: {output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let bindings = report["bindings"].as_array().expect("bindings");
    bindings
        .iter()
        .filter(|b| b["kind"] == "local")
        .filter_map(|b| Some((b["name"].as_str()?.to_string(), b["size"].as_u64()?)))
        .collect()
}

#[test]
fn targets_outside_the_default_places_see_their_modules_and_the_library() {
    if Command::new("cargo").arg("--version").output().is_err() {
        eprintln!("SKIPPED: cargo is not on this machine");
        return;
    }
    let probe = ProbeDir::new("cargo-targets");
    write_package(&probe.path);
    let targets: [(&str, &[&str]); 3] = [
        ("src/cli/main.rs", &["--bin", "shop"]),
        ("src/bin/tool/main.rs", &["--bin", "tool"]),
        ("examples/demo/main.rs", &["--example", "demo"]),
    ];
    for (file, args) in targets {
        let truth = printed_sizes(&probe.path, args);
        assert!(!truth.is_empty(), "{file} printed nothing");
        assert_eq!(explained_sizes(&probe.path, file), truth, "{file}");
    }
}

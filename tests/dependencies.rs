//! Types from the package's dependencies: a path dependency with a feature the package enables
//! and a `cfg` its build script sets, read through `cargo tree` and judged by the build itself
//! (the package prints the size of each binding when cargo runs it).

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::lsp_client::LspClient;
use support::rustc_probe::ProbeDir;

const MAIN: &str = r#"use geometry::{Generated, Shape, Tagged};
include!(concat!(env!("OUT_DIR"), "/kind.rs"));
include!("extra.rs");
fn main() {
    let generated = Generated::default();
    let kind = Kind::B(3);
    let extra = Extra(1, 2);
    println!("generated {}", std::mem::size_of_val(&generated));
    println!("kind {}", std::mem::size_of_val(&kind));
    println!("extra {}", std::mem::size_of_val(&extra));
    let shape = geometry::make();
    let many: Vec<Shape> = Vec::new();
    let maybe = Some(geometry::make());
    let tagged = Tagged::new(7);
    let corner = shape.corner();
    println!("shape {}", std::mem::size_of_val(&shape));
    println!("many {}", std::mem::size_of_val(&many));
    println!("maybe {}", std::mem::size_of_val(&maybe));
    println!("tagged {}", std::mem::size_of_val(&tagged));
    println!("corner {}", std::mem::size_of_val(&corner));
}
"#;

const GEOMETRY: &str = r#"mod tagged;
pub use tagged::Tagged;
include!(concat!(env!("OUT_DIR"), "/generated.rs"));
pub struct Shape {
    pub id: u32,
    #[cfg(feature = "named")]
    pub name: String,
    #[cfg(not(feature = "named"))]
    pub name: u8,
    pub pos: (f64, f64),
}
pub fn make() -> Shape {
    Shape { id: 0, name: Default::default(), pos: (0.0, 0.0) }
}
impl Shape {
    pub fn corner(&self) -> (f64, f64) { self.pos }
}
"#;

/// A module whose layout depends on a `cfg` only the build script sets.
const TAGGED: &str = r#"pub struct Tagged {
    #[cfg(geometry_wide)]
    pub tag: u128,
    #[cfg(not(geometry_wide))]
    pub tag: u8,
}
impl Tagged {
    pub fn new(tag: u8) -> Self { Tagged { tag: tag.into() } }
}
"#;

const BUILD: &str = r##"fn main() {
    println!("cargo::rustc-check-cfg=cfg(geometry_wide)");
    println!("cargo::rustc-cfg=geometry_wide");
    let out = std::env::var("OUT_DIR").unwrap();
    let generated = "#[derive(Default)] pub struct Generated { pub a: u64, pub b: [u8; 9] }";
    std::fs::write(format!("{out}/generated.rs"), generated).unwrap();
}
"##;

/// The package's own build script: code generated into `OUT_DIR`, which `include!` pastes.
const APP_BUILD: &str = r#"fn main() {
    let out = std::env::var("OUT_DIR").unwrap();
    std::fs::write(format!("{out}/kind.rs"), "enum Kind { A, B(u32), C(u16, u8) }").unwrap();
}
"#;

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("dirs");
    std::fs::write(path, text).expect("write");
}

fn write_package(dir: &Path) {
    write(
        dir,
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ngeometry = { path = \"geometry\", features = [\"named\"] }\n",
    );
    write(dir, "src/main.rs", MAIN);
    write(dir, "src/extra.rs", "struct Extra(u8, u64);");
    write(dir, "build.rs", APP_BUILD);
    write(
        dir,
        "geometry/Cargo.toml",
        "[package]\nname = \"geometry\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[features]\nnamed = []\n",
    );
    write(dir, "geometry/src/lib.rs", GEOMETRY);
    write(dir, "geometry/src/tagged.rs", TAGGED);
    write(dir, "geometry/build.rs", BUILD);
}

/// Each binding's size, by name, as the built package prints it.
fn sizes_by_the_build(dir: &Path) -> Vec<(String, u64)> {
    let output = Command::new("cargo")
        .args(["run", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the package does not build: {}",
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

/// memlens's size for each binding of main.rs, by name.
fn sizes_by_memlens(dir: &Path) -> Vec<(String, Option<u64>)> {
    let output = Command::new(env!("CARGO_BIN_EXE_memlens"))
        .args(["explain", "--json", "src/main.rs"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .expect("memlens runs");
    assert!(output.status.success(), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    report["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap_or("").to_string(),
                b["size"].as_u64(),
            )
        })
        .collect()
}

/// Every size the build printed is memlens's size for that binding.
fn assert_sizes_agree(truth: &[(String, u64)], said: &[(String, Option<u64>)]) {
    for (name, size) in truth {
        let memlens = said.iter().find(|(n, _)| n == name).and_then(|(_, s)| *s);
        assert_eq!(
            memlens,
            Some(*size),
            "`{name}`: memlens {memlens:?}, the build {size} ({said:?})"
        );
    }
}

fn cargo_available() -> bool {
    Command::new("cargo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn types_of_dependencies_have_the_sizes_the_build_gives_them() {
    if !cargo_available() {
        eprintln!("SKIPPED: cargo is not installed, so dependencies cannot be resolved");
        return;
    }
    let probe = ProbeDir::new("dependencies");
    write_package(&probe.path);
    let truth = sizes_by_the_build(&probe.path);
    assert_eq!(truth.len(), 8, "{truth:?}");
    let said = sizes_by_memlens(&probe.path);
    assert_sizes_agree(&truth, &said);
}

#[test]
fn a_dependency_whose_build_script_has_not_run_stays_unknown() {
    if !cargo_available() {
        eprintln!("SKIPPED: cargo is not installed, so dependencies cannot be resolved");
        return;
    }
    let probe = ProbeDir::new("dependencies-unbuilt");
    write_package(&probe.path);
    // Never built: the `cfg`s geometry's build script sets are not known, so neither are its
    // types' layouts (a guess would be `u8`, and wrong).
    // Nor is the code they generate.
    let said = sizes_by_memlens(&probe.path);
    let size_of = |name: &str| said.iter().find(|(n, _)| n == name).and_then(|(_, s)| *s);
    assert_eq!(size_of("tagged"), None, "{said:?}");
    assert_eq!(size_of("generated"), None, "{said:?}");
    assert_eq!(size_of("kind"), None, "{said:?}");
    assert!(size_of("extra").is_some(), "{said:?}");
}

/// The inlay hint label on the line of `let {name}` in main.rs.
fn hint_for(client: &mut LspClient, uri: &str, name: &str) -> Option<String> {
    let line = MAIN
        .lines()
        .position(|text| text.trim().starts_with(&format!("let {name} ")))?;
    client
        .inlay_hints(uri, 20)
        .into_iter()
        .find(|(hint_line, _, _)| *hint_line == line as u64)
        .map(|(_, _, label)| label)
}

#[test]
fn the_server_reads_dependencies_in_the_background() {
    if !cargo_available() {
        eprintln!("SKIPPED: cargo is not installed, so dependencies cannot be resolved");
        return;
    }
    let probe = ProbeDir::new("dependencies-server");
    let root = std::fs::canonicalize(&probe.path).expect("root exists");
    write_package(&root);
    let truth = sizes_by_the_build(&root);
    let mut client = LspClient::spawn();
    let root_uri = format!("file://{}", root.display());
    let response = client.request(
        "initialize",
        json!({"processId": null, "rootUri": root_uri, "capabilities": {"textDocument": {"inlayHint": {}}}}),
    );
    assert!(response.get("error").is_none(), "{response}");
    client.notify("initialized", json!({}));
    let uri = format!("file://{}", root.join("src/main.rs").display());
    client.open(&uri, MAIN);
    // Until the dependencies are read the hints for their types have no size; then they do.
    let deadline = Instant::now() + Duration::from_secs(60);
    // Inlay hints are for bindings without a written type.
    let inferred = truth
        .iter()
        .filter(|(name, _)| !MAIN.contains(&format!("let {name}: ")));
    for (name, size) in inferred {
        let wanted = format!("stack {size}B");
        loop {
            let hint = hint_for(&mut client, &uri, name);
            if hint
                .as_deref()
                .is_some_and(|h| h.trim_start().starts_with(&wanted))
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "`{name}` shows {hint:?}, the build says {size} bytes"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let _ = client.shutdown();
}

/// Two versions of one package, each with a build script setting its own `cfg`: the target
/// directory then holds two runs of `tagged`'s build script, and each version's types are laid
/// out with its own run's `cfg`s.
const TWO_VERSIONS_MAIN: &str = r#"fn main() {
    let current = tagged::Tagged::new();
    let wrapped = wrapper::make();
    println!("current {}", std::mem::size_of_val(&current));
    println!("wrapped {}", std::mem::size_of_val(&wrapped));
}
"#;

const TAGGED_LIB: &str = r#"pub struct Tagged {
    #[cfg(tagged_wide)]
    pub tag: u128,
    #[cfg(not(tagged_wide))]
    pub tag: u8,
}
impl Tagged {
    pub fn new() -> Self { Tagged { tag: 1 } }
}
"#;

fn tagged_build(cfg: &str) -> String {
    format!(
        "fn main() {{\n    println!(\"cargo::rustc-check-cfg=cfg(tagged_wide)\");\n    {cfg}\n}}\n"
    )
}

fn write_two_versions_package(dir: &Path) {
    let manifest = |name: &str, version: &str, deps: &str| {
        format!(
            "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"
        )
    };
    let deps = "tagged = { path = \"tagged\" }\nwrapper = { path = \"wrapper\" }\n";
    write(dir, "Cargo.toml", &manifest("app", "0.1.0", deps));
    write(dir, "src/main.rs", TWO_VERSIONS_MAIN);
    write(dir, "tagged/Cargo.toml", &manifest("tagged", "0.2.0", ""));
    write(dir, "tagged/src/lib.rs", TAGGED_LIB);
    let wide = tagged_build("println!(\"cargo::rustc-cfg=tagged_wide\");");
    write(dir, "tagged/build.rs", &wide);
    let old = "tagged = { path = \"../tagged-old\" }\n";
    write(
        dir,
        "wrapper/Cargo.toml",
        &manifest("wrapper", "0.1.0", old),
    );
    let wrapper = "pub struct Wrapped { pub inner: tagged::Tagged, pub count: u16 }\npub fn make() -> Wrapped { Wrapped { inner: tagged::Tagged::new(), count: 0 } }\n";
    write(dir, "wrapper/src/lib.rs", wrapper);
    write(
        dir,
        "tagged-old/Cargo.toml",
        &manifest("tagged", "0.1.0", ""),
    );
    write(dir, "tagged-old/src/lib.rs", TAGGED_LIB);
    write(dir, "tagged-old/build.rs", &tagged_build(""));
}

#[test]
fn each_version_of_a_dependency_has_its_own_build_script_run() {
    if !cargo_available() {
        eprintln!("SKIPPED: cargo is not installed, so dependencies cannot be resolved");
        return;
    }
    let probe = ProbeDir::new("dependencies-two-versions");
    write_two_versions_package(&probe.path);
    let truth = sizes_by_the_build(&probe.path);
    assert_eq!(truth.len(), 2, "{truth:?}");
    let said = sizes_by_memlens(&probe.path);
    assert_sizes_agree(&truth, &said);
}

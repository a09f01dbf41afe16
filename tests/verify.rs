//! `memlens verify` on a fixture crate built with `cargo build` at test time: its answers against
//! the sizes the running fixture prints (`size_of_val`) and against the DWARF as gimli reads it.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gimli::{AttributeValue, EndianSlice, RunTimeEndian};
use object::{Object, ObjectSection};
use serde_json::Value;

const MANIFEST: &str = r#"[package]
name = "verify_fixture"
version = "0.1.0"
edition = "2021"

[workspace]
"#;

/// Each `show!` prints `FILE:LINE:NAME=SIZE` on the line that declares the binding, so the test
/// learns both the line and the size from the running program. `show!` expands to a call and no
/// `let`, so it adds no locals of its own to the debug info.
const MAIN_RS: &str = r#"//! A fixture for memlens verify.
mod other;

macro_rules! show {
    ($name:ident) => {
        crate::report(file!(), stringify!($name), line!(), std::mem::size_of_val(&$name))
    };
}
pub(crate) use show;

fn report(file: &str, name: &str, line: u32, size: usize) { println!("{file}:{line}:{name}={size}"); }

struct Point { x: i32, y: i64 }

impl Point {
    fn norm(&self, scale: u16) -> i64 { report(file!(), "self", line!(), std::mem::size_of_val(&self)); show!(scale); (self.x as i64 + self.y) * scale as i64 }
}

fn twice<T: Copy>(value: T) -> (T, T) { show!(value); (value, value) }

fn main() {
    let numbers = [1u16, 2, 3]; show!(numbers);
    let text = String::from("hi"); show!(text);
    let offset = 7u64; show!(offset);
    let add = move |delta: u32| { show!(delta); let total = u64::from(delta) + offset; show!(total); total }; show!(add);
    let shadow = 1u8; show!(shadow);
    let shadow = (shadow, 2u64); show!(shadow);
    let twin = 1u8; let twin = u64::from(twin); show!(twin);
    let p = Point { x: 1, y: 2 }; show!(p);
    let maybe: Option<Box<u8>> = None; show!(maybe);
    let words = vec![1u8, 2]; show!(words);
    let count = || words.len(); show!(count);
    let path = std::path::Path::new("/tmp"); show!(path);
    let has_root = || path.has_root(); show!(has_root);
    let sum = add(2) + p.norm(3) as u64 + u64::from(twice(1u8).0) + twice(2u64).1 + other::helper(5) + count() as u64 + u64::from(has_root()) + verify_fixture::library_sizes(4);
    println!("{text} {sum} {maybe:?} {shadow:?} {twin} {numbers:?}");
}
"#;

/// The library: a plain `cargo build` leaves its code in an rlib as well as in the executable.
const LIB_RS: &str = r#"//! The fixture's library.
macro_rules! show {
    ($name:ident) => {
        println!("{}:{}:{}={}", file!(), line!(), stringify!($name), std::mem::size_of_val(&$name))
    };
}

pub fn library_sizes(seed: u32) -> u64 { show!(seed); let widened = u64::from(seed); show!(widened); let pair = (seed, widened); show!(pair); pair.1 }
"#;

const OTHER_RS: &str = r#"//! A second file: staleness is per file.
pub fn helper(input: u64) -> u64 { crate::show!(input); let doubled = input * 2; crate::show!(doubled); doubled }
"#;

/// `(file, line, name)` as the fixture prints it and `verify --json` reports it.
type Key = (String, u64, String);

struct Fixture {
    dir: PathBuf,
    /// Deliberately not `target/`: `verify` must find it through `CARGO_TARGET_DIR`.
    target_dir: PathBuf,
}

impl Fixture {
    fn create() -> Fixture {
        let dir = std::env::temp_dir().join(format!("memlens-verify-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).expect("fixture dir");
        std::fs::write(dir.join("Cargo.toml"), MANIFEST).expect("manifest");
        std::fs::write(dir.join("src/main.rs"), MAIN_RS).expect("main.rs");
        std::fs::write(dir.join("src/other.rs"), OTHER_RS).expect("other.rs");
        std::fs::write(dir.join("src/lib.rs"), LIB_RS).expect("lib.rs");
        let target_dir = dir.join("build-output");
        Fixture { dir, target_dir }
    }

    fn cargo_build(&self, cargo: &str) {
        let output = Command::new(cargo)
            .args(["build", "--offline", "--quiet"])
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "cargo build failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn executable(&self) -> PathBuf {
        self.target_dir.join("debug/verify_fixture")
    }

    /// Removes the binary and its `deps/` copy (a hard link), leaving the rlib.
    fn remove_executables(&self) {
        let deps = self.target_dir.join("debug/deps");
        let entries = std::fs::read_dir(&deps).expect("deps/");
        for entry in entries.map(|entry| entry.expect("entry").path()) {
            let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("verify_fixture-") && entry.extension().is_none() {
                std::fs::remove_file(&entry).expect("remove executable");
            }
        }
        std::fs::remove_file(self.executable()).expect("remove executable");
    }

    /// The sizes the running fixture prints, every one for each key (a generic prints one per
    /// instantiation).
    fn printed_sizes(&self) -> HashMap<Key, BTreeSet<u64>> {
        let output = Command::new(self.executable())
            .output()
            .expect("fixture runs");
        assert!(output.status.success());
        let mut sizes: HashMap<Key, BTreeSet<u64>> = HashMap::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Some((place, size)) = line.split_once('=') else {
                continue;
            };
            let mut parts = place.splitn(3, ':');
            let (Some(file), Some(line), Some(name)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let key = (
                file.to_string(),
                line.parse().expect("a line number"),
                name.to_string(),
            );
            sizes
                .entry(key)
                .or_default()
                .insert(size.parse().expect("a size"));
        }
        sizes
    }

    fn verify(&self, target_dir: Option<&Path>) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_memlens"));
        command
            .args(["verify", "--json"])
            .arg(&self.dir)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET_DIR");
        if let Some(dir) = target_dir {
            command.env("CARGO_TARGET_DIR", dir);
        }
        command.output().expect("memlens runs")
    }

    fn verify_json(&self) -> Value {
        let output = self.verify(Some(&self.target_dir));
        assert!(
            output.status.success(),
            "verify failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("verify --json prints JSON")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The cargo that runs this test, else the one on `PATH`; `None` when there is none.
fn cargo() -> Option<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let found = Command::new(&cargo)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    found.then_some(cargo)
}

fn bindings(report: &Value) -> HashMap<Key, Vec<&Value>> {
    let mut by_key: HashMap<Key, Vec<&Value>> = HashMap::new();
    for binding in report["bindings"].as_array().expect("bindings") {
        let key = (
            binding["file"].as_str().expect("file").to_string(),
            binding["line"].as_u64().expect("line"),
            binding["name"].as_str().expect("name").to_string(),
        );
        by_key.entry(key).or_default().push(binding);
    }
    by_key
}

fn build_sizes(binding: &Value) -> BTreeSet<u64> {
    binding["build_sizes"]
        .as_array()
        .expect("build_sizes")
        .iter()
        .map(|size| size.as_u64().expect("a size"))
        .collect()
}

/// One variable as this test reads it with gimli directly: the declaring file's last path
/// component, line, name, and the type entry's own name and `DW_AT_byte_size`.
#[derive(Debug)]
struct DwarfVariable {
    file_name: String,
    line: u64,
    name: String,
    type_name: Option<String>,
    type_byte_size: Option<u64>,
    /// Inside a closure's subprogram (`{closure#N}`), where rustc also describes what it captures.
    in_closure: bool,
}

/// Every named variable and parameter of the executable, read without memlens's reader.
fn dwarf_variables(executable: &Path) -> Vec<DwarfVariable> {
    let bytes = std::fs::read(executable).expect("read executable");
    let file = object::File::parse(&*bytes).expect("an object file");
    let load = |id: gimli::SectionId| -> Result<Vec<u8>, gimli::Error> {
        Ok(file
            .section_by_name(id.name())
            .and_then(|section| section.uncompressed_data().ok())
            .map(|data| data.into_owned())
            .unwrap_or_default())
    };
    let sections = gimli::DwarfSections::load(load).expect("sections");
    let dwarf = sections.borrow(|section| EndianSlice::new(section, RunTimeEndian::Little));
    let mut variables = Vec::new();
    let mut units = dwarf.units();
    while let Some(header) = units.next().expect("unit header") {
        let unit = dwarf.unit(header).expect("unit");
        let name_of = |entry: &gimli::DebuggingInformationEntry<_>| {
            let value = entry.attr_value(gimli::DW_AT_name)?;
            Some(
                dwarf
                    .attr_string(&unit, value)
                    .ok()?
                    .to_string_lossy()
                    .into_owned(),
            )
        };
        let mut entries = unit.entries();
        // The depth of the innermost subprogram entered, and whether it is a closure's.
        let mut subprograms: Vec<(isize, bool)> = Vec::new();
        while let Some(entry) = entries.next_dfs().expect("entry") {
            while subprograms
                .last()
                .is_some_and(|&(depth, _)| depth >= entry.depth())
            {
                subprograms.pop();
            }
            if entry.tag() == gimli::DW_TAG_subprogram {
                let closure = name_of(entry).is_some_and(|name| name.starts_with("{closure#"));
                subprograms.push((entry.depth(), closure));
            }
            if !matches!(
                entry.tag(),
                gimli::DW_TAG_variable | gimli::DW_TAG_formal_parameter
            ) {
                continue;
            }
            let (Some(name), Some(AttributeValue::FileIndex(file_index)), Some(line)) = (
                name_of(entry),
                entry.attr_value(gimli::DW_AT_decl_file),
                entry
                    .attr_value(gimli::DW_AT_decl_line)
                    .and_then(|v| v.udata_value()),
            ) else {
                continue;
            };
            let Some(file_name) = unit
                .line_program
                .as_ref()
                .and_then(|program| program.header().file(file_index))
                .and_then(|file| dwarf.attr_string(&unit, file.path_name()).ok())
                .map(|path| path.to_string_lossy().into_owned())
                .and_then(|path| Some(Path::new(&path).file_name()?.to_str()?.to_string()))
            else {
                continue;
            };
            let type_entry = match entry.attr_value(gimli::DW_AT_type) {
                Some(AttributeValue::UnitRef(offset)) => unit.entry(offset).ok(),
                _ => None,
            };
            variables.push(DwarfVariable {
                file_name,
                line,
                name,
                type_name: type_entry.as_ref().and_then(name_of),
                in_closure: subprograms.last().is_some_and(|&(_, closure)| closure),
                type_byte_size: type_entry.as_ref().and_then(|entry| {
                    entry
                        .attr_value(gimli::DW_AT_byte_size)
                        .and_then(|v| v.udata_value())
                }),
            });
        }
    }
    variables
}

/// Two executable files in `deps/` that are no debug artifact: the fixture's executable cut
/// after 4 KiB (an ELF header pointing past the end) and bytes that are no object file at all.
fn plant_junk_artifacts(fixture: &Fixture) {
    use std::os::unix::fs::PermissionsExt;
    let real = std::fs::read(fixture.executable()).expect("read executable");
    let truncated = real[..real.len().min(4096)].to_vec();
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let deps = fixture.target_dir.join("debug/deps");
    for (name, bytes) in [("junk-truncated", truncated), ("junk-noise", noise)] {
        let path = deps.join(name);
        std::fs::write(&path, bytes).expect("write junk");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// The verdict memlens must give a binding whose one build size is `size`.
fn expected_verdict(binding: &Value, size: u64) -> &'static str {
    match binding["source_size"].as_u64() {
        Some(source) if source == size => "agree",
        Some(_) => "disagree",
        None => "source_unknown",
    }
}

#[test]
fn verify_matches_the_running_fixture_and_the_dwarf_and_sees_staleness() {
    let Some(cargo) = cargo() else {
        eprintln!("skipped: no `cargo` to build the fixture crate with");
        return;
    };
    let fixture = Fixture::create();

    // Before any build: a clear error, no panic.
    let unbuilt = fixture.verify(Some(&fixture.target_dir));
    assert_eq!(unbuilt.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unbuilt.stderr);
    assert!(stderr.contains("no debug build found"), "{stderr}");
    assert!(stderr.contains("cargo build"), "{stderr}");

    fixture.cargo_build(&cargo);
    plant_junk_artifacts(&fixture);
    let printed = fixture.printed_sizes();
    let report = fixture.verify_json();
    // Executables that are not what they seem are refused one by one; the rest are still read.
    let unreadable = report["unreadable_artifacts"].as_array().expect("a list");
    assert_eq!(unreadable.len(), 2, "{unreadable:?}");
    let by_key = bindings(&report);
    let dwarf = dwarf_variables(&fixture.executable());

    let key = |file: &str, line: u64, name: &str| (file.to_string(), line, name.to_string());
    let main_line_of = |name: &str| -> Vec<u64> {
        let mut lines: Vec<u64> = printed
            .keys()
            .filter(|(file, _, n)| file == "src/main.rs" && n == name)
            .map(|(_, line, _)| *line)
            .collect();
        lines.sort();
        lines
    };

    // Every size the program printed is the build's size for that binding, and the verdict is
    // what memlens's own size makes it. Generic instantiations print several sizes: ambiguous.
    for (printed_key, sizes) in &printed {
        let found = by_key
            .get(printed_key)
            .unwrap_or_else(|| panic!("{printed_key:?} is not in the report: {report:#}"));
        for binding in found {
            let verdict = binding["verdict"].as_str().expect("verdict");
            if found.len() > 1 {
                // Several bindings on the line: the program printed one of them.
                assert!(build_sizes(binding).is_superset(sizes), "{binding:#}");
                assert_eq!(verdict, "ambiguous", "{printed_key:?}: {binding:#}");
                continue;
            }
            assert_eq!(&build_sizes(binding), sizes, "{printed_key:?}: {binding:#}");
            if sizes.len() > 1 {
                assert_eq!(verdict, "ambiguous", "{printed_key:?}: {binding:#}");
            } else {
                let size = *sizes.first().expect("a size");
                assert_eq!(verdict, expected_verdict(binding, size), "{binding:#}");
            }
        }
    }

    // Locals, parameters, a closure and its parameter and local, a method's `self`, another
    // file's function: memlens knows these sizes, and the build agrees. `words` and `path` are
    // also described inside the closures that capture them, as the captured place (`path` as
    // `std::path::Path`, which has no size): not second answers. (`count` itself is checked above only against its own size: memlens does not yet
    // size a closure that captures by reference.)
    let agreeing = [
        "numbers", "text", "offset", "add", "delta", "total", "p", "maybe", "self", "scale",
        "words", "path",
    ];
    for name in agreeing {
        let lines = main_line_of(name);
        assert_eq!(lines.len(), 1, "{name} printed once: {lines:?}");
        let binding = by_key[&key("src/main.rs", lines[0], name)][0];
        assert_eq!(binding["verdict"], "agree", "{binding:#}");
    }
    for name in ["input", "doubled"] {
        let (found, _) = printed
            .iter()
            .find(|((file, _, n), _)| file == "src/other.rs" && n == name)
            .expect("printed from other.rs");
        assert_eq!(by_key[found][0]["verdict"], "agree", "{name}");
    }

    // A shadowed name on another line is another binding, each with its own size.
    let shadow_lines = main_line_of("shadow");
    assert_eq!(shadow_lines.len(), 2);
    let shadow_sizes: Vec<&BTreeSet<u64>> = shadow_lines
        .iter()
        .map(|&line| &printed[&key("src/main.rs", line, "shadow")])
        .collect();
    assert_ne!(shadow_sizes[0], shadow_sizes[1]);
    for &line in &shadow_lines {
        assert_eq!(
            by_key[&key("src/main.rs", line, "shadow")][0]["verdict"],
            "agree"
        );
    }

    // Shadowed on the same line: DWARF has no columns, so neither is guessed.
    let twin_line = main_line_of("twin")[0];
    let twins = &by_key[&key("src/main.rs", twin_line, "twin")];
    assert_eq!(twins.len(), 2);
    assert!(twins.iter().all(|twin| twin["verdict"] == "ambiguous"));

    // The generic function instantiated twice (for u8 and u64): two sizes, ambiguous.
    let value_line = main_line_of("value")[0];
    assert_eq!(printed[&key("src/main.rs", value_line, "value")].len(), 2);
    assert_eq!(
        by_key[&key("src/main.rs", value_line, "value")][0]["verdict"],
        "ambiguous"
    );

    // The build side of each confirmed binding is what gimli reads from the executable.
    for binding in report["bindings"].as_array().expect("bindings") {
        let verdict = binding["verdict"].as_str().expect("verdict");
        if !["agree", "disagree", "source_unknown"].contains(&verdict) {
            continue;
        }
        let file_name = Path::new(binding["file"].as_str().expect("file"))
            .file_name()
            .and_then(|name| name.to_str())
            .expect("a file name");
        let line = binding["line"].as_u64().expect("line");
        let name = binding["name"].as_str().expect("name");
        let read: Vec<&DwarfVariable> = dwarf
            .iter()
            .filter(|v| v.file_name == file_name && v.line == line && v.name == name)
            .collect();
        assert!(
            !read.is_empty(),
            "gimli finds no {name} at {file_name}:{line}"
        );
        let build_type = binding["build_type"].as_str().map(str::to_string);
        assert!(
            // An array type has no name in rustc's DWARF; memlens writes one (`[u16; 3]`).
            read.iter()
                .any(|v| v.type_name.is_none() || v.type_name == build_type),
            "{binding:#} vs {read:?}"
        );
        let sizes = build_sizes(binding);
        // A size the report does not give belongs to a closure's description of a capture.
        for variable in read {
            if let Some(size) = variable.type_byte_size {
                assert!(
                    sizes.contains(&size) || variable.in_closure,
                    "{binding:#} vs {variable:?}"
                );
            }
        }
    }
    assert_eq!(report["counts"]["disagree"], 0, "{report:#}");
    assert_eq!(report["counts"]["stale"], 0, "{report:#}");

    // Without the target directory cargo was told to use, there is no build to be found; with
    // it in `.cargo/config.toml` as `build.target-dir`, there is again.
    let elsewhere = fixture.verify(None);
    assert_eq!(elsewhere.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&elsewhere.stderr).contains("no debug build found"));
    std::fs::create_dir_all(fixture.dir.join(".cargo")).expect(".cargo/");
    std::fs::write(
        fixture.dir.join(".cargo/config.toml"),
        "[build]\ntarget-dir = \"build-output\"\n",
    )
    .expect("config.toml");
    let configured = fixture.verify(None);
    assert!(configured.status.success(), "{configured:?}");
    let configured: Value = serde_json::from_slice(&configured.stdout).expect("JSON");
    assert_eq!(configured["counts"]["agree"], report["counts"]["agree"]);

    // An edit after the build (a line inserted at the top moves every binding): nothing in that
    // file is confirmed any more; the untouched file still is.
    let main_rs = fixture.dir.join("src/main.rs");
    std::fs::write(&main_rs, format!("// edited after the build\n{MAIN_RS}")).expect("edit");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&main_rs)
        .and_then(|file| file.set_modified(later))
        .expect("set mtime");
    let edited = fixture.verify_json();
    for binding in edited["bindings"].as_array().expect("bindings") {
        let expected = if binding["file"] == "src/main.rs" {
            "stale"
        } else {
            "agree"
        };
        assert_eq!(binding["verdict"], expected, "{binding:#}");
    }
    let elsewhere_agreeing = edited["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .filter(|binding| binding["file"] != "src/main.rs")
        .count();
    assert!(elsewhere_agreeing >= 5, "{edited:#}");
    assert_eq!(edited["counts"]["agree"], elsewhere_agreeing, "{edited:#}");

    // With the executables gone, the library's rlib still describes src/lib.rs (its objects'
    // DWARF read with their relocations applied); the binary's files have no build left.
    fixture.remove_executables();
    let rlib_only = fixture.verify_json();
    for binding in rlib_only["bindings"].as_array().expect("bindings") {
        let expected = if binding["file"] == "src/lib.rs" {
            "agree"
        } else {
            "not_in_build"
        };
        assert_eq!(binding["verdict"], expected, "{binding:#}");
    }
    let lib_printed: Vec<&Key> = printed
        .keys()
        .filter(|(file, _, _)| file == "src/lib.rs")
        .collect();
    assert_eq!(lib_printed.len(), 3, "{printed:?}");
    let rlib_bindings = bindings(&rlib_only);
    for key in lib_printed {
        let binding = rlib_bindings[key][0];
        assert_eq!(&build_sizes(binding), &printed[key], "{binding:#}");
    }
}

#[test]
fn verify_refuses_a_path_outside_any_package() {
    let dir = std::env::temp_dir().join(format!("memlens-verify-nopkg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let output = Command::new(env!("CARGO_BIN_EXE_memlens"))
        .arg("verify")
        .arg(&dir)
        .output()
        .expect("memlens runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no Cargo package"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

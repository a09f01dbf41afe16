//! A workspace crate of several files, over the protocol: types declared in other files are
//! known, and stay current through edits in the editor and changes on disk.
//!
//! The crate is also a probe: compiled and run with the machine's rustc, it prints the size of
//! each binding, which is what the inlay hints must say.

mod support;

use std::path::Path;

use serde_json::json;
use support::lsp_client::LspClient;
use support::rustc_probe::{ProbeDir, compile, rustc_available};

const MAIN: &str = r#"mod shapes;
mod util;
use shapes::{Circle, Point as P};
use util::*;
fn main() {
    let p = P { x: 1, y: 2 };
    let c = Circle::new(3.0);
    let w: Wrapper<u16> = Wrapper { inner: Vec::new(), tag: 1 };
    let o: Option<Circle> = None;
    println!("p {}", std::mem::size_of_val(&p));
    println!("c {}", std::mem::size_of_val(&c));
    println!("w {}", std::mem::size_of_val(&w));
    println!("o {}", std::mem::size_of_val(&o));
}
"#;
const SHAPES: &str =
    "mod circle;\npub use circle::Circle;\npub struct Point { pub x: i64, pub y: u8 }\n";
const CIRCLE: &str = "pub struct Circle { r: f64, tag: u8 }\nimpl Circle {\n    pub fn new(r: f64) -> Self { Circle { r, tag: 0 } }\n}\n";
const UTIL: &str = "pub struct Wrapper<T> { pub inner: Vec<T>, pub tag: u8 }\n";

/// util.rs after the edit made in the editor.
fn grown() -> String {
    UTIL.replace("pub tag: u8 }", "pub tag: u128 }")
}

/// circle.rs after the change on disk.
fn circle() -> String {
    CIRCLE.replace("tag: u8 }", "tag: u128 }")
}

fn write_crate(dir: &Path, util: &str, circle: &str) {
    std::fs::create_dir_all(dir.join("src/shapes")).expect("crate dirs");
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
        ),
        ("src/main.rs", MAIN),
        ("src/shapes/mod.rs", SHAPES),
        ("src/shapes/circle.rs", circle),
        ("src/util.rs", util),
    ];
    for (path, text) in files {
        std::fs::write(dir.join(path), text).expect("crate file");
    }
    // Enough further modules that indexing takes several batches and reports its progress.
    let mut main = MAIN.to_string();
    for module in 0..EXTRA_MODULES {
        main.push_str(&format!("mod extra{module};\n"));
        let text = format!("pub struct Extra{module} {{ pub field: [u8; {module}] }}\n");
        std::fs::write(dir.join(format!("src/extra{module}.rs")), text).expect("module file");
    }
    std::fs::write(dir.join("src/main.rs"), main).expect("main.rs");
}

/// More modules than the server reads in one batch.
const EXTRA_MODULES: usize = 80;

/// Each binding's size as rustc lays the crate out, by binding name.
fn sizes_by_rustc(util: &str, circle: &str) -> Vec<(String, String)> {
    let probe = ProbeDir::new("crate-workspace");
    write_crate(&probe.path, util, circle);
    let binary = compile(&probe.path.join("src"), "main", MAIN, &[]);
    let output = std::process::Command::new(binary)
        .output()
        .expect("probe runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let (name, size) = line.split_once(' ')?;
            Some((name.to_string(), size.to_string()))
        })
        .collect()
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn started(root: &Path) -> LspClient {
    let mut client = LspClient::spawn();
    let response = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(root),
            "capabilities": {
                "general": {"positionEncodings": ["utf-8"]},
                "window": {"workDoneProgress": true},
                "workspace": {
                    "didChangeWatchedFiles": {"dynamicRegistration": true},
                    "inlayHint": {"refreshSupport": true}
                },
                "textDocument": {"hover": {"contentFormat": ["markdown"]}, "inlayHint": {}}
            }
        }),
    );
    assert!(response.get("error").is_none(), "{response}");
    client.notify("initialized", json!({}));
    client
}

/// Waits for the `$/progress` notification that ends indexing.
fn wait_for_indexing(client: &mut LspClient) {
    client.wait_until(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
}

/// The inlay hint on each `let` line of main.rs, by binding name.
fn hints_by_name(client: &mut LspClient, main_uri: &str) -> Vec<(String, String)> {
    let hints = client.inlay_hints(main_uri, 20);
    MAIN.lines()
        .enumerate()
        .filter_map(|(line, text)| {
            let name = text.trim().strip_prefix("let ")?.split([':', ' ']).next()?;
            let label = hints
                .iter()
                .find(|(hint_line, _, _)| *hint_line == line as u64)
                .map(|(_, _, label)| label.clone())
                .unwrap_or_default();
            Some((name.to_string(), label))
        })
        .collect()
}

fn assert_hints_match(hints: &[(String, String)], sizes: &[(String, String)], what: &str) {
    assert_eq!(hints.len(), sizes.len(), "{what}: {hints:?} vs {sizes:?}");
    for ((name, label), (probe_name, size)) in hints.iter().zip(sizes) {
        assert_eq!(name, probe_name);
        assert!(
            label.trim_start().starts_with(&format!("stack {size}B")),
            "{what}: `{name}` shows `{label}`, rustc says {size} bytes"
        );
    }
}

#[test]
fn other_files_types_are_known_and_stay_current() {
    if !rustc_available() {
        eprintln!("SKIPPED: rustc is not on this machine");
        return;
    }
    let root = ProbeDir::new("workspace-root");
    let root_path = std::fs::canonicalize(&root.path).expect("root exists");
    write_crate(&root_path, UTIL, CIRCLE);
    let mut client = started(&root_path);
    let registration = client.wait_for("client/registerCapability");
    assert_eq!(
        registration["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    wait_for_indexing(&mut client);
    let begun = client
        .notifications
        .iter()
        .any(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin");
    assert!(begun, "indexing reported its progress");

    // Each step below changes what rustc says, so each check can fail.
    let stages = [
        sizes_by_rustc(UTIL, CIRCLE),
        sizes_by_rustc(&grown(), CIRCLE),
        sizes_by_rustc(&grown(), &circle()),
        sizes_by_rustc(UTIL, &circle()),
    ];
    assert!(
        stages.windows(2).all(|pair| pair[0] != pair[1]),
        "{stages:?}"
    );

    let main_uri = uri(&root_path.join("src/main.rs"));
    let main_on_disk = std::fs::read_to_string(root_path.join("src/main.rs")).expect("main.rs");
    client.open(&main_uri, &main_on_disk);
    let hints = hints_by_name(&mut client, &main_uri);
    assert_hints_match(&hints, &stages[0], "as on disk");

    // util.rs is edited in the editor, unsaved: main.rs sees the editor's text.
    let util_uri = uri(&root_path.join("src/util.rs"));
    client.open(&util_uri, UTIL);
    let at = UTIL.find("u8 }").expect("the tag's type") as u32;
    client.change(&util_uri, 2, (0, at), (0, at + 2), "u128");
    // A hover on util.rs makes sure the edit was analysed before main.rs is asked again.
    let _ = client.hover(&util_uri, 0, 12);
    let hints = hints_by_name(&mut client, &main_uri);
    assert_hints_match(&hints, &stages[1], "after an unsaved edit");

    // circle.rs changes on disk, as after a `git checkout`.
    let circle = circle();
    std::fs::write(root_path.join("src/shapes/circle.rs"), &circle).expect("write circle.rs");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root_path.join("src/shapes/circle.rs")), "type": 2}]}),
    );
    let hints = hints_by_name(&mut client, &main_uri);
    assert_hints_match(&hints, &stages[2], "after a change on disk");

    // Closing util.rs drops the unsaved edit: the disk's text counts again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": util_uri}}),
    );
    let hints = hints_by_name(&mut client, &main_uri);
    assert_hints_match(&hints, &stages[3], "after closing the edit");
    assert!(client.shutdown().success());
}

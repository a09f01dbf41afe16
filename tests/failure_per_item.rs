//! Failure per item, against the real binary: a panic injected into one function's walk or one
//! type's layout (`MEMLENS_FAIL_ITEM`) loses that item's answers only; the other items of the
//! file answer exactly as without the failure, in the CLI and over the protocol.

mod support;

use std::process::Command;

use serde_json::{Value, json};
use support::lsp_client::{LspClient, position_of};

const FILE: &str = "struct Broken(u8, u64);\n\
struct Kept(u16, u64);\n\
fn broken() { let lost = String::from(\"lost\"); }\n\
fn sibling() { let kept = String::from(\"kept\"); let pair = Kept(1, 2); let odd: Option<Broken> = None; }\n";

/// `memlens explain --json` on [`FILE`], with `MEMLENS_FAIL_ITEM` set to `failing` if given.
fn explain(failing: Option<&str>) -> Value {
    let dir = std::env::temp_dir().join(format!(
        "memlens-failure-per-item-{}-{}",
        std::process::id(),
        failing.unwrap_or("none")
    ));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let path = dir.join("items.rs");
    std::fs::write(&path, FILE).expect("the file is written");
    let mut command = Command::new(env!("CARGO_BIN_EXE_memlens"));
    command.args(["explain", "--json"]).arg(&path);
    match failing {
        Some(name) => command.env("MEMLENS_FAIL_ITEM", name),
        None => command.env_remove("MEMLENS_FAIL_ITEM"),
    };
    let output = command.output().expect("memlens runs");
    assert!(output.status.success(), "exit {:?}", output.status);
    serde_json::from_slice(&output.stdout).expect("JSON")
}

fn named<'a>(report: &'a Value, list: &str, name: &str) -> Option<&'a Value> {
    report[list]
        .as_array()
        .into_iter()
        .flatten()
        .find(|entry| entry["name"] == name)
}

fn errors(report: &Value) -> String {
    report["errors"].to_string()
}

#[test]
fn a_failing_function_loses_only_its_own_bindings() {
    let whole = explain(None);
    let failed = explain(Some("broken"));
    assert!(named(&whole, "bindings", "lost").is_some());
    assert!(named(&failed, "bindings", "lost").is_none(), "{failed}");
    for name in ["kept", "pair", "odd"] {
        assert_eq!(
            named(&failed, "bindings", name),
            named(&whole, "bindings", name),
            "{name}"
        );
    }
    assert_eq!(failed["types"], whole["types"]);
    assert!(
        errors(&failed).contains("memlens failed on this item"),
        "{}",
        errors(&failed)
    );
    assert!(!errors(&whole).contains("memlens failed"));
}

#[test]
fn a_failing_type_loses_only_its_own_layout() {
    let whole = explain(None);
    let failed = explain(Some("Broken"));
    let broken = named(&whole, "types", "Broken").expect("Broken is reported");
    assert!(broken["size"].is_number(), "{broken}");
    let broken = named(&failed, "types", "Broken").expect("Broken is still reported");
    assert!(broken["size"].is_null(), "{broken}");
    assert!(named(&failed, "bindings", "odd").expect("odd")["size"].is_null());
    assert_eq!(
        named(&failed, "types", "Kept"),
        named(&whole, "types", "Kept")
    );
    for name in ["lost", "kept", "pair"] {
        assert_eq!(
            named(&failed, "bindings", name),
            named(&whole, "bindings", name),
            "{name}"
        );
    }
}

#[test]
fn over_the_protocol_the_other_items_keep_answering() {
    let binary = env!("CARGO_BIN_EXE_memlens");
    let mut client = LspClient::spawn_command("env", &["MEMLENS_FAIL_ITEM=broken", binary, "lsp"]);
    client.initialize(&["utf-16"], json!({}));
    let uri = "file:///tmp/failure_per_item.rs";
    client.open(uri, FILE);
    let published = client.wait_for("textDocument/publishDiagnostics");
    assert!(
        published["params"]["diagnostics"]
            .to_string()
            .contains("memlens failed on this item"),
        "{published}"
    );
    let (line, character) = position_of(FILE, "kept =", 1);
    let kept = client.hover(uri, line, character).expect("a hover on kept");
    assert!(kept.contains("String"), "{kept}");
    let (line, character) = position_of(FILE, "lost =", 1);
    assert_eq!(client.hover(uri, line, character), None);
    assert!(client.shutdown().success());
}

//! Protocol tests: the real `memlens` binary over stdio, driven like an editor drives it.
//!
//! Numbers are not typed in here: the expected hover and hint texts come from the analysis core
//! (whose numbers the truth tests check against rustc), so these tests check the protocol layer:
//! positions, encodings, edits, and that nothing is lost on the way.

mod support;

use memlens::analysis::{self, Target, inlay};
use serde_json::{Value, json};
use support::lsp_client::{LspClient, position_of};

const SEED_URI: &str = "file:///work/examples/where_data_lives.rs";

fn seed_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/where_data_lives.rs"
    ))
    .expect("the example exists")
}

fn started(encodings: &[&str]) -> (LspClient, Value) {
    let mut client = LspClient::spawn();
    let result = client.initialize(encodings, Value::Null);
    (client, result)
}

#[test]
fn initialize_negotiates_encoding_and_capabilities() {
    let (client, result) = started(&["utf-8", "utf-16"]);
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-8");
    assert_eq!(
        capabilities["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(capabilities["hoverProvider"], true);
    assert_eq!(capabilities["inlayHintProvider"], true);
    assert_eq!(result["serverInfo"]["name"], "memlens");
    assert_eq!(result["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(client.shutdown().success());

    let (client, result) = started(&["utf-32"]);
    assert_eq!(
        result["capabilities"]["positionEncoding"], "utf-16",
        "utf-16 is the fallback"
    );
    assert!(client.shutdown().success());
}

#[test]
fn hover_at_definitions_and_uses_matches_the_core() {
    let text = seed_text();
    let core = analysis::analyze(&text, Target::default());
    let (mut client, _) = started(&["utf-16"]);
    client.open(SEED_URI, &text);
    for (needle, shift) in [
        ("let s", 4),
        ("let x", 4),
        ("param_num:", 0),
        ("param_text:", 0),
        ("GREETING:", 0),
        ("BUFFER:", 0),
    ] {
        let (line, character) = position_of(&text, needle, shift);
        let hover = client
            .hover(SEED_URI, line, character)
            .unwrap_or_else(|| panic!("hover at {needle}"));
        let offset = text.find(needle).unwrap() + shift;
        let expected = analysis::hover::hover(&core, offset)
            .expect("core hovers")
            .markdown;
        assert_eq!(hover, expected, "hover at {needle:?}");
    }
    // A use of `x` in `process_data(x, &s)` shows x's hover.
    let (line, character) = position_of(&text, "process_data(x", 13);
    let at_use = client
        .hover(SEED_URI, line, character)
        .expect("hover at a use");
    assert!(at_use.starts_with("```rust\nlet x: i32"), "{at_use}");
    let s_hover = client
        .hover(SEED_URI, position_of(&text, "let s", 4).0, 8)
        .expect("hover on s");
    assert!(s_hover.contains("stack 24 B + heap 5 B"), "{s_hover}");
    assert!(client.shutdown().success());
}

#[test]
fn inlay_hints_match_the_core_at_the_right_positions() {
    let text = seed_text();
    let core = analysis::analyze(&text, Target::default());
    let expected: Vec<(u64, u64, String)> =
        inlay::inlay_hints(&core, 0..text.len(), inlay::InlayOptions::default())
            .into_iter()
            .map(|hint| {
                let before = &text[..hint.offset];
                let line = before.matches('\n').count() as u64;
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                let character = before[line_start..].encode_utf16().count() as u64;
                (line, character, format!(" {}", hint.label))
            })
            .collect();
    let (mut client, _) = started(&["utf-16"]);
    client.open(SEED_URI, &text);
    let hints = client.inlay_hints(SEED_URI, 1000);
    assert_eq!(hints, expected);
    assert!(
        hints
            .iter()
            .any(|(_, _, label)| label == " stack 24B + heap 5B"),
        "{hints:?}"
    );
    assert!(
        hints.iter().any(|(_, _, label)| label == " reg 4B"),
        "{hints:?}"
    );
    assert!(
        hints.iter().any(|(_, _, label)| label == " bss 10000B"),
        "{hints:?}"
    );
    assert!(client.shutdown().success());
}

/// Edits after non-ASCII text and CRLF line ends land where the client meant, in both encodings.
#[test]
fn incremental_edits_with_non_ascii_and_crlf() {
    for encoding in ["utf-16", "utf-8"] {
        let original = "// é 😀 中文\r\nfn main() {\r\n    let t = \"😀é\"; let n = 1;\r\n}\r\n";
        let (mut client, _) = started(&[encoding]);
        let uri = "file:///tmp/edits.rs";
        client.open(uri, original);
        // Replace `1` (after the emoji string) with `String::from("añb")`.
        let line = original.split("\r\n").nth(2).unwrap();
        let one = line.find('1').unwrap();
        let character = if encoding == "utf-8" {
            one
        } else {
            line[..one].encode_utf16().count()
        } as u32;
        client.change(
            uri,
            2,
            (2, character),
            (2, character + 1),
            "String::from(\"añb\")",
        );
        let edited = original.replace("let n = 1;", "let n = String::from(\"añb\");");
        let n = edited.split("\r\n").nth(2).unwrap().find("n =").unwrap();
        let n_character = if encoding == "utf-8" {
            n
        } else {
            edited.split("\r\n").nth(2).unwrap()[..n]
                .encode_utf16()
                .count()
        } as u32;
        let hover = client.hover(uri, 2, n_character).expect("hover on n");
        assert!(
            hover.starts_with("```rust\nlet n: String"),
            "{encoding}: {hover}"
        );
        assert!(
            hover.contains("heap 4 B"),
            "\"añb\" is 4 bytes of UTF-8 ({encoding}): {hover}"
        );
        // An insertion at the very end of a CRLF line, then a new line.
        client.change(uri, 3, (3, 1), (3, 1), "\r\nstatic Z: u8 = 0;");
        let z = client.hover(uri, 4, 7).expect("hover on the new static");
        assert!(z.starts_with("```rust\nstatic Z: u8"), "{encoding}: {z}");
        assert!(client.shutdown().success());
    }
}

/// Rapid typing: every edit applies in order before the hover that follows them.
#[test]
fn rapid_edits_then_hover_reflect_the_final_text() {
    let (mut client, _) = started(&["utf-16"]);
    let uri = "file:///tmp/typing.rs";
    let original = "fn main() {\n    let s = String::from(\"\");\n}\n";
    client.open(uri, original);
    let (line, start) = position_of(original, "(\"\")", 2);
    // 500 edits, one char each, sent without waiting, then one hover.
    let typed: String = "hello, wörld! 😀 typed one char at a time. "
        .chars()
        .cycle()
        .take(500)
        .collect();
    let mut character = start;
    for (version, ch) in typed.chars().enumerate() {
        client.change(
            uri,
            version as i32 + 2,
            (line, character),
            (line, character),
            &ch.to_string(),
        );
        character += ch.len_utf16() as u32;
    }
    let hover = client.hover(uri, 1, 8).expect("hover on s");
    assert!(
        hover.contains(&format!("heap {} B", typed.len())),
        "{hover}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn unknown_documents_and_positions_answer_null() {
    let (mut client, _) = started(&["utf-16"]);
    assert_eq!(client.hover("file:///never/opened.rs", 0, 0), None);
    client.open("file:///tmp/a.rs", "fn main() { let x = 1; }\n");
    assert_eq!(client.hover("file:///tmp/a.rs", 99, 0), None);
    assert_eq!(client.hover("file:///tmp/a.rs", 0, 500), None);
    // didChange for a document that was never opened is ignored, and the server keeps serving.
    client.change("file:///never/opened.rs", 2, (0, 0), (0, 0), "x");
    assert!(client.hover("file:///tmp/a.rs", 0, 16).is_some());
    assert!(client.shutdown().success());
}

/// A half-typed function does not blank the items around it.
#[test]
fn a_broken_item_keeps_the_others_answering() {
    let text = "fn before() { let a = [0u8; 3]; }\n\nfn typing( {\n    let b = \n\nfn after() { let c = vec![1u8, 2]; }\n";
    let (mut client, _) = started(&["utf-16"]);
    client.open("file:///tmp/broken.rs", text);
    let a = client
        .hover("file:///tmp/broken.rs", 0, 18)
        .expect("a still has a hover");
    assert!(a.starts_with("```rust\nlet a: [u8; 3]"), "{a}");
    let (line, character) = position_of(text, "let c", 4);
    let c = client
        .hover("file:///tmp/broken.rs", line, character)
        .expect("c still has a hover");
    assert!(c.starts_with("```rust\nlet c: Vec<u8>"), "{c}");
    assert!(client.shutdown().success());
}

#[test]
fn settings_change_the_target_live() {
    let text = seed_text();
    let (mut client, _) = started(&["utf-16"]);
    client.open(SEED_URI, &text);
    let (line, character) = position_of(&text, "let s", 4);
    let x86_64 = client.hover(SEED_URI, line, character).expect("hover");
    client.settings = json!({"target": "i686-unknown-linux-gnu"});
    client.notify("workspace/didChangeConfiguration", json!({"settings": {}}));
    // The server pulls the new settings, then asks the client to redraw its hints.
    client.wait_for("workspace/inlayHint/refresh");
    let i686 = client.hover(SEED_URI, line, character).expect("hover");
    let core = analysis::analyze(
        &text,
        Target::from_triple("i686-unknown-linux-gnu").unwrap(),
    );
    let expected = analysis::hover::hover(&core, text.find("let s").unwrap() + 4)
        .unwrap()
        .markdown;
    assert_ne!(x86_64, i686);
    assert_eq!(i686, expected);
    assert!(client.shutdown().success());
}

#[test]
fn exit_without_shutdown_ends_the_process() {
    let (mut client, _) = started(&["utf-16"]);
    client.notify("exit", Value::Null);
    let status = client.wait();
    assert_eq!(
        status.code(),
        Some(1),
        "exit without shutdown is an error exit (LSP spec)"
    );
}

/// A code action requested over the protocol, applied as an editor applies it, gives the same
/// text as the core's own fix.
#[test]
fn code_actions_arrive_as_workspace_edits() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/actions.rs"
    ))
    .unwrap();
    let uri = "file:///work/tests/fixtures/actions.rs";
    let (mut client, result) = started(&["utf-16"]);
    assert_eq!(
        result["capabilities"]["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    client.open(uri, &text);
    let (line, character) = position_of(&text, "name: String", 2);
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}, "context": {"diagnostics": []}}),
    );
    let actions = response["result"].as_array().expect("a list of actions");
    let action = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Take `&str` instead of `String`"))
        })
        .expect("the &str fix is offered");
    assert_eq!(action["isPreferred"], true);
    let edits = action["edit"]["changes"][uri]
        .as_array()
        .expect("edits for this document");
    let applied = support::lsp_client::apply_text_edits(&text, edits);

    let offset = text.find("name: String").unwrap() + 2;
    let core = analysis::analyze(&text, Target::default());
    let expected =
        memlens::analysis::actions::code_actions(&text, &core, offset..offset, Default::default())
            .into_iter()
            .find(|a| a.title == action["title"])
            .expect("the core offers it too");
    assert_eq!(
        applied,
        memlens::analysis::actions::apply(&text, &expected.edits)
    );
    assert!(
        applied.contains("fn greet(name: &str)") && applied.contains("greet(\"Bob\")"),
        "{applied}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn diagnostics_are_published_for_big_stack_values() {
    let text =
        "fn main() {\n    let table = [0u64; 100_000];\n    println!(\"{}\", table[1]);\n}\n";
    let (mut client, _) = started(&["utf-16"]);
    client.open("file:///tmp/big.rs", text);
    let published = client.wait_for("textDocument/publishDiagnostics");
    let diagnostics = published["params"]["diagnostics"]
        .as_array()
        .expect("diagnostics");
    let value = diagnostics
        .iter()
        .find(|d| d["code"] == "large-stack-value")
        .expect("a large-value warning");
    assert_eq!(value["range"]["start"], json!({"line": 1, "character": 8}));
    assert_eq!(value["source"], "memlens");
    let core = analysis::analyze(text, Target::default());
    let expected = memlens::analysis::diagnostics::diagnostics(&core, Default::default());
    let core_value = expected
        .iter()
        .find(|d| d.code == "large-stack-value")
        .expect("the core warns too");
    assert_eq!(value["message"].as_str(), Some(core_value.message.as_str()));
    assert_eq!(
        diagnostics.len(),
        expected.len(),
        "the frame warning comes too"
    );
    assert_eq!(published["params"]["version"], 1);
    assert!(client.shutdown().success());
}

/// `inlayHints.heap` picks the heap figures of a binding changed after its `let`; the labels
/// are the core's for that choice.
#[test]
fn inlay_hints_show_the_heap_figures_the_settings_ask_for() {
    let text = "fn main() {\n    let mut v = Vec::new();\n    for i in 0..10u8 {\n        v.push(i);\n    }\n}\n";
    let uri = "file:///tmp/figures.rs";
    let core = analysis::analyze(text, Target::default());
    let mut seen = Vec::new();
    for (setting, figures) in [
        ("both", inlay::HeapFigures::Both),
        ("atLet", inlay::HeapFigures::AtLet),
        ("afterChanges", inlay::HeapFigures::AfterChanges),
    ] {
        let options = inlay::InlayOptions {
            heap: figures,
            ..inlay::InlayOptions::default()
        };
        let expected: Vec<String> = inlay::inlay_hints(&core, 0..text.len(), options)
            .into_iter()
            .map(|hint| format!(" {}", hint.label))
            .collect();
        let mut client = LspClient::spawn();
        client.initialize(&["utf-16"], json!({ "inlayHints": { "heap": setting } }));
        client.open(uri, text);
        let labels: Vec<String> = client
            .inlay_hints(uri, 100)
            .into_iter()
            .map(|(_, _, label)| label)
            .collect();
        assert_eq!(labels, expected, "{setting}");
        assert!(client.shutdown().success());
        seen.push(labels);
    }
    // The three choices label `v` three ways, so a server ignoring the setting fails above.
    assert!(
        seen[0] != seen[1] && seen[1] != seen[2] && seen[0] != seen[2],
        "{seen:?}"
    );
}

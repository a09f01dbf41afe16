//! Protocol abuse against the real binary: bad input gets a proper answer and the server goes on.
//!
//! After every abuse a normal hover must still work, and stdout must carry nothing but framed
//! JSON-RPC (the test client panics on anything else).

mod support;

use serde_json::{Value, json};
use support::lsp_client::LspClient;

const URI: &str = "file:///tmp/abuse.rs";
const TEXT: &str = "fn main() {\n    let s = String::from(\"hi\");\n}\n";

fn initialized() -> LspClient {
    let mut client = LspClient::spawn();
    client.initialize(&["utf-16"], Value::Null);
    client.open(URI, TEXT);
    client
}

/// The server still answers a plain hover.
fn still_serving(client: &mut LspClient) {
    let hover = client.hover(URI, 1, 8).expect("hover after the abuse");
    assert!(hover.contains("let s: String"), "{hover}");
}

#[test]
fn malformed_messages_get_errors_and_the_server_goes_on() {
    let mut client = initialized();
    // Not JSON at all, with a correct frame.
    let garbage = b"{this is not json";
    client.send_raw(format!("Content-Length: {}\r\n\r\n", garbage.len()).as_bytes());
    client.send_raw(garbage);
    still_serving(&mut client);
    // Valid JSON that is not a JSON-RPC message.
    client.send(&json!([1, 2, 3]));
    still_serving(&mut client);
    // A request for a method nobody knows: method not found.
    let unknown = client.request("memlens/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // A notification nobody knows is ignored.
    client.notify("memlens/noSuchNotification", json!({"x": 1}));
    // Parameters of the wrong shape: invalid params.
    let wrong = client.request("textDocument/hover", json!({"textDocument": 5}));
    assert!(wrong.get("error").is_some(), "{wrong}");
    still_serving(&mut client);
    assert!(client.shutdown().success());
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut client = LspClient::spawn();
    let early = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(
        early["error"]["code"], -32002,
        "server not initialized: {early}"
    );
    client.initialize(&["utf-16"], Value::Null);
    client.open(URI, TEXT);
    still_serving(&mut client);
    assert!(client.shutdown().success());
}

/// 10 MB with an optimized server (as `scripts/test-all.sh` builds it); an unoptimized debug
/// build is about ten times slower, so a debug run checks 1 MB.
#[test]
fn a_ten_megabyte_file_is_analysed() {
    let megabytes = if cfg!(debug_assertions) { 1 } else { 10 };
    let mut client = initialized();
    let item = "fn f() { let v = vec![1u8, 2, 3]; let t = String::from(\"text\"); }\n";
    let big: String =
        std::iter::repeat_n(item, megabytes * 1024 * 1024 / item.len()).collect::<String>() + TEXT;
    client.open("file:///tmp/big.rs", &big);
    let last_line = big.lines().count() as u32 - 2;
    let hover = client
        .hover("file:///tmp/big.rs", last_line, 8)
        .expect("hover in a 10 MB file");
    assert!(hover.contains("let s: String"), "{hover}");
    still_serving(&mut client);
    assert!(client.shutdown().success());
}

/// `$/cancelRequest` for a request already answered, or never sent, is harmless.
#[test]
fn cancelling_stale_requests_is_harmless() {
    let mut client = initialized();
    let id = client.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 8}}),
    );
    client.notify("$/cancelRequest", json!({"id": id}));
    let answer = client.response(id);
    // Either answered, or cancelled with the LSP code for it.
    assert!(
        answer.get("result").is_some() || answer["error"]["code"] == -32800,
        "{answer}"
    );
    client.notify("$/cancelRequest", json!({"id": 9999}));
    still_serving(&mut client);
    assert!(client.shutdown().success());
}

#[test]
fn edits_that_do_not_fit_are_clamped_not_fatal() {
    let mut client = initialized();
    // A range past the end of the document is clamped to it.
    client.change(URI, 2, (40, 0), (90, 5), "\n// appended\n");
    // An inverted range is treated as empty.
    client.change(URI, 3, (1, 10), (1, 2), "");
    still_serving(&mut client);
    // A version older than the current one is still applied in order (clients only resend
    // what they changed).
    client.change(URI, 1, (0, 0), (0, 0), "");
    still_serving(&mut client);
    assert!(client.shutdown().success());
}

#[test]
fn a_second_did_open_answers_for_the_new_text() {
    let mut client = initialized();
    // Every hint: the whole file's analysis is cached for this version.
    let hints = client.inlay_hints(URI, 10);
    assert!(!hints.is_empty());
    client.open(URI, "fn main() {\n    let s = 7u8;\n}\n");
    let hover = client.hover(URI, 1, 8).expect("hover on the new text");
    assert!(hover.contains("let s: u8"), "{hover}");
    assert!(client.shutdown().success());
}

#[test]
fn a_change_repeating_the_version_answers_for_the_new_text() {
    let mut client = initialized();
    let hints = client.inlay_hints(URI, 10);
    assert!(!hints.is_empty());
    // Version 1 again (the open was version 1): a buggy client, but the text is what counts.
    client.change(URI, 1, (1, 12), (1, 31), "7u8;");
    let hover = client.hover(URI, 1, 8).expect("hover on the changed text");
    assert!(hover.contains("let s: u8"), "{hover}");
    assert!(client.shutdown().success());
}

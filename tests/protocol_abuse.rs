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

/// Frames an arbitrary body (bytes the client sends as they are, valid JSON or not).
fn frame(body: &str) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body.as_bytes());
    framed
}

/// Waits for an error response with id null (the answer to a request whose id is unusable).
fn null_id_error(client: &mut LspClient) -> Value {
    client.wait_until(|m| m.get("id") == Some(&Value::Null) && m.get("error").is_some())
}

#[test]
fn invalid_json_rpc_gets_invalid_request_and_the_server_goes_on() {
    let mut client = initialized();
    // Requests with a usable id are answered with Invalid Request, under that id.
    for (id, body) in [
        (70, r#"{"jsonrpc":"1.0","id":70,"method":"x"}"#),
        (71, r#"{"jsonrpc":"2.0","id":71,"method":5}"#),
        (72, r#"{"jsonrpc":2,"id":72,"method":"x"}"#),
        (73, r#"{"jsonrpc":"2.0","id":73}"#),
    ] {
        client.send_raw(&frame(body));
        let answer = client.response(id);
        assert_eq!(answer["error"]["code"], -32600, "{body}: {answer}");
        still_serving(&mut client);
    }
    // Requests whose id itself is invalid are answered under id null (JSON-RPC 2.0, 5.1).
    for body in [
        r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#,
        r#"{"jsonrpc":"2.0","id":{},"method":"x"}"#,
        r#"{"jsonrpc":"2.0","id":[1],"method":"x"}"#,
        r#"{"jsonrpc":"2.0","id":18446744073709551616,"method":"x"}"#,
    ] {
        client.notifications.clear();
        client.send_raw(&frame(body));
        let answer = null_id_error(&mut client);
        assert_eq!(answer["error"]["code"], -32600, "{body}: {answer}");
        still_serving(&mut client);
    }
    // Notifications (no id) that are not valid are ignored.
    for body in [
        r#"{"jsonrpc":"1.0","method":"x"}"#,
        r#"{"jsonrpc":"2.0","method":5}"#,
        r#"{"jsonrpc":2,"method":"x"}"#,
        r#"{"jsonrpc":"2.0","params":{}}"#,
        r#"{"jsonrpc":"2.0","id":5,"result":1,"error":{"code":1,"message":"both"}}"#,
    ] {
        client.send_raw(&frame(body));
        still_serving(&mut client);
    }
    assert!(client.shutdown().success());
}

#[test]
fn bad_headers_resynchronise_on_the_next_frame() {
    let mut client = initialized();
    let ping = r#"{"jsonrpc":"2.0","method":"$/memlens/ping"}"#;
    let bad_frames: Vec<Vec<u8>> = vec![
        format!("Content-Length: -5\r\n\r\n{ping}").into_bytes(),
        format!("Content-Length: abc\r\n\r\n{ping}").into_bytes(),
        format!("Content-Length: 18446744073709551616\r\n\r\n{ping}").into_bytes(),
        format!("Content-Length: 4\u{0}4\r\n\r\n{ping}").into_bytes(),
        format!("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{ping}")
            .into_bytes(),
        format!("Content-Length: {}\r\n\r\n{ping}", ping.len() - 3).into_bytes(),
        format!("Content-Length: {}\r\n\r\n{ping}", ping.len() + 3).into_bytes(),
        format!("Content-Length: 100000000\r\n\r\n{ping}").into_bytes(),
        format!("Content-Length: 1000000000\r\n\r\n{ping}").into_bytes(),
        b"garbage without any header\r\n\r\n".to_vec(),
    ];
    for bad in bad_frames {
        client.send_raw(&bad);
        // The very next frame is understood, whatever the bad one left in the stream.
        still_serving(&mut client);
    }
    assert!(client.shutdown().success());
}

/// A frame whose body is the last of its input before the client waits: a length a few bytes
/// too long must not make the server wait for bytes that never come, once the next frame is
/// there.
#[test]
fn a_length_too_long_by_a_few_bytes_does_not_lose_the_next_request() {
    let mut client = initialized();
    let hover = r#"{"jsonrpc":"2.0","id":500,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///tmp/abuse.rs"},"position":{"line":1,"character":8}}}"#;
    let mut bytes = format!("Content-Length: {}\r\n\r\n{hover}", hover.len() + 2).into_bytes();
    let second = hover.replace("\"id\":500", "\"id\":501");
    bytes.extend(frame(&second));
    client.send_raw(&bytes);
    // The first frame's JSON is complete before the next header: both are answered.
    assert!(client.response(500).get("result").is_some());
    assert!(client.response(501).get("result").is_some());
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

#[test]
fn a_lone_surrogate_in_a_change_becomes_a_replacement_character() {
    let mut client = initialized();
    // serde_json refuses lone surrogates in strings; the text must not be dropped for it.
    let change = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///tmp/abuse.rs","version":2},"contentChanges":[{"range":{"start":{"line":1,"character":31},"end":{"line":1,"character":31}},"text":" // \ud800 lone\n    let t = 1u16;"}]}}"#;
    client.send_raw(&frame(change));
    let hover = client.hover(URI, 2, 8).expect("the change was applied");
    assert!(hover.contains("let t: u16"), "{hover}");
    // Later edits land where the client means them: the server's copy did not diverge.
    client.change(URI, 3, (2, 4), (2, 4), "let u = 3u64; ");
    let hover = client
        .hover(URI, 2, 8)
        .expect("the next change was applied");
    assert!(hover.contains("let u: u64"), "{hover}");
    assert!(client.shutdown().success());
}

/// A client that never answers `workspace/configuration`: each pull waits for its timeout,
/// and must not keep other messages waiting meanwhile.
#[test]
fn unanswered_configuration_requests_do_not_hold_up_hovers() {
    let mut client = LspClient::spawn();
    client.answers_configuration = false;
    client.initialize(&["utf-16"], Value::Null);
    client.open(URI, TEXT);
    for _ in 0..40 {
        client.notify("workspace/didChangeConfiguration", json!({"settings": {}}));
    }
    let started = std::time::Instant::now();
    still_serving(&mut client);
    let waited = started.elapsed();
    assert!(
        waited < std::time::Duration::from_secs(3),
        "a hover waited {waited:?} behind unanswered configuration requests"
    );
    assert!(client.shutdown().success());
}

/// 2 000 hovers then 2 000 `$/cancelRequest`: hovers still queued are answered as cancelled at
/// once instead of being analysed.
#[test]
fn cancelling_queued_requests_answers_them_as_cancelled() {
    let mut client = initialized();
    let item = "fn f() { let v = vec![1u8, 2, 3]; let t = String::from(\"text\"); }\n";
    let big: String = item.repeat(2_000) + TEXT;
    let uri = "file:///tmp/cancel.rs";
    client.open(uri, &big);
    let params = |line: usize| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 13}});
    let ids: Vec<i64> = (0..2_000)
        .map(|n| client.send_request("textDocument/hover", params(n)))
        .collect();
    for id in &ids {
        client.notify("$/cancelRequest", json!({"id": id}));
    }
    let started = std::time::Instant::now();
    let cancelled = ids
        .iter()
        .filter(|&&id| client.response(id)["error"]["code"] == -32800)
        .count();
    eprintln!(
        "{cancelled} of 2000 cancelled, answered in {:?}",
        started.elapsed()
    );
    assert!(cancelled >= 1_000, "only {cancelled} of 2000 cancelled");
    still_serving(&mut client);
    assert!(client.shutdown().success());
}

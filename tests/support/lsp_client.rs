//! A minimal LSP client for tests: spawns the real `memlens` binary and speaks JSON-RPC over stdio.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long the server may take to answer; generous, since CI machines are small and shared.
const TIMEOUT: Duration = Duration::from_secs(60);

/// What the reader thread saw on the server's stdout.
enum Incoming {
    Message(Value),
    /// Bytes that were not a well-framed JSON-RPC message: a protocol violation.
    Garbage(String),
    Closed,
}

pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Incoming>,
    next_id: i64,
    /// Notifications and server requests seen while waiting for responses.
    pub notifications: Vec<Value>,
    /// What `workspace/configuration` is answered with.
    pub settings: Value,
    /// Whether `workspace/configuration` requests are answered at all (a client that never
    /// answers them is one of the hostile cases).
    pub answers_configuration: bool,
}

impl LspClient {
    pub fn spawn() -> LspClient {
        Self::spawn_with_args(&["lsp"])
    }

    pub fn spawn_with_args(args: &[&str]) -> LspClient {
        Self::spawn_command(env!("CARGO_BIN_EXE_memlens"), args)
    }

    /// The server started as `program args…` (for running it under a tracer: `program` is the
    /// tracer and `args` end with the memlens binary and its arguments).
    pub fn spawn_command(program: &str, args: &[&str]) -> LspClient {
        let mut child = Command::new(program)
            .args(args)
            .env(
                "MEMLENS_LOG",
                std::env::var("MEMLENS_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("MEMLENS_TEST_STDERR").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("the memlens binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let message = read_message(&mut reader);
                let done = matches!(message, Incoming::Closed | Incoming::Garbage(_));
                if sender.send(message).is_err() || done {
                    break;
                }
            }
        });
        LspClient {
            stdin: child.stdin.take(),
            child,
            incoming,
            next_id: 1,
            notifications: Vec::new(),
            settings: Value::Null,
            answers_configuration: true,
        }
    }

    /// The server's process id (for reading its memory use from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("server reads stdin");
        stdin.flush().expect("flush");
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("json");
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend(body);
        self.send_raw(&framed);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&with_params(
            json!({"jsonrpc": "2.0", "method": method}),
            params,
        ));
    }

    /// Sends a request and waits for its response, answering server requests meanwhile.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&with_params(
            json!({"jsonrpc": "2.0", "id": id, "method": method}),
            params,
        ));
        id
    }

    /// Waits for the response with this id; returns the whole response object.
    pub fn response(&mut self, id: i64) -> Value {
        // Responses can arrive out of order; one that came while waiting for another is kept.
        let is_answer = |m: &Value| m.get("id") == Some(&json!(id)) && m.get("method").is_none();
        if let Some(index) = self.notifications.iter().position(is_answer) {
            return self.notifications.remove(index);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next_message(deadline);
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.handle_server_message(message);
        }
    }

    /// Waits until the server sends a request or notification with this method (answering
    /// server requests meanwhile), and returns it.
    pub fn wait_for(&mut self, method: &str) -> Value {
        self.wait_until(|message| message["method"] == method)
    }

    /// Waits until the server has sent a request or notification that satisfies `seen`
    /// (answering server requests meanwhile), and returns it.
    pub fn wait_until(&mut self, seen: impl Fn(&Value) -> bool) -> Value {
        if let Some(message) = self.notifications.iter().find(|m| seen(m)) {
            return message.clone();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next_message(deadline);
            let matches = seen(&message);
            self.handle_server_message(message.clone());
            if matches {
                return message;
            }
        }
    }

    fn next_message(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(Incoming::Message(message)) => message,
            Ok(Incoming::Garbage(text)) => panic!("server wrote non-protocol output: {text:?}"),
            Ok(Incoming::Closed) | Err(RecvTimeoutError::Disconnected) => {
                panic!("server closed its output")
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("no answer from the server within {TIMEOUT:?}")
            }
        }
    }

    fn handle_server_message(&mut self, message: Value) {
        if let (Some(id), Some(method)) = (message.get("id"), message.get("method")) {
            if method == "workspace/configuration" && !self.answers_configuration {
                self.notifications.push(message);
                return;
            }
            let result = match method.as_str() {
                Some("workspace/configuration") => json!([self.settings.clone()]),
                _ => Value::Null,
            };
            let id = id.clone();
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
        }
        self.notifications.push(message);
    }

    /// `initialize` + `initialized` with VS Code-like capabilities; returns the result.
    pub fn initialize(&mut self, encodings: &[&str], initialization_options: Value) -> Value {
        let response = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {
                    "general": {"positionEncodings": encodings},
                    "workspace": {"configuration": true, "inlayHint": {"refreshSupport": true}},
                    "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}, "inlayHint": {}}
                },
                "initializationOptions": initialization_options
            }),
        );
        self.notify("initialized", json!({}));
        response["result"].clone()
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}}),
        );
    }

    /// One incremental change, LSP-style: 0-based (line, character) in the negotiated encoding.
    pub fn change(
        &mut self,
        uri: &str,
        version: i32,
        start: (u32, u32),
        end: (u32, u32),
        text: &str,
    ) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": start.0, "character": start.1}, "end": {"line": end.0, "character": end.1}}, "text": text}]
            }),
        );
    }

    /// The hover markdown at a position, or `None` when the server answers null.
    pub fn hover(&mut self, uri: &str, line: u32, character: u32) -> Option<String> {
        let response = self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        response["result"]["contents"]["value"]
            .as_str()
            .map(str::to_string)
    }

    /// All inlay hints of the first `lines` lines, as (line, character, label).
    pub fn inlay_hints(&mut self, uri: &str, lines: u32) -> Vec<(u64, u64, String)> {
        let response = self.request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}}}),
        );
        response["result"]
            .as_array()
            .map(|hints| {
                hints
                    .iter()
                    .map(|hint| {
                        (
                            hint["position"]["line"].as_u64().unwrap_or(u64::MAX),
                            hint["position"]["character"].as_u64().unwrap_or(u64::MAX),
                            hint["label"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `shutdown` then `exit`; returns the process's exit status.
    pub fn shutdown(mut self) -> std::process::ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert!(
            response.get("error").is_none(),
            "shutdown failed: {response}"
        );
        self.notify("exit", Value::Null);
        self.wait()
    }

    /// Waits for the process to end (killing it after the timeout).
    pub fn wait(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Methods without parameters (`shutdown`, `exit`) must omit `params`, not send `null`.
fn with_params(mut message: Value, params: Value) -> Value {
    if !params.is_null() {
        message["params"] = params;
    }
    message
}

/// Reads one `Content-Length`-framed message.
fn read_message(reader: &mut impl BufRead) -> Incoming {
    let mut length = None;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return Incoming::Closed,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                length = value.trim().parse::<usize>().ok();
            }
            Some((name, _)) if name.eq_ignore_ascii_case("content-type") => {}
            _ => return Incoming::Garbage(line.to_string()),
        }
    }
    let Some(length) = length else {
        return Incoming::Garbage("a header block without Content-Length".into());
    };
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return Incoming::Closed;
    }
    match serde_json::from_slice(&body) {
        Ok(value) => Incoming::Message(value),
        Err(_) => Incoming::Garbage(String::from_utf8_lossy(&body).into_owned()),
    }
}

/// The 0-based (line, UTF-16 character) of the first occurrence of `needle` in `text`,
/// plus `shift` characters (for pointing inside the match).
pub fn position_of(text: &str, needle: &str, shift: usize) -> (u32, u32) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is in the text"));
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let prefix: String = text[line_start..]
        .chars()
        .take(before[line_start..].chars().count() + shift)
        .collect();
    (line as u32, prefix.encode_utf16().count() as u32)
}

/// The byte offset of a 0-based (line, UTF-16 character) position.
pub fn offset_of(text: &str, line: u64, character: u64) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line as usize)
        .map(str::len)
        .sum();
    let mut units = 0;
    for (index, ch) in text[line_start..].char_indices() {
        if units >= character as usize || ch == '\n' {
            return line_start + index;
        }
        units += ch.len_utf16();
    }
    text.len()
}

/// Applies an LSP `TextEdit[]` (UTF-16 positions) to a text, last edit first.
pub fn apply_text_edits(text: &str, edits: &[Value]) -> String {
    let mut resolved: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            let at = |key: &str| {
                let position = &edit["range"][key];
                offset_of(
                    text,
                    position["line"].as_u64().unwrap_or(0),
                    position["character"].as_u64().unwrap_or(0),
                )
            };
            (
                at("start"),
                at("end"),
                edit["newText"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    resolved.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let mut result = text.to_string();
    for (start, end, new_text) in resolved {
        result.replace_range(start..end, &new_text);
    }
    result
}

//! A hostile workspace, over the protocol against the real binary: module files that point
//! outside the workspace, at devices, FIFOs or themselves, huge files, storms of file events.
//! The server must read nothing outside the workspace folder, never block or balloon, and
//! keep answering.
//!
//! Each test builds a sandbox: `ws/` is the workspace folder (a package), `outside/` beside it
//! holds a sentinel file whose struct would show in a hint (`stack 8B`) if it were read.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::lsp_client::LspClient;

/// The sentinel outside the workspace: read, it would make `s` 8 bytes.
const SECRET: &str = "pub struct Secret { sentinel_field_outside: u64 }\n";

/// The control inside it: once `i` shows 4 bytes, indexing has read the module tree.
const INSIDE: &str = "pub struct Inside { a: u32 }\n";

struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let root =
            std::env::temp_dir().join(format!("memlens-hostile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("ws/src")).expect("sandbox");
        std::fs::create_dir_all(root.join("outside")).expect("sandbox");
        let root = std::fs::canonicalize(root).expect("sandbox");
        std::fs::write(root.join("outside/secret.rs"), SECRET).expect("sentinel");
        std::fs::write(
            root.join("ws/Cargo.toml"),
            "[package]\nname = \"ws\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        )
        .expect("manifest");
        std::fs::write(root.join("ws/src/inside.rs"), INSIDE).expect("inside");
        Sandbox { root }
    }

    fn ws(&self) -> PathBuf {
        self.root.join("ws")
    }

    fn write(&self, path: &str, text: &str) {
        std::fs::write(self.ws().join(path), text).expect("workspace file");
    }

    fn symlink(&self, link: &str, target: &str) {
        std::os::unix::fs::symlink(target, self.ws().join(link)).expect("symlink");
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn initialize(client: &mut LspClient, ws: &Path) {
    let response = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(ws),
            "workspaceFolders": [{"uri": uri(ws), "name": "ws"}],
            "capabilities": {
                "general": {"positionEncodings": ["utf-8"]},
                "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
                "textDocument": {"hover": {"contentFormat": ["markdown"]}, "inlayHint": {}}
            }
        }),
    );
    assert!(response.get("error").is_none(), "{response}");
    client.notify("initialized", json!({}));
}

fn started(sandbox: &Sandbox) -> LspClient {
    let mut client = LspClient::spawn();
    initialize(&mut client, &sandbox.ws());
    client
}

/// The hint after `let NAME` in the document, if any.
fn hint_of(client: &mut LspClient, uri: &str, text: &str, name: &str) -> Option<String> {
    let line = text
        .lines()
        .position(|l| l.contains(&format!("let {name}")))
        .expect("the binding is in the text") as u64;
    client
        .inlay_hints(uri, text.lines().count() as u32 + 1)
        .into_iter()
        .find(|(hint_line, _, _)| *hint_line == line)
        .map(|(_, _, label)| label.trim().to_string())
}

/// Waits (up to 30 s) until the control binding `i` shows `stack 4B`: the module tree has been
/// read. Panics if it never does (the analysis thread is blocked, or the server is gone).
fn wait_until_indexed(client: &mut LspClient, uri: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if hint_of(client, uri, text, "i").as_deref() == Some("stack 4B") {
            return;
        }
        assert!(Instant::now() < deadline, "indexing never finished");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The server's resident memory, in MiB.
fn rss_mib(client: &LspClient) -> u64 {
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", client.pid())).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// main.rs with the given module items, the control and the sentinel's binding.
fn main_text(modules: &str) -> String {
    format!(
        "{modules}\nmod inside;\nuse inside::Inside;\nfn main() {{\n    let i: Inside = todo!();\n    let s: Secret = todo!();\n}}\n"
    )
}

/// Opens main.rs, waits for indexing, and checks that the sentinel was not read: `s` is not
/// 8 bytes and no hover mentions its field.
fn assert_secret_unread(sandbox: &Sandbox, modules: &str) {
    let text = main_text(modules);
    sandbox.write("src/main.rs", &text);
    let mut client = started(sandbox);
    let main = uri(&sandbox.ws().join("src/main.rs"));
    client.open(&main, &text);
    wait_until_indexed(&mut client, &main, &text);
    let shown = hint_of(&mut client, &main, &text, "s");
    assert_ne!(
        shown.as_deref(),
        Some("stack 8B"),
        "the file outside was read"
    );
    let line = text.lines().position(|l| l.contains("let s")).unwrap_or(0) as u32;
    let hover = client.hover(&main, line, 8).unwrap_or_default();
    assert!(!hover.contains("sentinel_field_outside"), "{hover}");
    assert!(client.shutdown().success());
}

#[test]
fn a_path_attribute_climbing_out_is_not_followed() {
    let sandbox = Sandbox::new("climb");
    assert_secret_unread(
        &sandbox,
        "#[path = \"../../outside/secret.rs\"]\nmod secret;\nuse secret::Secret;",
    );
}

#[test]
fn an_absolute_path_attribute_outside_is_not_followed() {
    let sandbox = Sandbox::new("absolute");
    let secret = sandbox.root.join("outside/secret.rs");
    let modules = format!(
        "#[path = \"{}\"]\nmod secret;\nuse secret::Secret;",
        secret.display()
    );
    assert_secret_unread(&sandbox, &modules);
}

#[test]
fn an_include_climbing_out_is_not_read() {
    let sandbox = Sandbox::new("include-climb");
    assert_secret_unread(&sandbox, "include!(\"../../outside/secret.rs\");");
    let sandbox = Sandbox::new("include-absolute");
    let secret = sandbox.root.join("outside/secret.rs");
    assert_secret_unread(&sandbox, &format!("include!(\"{}\");", secret.display()));
}

#[test]
fn a_symlink_leaving_the_workspace_is_not_followed() {
    let sandbox = Sandbox::new("symlink");
    sandbox.symlink("src/secret.rs", "../../outside/secret.rs");
    assert_secret_unread(&sandbox, "mod secret;\nuse secret::Secret;");
}

/// With strace on the machine: the server opens nothing in `outside/` at all, whatever the
/// module tree names there (the hint check alone would miss a file opened and then dropped).
#[test]
fn nothing_outside_the_workspace_is_opened() {
    if std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: strace is not on this machine");
        return;
    }
    let sandbox = Sandbox::new("strace");
    sandbox.symlink("src/linked.rs", "../../outside/secret.rs");
    let secret = sandbox.root.join("outside/secret.rs");
    let text = main_text(&format!(
        "#[path = \"../../outside/secret.rs\"]\nmod a;\n#[path = \"{}\"]\nmod b;\nmod linked;\n#[path = \"/etc/passwd\"]\nmod c;\nuse a::Secret;",
        secret.display()
    ));
    sandbox.write("src/main.rs", &text);
    let trace = sandbox.root.join("trace.txt");
    let trace_arg = trace.display().to_string();
    let mut client = LspClient::spawn_command(
        "strace",
        &[
            "-f",
            "-qq",
            "-e",
            "trace=open,openat,openat2",
            "-o",
            &trace_arg,
            env!("CARGO_BIN_EXE_memlens"),
            "lsp",
        ],
    );
    initialize(&mut client, &sandbox.ws());
    let main = uri(&sandbox.ws().join("src/main.rs"));
    client.open(&main, &text);
    wait_until_indexed(&mut client, &main, &text);
    // A watched-file event for the outside file is not read either.
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&secret), "type": 2}, {"uri": "file:///etc/passwd", "type": 2}]}),
    );
    wait_until_indexed(&mut client, &main, &text);
    std::thread::sleep(Duration::from_millis(500));
    assert!(client.shutdown().success());
    let opened = std::fs::read_to_string(&trace).expect("strace wrote its trace");
    let outside: Vec<&str> = opened
        .lines()
        .filter(|line| line.contains("/outside/") || line.contains("/etc/passwd"))
        .collect();
    assert!(
        outside.is_empty(),
        "opened outside the workspace: {outside:#?}"
    );
}

/// Module files that are devices, FIFOs or the server's own input: never opened for reading,
/// so nothing blocks and memory stays small.
#[test]
fn devices_fifos_and_stdin_are_never_read() {
    let sandbox = Sandbox::new("special");
    sandbox.symlink("src/zero.rs", "/dev/zero");
    let fifo = sandbox.ws().join("src/fifo.rs");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let text = main_text(
        "#[path = \"/dev/zero\"]\nmod z;\nmod zero;\nmod fifo;\n#[path = \"/dev/stdin\"]\nmod input;\n#[path = \"/dev/urandom\"]\nmod noise;",
    );
    sandbox.write("src/main.rs", &text);
    let mut client = started(&sandbox);
    let main = uri(&sandbox.ws().join("src/main.rs"));
    client.open(&main, &text);
    wait_until_indexed(&mut client, &main, &text);
    // Watched-file events naming them are not read either.
    let events: Vec<Value> = [
        uri(&fifo),
        "file:///dev/zero".to_string(),
        uri(&sandbox.ws().join("src/zero.rs")),
    ]
    .into_iter()
    .flat_map(|u| [json!({"uri": u, "type": 1}), json!({"uri": u, "type": 2})])
    .collect();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": events}),
    );
    std::thread::sleep(Duration::from_millis(500));
    wait_until_indexed(&mut client, &main, &text);
    let rss = rss_mib(&client);
    assert!(rss < 200, "the server grew to {rss} MiB");
    assert!(client.shutdown().success());
}

/// `src/a -> .` and `src/b -> .` with `mod a; mod b;` in main.rs and in `src/mod.rs`: lexical
/// paths double at every level; canonical paths make it one file.
#[test]
fn symlink_loops_reach_each_file_once() {
    let sandbox = Sandbox::new("loops");
    sandbox.symlink("src/a", ".");
    sandbox.symlink("src/b", ".");
    sandbox.write(
        "src/mod.rs",
        "mod a;\nmod b;\npub struct Looped { x: u16 }\n",
    );
    let text = main_text("mod a;\nmod b;");
    sandbox.write("src/main.rs", &text);
    let mut client = started(&sandbox);
    let main = uri(&sandbox.ws().join("src/main.rs"));
    client.open(&main, &text);
    wait_until_indexed(&mut client, &main, &text);
    // Lexical paths grow the module tree without end (before canonical paths: over 300 MiB
    // after 6 s, 4.4 GB after 20 s): watch the memory for a while.
    for _ in 0..16 {
        std::thread::sleep(Duration::from_millis(500));
        let rss = rss_mib(&client);
        assert!(rss < 200, "the server grew to {rss} MiB");
    }
    eprintln!(
        "memory after 8 s of symlink loops: {} MiB",
        rss_mib(&client)
    );
    still_answers(&mut client, &main, &text);
    assert!(client.shutdown().success());
}

fn still_answers(client: &mut LspClient, main: &str, text: &str) {
    let started = Instant::now();
    assert_eq!(
        hint_of(client, main, text, "i").as_deref(),
        Some("stack 4B")
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A module file over the 16 MiB limit is skipped (with a warning in the log), not read.
#[test]
fn a_module_file_over_the_size_limit_is_skipped() {
    let sandbox = Sandbox::new("huge");
    let mut big = String::from("pub struct Big { a: u8 }\n");
    let comment = format!("// {}\n", "x".repeat(1020));
    while big.len() <= 17 * 1024 * 1024 {
        big.push_str(&comment);
    }
    sandbox.write("src/big.rs", &big);
    let text =
        main_text("mod big;\nuse big::Big;\nfn other() { let b: Big = todo!(); }\nstruct Secret;");
    sandbox.write("src/main.rs", &text);
    let mut client = started(&sandbox);
    let main = uri(&sandbox.ws().join("src/main.rs"));
    client.open(&main, &text);
    wait_until_indexed(&mut client, &main, &text);
    let shown = hint_of(&mut client, &main, &text, "b");
    assert_ne!(
        shown.as_deref(),
        Some("stack 1B"),
        "the 17 MiB file was read"
    );
    assert!(client.shutdown().success());
}

/// A Deleted event for a file open with unsaved edits: the editor's text stays the crate's.
#[test]
fn deleting_an_open_file_keeps_the_editors_text() {
    let sandbox = Sandbox::new("deleted");
    sandbox.write("src/util.rs", "pub struct W { a: u8 }\n");
    let text =
        main_text("mod util;\nuse util::W;\nfn other() { let w: W = todo!(); }\nstruct Secret;");
    sandbox.write("src/main.rs", &text);
    let mut client = started(&sandbox);
    let main = uri(&sandbox.ws().join("src/main.rs"));
    let util_path = sandbox.ws().join("src/util.rs");
    let util = uri(&util_path);
    client.open(&util, "pub struct W { a: u64, b: u64 }\n");
    client.open(&main, &text);
    wait_until_indexed(&mut client, &main, &text);
    let deadline = Instant::now() + Duration::from_secs(30);
    while hint_of(&mut client, &main, &text, "w").as_deref() != Some("stack 16B") {
        assert!(
            Instant::now() < deadline,
            "the editor's util.rs never showed"
        );
        // Analysing util.rs gives the index its unsaved declarations.
        client.hover(&util, 0, 11);
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::remove_file(&util_path).expect("delete util.rs");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": util, "type": 3}]}),
    );
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        hint_of(&mut client, &main, &text, "w").as_deref(),
        Some("stack 16B")
    );
    assert!(client.shutdown().success());
}

/// 1 000 Created events, one notification each, for a crate of 2 000 modules: one walk of the
/// module tree, not 1 000, before the next hover.
#[test]
fn a_storm_of_file_events_is_coalesced() {
    let sandbox = Sandbox::new("storm");
    let mut modules = String::new();
    for n in 0..2_000 {
        modules.push_str(&format!("mod m{n};\n"));
        sandbox.write(
            &format!("src/m{n}.rs"),
            &format!("pub struct M{n} {{ a: [u8; {n}] }}\n"),
        );
    }
    // m1 is the second-to-last module read: once `z` shows 1 byte, the crate is indexed.
    modules.push_str("struct Secret;\nfn last() { let z: m1::M1 = todo!(); }");
    let text = main_text(&modules);
    sandbox.write("src/main.rs", &text);
    let mut client = started(&sandbox);
    let main = uri(&sandbox.ws().join("src/main.rs"));
    client.open(&main, &text);
    wait_until_indexed(&mut client, &main, &text);
    let deadline = Instant::now() + Duration::from_secs(60);
    while hint_of(&mut client, &main, &text, "z").as_deref() != Some("stack 1B") {
        assert!(Instant::now() < deadline, "the crate was never indexed");
        std::thread::sleep(Duration::from_millis(100));
    }
    let started = Instant::now();
    for n in 0..1_000 {
        let created = uri(&sandbox.ws().join(format!("src/m{}.rs", n % 2_000)));
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": created, "type": 1}]}),
        );
    }
    // Long enough for the events to be applied, whether one by one or together.
    std::thread::sleep(Duration::from_millis(200));
    still_answers(&mut client, &main, &text);
    let waited = started.elapsed();
    eprintln!("hints after the storm in {waited:?}");
    assert!(
        waited < Duration::from_millis(1_500),
        "the hints waited {waited:?}"
    );
    assert!(client.shutdown().success());
}

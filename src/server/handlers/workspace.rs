//! The workspace's crates: indexing them after `initialized` (with `$/progress`), watching
//! their files (`workspace/didChangeWatchedFiles`), and refreshing open documents when another
//! file's declarations change.

use std::path::PathBuf;

use tower_lsp_server::ls_types::*;

use super::CLIENT_ANSWER_TIMEOUT;
use crate::server::Backend;
use crate::server::crates::FileChange;
use crate::server::worker::Priority;

/// How long after `initialized` indexing begins: a client opens its first document within a
/// few milliseconds, and that document's preparation should not wait behind a batch.
pub const INDEX_DELAY: std::time::Duration = std::time::Duration::from_millis(50);

/// Files read per job on the analysis thread: small enough that a hover waits for at most one
/// batch, large enough that progress reports stay few.
const FILES_PER_BATCH: usize = 32;

/// The workspace folders the client named at `initialize`, as directories.
pub fn folders(params: &InitializeParams) -> Vec<PathBuf> {
    let from_folders = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| folder.uri.to_file_path().map(|path| path.into_owned()));
    #[allow(deprecated)] // Clients that predate workspace folders send only the root URI.
    let from_root = params
        .root_uri
        .as_ref()
        .and_then(|uri| uri.to_file_path().map(|path| path.into_owned()));
    let mut folders: Vec<PathBuf> = from_folders.collect();
    if folders.is_empty() {
        folders.extend(from_root);
    }
    folders
        .into_iter()
        .map(|dir| std::fs::canonicalize(&dir).unwrap_or(dir))
        .collect()
}

/// Registers the workspace folders' packages, unread, before any document is analysed: a
/// document of theirs is then analysed at once on its own rather than after reading its whole
/// package, and sees the other files as soon as they are indexed in the background.
pub async fn start_indexing(backend: &Backend) {
    let folders = backend.state().workspace_folders.clone();
    let started = backend
        .worker
        .with_crates(Priority::Now, move |crates| {
            crates.set_workspace(folders.clone());
            for dir in &folders {
                crates.start(dir);
            }
        })
        .await;
    if let Err(failure) = started {
        tracing::error!("{failure}");
    }
}

/// Indexes the workspace folders' packages, then refreshes what open documents show.
pub async fn index_folders(backend: &Backend) {
    let folders = backend.state().workspace_folders.clone();
    let mut indexed_any = false;
    for dir in folders {
        indexed_any |= index_package(backend, dir.clone()).await;
        indexed_any |= load_dependencies(backend, dir).await;
    }
    if indexed_any {
        refresh_open_documents(backend).await;
    }
}

/// Reads a registered package's files batch by batch, when the analysis thread has nothing
/// else to do, reporting progress when the client shows it. Returns whether it read any.
async fn index_package(backend: &Backend, dir: PathBuf) -> bool {
    let mut progress = None;
    let mut batches = 0;
    loop {
        let batch = backend
            .worker
            .with_crates(Priority::Background, {
                let dir = dir.clone();
                move |crates| crates.index_some(&dir, FILES_PER_BATCH)
            })
            .await;
        let Ok((done, known)) = batch else {
            break;
        };
        batches += 1;
        if done >= known {
            break;
        }
        if progress.is_none() {
            progress = begin_progress(backend, &dir).await;
        }
        if let Some(progress) = &progress {
            let percentage = (done * 100 / known.max(1)) as u32;
            progress
                .report_with_message(format!("{done}/{known} files"), percentage)
                .await;
        }
    }
    if let Some(progress) = progress {
        progress.finish().await;
    }
    batches > 0
}

/// Reads the package's dependencies (running `cargo tree` and parsing their sources) off the
/// analysis thread, then gives them to its index. Returns whether it found any.
async fn load_dependencies(backend: &Backend, dir: PathBuf) -> bool {
    let target = crate::analysis::Target::default();
    let loaded = tokio::task::spawn_blocking({
        let dir = dir.clone();
        // Parsing needs the analysis thread's stack, and a panic must not reach the server.
        move || crate::stack::on_large_stack(move || crate::dependencies::load(&dir, target))
    })
    .await;
    let Ok(Ok(Some(dependencies))) = loaded else {
        return false;
    };
    let given = backend
        .worker
        .with_crates(Priority::Background, move |crates| {
            crates.set_dependencies(&dir, dependencies)
        })
        .await;
    matches!(given, Ok(true))
}

type IndexProgress =
    tower_lsp_server::OngoingProgress<tower_lsp_server::Bounded, tower_lsp_server::NotCancellable>;

/// Opens a progress report, if the client accepts server-initiated ones.
async fn begin_progress(backend: &Backend, dir: &std::path::Path) -> Option<IndexProgress> {
    if !backend.state().shows_progress {
        return None;
    }
    let token = NumberOrString::String(format!("memlens/index/{}", dir.display()));
    let created = tokio::time::timeout(
        CLIENT_ANSWER_TIMEOUT,
        backend.client.create_work_done_progress(token.clone()),
    )
    .await;
    if !matches!(created, Ok(Ok(()))) {
        return None;
    }
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let progress = backend
        .client
        .progress(token, format!("memlens: indexing {name}"))
        .with_percentage(0)
        .begin()
        .await;
    Some(progress)
}

/// Asks the client to tell the server about changes to the workspace's Rust files and
/// manifests, if it lets servers register for them.
pub async fn watch_files(backend: &Backend) {
    if !backend.state().registers_file_watchers {
        return;
    }
    let watchers = ["**/*.rs", "**/Cargo.toml"]
        .into_iter()
        .map(|glob| FileSystemWatcher {
            glob_pattern: GlobPattern::String(glob.to_string()),
            kind: None,
        })
        .collect();
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = Registration {
        id: "memlens-watched-files".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(options).ok(),
    };
    let registered = tokio::time::timeout(
        CLIENT_ANSWER_TIMEOUT,
        backend.client.register_capability(vec![registration]),
    )
    .await;
    if !matches!(registered, Ok(Ok(()))) {
        tracing::warn!("the client did not register the file watchers");
    }
}

/// Files changed on disk: handed to the analysis thread, which applies them together before
/// its next job (see `worker::FileChanges`). The notification returns at once, so a storm of
/// them holds up nothing and costs one walk of the module tree.
pub async fn did_change_watched_files(backend: &Backend, params: DidChangeWatchedFilesParams) {
    let changes: Vec<(PathBuf, FileChange)> = params
        .changes
        .into_iter()
        .filter_map(|event| {
            let path = event.uri.to_file_path()?.into_owned();
            // Resolving the path reads no file; what it names is checked before any read.
            let path = std::fs::canonicalize(&path).unwrap_or(path);
            let change = match event.typ {
                FileChangeType::CREATED => FileChange::Created,
                FileChangeType::DELETED => FileChange::Deleted,
                _ => FileChange::Changed,
            };
            Some((path, change))
        })
        .collect();
    if !changes.is_empty() {
        backend.worker.files_changed(changes);
    }
}

/// Refreshes open documents whenever a crate index changed (an edit to another document's
/// declarations, a file changed on disk, a document closed), once changes pause.
pub async fn follow_crate_changes(backend: Backend) {
    let changes = backend.worker.crate_changes();
    loop {
        changes.notified().await;
        tokio::time::sleep(CHANGES_SETTLE).await;
        refresh_open_documents(&backend).await;
    }
}

/// How long crate changes must pause before open documents are refreshed: a burst of edits
/// refreshes once.
const CHANGES_SETTLE: std::time::Duration = std::time::Duration::from_millis(100);

/// Another file's declarations changed: what open documents show may have too.
pub async fn refresh_open_documents(backend: &Backend) {
    super::diagnostics::publish_all(backend);
    super::refresh_inlay_hints(backend).await;
}

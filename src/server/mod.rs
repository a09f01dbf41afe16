//! The LSP server: protocol in, the analysis core, protocol out. One handler per method.

mod config;
mod crates;
mod documents;
mod handlers;
mod transport;
mod worker;

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

pub use config::Settings;
pub use documents::{Document, PositionEncoding};
use worker::AnalysisWorker;

/// What the server remembers between requests.
#[derive(Default)]
pub struct ServerState {
    pub documents: HashMap<Uri, Document>,
    pub encoding: PositionEncoding,
    pub settings: Settings,
    /// The client answers `workspace/configuration`.
    pub pulls_configuration: bool,
    /// The client accepts `workspace/inlayHint/refresh`.
    pub refreshes_inlay_hints: bool,
    /// The client shows server-initiated progress (`window/workDoneProgress/create`).
    pub shows_progress: bool,
    /// The client lets the server register `workspace/didChangeWatchedFiles` watchers.
    pub registers_file_watchers: bool,
    /// The workspace folders, whose packages are indexed after `initialized`.
    pub workspace_folders: Vec<std::path::PathBuf>,
}

/// The server; cheap to clone, so background work (diagnostics) can own a handle.
#[derive(Clone)]
pub struct Backend {
    client: Client,
    state: Arc<Mutex<ServerState>>,
    worker: AnalysisWorker,
    /// Set by `shutdown`; the process exits with 0 only if `exit` came after it (LSP spec).
    shut_down: Arc<AtomicBool>,
}

impl Backend {
    /// The state, even if a panic elsewhere poisoned the lock: it is plain data and stays usable.
    fn state(&self) -> MutexGuard<'_, ServerState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Serves LSP on stdin/stdout until the client says `exit`. Logs go to stderr.
pub fn run_stdio() -> ExitCode {
    prewarm_in_background();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("memlens: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let worker = match AnalysisWorker::spawn() {
        Ok(worker) => worker,
        Err(error) => {
            eprintln!("memlens: cannot start the analysis thread: {error}");
            return ExitCode::FAILURE;
        }
    };
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&shut_down);
    runtime.block_on(async move {
        let (service, socket) = LspService::new(move |client| Backend {
            client,
            state: Arc::new(Mutex::new(ServerState::default())),
            worker,
            shut_down: flag,
        });
        transport::serve(tokio::io::stdin(), tokio::io::stdout(), service, socket).await;
    });
    // tokio reads stdin on a blocking thread that may never return; do not wait for it.
    runtime.shutdown_background();
    if shut_down.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Loads std's tables for the default target on a thread of their own while the client and
/// server shake hands: the first hover then waits only for its own file. A failure here costs
/// nothing, the first analysis loads them itself.
fn prewarm_in_background() {
    let _ = std::thread::Builder::new()
        .name("memlens-prewarm".into())
        .stack_size(crate::stack::ANALYSIS_STACK_BYTES)
        .spawn(|| {
            let _ = std::panic::catch_unwind(|| {
                crate::analysis::prewarm(&crate::analysis::Target::default())
            });
        });
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MEMLENS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let result = handlers::lifecycle::initialize(self, params);
        handlers::workspace::start_indexing(self).await;
        Ok(result)
    }

    async fn initialized(&self, _: InitializedParams) {
        handlers::configuration::pull(self).await;
        handlers::workspace::watch_files(self).await;
        let backend = self.clone();
        // Indexing runs in the background, after a pause that leaves the analysis thread (and
        // the machine's cores) to the document a client opens right after initializing: its
        // first hover answers from its own file at once, and sees the rest once indexed.
        tokio::spawn(async move {
            tokio::time::sleep(handlers::workspace::INDEX_DELAY).await;
            handlers::workspace::index_folders(&backend).await
        });
        tokio::spawn(handlers::workspace::follow_crate_changes(self.clone()));
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let uri = params.text_document.uri.clone();
        handlers::text_document::did_open(self, params);
        handlers::diagnostics::schedule(self, uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri.clone();
        handlers::text_document::did_change(self, params);
        handlers::diagnostics::schedule(self, uri);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        handlers::text_document::did_close(self, params);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        handlers::workspace::did_change_watched_files(self, params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        handlers::configuration::did_change(self, params).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        handlers::hover::hover(self, params).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        handlers::inlay_hint::inlay_hint(self, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        handlers::code_action::code_action(self, params).await
    }
}

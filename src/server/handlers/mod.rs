//! One module per LSP method family; each converts in, calls the core, converts out.

pub mod code_action;
pub mod configuration;
pub mod diagnostics;
pub mod hover;
pub mod inlay_hint;
pub mod lifecycle;
pub mod text_document;
pub mod workspace;

use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::Uri;

use super::worker::{AnalysisFailure, AnalysisRequest};
use super::{Backend, Document, PositionEncoding};

/// How long to wait for the client to answer a request of ours. A client that never answers
/// (or sends `exit` instead) must not keep a handler, and so the server, alive.
pub const CLIENT_ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Asks the client to request inlay hints again, if it accepts such requests.
pub async fn refresh_inlay_hints(backend: &Backend) {
    if !backend.state().refreshes_inlay_hints {
        return;
    }
    match tokio::time::timeout(CLIENT_ANSWER_TIMEOUT, backend.client.inlay_hint_refresh()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!("inlay hint refresh failed: {error}"),
        Err(_) => tracing::warn!("the client did not answer workspace/inlayHint/refresh"),
    }
}

/// A document snapshot for one request, taken under the lock before any `.await`.
pub struct Snapshot {
    pub document: Document,
    pub encoding: PositionEncoding,
    pub request: AnalysisRequest,
}

/// Takes a snapshot of an open document; `None` for documents the client never opened.
pub fn snapshot(backend: &Backend, uri: &Uri) -> Option<Snapshot> {
    let state = backend.state();
    let document = state.documents.get(uri)?.clone();
    Some(Snapshot {
        request: AnalysisRequest {
            uri: uri.clone(),
            revision: document.revision,
            text: document.rope.clone(),
            target: state.settings.target,
            scope: None,
        },
        encoding: state.encoding,
        document,
    })
}

impl Snapshot {
    /// The byte range of an LSP range, clamped: a start past the end is the end, an end
    /// before the start is the start.
    pub fn byte_range(&self, range: tower_lsp_server::ls_types::Range) -> std::ops::Range<usize> {
        let end_of_text = self.document.rope.len_bytes();
        let start = self
            .document
            .offset(range.start, self.encoding)
            .unwrap_or(end_of_text);
        let end = self
            .document
            .offset(range.end, self.encoding)
            .unwrap_or(end_of_text);
        start..end.max(start)
    }
}

/// A failed analysis answers the request with an error; the server keeps serving.
pub fn internal_error(failure: AnalysisFailure) -> jsonrpc::Error {
    tracing::error!("{failure}");
    jsonrpc::Error {
        code: jsonrpc::ErrorCode::InternalError,
        message: failure.to_string().into(),
        data: None,
    }
}

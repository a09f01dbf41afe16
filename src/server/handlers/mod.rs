//! One module per LSP method family; each converts in, calls the core, converts out.

pub mod code_action;
pub mod configuration;
pub mod diagnostics;
pub mod hover;
pub mod inlay_hint;
pub mod lifecycle;
pub mod text_document;

use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::Uri;

use super::worker::{AnalysisFailure, AnalysisRequest};
use super::{Backend, Document, PositionEncoding};

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
            version: document.version,
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

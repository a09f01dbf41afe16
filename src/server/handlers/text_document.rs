//! `didOpen`, `didChange`, `didClose`: the document store, mutated before any `.await`.
//!
//! tower-lsp-server runs handlers concurrently; these handlers never await, so each edit is
//! applied completely, in the order the client sent it, before the next message is handled.

use tower_lsp_server::ls_types::*;

use crate::server::{Backend, Document};

/// Stores the document and has the analysis thread prepare its analysis at once: the first
/// hover or hint request usually follows within milliseconds.
pub fn did_open(backend: &Backend, params: DidOpenTextDocumentParams) {
    let document = params.text_document;
    let uri = document.uri.clone();
    backend.state().documents.insert(
        document.uri,
        Document::new(&document.text, document.version),
    );
    if let Some(snapshot) = super::snapshot(backend, &uri) {
        backend.worker.prepare(snapshot.request);
    }
}

pub fn did_change(backend: &Backend, params: DidChangeTextDocumentParams) {
    let mut state = backend.state();
    let encoding = state.encoding;
    let uri = params.text_document.uri;
    let Some(document) = state.documents.get_mut(&uri) else {
        tracing::warn!(
            "didChange for a document that is not open: {}",
            uri.as_str()
        );
        return;
    };
    document.apply_changes(
        params.content_changes,
        params.text_document.version,
        encoding,
    );
}

pub fn did_close(backend: &Backend, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    backend.state().documents.remove(&uri);
    backend.worker.forget(uri);
}

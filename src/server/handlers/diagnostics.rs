//! `textDocument/publishDiagnostics`: memory warnings, sent after each change of a document.

use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::snapshot;
use crate::analysis::diagnostics::{self, DiagnosticOptions, Severity};
use crate::server::Backend;

/// How long typing must pause before diagnostics are computed: a burst of edits is analysed
/// once, for its last version, not once per keystroke.
const DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(50);

/// Publishes the document's diagnostics in the background, after the debounce. The handler
/// that calls this returns at once: tower-lsp-server runs only a few handlers at a time, so a
/// handler that waited here would hold up every message behind it.
pub fn schedule(backend: &Backend, uri: Uri) {
    let backend = backend.clone();
    tokio::spawn(async move {
        let revision_at_call = backend.state().documents.get(&uri).map(|d| d.revision);
        tokio::time::sleep(DEBOUNCE).await;
        if backend.state().documents.get(&uri).map(|d| d.revision) == revision_at_call {
            publish(&backend, uri).await;
        }
    });
}

/// Analyses the document as it is now and publishes its diagnostics, unless a newer version
/// arrived meanwhile (its own run will publish).
async fn publish(backend: &Backend, uri: Uri) {
    let (enabled, options) = {
        let state = backend.state();
        let settings = &state.settings;
        let options = DiagnosticOptions {
            stack_value_bytes: settings.stack_array_bytes,
            stack_frame_bytes: settings.stack_frame_bytes,
            ..DiagnosticOptions::default()
        };
        (settings.diagnostics, options)
    };
    let Some(snapshot) = snapshot(backend, &uri) else {
        return;
    };
    let (version, revision) = (snapshot.document.version, snapshot.document.revision);
    let found = if enabled {
        match backend
            .worker
            .query(snapshot.request, move |analysis| {
                diagnostics::diagnostics(analysis, options)
            })
            .await
        {
            Ok(found) => found,
            Err(failure) => {
                tracing::error!("{failure}");
                return;
            }
        }
    } else {
        Vec::new()
    };
    let current = backend.state().documents.get(&uri).map(|d| d.revision);
    if current != Some(revision) {
        return;
    }
    let converted = found
        .into_iter()
        .map(|d| lsp::Diagnostic {
            range: snapshot.document.range(d.range, snapshot.encoding),
            severity: Some(match d.severity {
                Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
                Severity::Hint => lsp::DiagnosticSeverity::HINT,
            }),
            code: Some(lsp::NumberOrString::String(d.code.to_string())),
            source: Some("memlens".to_string()),
            message: d.message,
            ..lsp::Diagnostic::default()
        })
        .collect();
    backend
        .client
        .publish_diagnostics(uri, converted, Some(version))
        .await;
}

/// Publishes again for every open document (after the settings changed).
pub fn publish_all(backend: &Backend) {
    let uris: Vec<Uri> = backend.state().documents.keys().cloned().collect();
    for uri in uris {
        schedule(backend, uri);
    }
}

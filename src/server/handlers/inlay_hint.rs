//! `textDocument/inlayHint`: `stack 24B + heap 5B` after each binding in the requested range.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::{internal_error, snapshot};
use crate::analysis::inlay;
use crate::server::Backend;
use crate::server::worker::AnalysisRequest;

pub async fn inlay_hint(
    backend: &Backend,
    params: InlayHintParams,
) -> Result<Option<Vec<InlayHint>>> {
    let (enabled, options) = {
        let state = backend.state();
        (state.settings.inlay_hints, state.settings.inlay)
    };
    if !enabled {
        return Ok(Some(Vec::new()));
    }
    let Some(snapshot) = snapshot(backend, &params.text_document.uri) else {
        return Ok(None);
    };
    let document = &snapshot.document;
    let range = snapshot.byte_range(params.range);
    let (start, end) = (range.start, range.end);
    // Editors ask for the visible range; items outside it need only their declarations.
    let request = AnalysisRequest {
        scope: Some(start..end),
        ..snapshot.request
    };
    let hints = backend
        .worker
        .query(request, move |analysis| {
            inlay::inlay_hints(analysis, start..end, options)
        })
        .await
        .map_err(internal_error)?;
    Ok(Some(
        hints
            .into_iter()
            .map(|hint| InlayHint {
                position: document.position(hint.offset, snapshot.encoding),
                // The leading space keeps the label off the name in clients that ignore padding.
                label: InlayHintLabel::String(format!(" {}", hint.label)),
                kind: Some(InlayHintKind::TYPE),
                text_edits: None,
                tooltip: None,
                padding_left: None,
                padding_right: None,
                data: None,
            })
            .collect(),
    ))
}

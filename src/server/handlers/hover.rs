//! `textDocument/hover`: the core's hover for the name under the cursor, as markdown.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::{internal_error, snapshot};
use crate::analysis::hover;
use crate::server::Backend;
use crate::server::worker::AnalysisRequest;

pub async fn hover(backend: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let position = params.text_document_position_params;
    let Some(snapshot) = snapshot(backend, &position.text_document.uri) else {
        return Ok(None);
    };
    let Some(offset) = snapshot
        .document
        .offset(position.position, snapshot.encoding)
    else {
        return Ok(None);
    };
    // Only the item under the cursor needs its bodies parsed and walked.
    let request = AnalysisRequest {
        scope: Some(offset..offset),
        ..snapshot.request
    };
    let found = backend
        .worker
        .query(request, move |analysis| hover::hover(analysis, offset))
        .await
        .map_err(internal_error)?;
    Ok(found.map(|result| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: result.markdown,
        }),
        range: Some(snapshot.document.range(result.range, snapshot.encoding)),
    }))
}

//! `textDocument/codeAction`: the core's memory fixes at the cursor, as workspace edits.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::{internal_error, snapshot};
use crate::analysis::actions::{self, ActionOptions};
use crate::server::Backend;

pub async fn code_action(
    backend: &Backend,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let options = ActionOptions {
        stack_array_bytes: backend.state().settings.stack_array_bytes,
    };
    let uri = params.text_document.uri;
    let Some(snapshot) = snapshot(backend, &uri) else {
        return Ok(None);
    };
    let document = &snapshot.document;
    let range = snapshot.byte_range(params.range);
    let (start, end) = (range.start, range.end);
    let text = document.text();
    let found = backend
        .worker
        .query_with_syntax(snapshot.request, move |analysis, files| {
            actions::code_actions_in(files, &text, analysis, start..end, options)
        })
        .await
        .map_err(internal_error)?;
    let response = found
        .into_iter()
        .map(|action| {
            let edits = action
                .edits
                .iter()
                .map(|edit| {
                    TextEdit::new(
                        document.range(edit.range.clone(), snapshot.encoding),
                        edit.new_text.clone(),
                    )
                })
                .collect();
            CodeActionOrCommand::CodeAction(CodeAction {
                title: action.title,
                kind: Some(CodeActionKind::QUICKFIX),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(action.preferred),
                ..CodeAction::default()
            })
        })
        .collect();
    Ok(Some(response))
}

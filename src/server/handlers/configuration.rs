//! Settings: pulled with `workspace/configuration`, re-pulled on `didChangeConfiguration`.

use serde_json::Value;
use tower_lsp_server::ls_types::*;

use super::CLIENT_ANSWER_TIMEOUT;
use crate::server::{Backend, Settings};

/// Applies new settings and, when they change what hints show, asks the client to refresh.
async fn apply(backend: &Backend, value: &Value) {
    let (settings, problems) = Settings::from_json(value);
    for problem in &problems {
        tracing::warn!("{problem}");
        backend
            .client
            .show_message(MessageType::WARNING, problem)
            .await;
    }
    let refresh = {
        let mut state = backend.state();
        let changed = state.settings != settings;
        state.settings = settings;
        changed && state.refreshes_inlay_hints
    };
    super::diagnostics::publish_all(backend);
    if refresh {
        super::refresh_inlay_hints(backend).await;
    }
}

/// Asks the client for the `memlens` section, if it answers such requests.
pub async fn pull(backend: &Backend) {
    if !backend.state().pulls_configuration {
        return;
    }
    let item = ConfigurationItem {
        scope_uri: None,
        section: Some("memlens".to_string()),
    };
    match tokio::time::timeout(
        CLIENT_ANSWER_TIMEOUT,
        backend.client.configuration(vec![item]),
    )
    .await
    {
        Ok(Ok(values)) => {
            if let Some(value) = values.first().filter(|v| !v.is_null()) {
                apply(backend, value).await;
            }
        }
        Ok(Err(error)) => tracing::warn!("workspace/configuration failed: {error}"),
        Err(_) => tracing::warn!("the client did not answer workspace/configuration"),
    }
}

/// Per the LSP discussion (microsoft/language-server-protocol#676), a client that answers
/// `workspace/configuration` is asked again; otherwise the pushed settings are used.
pub async fn did_change(backend: &Backend, params: DidChangeConfigurationParams) {
    if backend.state().pulls_configuration {
        pull(backend).await;
        return;
    }
    let value = params
        .settings
        .get("memlens")
        .cloned()
        .unwrap_or(params.settings);
    apply(backend, &value).await;
}

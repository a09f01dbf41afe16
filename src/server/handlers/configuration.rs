//! Settings: pulled with `workspace/configuration`, re-pulled on `didChangeConfiguration`.

use serde_json::Value;
use tower_lsp_server::ls_types::*;

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
    if refresh {
        if let Err(error) = backend.client.inlay_hint_refresh().await {
            tracing::warn!("inlay hint refresh failed: {error}");
        }
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
    match backend.client.configuration(vec![item]).await {
        Ok(values) => {
            if let Some(value) = values.first().filter(|v| !v.is_null()) {
                apply(backend, value).await;
            }
        }
        Err(error) => tracing::warn!("workspace/configuration failed: {error}"),
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

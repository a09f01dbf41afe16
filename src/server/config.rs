//! The server's settings: what clients send (camelCase JSON) and what the analysis uses.

use serde::Deserialize;

use crate::analysis::Target;
use crate::analysis::inlay::{HeapFigures, InlayOptions};

/// Settings as clients send them under the `memlens` section; every field is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireSettings {
    pub target: Option<String>,
    pub inlay_hints: WireInlayHints,
    pub diagnostics: WireDiagnostics,
    pub thresholds: WireThresholds,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireInlayHints {
    pub enable: Option<bool>,
    pub min_bytes: Option<u64>,
    /// `both`, `atLet` or `afterChanges`: the heap figures a hint shows.
    pub heap: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireDiagnostics {
    pub enable: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireThresholds {
    pub stack_array_bytes: Option<u64>,
    pub stack_frame_bytes: Option<u64>,
}

/// Resolved settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub target: Target,
    pub inlay_hints: bool,
    pub inlay: InlayOptions,
    pub diagnostics: bool,
    /// A local array above this many bytes belongs on the heap (clippy's `array-size-threshold`).
    pub stack_array_bytes: u64,
    /// A stack frame above this many bytes is worth a warning (clippy's `stack-size-threshold`).
    pub stack_frame_bytes: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            target: Target::default(),
            inlay_hints: true,
            inlay: InlayOptions::default(),
            diagnostics: true,
            stack_array_bytes: 16 * 1024,
            stack_frame_bytes: 512_000,
        }
    }
}

impl Settings {
    /// Resolves client settings; an unknown target is reported and the default kept.
    pub fn from_json(value: &serde_json::Value) -> (Settings, Vec<String>) {
        let mut problems = Vec::new();
        let wire: WireSettings = match serde_json::from_value(value.clone()) {
            Ok(wire) => wire,
            Err(error) if value.is_null() => {
                let _ = error;
                WireSettings::default()
            }
            Err(error) => {
                problems.push(format!("memlens settings ignored: {error}"));
                WireSettings::default()
            }
        };
        let defaults = Settings::default();
        let target = match &wire.target {
            None => defaults.target,
            Some(triple) => Target::from_triple(triple).unwrap_or_else(|| {
                problems.push(format!(
                    "unknown target `{triple}`; using {}. Known: {}",
                    defaults.target,
                    Target::known_triples().join(", ")
                ));
                defaults.target
            }),
        };
        let heap = match wire.inlay_hints.heap.as_deref() {
            None => defaults.inlay.heap,
            Some(name) => HeapFigures::from_setting(name).unwrap_or_else(|| {
                problems.push(format!(
                    "unknown inlayHints.heap `{name}`; using `both`. Known: both, atLet, afterChanges"
                ));
                defaults.inlay.heap
            }),
        };
        let settings = Settings {
            target,
            inlay_hints: wire.inlay_hints.enable.unwrap_or(defaults.inlay_hints),
            inlay: InlayOptions {
                min_bytes: wire
                    .inlay_hints
                    .min_bytes
                    .unwrap_or(defaults.inlay.min_bytes),
                heap,
            },
            diagnostics: wire.diagnostics.enable.unwrap_or(defaults.diagnostics),
            stack_array_bytes: wire
                .thresholds
                .stack_array_bytes
                .unwrap_or(defaults.stack_array_bytes),
            stack_frame_bytes: wire
                .thresholds
                .stack_frame_bytes
                .unwrap_or(defaults.stack_frame_bytes),
        };
        (settings, problems)
    }
}

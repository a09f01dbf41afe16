//! Shared test helpers: an LSP client for the real binary, and rustc probes for the truth.
#![allow(dead_code)]

pub mod heap_judge;
pub mod heap_probe;
pub mod lsp_client;
pub mod rustc_probe;

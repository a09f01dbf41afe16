//! The `memlens` binary: an LSP server on stdio, or the `explain` command.

fn main() {}

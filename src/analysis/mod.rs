//! The analysis core: source text in, memory facts out. No LSP, async runtime or JSON here.

pub mod defs;
pub mod layout;
pub mod lower;
pub mod target;
pub mod ty;

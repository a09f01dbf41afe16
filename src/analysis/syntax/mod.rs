//! Syntax-level stages that run before type inference: for now, `macro_rules!` expansion.

pub mod macro_rules;

//! Syntax-level stages that run before type inference: `macro_rules!` expansion, and telling
//! attribute macros (which rewrite an item) from inert attributes.

pub mod attribute_macros;
pub mod macro_rules;
pub mod respan;

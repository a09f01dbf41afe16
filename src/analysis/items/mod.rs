//! The items stage: every file's declarations, the crate's module tree, and name resolution
//! (one path, one definition), with the crate's items lowered to the vocabulary of types.

pub mod cfg;
mod const_eval;
pub mod def_map;
pub mod graph;
pub mod include;
pub mod item_tree;
pub mod lower;
pub mod package;
pub mod resolve;
pub mod std_items;

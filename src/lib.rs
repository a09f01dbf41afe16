//! memlens: where every value of a Rust program lives in memory, for editors and the command line.

pub mod analysis;
pub mod build_scripts;
pub mod cargo_targets;
pub mod cli;
pub mod debuginfo;
pub mod dependencies;
pub mod files;
pub mod server;
pub mod stack;
pub mod workspace;

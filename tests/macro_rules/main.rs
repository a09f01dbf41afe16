//! The `macro_rules!` expander against the truth: expansions compared with rustc's own
//! (`-Zunpretty=expanded`) over a corpus of macros, every definition in std's source, std's
//! integer macros, and generated hostile input.

mod fuzz;
mod harness;
mod rustc_corpus;
mod std_source;

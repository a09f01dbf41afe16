//! The command line: `memlens explain FILE...` prints the analysis the editor would show.

pub mod explain;
pub mod verify;

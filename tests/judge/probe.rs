//! Rewriting a file so that rustc reveals each binding's type and size, without moving a line.
//!
//! The probe after a binding `x` is
//! `let _ = || unsafe { ::core::mem::transmute::<_, [u8; 1usize << 61]>(::core::ptr::read(&x)) };`.
//! rustc checks a transmute after inferring the whole body, so the source type it names in
//! E0512 is the binding's final type (a literal fixed by a later use, a `Vec::new()` fixed by a
//! later push). The probe adds no constraint: `ptr::read(&x)` has exactly `x`'s type and no
//! method is looked up on it. The target `[u8; 1 << 61]` is larger than any real type, so every
//! binding gets an error, zero-sized ones and `!` too (with `[u8; 0]` those would compile
//! silently). Being inside a closure that is never called, the probe runs nothing and moves
//! nothing. It goes on the line where the statement or the opening `{` is, so every line of
//! the original keeps its number.

use std::ops::Range;

use proc_macro2::LineColumn;

use crate::collect::{Collected, Site};

/// A probed file: its new text and, for each binding of the [`Collected`] in order, the byte
/// range of its probe in that text (where rustc's E0512 will point).
pub struct Probed {
    pub text: String,
    pub probes: Vec<Range<usize>>,
}

/// One piece of text to insert at a byte offset of the original. `rank` orders pieces at the
/// same offset: closers of inner wraps before those of outer ones, then openers of outer wraps
/// before inner ones, then probes after a `;` or `{`.
struct Insertion {
    offset: usize,
    rank: (u8, std::cmp::Reverse<usize>),
    before: &'static str,
    bindings: Vec<usize>,
    after: &'static str,
}

/// Byte offsets of line starts, to turn proc-macro2 positions (1-based line, 0-based column in
/// chars) into byte offsets.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    pub fn offset(&self, at: LineColumn) -> usize {
        let Some(&start) = self.starts.get(at.line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(at.column)
            .map_or(self.text.len(), |(i, _)| start + i)
    }
}

/// The probe for one binding; `root` is `::core` (or `::std` in edition 2015, where `::core`
/// is not a path from every module).
pub fn probe_for(root: &str, name: &str) -> String {
    format!(
        " let _ = || unsafe {{ {root}::mem::transmute::<_, [u8; 1usize << 61]>({root}::ptr::read(&{name})) }};"
    )
}

fn insertions(lines: &Lines<'_>, collected: &Collected) -> Vec<Insertion> {
    let mut by_site: Vec<Vec<usize>> = vec![Vec::new(); collected.sites.len()];
    for (i, binding) in collected.bindings.iter().enumerate() {
        by_site[binding.site].push(i);
    }
    let mut out = Vec::new();
    for (site, bindings) in collected.sites.iter().zip(by_site) {
        match *site {
            Site::After(at) => out.push(Insertion {
                offset: lines.offset(at),
                rank: (2, std::cmp::Reverse(0)),
                before: "",
                bindings,
                after: "",
            }),
            Site::Wrap { start, end } => {
                let (start, end) = (lines.offset(start), lines.offset(end));
                out.push(Insertion {
                    offset: start,
                    rank: (1, std::cmp::Reverse(end)),
                    before: "{",
                    bindings,
                    after: " ",
                });
                out.push(Insertion {
                    offset: end,
                    // Larger start = inner construct = closes first.
                    rank: (0, std::cmp::Reverse(start)),
                    before: " }",
                    bindings: Vec::new(),
                    after: "",
                });
            }
        }
    }
    out.sort_by_key(|i| (i.offset, i.rank));
    out
}

/// The file with every probe inserted.
pub fn probe_file(original: &str, collected: &Collected, root: &str) -> Probed {
    let lines = Lines::new(original);
    let mut text = String::with_capacity(original.len() * 2);
    let mut probes = vec![0..0; collected.bindings.len()];
    let mut cursor = 0;
    for insertion in insertions(&lines, collected) {
        text.push_str(&original[cursor..insertion.offset]);
        cursor = insertion.offset;
        text.push_str(insertion.before);
        for index in insertion.bindings {
            let start = text.len();
            text.push_str(&probe_for(root, &collected.bindings[index].name));
            probes[index] = start..text.len();
        }
        text.push_str(insertion.after);
    }
    text.push_str(&original[cursor..]);
    Probed { text, probes }
}

/// The text with the file's inner lint attributes that could turn a probe into an unrelated
/// error (`#![forbid(unsafe_code)]`, `#![deny(warnings)]`, a `cfg_attr` of either) blanked out
/// with spaces, so no position moves. (`--cap-lints=warn` covers the rest.)
pub fn strip_lint_attributes(original: &str, file: &syn::File) -> String {
    use syn::spanned::Spanned;
    let lines = Lines::new(original);
    let mut text = original.to_string();
    let mut ranges: Vec<Range<usize>> = file
        .attrs
        .iter()
        .filter(|attr| matches!(attr.style, syn::AttrStyle::Inner(_)) && is_lint_level(attr))
        .map(|attr| lines.offset(attr.span().start())..lines.offset(attr.span().end()))
        .collect();
    // Replace from the back so earlier ranges stay valid (blanking can shrink multi-byte chars).
    ranges.sort_by_key(|r| std::cmp::Reverse(r.start));
    for range in ranges {
        let blank: String = original[range.clone()]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        text.replace_range(range, &blank);
    }
    text
}

fn is_lint_level(attr: &syn::Attribute) -> bool {
    let path = attr.path();
    if path.is_ident("deny") || path.is_ident("forbid") {
        return true;
    }
    path.is_ident("cfg_attr")
        && attr.meta.require_list().is_ok_and(|list| {
            let tokens = list.tokens.to_string();
            tokens.contains("deny") || tokens.contains("forbid")
        })
}

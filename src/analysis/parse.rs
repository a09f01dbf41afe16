//! Parsing a file item by item with syn, keeping every item that parses and reporting the rest.

use std::ops::Range;

use super::chunk::{blank_ignored_prefix, split_at_item_lines, split_items};

/// A syntax error, as a byte range of the file and rustc-like message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: Range<usize>,
    pub message: String,
}

/// One top-level chunk of the file: its byte range and, if it parsed, its syntax tree.
///
/// Spans inside `file` are relative to `range.start`.
pub struct ParsedItem {
    pub range: Range<usize>,
    pub file: Option<syn::File>,
}

/// Parses every top-level item of `text` separately.
///
/// Spans are only valid until the next call on this thread: proc-macro2 keeps a thread-local
/// source map, which this call clears so that a one-shot analysis does not grow it. (The
/// incremental [`super::incremental::Analyzer`] manages the source map itself.)
pub fn parse_items(text: &str) -> (Vec<ParsedItem>, Vec<SyntaxError>) {
    super::incremental::invalidate_spans();
    let text = &blank_ignored_prefix(text);
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for range in split_items(text) {
        let (chunk_items, chunk_errors) = parse_chunk(&text[range.clone()]);
        let shift = |r: Range<usize>| r.start + range.start..r.end + range.start;
        items.extend(chunk_items.into_iter().map(|item| ParsedItem {
            range: shift(item.range),
            ..item
        }));
        errors.extend(chunk_errors.into_iter().map(|error| SyntaxError {
            range: shift(error.range),
            ..error
        }));
    }
    (items, errors)
}

/// Parses one top-level chunk (as [`split_items`] cuts them), with positions relative to it.
/// A chunk that does not parse as a whole is cut again at its column-0 item lines.
pub fn parse_chunk(chunk: &str) -> (Vec<ParsedItem>, Vec<SyntaxError>) {
    let whole = 0..chunk.len();
    match parse_range(chunk, whole.clone()) {
        Ok(item) => (vec![item], Vec::new()),
        Err(_) => {
            let (mut items, mut errors) = (Vec::new(), Vec::new());
            recover(chunk, whole, &mut items, &mut errors);
            (items, errors)
        }
    }
}

/// Parses the pieces of a range that failed as a whole, one per column-0 item line.
fn recover(
    text: &str,
    range: Range<usize>,
    items: &mut Vec<ParsedItem>,
    errors: &mut Vec<SyntaxError>,
) {
    for piece in split_at_item_lines(text, range) {
        match parse_range(text, piece.clone()) {
            Ok(item) => items.push(item),
            Err(error) => {
                errors.push(error);
                items.push(ParsedItem {
                    range: piece,
                    file: None,
                });
            }
        }
    }
}

fn parse_range(text: &str, range: Range<usize>) -> Result<ParsedItem, SyntaxError> {
    let source = &text[range.clone()];
    // Not `syn::parse_file`, which strips a byte-order mark and a shebang and then gives
    // positions relative to the rest: the caller blanked those (see `blank_ignored_prefix`).
    match syn::parse_str::<syn::File>(source) {
        Ok(file) => Ok(ParsedItem {
            range,
            file: Some(file),
        }),
        Err(error) => Err(syntax_error(source, range.start, &error)),
    }
}

fn syntax_error(source: &str, base: usize, error: &syn::Error) -> SyntaxError {
    let span = error.span().byte_range();
    // An error at the end of input has no real span; point at the last character instead.
    let local = if span.is_empty() && span.start == 0 {
        let end = source.trim_end().len();
        let last_char = source[..end].chars().next_back().map_or(0, char::len_utf8);
        end - last_char..end
    } else {
        span
    };
    // proc-macro2's lexer fails before syn parses anything when delimiters do not balance.
    let message = match error.to_string().as_str() {
        "cannot parse string into token stream" => {
            "unbalanced delimiters: a `(`, `[` or `{` is not closed (or a string or comment is unterminated)".to_string()
        }
        other => other.to_string(),
    };
    SyntaxError {
        range: base + local.start..base + local.end,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_item_keeps_the_others() {
        let text = "fn good() {}\nfn broken( {\n    let x = 1;\n\nstruct After { a: u8 }\n";
        let (items, errors) = parse_items(text);
        let parsed = items.iter().filter(|item| item.file.is_some()).count();
        assert_eq!(parsed, 2, "good() and After parse");
        assert_eq!(errors.len(), 1);
        assert!(text[errors[0].range.clone()].len() <= 4);
    }

    /// rustc ignores a byte-order mark and a shebang line at the start of a file; positions
    /// after them are still offsets into the whole text. Found by the fuzz suite.
    #[test]
    fn positions_after_a_byte_order_mark_and_a_shebang_stay_in_place() {
        let text = "\u{feff}#!/usr/bin/env -S cargo -Zscript é\nfn main() { let x = 1u8; }\n";
        let (items, errors) = parse_items(text);
        assert_eq!(errors, []);
        let Some(syn::Item::Fn(main)) = items[0].file.as_ref().map(|file| &file.items[0]) else {
            panic!("main parses as a function");
        };
        let name = main.sig.ident.span().byte_range();
        let start = items[0].range.start;
        assert_eq!(&text[start + name.start..start + name.end], "main");
        let analysis = crate::analysis::analyze(text, crate::analysis::Target::default());
        assert_eq!(&text[analysis.bindings[0].binding.name_range.clone()], "x");
    }

    /// An item that starts with a byte-order mark (rustc rejects one there; proc-macro2
    /// skips it in place) keeps its positions too.
    #[test]
    fn positions_after_a_byte_order_mark_before_a_later_item_stay_in_place() {
        let text = "fn a() {}\u{feff}fn b() { let y = 2; }\n";
        let analysis = crate::analysis::analyze(text, crate::analysis::Target::default());
        assert_eq!(&text[analysis.bindings[0].binding.name_range.clone()], "y");
    }
}

//! Open documents as ropes, and conversion between LSP positions and byte offsets.

use std::sync::atomic::{AtomicU64, Ordering};

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// How the client counts characters within a line, as negotiated at initialize.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
}

/// An open document: its text, as the client last sent it, and the client's version.
#[derive(Clone, Debug)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    /// Unique to this text in this server: caches are keyed by it, not by `version`, which a
    /// client may repeat for different text.
    pub revision: u64,
}

/// The last revision handed out; every text gets the next one.
static REVISIONS: AtomicU64 = AtomicU64::new(0);

fn next_revision() -> u64 {
    REVISIONS.fetch_add(1, Ordering::Relaxed) + 1
}

impl Document {
    pub fn new(text: &str, version: i32) -> Self {
        Document {
            rope: Rope::from_str(text),
            version,
            revision: next_revision(),
        }
    }

    /// Applies content changes in the order the client sent them. A change whose range is
    /// out of bounds is clamped to the document, as editors expect, rather than dropped.
    pub fn apply_changes(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        encoding: PositionEncoding,
    ) {
        for change in changes {
            match change.range {
                None => self.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let start = self
                        .char_index(range.start, encoding, Clamp::Yes)
                        .unwrap_or(0);
                    let end = self
                        .char_index(range.end, encoding, Clamp::Yes)
                        .unwrap_or(start)
                        .max(start);
                    // Both indices are clamped to the rope, so these cannot fail.
                    let _ = self.rope.try_remove(start..end);
                    let _ = self.rope.try_insert(start, &change.text);
                }
            }
        }
        self.version = version;
        self.revision = next_revision();
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// The byte offset of an LSP position, or `None` when it lies outside the document.
    pub fn offset(&self, position: Position, encoding: PositionEncoding) -> Option<usize> {
        let char_index = self.char_index(position, encoding, Clamp::No)?;
        self.rope.try_char_to_byte(char_index).ok()
    }

    /// The LSP position of a byte offset (clamped to the document).
    pub fn position(&self, offset: usize, encoding: PositionEncoding) -> Position {
        let offset = offset.min(self.rope.len_bytes());
        let char_index = self
            .rope
            .try_byte_to_char(offset)
            .unwrap_or(self.rope.len_chars());
        let line = self.rope.try_char_to_line(char_index).unwrap_or(0);
        let line_start = self.rope.try_line_to_char(line).unwrap_or(0);
        let character = match encoding {
            PositionEncoding::Utf8 => offset - self.rope.try_line_to_byte(line).unwrap_or(0),
            PositionEncoding::Utf16 => {
                let utf16 = |c| self.rope.try_char_to_utf16_cu(c).unwrap_or(0);
                utf16(char_index) - utf16(line_start)
            }
        };
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, bytes: std::ops::Range<usize>, encoding: PositionEncoding) -> Range {
        Range::new(
            self.position(bytes.start, encoding),
            self.position(bytes.end, encoding),
        )
    }

    /// The char index of a position. With `Clamp::Yes`, a line past the end means the end of
    /// the document and a character past the line's end means the line's end.
    fn char_index(
        &self,
        position: Position,
        encoding: PositionEncoding,
        clamp: Clamp,
    ) -> Option<usize> {
        let line = position.line as usize;
        if line >= self.rope.len_lines() {
            return (clamp == Clamp::Yes).then(|| self.rope.len_chars());
        }
        let line_start = self.rope.try_line_to_char(line).ok()?;
        let line_slice = self.rope.get_line(line)?;
        let content_chars = line_content_chars(&line_slice);
        let character = position.character as usize;
        let within = match encoding {
            PositionEncoding::Utf8 => line_slice.try_byte_to_char(character).ok(),
            PositionEncoding::Utf16 => line_slice.try_utf16_cu_to_char(character).ok(),
        };
        match (within, clamp) {
            (Some(index), _) if index <= content_chars => Some(line_start + index),
            (_, Clamp::Yes) => Some(line_start + content_chars),
            (_, Clamp::No) => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Clamp {
    Yes,
    No,
}

/// Chars in a line without its line break (`\n`, `\r\n` or `\r`).
fn line_content_chars(line: &ropey::RopeSlice<'_>) -> usize {
    let total = line.len_chars();
    let ends_with = |c: char| total > 0 && line.get_char(total - 1) == Some(c);
    if ends_with('\n') {
        let crlf = total > 1 && line.get_char(total - 2) == Some('\r');
        total - 1 - usize::from(crlf)
    } else if ends_with('\r') {
        total - 1
    } else {
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(start.0, start.1),
                Position::new(end.0, end.1),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn utf16_positions_count_surrogate_pairs() {
        let doc = Document::new("let é = \"😀\";\nlet x = 1;\r\nlet y = 2;", 1);
        // The emoji is two UTF-16 units (four UTF-8 bytes) and é one unit (two bytes), so the
        // `"` after the emoji is UTF-16 unit 11 and UTF-8 byte 14.
        let quote = doc
            .offset(Position::new(0, 11), PositionEncoding::Utf16)
            .unwrap();
        assert_eq!(&doc.text()[quote..quote + 1], "\"");
        let utf8_quote = doc
            .offset(Position::new(0, 14), PositionEncoding::Utf8)
            .unwrap();
        assert_eq!(quote, utf8_quote);
        let y = doc.text().find("y =").unwrap();
        assert_eq!(
            doc.position(y, PositionEncoding::Utf16),
            Position::new(2, 4)
        );
        assert_eq!(
            doc.offset(Position::new(1, 40), PositionEncoding::Utf16),
            None
        );
    }

    #[test]
    fn applies_edits_in_order_with_crlf() {
        let mut doc = Document::new("fn a() {}\r\nfn b() {}\r\n", 1);
        doc.apply_changes(
            vec![change((1, 3), (1, 4), "bé"), change((1, 5), (1, 5), "ü")],
            2,
            PositionEncoding::Utf16,
        );
        assert_eq!(doc.text(), "fn a() {}\r\nfn béü() {}\r\n");
        doc.apply_changes(
            vec![change((0, 99), (5, 0), "!")],
            3,
            PositionEncoding::Utf16,
        );
        assert_eq!(doc.text(), "fn a() {}!");
    }
}

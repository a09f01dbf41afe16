//! Splitting a source file into top-level items by a tolerant scan, so each item parses on its own.
//!
//! A half-typed function must not blank the rest of the file, and an edit should re-analyse only
//! the item it touched. The scan knows just enough lexical structure (comments, strings, raw
//! strings, char literals versus lifetimes, brackets) to find where each top-level item ends.

use std::borrow::Cow;
use std::ops::Range;

/// Keywords that can begin a top-level item when they start a line at column 0.
const ITEM_STARTERS: [&str; 17] = [
    "fn",
    "pub",
    "struct",
    "enum",
    "union",
    "impl",
    "trait",
    "mod",
    "use",
    "static",
    "const",
    "type",
    "extern",
    "unsafe",
    "async",
    "macro_rules",
    "#[",
];

/// Keywords whose items end at a `;` even when a `}` at depth 0 comes first
/// (`const X: T = T { a: 1 };`).
const SEMICOLON_ITEMS: [&str; 4] = ["static", "const", "type", "use"];

/// The text with what rustc ignores at the start of a file, a byte-order mark and then a shebang
/// line (`#!` not followed by `[`), replaced by as many spaces.
///
/// syn strips both itself, but then reports positions relative to what is left; and it would
/// strip them at the start of every item parsed on its own, where rustc rejects them. Blanking
/// them once for the whole file keeps every position an offset into the text.
pub fn blank_ignored_prefix(text: &str) -> Cow<'_, str> {
    let byte_order_mark = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let rest = &text[byte_order_mark..];
    let shebang = match rest.strip_prefix("#!") {
        Some(after)
            if Scanner::new(after)
                .next_token()
                .is_none_or(|token| token.text != "[") =>
        {
            rest.find('\n').unwrap_or(rest.len())
        }
        _ => 0,
    };
    let ignored = byte_order_mark + shebang;
    if ignored == 0 {
        return Cow::Borrowed(text);
    }
    Cow::Owned(" ".repeat(ignored) + &text[ignored..])
}

/// Splits `text` into byte ranges of top-level items, in order. Leading trivia (blank lines,
/// comments) belongs to the following item; a trailing remainder with no item end is its own range.
pub fn split_items(text: &str) -> Vec<Range<usize>> {
    split_items_from(text, 0, |_| false).0
}

/// Splits `text` from `start`, which must be where an item begins (or the end of a previous one),
/// like [`split_items`]. After each item, `resume_known(end)` may say that the items from `end`
/// on are already known; the split stops there and the second value is `true`.
///
/// The scan keeps no state across item boundaries, so splitting only from the first item an edit
/// touched up to the first unchanged boundary gives the same items as splitting the whole text.
pub fn split_items_from(
    text: &str,
    start: usize,
    resume_known: impl FnMut(usize) -> bool,
) -> (Vec<Range<usize>>, bool) {
    let split = split_items_recovering(text, start, resume_known);
    (split.items, split.resumed)
}

/// What [`split_items_recovering`] found.
pub struct Split {
    pub items: Vec<Range<usize>>,
    pub resumed: bool,
    /// Whether the last range is an item still open at the end of the text (an unclosed brace
    /// or parenthesis), which [`split_at_item_lines`] may cut.
    pub open_at_end: bool,
}

/// [`split_items_from`], also saying whether the text ends inside an item.
pub fn split_items_recovering(
    text: &str,
    start: usize,
    mut resume_known: impl FnMut(usize) -> bool,
) -> Split {
    let mut scanner = Scanner::new(text);
    scanner.pos = start;
    let mut items = Vec::new();
    let mut start = start;
    let mut depth = 0usize;
    let mut leading_words: Vec<&str> = Vec::new();
    while let Some(token) = scanner.next_token() {
        let ends_item = match token.kind {
            TokenKind::Open => {
                depth += 1;
                false
            }
            TokenKind::Close => {
                depth = depth.saturating_sub(1);
                depth == 0 && token.text == "}" && !is_semicolon_item(&leading_words)
            }
            TokenKind::Semicolon => depth == 0,
            TokenKind::Word if depth == 0 && leading_words.len() < 4 => {
                leading_words.push(token.text);
                false
            }
            _ => false,
        };
        if ends_item {
            items.push(start..token.end);
            start = token.end;
            leading_words.clear();
            if resume_known(start) {
                return Split {
                    items,
                    resumed: true,
                    open_at_end: false,
                };
            }
        }
    }
    let open_at_end = !text[start..].trim().is_empty();
    if open_at_end {
        items.push(start..text.len());
    } else if let Some(last) = items.last_mut() {
        last.end = text.len();
    }
    Split {
        items,
        resumed: false,
        open_at_end,
    }
}

/// How deep one item may nest before memlens declines to parse it. syn and every walk over its
/// trees recurse once per level; real code stays far below (rustc's own crates nest under 40),
/// and past this limit a file could overflow any stack.
pub const MAX_NESTING: usize = 256;

/// Where `text` first nests deeper than `limit`, as the parser would recurse: the offset of the
/// token that goes one level too deep, or `None` if nothing does.
///
/// The nesting counted is a bound on syn's recursion, not the exact syntax tree, and it errs on
/// the high side only by a few per expression:
/// - brackets;
/// - generic arguments: a `<` after a name or `::` (`Vec<Vec<u8>>`), until its `>`;
/// - prefixes that syn parses by recursion: runs of operators with no operand between them
///   (`- - !x`, `&&&&u8`, `*&*&x`), and `impl`, `dyn`, `return`, `break`, `move` and closures'
///   `|…|` since the last `;`, `,`, `=`, `{` or `}` of their bracket (`impl Fn() -> impl Fn()`,
///   `|x| |y| x`).
///
/// Comparisons and `|` written between operands count too, but only until the next such
/// separator (or `&&`/`||`), so a long `a < b` chain or a bit-or of flags cannot add up over a
/// file.
pub fn nesting_beyond(text: &str, limit: usize) -> Option<usize> {
    let mut scanner = Scanner::new(text);
    // What is open at each bracket level, outermost first, and their sum.
    let mut levels: Vec<LevelNesting> = vec![LevelNesting::default()];
    let mut open = 0usize;
    let mut operator_run = 0usize;
    let mut previous: Option<Token> = None;
    while let Some(token) = scanner.next_token() {
        let joined = previous.filter(|previous| previous.end == token.start);
        let is_operator = token.kind == TokenKind::Other && is_operator_char(token.text);
        operator_run = if is_operator { operator_run + 1 } else { 0 };
        let level_change = match (token.kind, token.text) {
            (TokenKind::Open, bracket) => {
                if bracket == "{" {
                    close_level(&mut levels, &mut open);
                }
                levels.push(LevelNesting::default());
                0
            }
            (TokenKind::Close, _) => {
                if levels.len() > 1 {
                    open -= levels.pop().map_or(0, |level| level.total());
                }
                if token.text == "}" {
                    close_level(&mut levels, &mut open);
                }
                0
            }
            (TokenKind::Semicolon, _) | (_, "=" | ",") => {
                close_level(&mut levels, &mut open);
                0
            }
            (_, "<") if previous.is_some_and(opens_generic_arguments) => {
                Nested::Angle.open(&mut levels)
            }
            (_, ">") if !joined.is_some_and(|p| p.text == "-" || p.text == "=") => {
                Nested::Angle.close(&mut levels)
            }
            (_, "&" | "|") if joined.is_some_and(|p| p.text == token.text) => {
                close_level(&mut levels, &mut open);
                0
            }
            (_, "|") => Nested::Pipe.open(&mut levels),
            (TokenKind::Word, "impl" | "dyn" | "return" | "break" | "move") => {
                Nested::Prefix.open(&mut levels)
            }
            _ => 0,
        };
        open = (open as isize + level_change) as usize;
        if levels.len() - 1 + open + operator_run > limit {
            return Some(token.start);
        }
        previous = Some(token);
    }
    None
}

/// What is open at one bracket level of [`nesting_beyond`]'s count.
#[derive(Default)]
struct LevelNesting {
    angles: usize,
    prefixes: usize,
    pipes: usize,
}

impl LevelNesting {
    /// The nesting this level adds: a closure's `|…|` is two pipes.
    fn total(&self) -> usize {
        self.angles + self.prefixes + self.pipes / 2
    }
}

/// One kind of nesting counted at a bracket level.
#[derive(Clone, Copy)]
enum Nested {
    Angle,
    Prefix,
    Pipe,
}

impl Nested {
    /// Counts one more at the innermost level; returns how much the level's total changed.
    fn open(self, levels: &mut [LevelNesting]) -> isize {
        self.change(levels, |count| *count += 1)
    }

    fn close(self, levels: &mut [LevelNesting]) -> isize {
        self.change(levels, |count| *count = count.saturating_sub(1))
    }

    fn change(self, levels: &mut [LevelNesting], change: impl FnOnce(&mut usize)) -> isize {
        let Some(level) = levels.last_mut() else {
            return 0;
        };
        let before = level.total();
        change(match self {
            Nested::Angle => &mut level.angles,
            Nested::Prefix => &mut level.prefixes,
            Nested::Pipe => &mut level.pipes,
        });
        level.total() as isize - before as isize
    }
}

/// Whether a `<` after `token` may open generic arguments: after a name (`Vec<`) or `::`.
fn opens_generic_arguments(token: Token) -> bool {
    token.kind == TokenKind::Word || token.text == ":"
}

/// Whether a one-character token is an operator that may prefix an operand.
fn is_operator_char(text: &str) -> bool {
    matches!(text, "-" | "!" | "*" | "&" | "|" | ".")
}

/// Forgets what is open at the innermost bracket level: what follows a separator cannot be
/// inside it, so a `<` or `|` before it was an operator.
fn close_level(levels: &mut [LevelNesting], open: &mut usize) {
    if let Some(level) = levels.last_mut() {
        *open -= level.total();
        *level = LevelNesting::default();
    }
}

/// What a declarations-only parse of a text leaves out: the inside of every function body and,
/// outside them, the doc comments. Parsing what is left yields the same declarations at the
/// same byte offsets as parsing the text, several times faster: declarations are all that other
/// items need, and doc comments, which the tokenizer turns into `#[doc = "..."]` attributes,
/// are often most of what is left once the bodies are gone.
pub struct Skeleton {
    bodies: Vec<Range<usize>>,
    docs: Vec<DocComment>,
}

/// A doc comment outside every function body.
#[derive(Clone, Debug)]
struct DocComment {
    /// The whole comment, markers included.
    range: Range<usize>,
    /// Its text, between the markers.
    text: Range<usize>,
    /// Outer (`///`, `/** */`), without a bare carriage return: such a comment can only make a
    /// parse fail by standing where no attribute may, which [`Skeleton::removed_docs_before`]
    /// lets the parser check. An inner one (`//!`) depends on where its chunk starts, and a bare
    /// carriage return is an error of its own: those are kept.
    removable: bool,
    /// Where the next token after it starts (the text's end if none does).
    next_token: usize,
}

impl Skeleton {
    /// The skeleton of `text`, or `None` when it has no body and no doc comment to leave out.
    pub fn of(text: &str) -> Option<Skeleton> {
        let (bodies, docs) = fn_bodies_and_docs(text);
        (!bodies.is_empty() || !docs.is_empty()).then_some(Skeleton { bodies, docs })
    }

    /// `text` with the bodies blanked and the removable doc comments blanked whole; the other
    /// doc comments keep their markers, so each stays an attribute where it was.
    pub fn without_docs(&self, text: &str) -> String {
        let removed = self.docs.iter().map(|doc| {
            if doc.removable {
                doc.range.clone()
            } else {
                doc.text.clone()
            }
        });
        blank(text, self.bodies.iter().cloned().chain(removed))
    }

    /// `text` with the bodies blanked and every doc comment's text blanked, its markers kept: it
    /// parses exactly where `text` does.
    pub fn with_docs(&self, text: &str) -> String {
        blank(
            text,
            self.bodies
                .iter()
                .cloned()
                .chain(self.docs.iter().map(|doc| doc.text.clone())),
        )
    }

    /// Where the token after each doc comment that [`Skeleton::without_docs`] removes starts.
    /// Its parse is the text's, attributes aside, when each of these starts a node that may
    /// carry outer attributes (an item, a field, a variant, a generic parameter, an argument).
    pub fn removed_docs_before(&self) -> impl Iterator<Item = usize> + '_ {
        self.docs
            .iter()
            .filter(|doc| doc.removable)
            .map(|doc| doc.next_token)
    }

    /// Whether any doc comment is removed.
    pub fn removes_docs(&self) -> bool {
        self.docs.iter().any(|doc| doc.removable)
    }
}

/// `text` with the bytes of `ranges` replaced by spaces, line breaks kept.
fn blank(text: &str, ranges: impl Iterator<Item = Range<usize>>) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for range in ranges {
        for byte in &mut bytes[range] {
            // A carriage return is kept: a bare one in a doc comment is an error to keep.
            if !matches!(*byte, b'\n' | b'\r') {
                *byte = b' ';
            }
        }
    }
    // Each blanked range lies between two ASCII braces or is (the text of) a comment between
    // ASCII markers, so whole characters were replaced.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// The byte ranges inside the braces of every outermost function body (`fn name ... { here }`),
/// and the doc comments outside them.
fn fn_bodies_and_docs(text: &str) -> (Vec<Range<usize>>, Vec<DocComment>) {
    let mut scanner = Scanner::new(text);
    let mut bodies = Vec::new();
    let mut depth = 0usize;
    // The bracket depth of a `fn name` whose body has not begun yet.
    let mut signature_depth = None;
    let mut after_fn = false;
    while let Some(token) = scanner.next_token() {
        let is_fn_name = after_fn && token.kind == TokenKind::Word;
        after_fn = token.kind == TokenKind::Word && token.text == "fn";
        match token.kind {
            TokenKind::Word if is_fn_name => signature_depth = Some(depth),
            TokenKind::Open if token.text == "{" && signature_depth == Some(depth) => {
                signature_depth = None;
                match scanner.skip_to_matching_close() {
                    Some(close) => bodies.push(token.end..close),
                    None => break,
                }
            }
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Semicolon if signature_depth == Some(depth) => signature_depth = None,
            _ => {}
        }
    }
    // A doc comment inside a body is blanked with the body.
    let docs = scanner
        .docs
        .into_iter()
        .filter(|doc| !bodies.iter().any(|body| body.contains(&doc.range.start)))
        .collect();
    (bodies, docs)
}

/// Re-splits a range that failed to parse at lines that start, at column 0, with an item keyword.
///
/// Well-formed code never needs this: it is the recovery for an unclosed brace, after which the
/// strict scan would swallow every following item. Each cut is where the strict scan would have
/// ended the item before, at the end of its last token (the blank lines and comments between
/// belong to the next item), so that a piece that is a whole item is the range the strict scan
/// gives it once the brace is closed.
pub fn split_at_item_lines(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let piece = &text[range.clone()];
    let mut cuts = vec![range.start];
    let mut scanner = Scanner::new(piece);
    let mut seen_first_item = false;
    let mut token_ends = Vec::new();
    while let Some(token) = scanner.next_token() {
        let at_line_start = token.start == 0 || piece.as_bytes()[token.start - 1] == b'\n';
        if at_line_start && starts_item(&piece[token.start..]) {
            if seen_first_item {
                let line = line_start_before_attrs(piece, token.start);
                let before = token_ends.partition_point(|&end| end <= line);
                let cut = before.checked_sub(1).map_or(0, |last| token_ends[last]);
                cuts.push(range.start + cut);
            }
            seen_first_item = true;
        }
        token_ends.push(token.end);
    }
    cuts.dedup();
    cuts.iter()
        .enumerate()
        .map(|(index, &cut)| cut..cuts.get(index + 1).copied().unwrap_or(range.end))
        .collect()
}

/// A cut point moves up over attribute and doc-comment lines directly above an item keyword,
/// which belong to that item. Indented lines never do.
fn line_start_before_attrs(piece: &str, offset: usize) -> usize {
    let mut cut = offset;
    while cut > 0 {
        let previous_line_start = piece[..cut - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = &piece[previous_line_start..cut - 1];
        if line.starts_with("#[") || line.starts_with("///") {
            cut = previous_line_start;
        } else {
            break;
        }
    }
    cut
}

fn starts_item(rest: &str) -> bool {
    ITEM_STARTERS.iter().any(|keyword| {
        rest.starts_with(keyword)
            && (keyword.ends_with('[')
                || !rest[keyword.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    })
}

fn is_semicolon_item(leading_words: &[&str]) -> bool {
    let mut words = leading_words
        .iter()
        .copied()
        .skip_while(|word| *word == "pub" || word.starts_with("pub("));
    match words.next() {
        Some("const") => !matches!(words.next(), Some("fn" | "unsafe" | "async" | "extern")),
        Some(word) => SEMICOLON_ITEMS.contains(&word),
        None => false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenKind {
    Open,
    Close,
    Semicolon,
    Word,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: TokenKind,
    text: &'a str,
    start: usize,
    end: usize,
}

/// A lexer that skips comments and literals and reports brackets, semicolons and words.
struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// The doc comments skipped so far; those from `pending_docs` on wait for the next token.
    docs: Vec<DocComment>,
    pending_docs: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            docs: Vec::new(),
            pending_docs: 0,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn next_token(&mut self) -> Option<Token<'a>> {
        loop {
            let byte = self.peek(0)?;
            let start = self.pos;
            let kind = match byte {
                b if b.is_ascii_whitespace() => {
                    self.pos += 1;
                    continue;
                }
                b'/' if self.peek(1) == Some(b'/') => {
                    self.skip_line();
                    continue;
                }
                b'/' if self.peek(1) == Some(b'*') => {
                    self.skip_block_comment();
                    continue;
                }
                b'"' => {
                    self.skip_string();
                    TokenKind::Other
                }
                b'\'' => {
                    self.skip_quote();
                    TokenKind::Other
                }
                b'(' | b'[' | b'{' => {
                    self.pos += 1;
                    TokenKind::Open
                }
                b')' | b']' | b'}' => {
                    self.pos += 1;
                    TokenKind::Close
                }
                b';' => {
                    self.pos += 1;
                    TokenKind::Semicolon
                }
                b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => self.word_or_literal(),
                _ => {
                    self.pos += 1;
                    TokenKind::Other
                }
            };
            self.resolve_pending_docs(start);
            return Some(Token {
                kind,
                text: &self.text[start..self.pos],
                start,
                end: self.pos,
            });
        }
    }

    /// After an opening bracket: moves past its matching close and returns where that close
    /// starts, or `None` if the text ends first.
    fn skip_to_matching_close(&mut self) -> Option<usize> {
        let mut depth = 1usize;
        while let Some(token) = self.next_token() {
            match token.kind {
                TokenKind::Open => depth += 1,
                TokenKind::Close => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(token.start);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Whether the comment starting here is a doc comment, as rustc's lexer decides: `///` but
    /// not `////`, `//!`, `/**` but not `/***` or `/**/`, `/*!`.
    fn at_doc_comment(&self) -> bool {
        match (self.peek(1), self.peek(2), self.peek(3)) {
            (Some(b'/'), Some(b'/'), next) => next != Some(b'/'),
            (Some(b'*'), Some(b'*'), next) => !matches!(next, Some(b'*' | b'/')),
            (Some(b'/' | b'*'), Some(b'!'), _) => true,
            _ => false,
        }
    }

    fn skip_line(&mut self) {
        let start = self.pos;
        let is_doc = self.at_doc_comment();
        while let Some(byte) = self.peek(0) {
            if byte == b'\n' {
                break;
            }
            self.pos += 1;
        }
        if is_doc {
            let text = (start + 3).min(self.pos)..self.pos;
            // A carriage return ending the line belongs to the line break.
            let body = &self.bytes[text.clone()];
            let bare_cr = body.strip_suffix(b"\r").unwrap_or(body).contains(&b'\r');
            self.note_doc(start..self.pos, text, bare_cr);
        }
        // Past the line break, which is not part of the comment.
        self.pos = (self.pos + 1).min(self.bytes.len());
    }

    fn skip_block_comment(&mut self) {
        let start = self.pos;
        let is_doc = self.at_doc_comment();
        self.pos += 2;
        let mut depth = 1;
        while depth > 0 && self.pos < self.bytes.len() {
            match (self.peek(0), self.peek(1)) {
                (Some(b'/'), Some(b'*')) => {
                    depth += 1;
                    self.pos += 2;
                }
                (Some(b'*'), Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                }
                _ => self.pos += 1,
            }
        }
        if is_doc {
            // An unclosed comment runs to the end of the text and stays unclosed.
            let text_end = if depth == 0 { self.pos - 2 } else { self.pos };
            let text = (start + 3).min(text_end)..text_end;
            let body = &self.bytes[text.clone()];
            let bare_cr = body
                .iter()
                .enumerate()
                .any(|(i, &b)| b == b'\r' && body.get(i + 1) != Some(&b'\n'));
            self.note_doc(start..self.pos, text, bare_cr || depth > 0);
        }
    }

    fn note_doc(&mut self, range: Range<usize>, text: Range<usize>, bare_cr: bool) {
        let inner = self.bytes.get(range.start + 2) == Some(&b'!');
        self.docs.push(DocComment {
            range,
            text,
            removable: !inner && !bare_cr,
            next_token: self.bytes.len(),
        });
    }

    /// A token starts at `start`: it is the one after every doc comment still waiting for one.
    fn resolve_pending_docs(&mut self, start: usize) {
        for doc in &mut self.docs[self.pending_docs..] {
            doc.next_token = start;
        }
        self.pending_docs = self.docs.len();
    }

    /// Skips a `"..."` literal starting at the opening quote, honouring backslash escapes.
    fn skip_string(&mut self) {
        self.pos += 1;
        while let Some(byte) = self.peek(0) {
            self.pos += 1;
            match byte {
                b'\\' => self.pos += 1,
                b'"' => break,
                _ => {}
            }
        }
        self.pos = self.pos.min(self.bytes.len());
    }

    /// Skips a raw string `r##"..."##` whose `r` (after any `b`/`c` prefix) is at the cursor.
    fn skip_raw_string(&mut self) {
        self.pos += 1;
        let mut hashes = 0;
        while self.peek(0) == Some(b'#') {
            hashes += 1;
            self.pos += 1;
        }
        if self.peek(0) != Some(b'"') {
            return;
        }
        self.pos += 1;
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos] == b'"'
                && self.bytes[self.pos + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&b| b == b'#')
                    .count()
                    == hashes
            {
                self.pos += 1 + hashes;
                return;
            }
            self.pos += 1;
        }
    }

    /// A quote starts either a char literal (`'a'`, `'\n'`, `'é'`) or a lifetime (`'a`).
    fn skip_quote(&mut self) {
        self.pos += 1;
        if self.peek(0) == Some(b'\\') {
            // The backslash and the byte it escapes; a literal being typed may end the text.
            self.pos = (self.pos + 2).min(self.bytes.len());
            while let Some(byte) = self.peek(0) {
                self.pos += 1;
                if byte == b'\'' {
                    break;
                }
            }
            return;
        }
        let rest = &self.text[self.pos..];
        let Some(ch) = rest.chars().next() else {
            return;
        };
        if rest[ch.len_utf8()..].starts_with('\'') {
            self.pos += ch.len_utf8() + 1;
        } else {
            // A lifetime or label: the identifier after the quote is an ordinary word.
            while matches!(self.peek(0), Some(b) if b.is_ascii_alphanumeric() || b == b'_') {
                self.pos += 1;
            }
        }
    }

    /// Reads an identifier; `r"`, `br"`, `b"`, `c"` and `b'` prefixes start literals instead.
    fn word_or_literal(&mut self) -> TokenKind {
        let rest = &self.bytes[self.pos..];
        let raw_prefix = match rest {
            [b'r', b'"' | b'#', ..] => Some(0),
            [b'b' | b'c', b'r', b'"' | b'#', ..] => Some(1),
            _ => None,
        };
        if let Some(prefix) = raw_prefix {
            let is_raw_ident = rest.get(prefix + 1) == Some(&b'#')
                && rest
                    .get(prefix + 2)
                    .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
            if !is_raw_ident {
                self.pos += prefix;
                self.skip_raw_string();
                return TokenKind::Other;
            }
        }
        match rest {
            [b'b' | b'c', b'"', ..] => {
                self.pos += 1;
                self.skip_string();
                return TokenKind::Other;
            }
            [b'b', b'\'', ..] => {
                self.pos += 1;
                self.skip_quote();
                return TokenKind::Other;
            }
            _ => {}
        }
        let rest = &self.text[self.pos..];
        let word_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '#'))
            .unwrap_or(rest.len());
        // A non-ASCII char that is not a letter (an emoji, say) is a token of its own; step
        // over all of its bytes, so positions stay on char boundaries.
        let first_char = rest.chars().next().map_or(1, char::len_utf8);
        self.pos += if word_len == 0 { first_char } else { word_len };
        TokenKind::Word
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No file of memlens's own sources comes near the nesting limit: the count does not add up
    /// comparisons, bit-ors or operators between operands over a file.
    #[test]
    fn real_code_nests_far_below_the_limit() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut pending = vec![root];
        let mut files = 0;
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("the source tree reads") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|ext| ext == "rs") {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    assert_eq!(nesting_beyond(&text, 24), None, "{}", path.display());
                    files += 1;
                }
            }
        }
        assert!(files > 50);
    }

    #[test]
    fn nesting_counts_brackets_generic_arguments_and_prefixes() {
        fn at(text: &str, limit: usize) -> Option<&str> {
            nesting_beyond(text, limit).map(|offset| &text[offset..])
        }
        assert_eq!(
            at("fn f() { let v: Vec<Vec<u8>> = g((1)); }", 2),
            Some("<u8>> = g((1)); }")
        );
        assert_eq!(at("fn f() { let v: Vec<Vec<u8>> = g((1)); }", 3), None);
        assert_eq!(at("fn f() { let v = g(((1))); }", 3), Some("(1))); }"));
        assert_eq!(at("type A = Vec<Vec<Vec<u8>>>;", 2), Some("<u8>>>;"));
        assert_eq!(at("fn f() -> u8 { - - - !x }", 4), Some("!x }"));
        assert_eq!(
            at("fn f(x: impl Fn() -> impl Fn() -> u8) {}", 3),
            Some("() -> u8) {}")
        );
        assert_eq!(at("fn f() { |x| |y| |z| 1; }", 4), Some("|z| 1; }"));
        // Comparisons and bit-ors between operands are forgotten at each separator.
        let comparisons = "fn f() { if a < b { } let c = d < e; g(h < i, j < k); }\n".repeat(50);
        assert_eq!(nesting_beyond(&comparisons, 4), None);
        let flags = format!("const F: u32 = {};", vec!["A | B"; 40].join(", "));
        assert_eq!(nesting_beyond(&flags, 4), None);
        let sum = format!("fn f() -> u8 {{ {} }}", vec!["1"; 500].join(" + "));
        assert_eq!(nesting_beyond(&sum, 4), None);
    }

    /// The text with the inside of every function body and the text of every doc comment
    /// blanked (see [`Skeleton::with_docs`]), or `None` when it has neither.
    fn blank_fn_bodies(text: &str) -> Option<String> {
        Skeleton::of(text).map(|skeleton| skeleton.with_docs(text))
    }

    fn pieces(text: &str) -> Vec<&str> {
        split_items(text)
            .into_iter()
            .map(|range| text[range].trim())
            .collect()
    }

    #[test]
    fn splits_items_with_tricky_contents() {
        let text = r##"
static GREETING: &str = "}{";
const P: Point = Point { x: 1 };
/// Doc } comment
fn main() { let c = '}'; let s = r#"}"#; let l: &'static str = "x"; }
struct A(u8);
struct B { b: [u8; 3] }
impl<T: Iterator<Item = u8>> A { fn f(&self) {} }
"##;
        assert_eq!(
            pieces(text),
            vec![
                r#"static GREETING: &str = "}{";"#,
                "const P: Point = Point { x: 1 };",
                "/// Doc } comment\nfn main() { let c = '}'; let s = r#\"}\"#; let l: &'static str = \"x\"; }",
                "struct A(u8);",
                "struct B { b: [u8; 3] }",
                "impl<T: Iterator<Item = u8>> A { fn f(&self) {} }",
            ]
        );
    }

    #[test]
    fn non_ascii_outside_strings_keeps_char_boundaries() {
        let text = "fn a() { let x = 1; } 😀 é fn b() {}\nstruct C;";
        let ranges = split_items(text);
        assert!(
            ranges
                .iter()
                .all(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
        );
        assert_eq!(
            ranges.last().map(|r| text[r.clone()].trim()),
            Some("struct C;")
        );
    }

    #[test]
    fn recovers_after_an_unclosed_brace() {
        let text = "fn a() {\n    let x = 1;\n\n#[inline]\nfn b() {}\nstruct C;\n";
        let ranges = split_items(text);
        assert_eq!(ranges.len(), 1, "the strict scan swallows the rest");
        let recovered: Vec<&str> = split_at_item_lines(text, ranges[0].clone())
            .into_iter()
            .map(|range| text[range].trim())
            .collect();
        assert_eq!(
            recovered,
            vec![
                "fn a() {\n    let x = 1;",
                "#[inline]\nfn b() {}",
                "struct C;"
            ]
        );
    }
    const ITEMS: &str = "use std::fmt;\nstruct A { a: [u8; 3] }\n\nfn f(x: u8) -> u8 { let s = \"}\"; { x } }\nimpl A { fn g(&self) { self.a; } }\nfn h() {}\n";

    #[test]
    fn splitting_from_any_boundary_gives_the_same_items() {
        let whole = split_items(ITEMS);
        for (index, item) in whole.iter().enumerate() {
            let (rest, stopped) = split_items_from(ITEMS, item.start, |_| false);
            assert_eq!(rest, whole[index..], "from item {index}");
            assert!(!stopped);
        }
        // Told that the items from the third one on are known, the split stops before it.
        let known = whole[2].start;
        let (head, stopped) = split_items_from(ITEMS, 0, |end| end == known);
        assert_eq!(head, whole[..2]);
        assert!(stopped);
    }

    #[test]
    fn blanking_bodies_keeps_declarations_at_their_offsets() {
        let blanked = blank_fn_bodies(ITEMS).expect("the text has bodies");
        assert_eq!(blanked.len(), ITEMS.len());
        assert_eq!(
            blanked
                .lines()
                .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>(),
            vec![
                "use std::fmt;",
                "struct A { a: [u8; 3] }",
                "",
                "fn f(x: u8) -> u8 { }",
                "impl A { fn g(&self) { } }",
                "fn h() {}",
            ]
        );
        assert_eq!(blank_fn_bodies("struct A;\nconst N: usize = 3;"), None);
    }

    #[test]
    fn blanking_doc_comments_keeps_their_markers_and_other_comments() {
        let text = "/// A é doc\n//// not a doc\n/** block /* nested */ doc */\n/***/ /**/ /*** no */\n//! inner\nstruct A;\n";
        let blanked = blank_fn_bodies(text).expect("the text has doc comments");
        assert_eq!(blanked.len(), text.len());
        let block = format!("/**{}*/", " ".repeat(" block /* nested */ doc ".len()));
        assert_eq!(
            blanked.lines().map(str::trim_end).collect::<Vec<_>>(),
            vec![
                "///",
                "//// not a doc",
                block.as_str(),
                "/***/ /**/ /*** no */",
                "//!",
                "struct A;",
            ]
        );
    }

    /// Blanking keeps every doc comment an attribute where it was, so a misplaced one (an inner
    /// doc after an item, an outer doc with nothing after it, a bare carriage return) is the
    /// same error after blanking as before.
    #[test]
    fn blanking_doc_comments_keeps_every_parse_error() {
        for text in [
            "struct A;\n//! inner, too late\n",
            "struct A;\n/// documents nothing\n",
            "struct A;\n/*! inner, too late */\n",
            "/// bare \r return\nstruct A;\n",
            "/** unclosed doc\nstruct A;\n",
            "fn f() {}\n/// doc\nstruct A;\n//! late\n",
        ] {
            let blanked = blank_fn_bodies(text).expect("the text has doc comments");
            assert_eq!(
                syn::parse_file(&blanked).is_ok(),
                syn::parse_file(text).is_ok(),
                "{text:?}"
            );
        }
    }

    /// A char literal being typed at the end of the file (`'\`) ends the text, not the scan's
    /// bounds. Found by the fuzz suite.
    #[test]
    fn an_unfinished_escape_at_the_end_of_the_text_is_scanned() {
        for text in ["'\\", "fn f() { let c = '\\"] {
            let whole_text = 0..text.len();
            assert_eq!(split_items(text), [whole_text], "{text:?}");
            assert_eq!(blank_fn_bodies(text), None, "{text:?}");
        }
    }
}

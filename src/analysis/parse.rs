//! Parsing a file item by item with syn, keeping every item that parses and reporting the rest.

use std::ops::Range;

use std::collections::HashSet;

use syn::spanned::Spanned;
use syn::visit::Visit;

use super::chunk::{
    MAX_NESTING, Skeleton, blank_ignored_prefix, nesting_beyond, split_at_item_lines, split_items,
};

/// A syntax error, as a byte range of the file and rustc-like message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: Range<usize>,
    pub message: String,
    /// The item is valid Rust as far as memlens knows, but memlens left it out (past a limit
    /// of its own, or failed on it): the editor shows these, while parse errors are the
    /// compiler's and rust-analyzer's to show.
    pub left_out: bool,
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

/// A chunk parsed for its declarations only (see [`Skeleton`]), and how many bytes were parsed.
pub struct DeclarationParse {
    pub items: Vec<ParsedItem>,
    pub errors: Vec<SyntaxError>,
    pub parsed_bytes: usize,
}

/// Parses one chunk for its declarations: bodies left out, and doc comments too where that
/// provably changes nothing but the attributes. The result is always that of parsing the chunk
/// with bodies blanked and doc comments kept: when leaving them out gives errors, or a doc
/// comment stood before something that cannot carry attributes, that parse is done instead.
/// `None` when there is nothing to leave out (a full parse is the same).
pub fn parse_declarations(chunk: &str) -> Option<DeclarationParse> {
    let skeleton = Skeleton::of(chunk)?;
    let mut parsed_bytes = 0;
    if skeleton.removes_docs() {
        let text = skeleton.without_docs(chunk);
        parsed_bytes += text.len();
        let (items, errors) = parse_chunk(&text);
        if errors.is_empty() && docs_precede_attributed_nodes(&items, &skeleton) {
            return Some(DeclarationParse {
                items,
                errors,
                parsed_bytes,
            });
        }
    }
    let text = skeleton.with_docs(chunk);
    parsed_bytes += text.len();
    let (items, errors) = parse_chunk(&text);
    Some(DeclarationParse {
        items,
        errors,
        parsed_bytes,
    })
}

/// Whether the token after each removed doc comment starts a node that may carry outer
/// attributes, so that the doc comment would have parsed there as one.
fn docs_precede_attributed_nodes(items: &[ParsedItem], skeleton: &Skeleton) -> bool {
    let mut starts = AttributedStarts::default();
    for item in items {
        starts.base = item.range.start;
        if let Some(file) = &item.file {
            starts.visit_file(file);
        }
    }
    skeleton
        .removed_docs_before()
        .all(|next| starts.offsets.contains(&next))
}

/// Where each node that may carry outer attributes starts (its first attribute, if any), and
/// where each outer attribute starts.
#[derive(Default)]
struct AttributedStarts {
    base: usize,
    offsets: HashSet<usize>,
}

impl AttributedStarts {
    fn note(&mut self, node: &impl Spanned) {
        self.note_start(node.span());
    }

    fn note_start(&mut self, start: proc_macro2::Span) {
        self.offsets.insert(self.base + start.byte_range().start);
    }
}

impl<'ast> Visit<'ast> for AttributedStarts {
    fn visit_item(&mut self, node: &'ast syn::Item) {
        match item_start(node) {
            Some(start) => self.note_start(start),
            None => self.note(node),
        }
        syn::visit::visit_item(self, node);
    }
    fn visit_impl_item(&mut self, node: &'ast syn::ImplItem) {
        match impl_item_start(node) {
            Some(start) => self.note_start(start),
            None => self.note(node),
        }
        syn::visit::visit_impl_item(self, node);
    }
    fn visit_trait_item(&mut self, node: &'ast syn::TraitItem) {
        match node {
            syn::TraitItem::Fn(f) => self.note_start(first_of::<0>(&f.attrs, [], Some(&f.sig))),
            other => self.note(other),
        }
        syn::visit::visit_trait_item(self, node);
    }
    fn visit_foreign_item(&mut self, node: &'ast syn::ForeignItem) {
        self.note(node);
        syn::visit::visit_foreign_item(self, node);
    }
    fn visit_field(&mut self, node: &'ast syn::Field) {
        self.note(node);
        syn::visit::visit_field(self, node);
    }
    fn visit_variant(&mut self, node: &'ast syn::Variant) {
        self.note(node);
        syn::visit::visit_variant(self, node);
    }
    fn visit_generic_param(&mut self, node: &'ast syn::GenericParam) {
        self.note(node);
        syn::visit::visit_generic_param(self, node);
    }
    fn visit_fn_arg(&mut self, node: &'ast syn::FnArg) {
        self.note(node);
        syn::visit::visit_fn_arg(self, node);
    }
    /// At token level a doc comment is one more `#[...]`: before an outer attribute, wherever
    /// it is, another one parses.
    fn visit_attribute(&mut self, node: &'ast syn::Attribute) {
        if matches!(node.style, syn::AttrStyle::Outer) {
            self.note(node);
        }
    }
}

/// Where the items that hold others start, read off their first tokens: `Spanned::span`
/// prints a node to find its first and last token, and printing an `impl` or `mod` prints all
/// it holds, at every level of the walk. `None` for the other items, which are small.
fn item_start(item: &syn::Item) -> Option<proc_macro2::Span> {
    use syn::Item;
    Some(match item {
        Item::Impl(i) => first_of(
            &i.attrs,
            [
                i.defaultness.map(|t| t.span),
                i.unsafety.map(|t| t.span),
                Some(i.impl_token.span),
            ],
            None,
        ),
        Item::Mod(m) => first_of(
            &m.attrs,
            [
                visibility_start(&m.vis),
                m.unsafety.map(|t| t.span),
                Some(m.mod_token.span),
            ],
            None,
        ),
        Item::Trait(t) => first_of(
            &t.attrs,
            [
                visibility_start(&t.vis),
                t.unsafety.map(|u| u.span),
                t.auto_token.map(|a| a.span),
                Some(t.trait_token.span),
            ],
            None,
        ),
        Item::Fn(f) => first_of(&f.attrs, [visibility_start(&f.vis)], Some(&f.sig)),
        Item::Struct(st) => first_of(
            &st.attrs,
            [visibility_start(&st.vis), Some(st.struct_token.span)],
            None,
        ),
        Item::Enum(e) => first_of(
            &e.attrs,
            [visibility_start(&e.vis), Some(e.enum_token.span)],
            None,
        ),
        _ => return None,
    })
}

/// [`item_start`] for the items of an impl: its functions, which hold bodies.
fn impl_item_start(item: &syn::ImplItem) -> Option<proc_macro2::Span> {
    let syn::ImplItem::Fn(f) = item else {
        return None;
    };
    let leading = [visibility_start(&f.vis), f.defaultness.map(|t| t.span)];
    Some(first_of(&f.attrs, leading, Some(&f.sig)))
}

/// The first outer attribute's `#`, else the first of `leading` that is there, else where
/// `sig` starts.
fn first_of<const N: usize>(
    attrs: &[syn::Attribute],
    leading: [Option<proc_macro2::Span>; N],
    sig: Option<&syn::Signature>,
) -> proc_macro2::Span {
    let outer = attrs
        .iter()
        .find(|attr| matches!(attr.style, syn::AttrStyle::Outer));
    if let Some(attr) = outer {
        return attr.pound_token.span;
    }
    let sig_start = sig.map(|sig| {
        sig.constness
            .map(|t| t.span)
            .or(sig.asyncness.map(|t| t.span))
            .or(sig.unsafety.map(|t| t.span))
            .or(sig.abi.as_ref().map(|abi| abi.extern_token.span))
            .unwrap_or(sig.fn_token.span)
    });
    leading
        .into_iter()
        .flatten()
        .next()
        .or(sig_start)
        .unwrap_or_else(proc_macro2::Span::call_site)
}

fn visibility_start(vis: &syn::Visibility) -> Option<proc_macro2::Span> {
    match vis {
        syn::Visibility::Public(token) => Some(token.span),
        syn::Visibility::Restricted(restricted) => Some(restricted.pub_token.span),
        syn::Visibility::Inherited => None,
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
    if let Some(offset) = nesting_beyond(source, MAX_NESTING) {
        return Err(too_deep(range.start + offset));
    }
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

/// The error for an item nested deeper than memlens parses, pointing at the bracket or `<` that
/// goes one level too deep.
fn too_deep(offset: usize) -> SyntaxError {
    SyntaxError {
        left_out: true,
        // The token is a one-byte bracket or `<`.
        range: offset..offset + 1,
        message: format!(
            "this item nests more than {MAX_NESTING} levels deep here (brackets, generic arguments, prefix operators): memlens \
             leaves this item out (rustc may accept it, but parsing it could overflow the stack)"
        ),
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
        left_out: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every node whose start [`item_start`] and friends read off its first tokens starts
    /// where printing it says, over this crate's own sources and the seed example.
    #[test]
    fn first_token_starts_agree_with_printed_spans() {
        struct Compare(usize);
        impl<'ast> Visit<'ast> for Compare {
            fn visit_item(&mut self, node: &'ast syn::Item) {
                if let Some(start) = item_start(node) {
                    assert_eq!(start.byte_range().start, node.span().byte_range().start);
                    self.0 += 1;
                }
                syn::visit::visit_item(self, node);
            }
            fn visit_impl_item(&mut self, node: &'ast syn::ImplItem) {
                if let Some(start) = impl_item_start(node) {
                    assert_eq!(start.byte_range().start, node.span().byte_range().start);
                    self.0 += 1;
                }
                syn::visit::visit_impl_item(self, node);
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let sources = [
            "src/analysis/parse.rs",
            "src/analysis/incremental.rs",
            "src/analysis/std_api/mod.rs",
            "src/server/mod.rs",
            "examples/where_data_lives.rs",
        ];
        let mut compared = Compare(0);
        for source in sources {
            let text = std::fs::read_to_string(root.join(source)).expect("source file");
            compared.visit_file(&syn::parse_file(&text).expect("source parses"));
        }
        let extra = "/// doc\n#[inline] pub(crate) unsafe fn f() {}\ndefault unsafe impl<T> X for T {\n    #[cold] pub(super) default const async unsafe extern \"C\" fn g() {}\n}\npub unsafe auto trait A {}\n";
        compared.visit_file(&syn::parse_str(extra).expect("extra parses"));
        assert!(compared.0 > 150, "compared {}", compared.0);
    }

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

    /// The items as text without doc attributes, and whether there were errors.
    fn outcome(items: &[ParsedItem], errors: &[SyntaxError]) -> (Vec<String>, bool) {
        let strip = |item: &syn::Item| {
            let mut item = item.clone();
            strip_docs(&mut item);
            quote::ToTokens::to_token_stream(&item).to_string()
        };
        let items = items
            .iter()
            .filter_map(|item| item.file.as_ref())
            .flat_map(|file| file.items.iter().map(strip))
            .collect();
        (items, errors.is_empty())
    }

    fn strip_docs(item: &mut syn::Item) {
        struct Strip;
        impl syn::visit_mut::VisitMut for Strip {
            fn visit_attributes_mut(&mut self, attrs: &mut Vec<syn::Attribute>) {
                attrs.retain(|attr| !attr.path().is_ident("doc"));
            }
        }
        syn::visit_mut::VisitMut::visit_item_mut(&mut Strip, item);
    }

    /// Doc comments where rustc's crates put them (items, fields, variants, generic parameters,
    /// arguments, before other attributes) are left out of the parse; it is the same parse.
    #[test]
    fn doc_comments_on_attributed_nodes_are_left_out_of_a_declarations_parse() {
        let text = "/// A\n#[derive(Clone)]\npub struct A<\n    /// T\n    T,\n> {\n    /// a\n    a: T,\n}\n\
                    /// E\nenum E {\n    /// V\n    V(\n        /// 0\n        u8,\n    ),\n}\n\
                    impl A<u8> {\n    /// f\n    #[inline]\n    fn f(\n        /// x\n        x: u8,\n    ) -> u8 { x }\n}\n";
        let parsed = parse_declarations(text).expect("there are doc comments");
        assert_eq!(
            parsed.parsed_bytes,
            text.len(),
            "one parse, without the doc comments"
        );
        let skeleton = Skeleton::of(text).expect("there are doc comments");
        let (items, errors) = parse_chunk(&skeleton.with_docs(text));
        assert_eq!(
            outcome(&parsed.items, &parsed.errors),
            outcome(&items, &errors)
        );
    }

    /// Anywhere else a doc comment may be an error (or change what a macro sees): the parse
    /// keeps the doc comments, and errs exactly where the text does.
    #[test]
    fn doc_comments_elsewhere_are_kept_in_a_declarations_parse() {
        for text in [
            "fn f<T>() where\n    /// bound\n    T: Clone {}\n",
            "struct A(u8, Vec<\n    /// inner\n    u8>);\n",
            "use std::{\n    /// doc\n    fmt};\n",
            "m! {\n    /// doc\n    struct A;\n}\n",
            "struct A;\n/// documents nothing\n",
            "struct A {\n    a: u8,\n    /// documents nothing\n}\n",
            "#[inline]\n/// after an attribute\nfn f() {}\n",
            "const X: [u8; 1] = [\n    /// doc\n    1];\n",
            "struct A;\n//! inner, too late\n",
        ] {
            let parsed = parse_declarations(text).expect("there are doc comments");
            let skeleton = Skeleton::of(text).expect("there are doc comments");
            let (items, errors) = parse_chunk(&skeleton.with_docs(text));
            assert_eq!(
                outcome(&parsed.items, &parsed.errors),
                outcome(&items, &errors),
                "{text:?}"
            );
            let parses = if skeleton.removes_docs() { 2 } else { 1 };
            assert_eq!(parsed.parsed_bytes, parses * text.len(), "{text:?}");
            assert_eq!(
                errors.is_empty(),
                syn::parse_file(text).is_ok(),
                "blanking keeps the verdict: {text:?}"
            );
        }
    }
}

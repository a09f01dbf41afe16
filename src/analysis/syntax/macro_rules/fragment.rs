//! Fragment specifiers (`$x:expr`): which tokens each may begin with, exactly as rustc decides
//! (that decision drives "local ambiguity"), and parsing one fragment off the input — with syn
//! where rustc uses its parser, by hand for the one-token kinds.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Token, token};

use super::Edition;
use super::token::{Flat, FlatInput, Unit};

/// A fragment specifier, with the edition-dependent ones resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FragmentKind {
    Item,
    Block,
    Stmt,
    /// `pat_param`, and `pat` before 2021: no top-level `|`.
    PatParam,
    /// `pat` in 2021 and later.
    PatWithOr,
    /// `expr` in 2024: also `_` and `const { … }`.
    Expr,
    /// `expr_2021`, and `expr` before 2024.
    Expr2021,
    Ty,
    Ident,
    Path,
    Tt,
    Meta,
    Lifetime,
    Vis,
    Literal,
}

impl FragmentKind {
    pub(crate) fn from_name(name: &str, edition: Edition) -> Option<FragmentKind> {
        use FragmentKind::*;
        Some(match name {
            "item" => Item,
            "block" => Block,
            "stmt" => Stmt,
            "pat" if edition >= Edition::E2021 => PatWithOr,
            "pat" | "pat_param" => PatParam,
            "expr" if edition >= Edition::E2024 => Expr,
            "expr" | "expr_2021" => Expr2021,
            "ty" => Ty,
            "ident" => Ident,
            "path" => Path,
            "tt" => Tt,
            "meta" => Meta,
            "lifetime" => Lifetime,
            "vis" => Vis,
            "literal" => Literal,
            _ => return None,
        })
    }

    /// Whether a captured fragment is transcribed as its bare tokens. rustc wraps every other
    /// kind in invisible delimiters, which keeps `$e * 2` grouped and makes the fragment opaque
    /// to a second macro's literal tokens.
    pub(crate) fn is_transparent(self) -> bool {
        matches!(
            self,
            FragmentKind::Tt | FragmentKind::Ident | FragmentKind::Lifetime
        )
    }
}

/// Words that cannot be plain identifiers in `edition` (rustc's "reserved identifiers").
fn is_reserved(name: &str, edition: Edition) -> bool {
    const ALWAYS: &[&str] = &[
        "_", "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe",
        "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
        "priv", "typeof", "unsized", "virtual", "yield",
    ];
    ALWAYS.contains(&name)
        || (edition >= Edition::E2018 && matches!(name, "async" | "await" | "dyn" | "try"))
        || (edition >= Edition::E2024 && name == "gen")
}

fn is_path_segment_keyword(name: &str) -> bool {
    matches!(name, "self" | "Self" | "super" | "crate")
}

/// An identifier's name and whether it is raw (`r#fn`).
fn ident_name(ident: &proc_macro2::Ident) -> (String, bool) {
    let text = ident.to_string();
    match text.strip_prefix("r#") {
        Some(name) => (name.to_string(), true),
        None => (text, false),
    }
}

/// Whether `ident` is the keyword `word` (a raw identifier never is).
fn is_keyword(tok: &Flat, word: &str) -> bool {
    matches!(tok, Flat::Unit(Unit::Ident(ident)) if ident == word)
}

fn ident_can_begin_expr(ident: &proc_macro2::Ident, edition: Edition) -> bool {
    const EXPR_KEYWORDS: &[&str] = &[
        "async", "do", "box", "break", "const", "continue", "false", "for", "gen", "if", "let",
        "loop", "match", "move", "return", "true", "try", "unsafe", "while", "yield", "safe",
        "static",
    ];
    let (name, raw) = ident_name(ident);
    raw || !is_reserved(&name, edition)
        || is_path_segment_keyword(&name)
        || EXPR_KEYWORDS.contains(&name.as_str())
}

fn ident_can_begin_type(ident: &proc_macro2::Ident, edition: Edition) -> bool {
    const TYPE_KEYWORDS: &[&str] = &[
        "_", "for", "impl", "fn", "unsafe", "extern", "typeof", "dyn",
    ];
    let (name, raw) = ident_name(ident);
    raw || !is_reserved(&name, edition)
        || is_path_segment_keyword(&name)
        || TYPE_KEYWORDS.contains(&name.as_str())
}

fn can_begin_expr(tok: &Flat, edition: Edition) -> bool {
    const OPS: &[&str] = &[
        "!", "-", "*", "|", "||", "&", "&&", "..", "...", "..=", "<", "<<", "::", "#",
    ];
    match tok {
        Flat::Unit(Unit::Ident(ident)) => ident_can_begin_expr(ident, edition),
        Flat::Unit(Unit::Op(op, _)) => OPS.contains(&op.as_str()),
        Flat::Unit(Unit::Literal(_) | Unit::Lifetime(..)) | Flat::Open(_) => true,
        Flat::Close(..) | Flat::Eof => false,
    }
}

fn can_begin_type(tok: &Flat, edition: Edition) -> bool {
    const OPS: &[&str] = &["!", "*", "&", "&&", "?", "<", "<<", "::"];
    match tok {
        Flat::Unit(Unit::Ident(ident)) => ident_can_begin_type(ident, edition),
        Flat::Unit(Unit::Op(op, _)) => OPS.contains(&op.as_str()),
        Flat::Unit(Unit::Lifetime(..)) => true,
        Flat::Open(group) => matches!(
            group.delimiter(),
            Delimiter::Parenthesis | Delimiter::Bracket | Delimiter::None
        ),
        Flat::Unit(Unit::Literal(_)) | Flat::Close(..) | Flat::Eof => false,
    }
}

fn can_begin_pat(tok: &Flat, with_or: bool) -> bool {
    const OPS: &[&str] = &["&", "-", "&&", "..", "...", "..=", "::", "<", "<<"];
    match tok {
        Flat::Unit(Unit::Ident(_) | Unit::Literal(_)) => true,
        Flat::Unit(Unit::Op(op, _)) => OPS.contains(&op.as_str()) || (with_or && op == "|"),
        Flat::Open(group) => group.delimiter() != Delimiter::Brace,
        Flat::Unit(Unit::Lifetime(..)) | Flat::Close(..) | Flat::Eof => false,
    }
}

fn is_invisible_group(tok: &Flat) -> bool {
    matches!(tok, Flat::Open(group) if group.delimiter() == Delimiter::None)
}

fn is_macro_ident(tok: &Flat) -> bool {
    matches!(tok, Flat::Unit(Unit::Ident(ident)) if ident != "_")
}

/// Whether a fragment of `kind` may begin with `tok`. rustc only runs a fragment's parser when
/// this holds, and counts the fragment as a candidate (for ambiguity) exactly then.
pub(crate) fn may_begin_with(kind: FragmentKind, tok: &Flat, edition: Edition) -> bool {
    use FragmentKind::*;
    match kind {
        Expr => (can_begin_expr(tok, edition) || is_keyword(tok, "_")) && !is_keyword(tok, "let"),
        Expr2021 => {
            can_begin_expr(tok, edition) && !is_keyword(tok, "let") && !is_keyword(tok, "const")
        }
        Ty => can_begin_type(tok, edition),
        Ident => is_macro_ident(tok),
        Literal => match tok {
            Flat::Unit(Unit::Literal(_)) => true,
            Flat::Unit(unit) => {
                unit.is_op("-") || is_keyword(tok, "true") || is_keyword(tok, "false")
            }
            other => is_invisible_group(other),
        },
        Vis => match tok {
            Flat::Unit(Unit::Ident(_)) => true,
            Flat::Unit(unit) if unit.is_op(",") => true,
            other => is_invisible_group(other) || can_begin_type(other, edition),
        },
        Block => matches!(tok, Flat::Open(group)
            if matches!(group.delimiter(), Delimiter::Brace | Delimiter::None)),
        Path | Meta => match tok {
            Flat::Unit(Unit::Ident(_)) => true,
            Flat::Unit(unit) => unit.is_op("::"),
            other => is_invisible_group(other),
        },
        PatParam => can_begin_pat(tok, false),
        PatWithOr => can_begin_pat(tok, true),
        Lifetime => matches!(tok, Flat::Unit(Unit::Lifetime(..))),
        Tt | Item | Stmt => !matches!(tok, Flat::Close(..) | Flat::Eof),
    }
}

/// A fragment captured by a metavariable.
#[derive(Clone, Debug)]
pub(crate) struct Fragment {
    pub kind: FragmentKind,
    pub trees: Vec<TokenTree>,
    /// The span of the whole fragment, for its invisible group.
    pub span: Span,
    /// Tokens in `trees`, counting into groups, for the output limit.
    pub size: usize,
}

/// Why a fragment could not be parsed where its metavariable stood.
#[derive(Debug)]
pub(crate) enum FragmentError {
    Syntax(String, Span),
    /// The tokens handed to syn nest deeper than [`super::Limits::max_fragment_nesting`].
    TooDeep,
}

/// A parsed fragment, the flat index after it, and the work it took (tokens looked at).
pub(crate) struct Parsed {
    pub fragment: Fragment,
    pub end: usize,
    pub cost: usize,
}

/// Parses one fragment of `kind` starting at flat token `pos`.
pub(crate) fn parse_fragment(
    kind: FragmentKind,
    edition: Edition,
    input: &FlatInput,
    pos: usize,
    max_nesting: usize,
) -> Result<Parsed, FragmentError> {
    let tok = input
        .toks
        .get(pos)
        .ok_or_else(|| syntax_error("unexpected end", None))?;
    if !matches!(
        kind,
        FragmentKind::Tt | FragmentKind::Ident | FragmentKind::Lifetime | FragmentKind::Literal
    ) {
        return with_syn(kind, edition, input, pos, max_nesting);
    }
    let (fragment, end) = by_hand(kind, input, pos, tok)?;
    Ok(Parsed {
        fragment,
        end,
        cost: end.saturating_sub(pos).max(1),
    })
}

/// The fragments that are one token (or `-` and a literal), parsed without syn.
fn by_hand(
    kind: FragmentKind,
    input: &FlatInput,
    pos: usize,
    tok: &Flat,
) -> Result<(Fragment, usize), FragmentError> {
    match kind {
        FragmentKind::Tt => token_tree(input, pos, tok),
        FragmentKind::Ident => match tok {
            Flat::Unit(unit @ Unit::Ident(_)) if is_macro_ident(tok) => Ok(single(kind, unit, pos)),
            _ => Err(syntax_error("expected an identifier", Some(tok))),
        },
        FragmentKind::Lifetime => match tok {
            Flat::Unit(unit @ Unit::Lifetime(..)) => Ok(single(kind, unit, pos)),
            _ => Err(syntax_error("expected a lifetime", Some(tok))),
        },
        _ => literal(input, pos, tok),
    }
}

fn syntax_error(message: &str, tok: Option<&Flat>) -> FragmentError {
    let span = match tok {
        Some(Flat::Unit(unit)) => unit.span(),
        Some(Flat::Open(group)) => group.span_open(),
        Some(Flat::Close(_, span)) => *span,
        Some(Flat::Eof) | None => Span::call_site(),
    };
    FragmentError::Syntax(message.to_string(), span)
}

fn single(kind: FragmentKind, unit: &Unit, pos: usize) -> (Fragment, usize) {
    let mut trees = Vec::with_capacity(unit.tree_count());
    unit.push_trees(&mut trees);
    let fragment = Fragment {
        kind,
        span: unit.span(),
        size: trees.len(),
        trees,
    };
    (fragment, pos + 1)
}

fn token_tree(
    input: &FlatInput,
    pos: usize,
    tok: &Flat,
) -> Result<(Fragment, usize), FragmentError> {
    match tok {
        Flat::Unit(unit) => Ok(single(FragmentKind::Tt, unit, pos)),
        Flat::Open(group) => {
            let after = input
                .after_group(pos)
                .ok_or_else(|| syntax_error("unbalanced group", Some(tok)))?;
            let fragment = Fragment {
                kind: FragmentKind::Tt,
                trees: vec![TokenTree::Group(group.clone())],
                span: group.span(),
                size: after - pos,
            };
            Ok((fragment, after))
        }
        Flat::Close(..) | Flat::Eof => Err(syntax_error("expected a token tree", Some(tok))),
    }
}

/// `-`? literal, `true`, `false`, or an invisible group holding exactly one of those (a
/// forwarded `$l:literal`).
fn literal(input: &FlatInput, pos: usize, tok: &Flat) -> Result<(Fragment, usize), FragmentError> {
    let end = match tok {
        Flat::Unit(Unit::Literal(_)) => pos + 1,
        _ if is_keyword(tok, "true") || is_keyword(tok, "false") => pos + 1,
        Flat::Unit(unit) if unit.is_op("-") => match input.toks.get(pos + 1) {
            Some(Flat::Unit(Unit::Literal(_))) => pos + 2,
            other => return Err(syntax_error("expected a literal", other)),
        },
        Flat::Open(group) if group.delimiter() == Delimiter::None => {
            return invisible_literal(input, pos, group);
        }
        _ => return Err(syntax_error("expected a literal", Some(tok))),
    };
    let mut trees = Vec::new();
    for flat in &input.toks[pos..end] {
        if let Flat::Unit(unit) = flat {
            unit.push_trees(&mut trees);
        }
    }
    let span = tok_span(tok);
    let fragment = Fragment {
        kind: FragmentKind::Literal,
        size: trees.len(),
        trees,
        span,
    };
    Ok((fragment, end))
}

fn invisible_literal(
    input: &FlatInput,
    pos: usize,
    group: &proc_macro2::Group,
) -> Result<(Fragment, usize), FragmentError> {
    let inner = FlatInput::new(group.stream(), 4)
        .map_err(|_| syntax_error("expected a literal", input.toks.get(pos)))?;
    let (_, end) = literal(&inner, 0, &inner.toks[0])?;
    let after = input.after_group(pos);
    match (inner.toks.get(end), after) {
        (Some(Flat::Eof), Some(after)) => {
            let fragment = Fragment {
                kind: FragmentKind::Literal,
                trees: vec![TokenTree::Group(group.clone())],
                span: group.span(),
                size: after - pos,
            };
            Ok((fragment, after))
        }
        _ => Err(syntax_error("expected a literal", input.toks.get(pos))),
    }
}

fn tok_span(tok: &Flat) -> Span {
    match tok {
        Flat::Unit(unit) => unit.span(),
        Flat::Open(group) => group.span(),
        Flat::Close(_, span) => *span,
        Flat::Eof => Span::call_site(),
    }
}

/// How many trees syn is first handed, and how many it must leave unread for a parse of a
/// prefix to stand for a parse of the whole rest (syn peeks at most three tokens ahead).
const FIRST_PREFIX: usize = 32;
const LOOKAHEAD: usize = 4;

/// Parses a fragment with syn from the rest of the group `pos` is in. syn is handed a prefix of
/// the rest, growing until the fragment ends well inside it, so that `$($e:expr),*` over a long
/// list costs linear, not quadratic, time.
fn with_syn(
    kind: FragmentKind,
    edition: Edition,
    input: &FlatInput,
    pos: usize,
    max_nesting: usize,
) -> Result<Parsed, FragmentError> {
    let here = input.refs[pos];
    let group = &input.groups[here.group as usize];
    let first = here.tree as usize;
    let rest = &group.trees[first..];
    let mut take = FIRST_PREFIX.min(rest.len());
    let mut cost = 0;
    let consumed = loop {
        if super::nesting::exceeds_syn_nesting(&rest[..take], max_nesting) {
            return Err(FragmentError::TooDeep);
        }
        cost += flat_index_at(group, first + take).saturating_sub(pos);
        let whole = take == rest.len();
        match syn_prefix(&rest[..take], |stream| {
            parse_with_syn(kind, edition, stream)
        }) {
            Ok(consumed) if whole || consumed + LOOKAHEAD < take => break consumed,
            Err(error) if whole => {
                return Err(FragmentError::Syntax(error.to_string(), error.span()));
            }
            _ => take = take.saturating_mul(4).min(rest.len()),
        }
    };
    let end = group.flat_of_tree[first + consumed].ok_or_else(|| {
        syntax_error(
            "the fragment ends inside a multi-character token",
            input.toks.get(pos),
        )
    })?;
    let trees = fragment_trees(&rest[..consumed]);
    let fragment = Fragment {
        kind,
        span: join_spans(&trees),
        trees,
        size: end - pos,
    };
    Ok(Parsed {
        fragment,
        end,
        cost,
    })
}

/// The flat index of tree `tree` of `group`, or of the next tree that starts a token.
fn flat_index_at(group: &super::token::GroupTrees, tree: usize) -> usize {
    group.flat_of_tree[tree..]
        .iter()
        .find_map(|flat| *flat)
        .unwrap_or(0)
}

/// The fragment's trees, its last punct made `Alone` so it does not glue onto what follows it.
fn fragment_trees(trees: &[TokenTree]) -> Vec<TokenTree> {
    let mut out = trees.to_vec();
    if let Some(TokenTree::Punct(last)) = out.last_mut() {
        *last = super::token::alone(last);
    }
    out
}

fn join_spans(trees: &[TokenTree]) -> Span {
    let first = trees.first().map_or_else(Span::call_site, TokenTree::span);
    let last = trees.last().map_or(first, TokenTree::span);
    first.join(last).unwrap_or(first)
}

/// Runs `parse` on `trees` and returns how many of the top-level trees it consumed. `parse`
/// returns whether to give back the last consumed tree (a statement's `;`, which `$s:stmt`
/// leaves in the input). A parse that stops inside an invisible group is an error: rustc's
/// fragments are opaque there.
fn syn_prefix(
    trees: &[TokenTree],
    parse: impl FnOnce(ParseStream) -> syn::Result<bool>,
) -> syn::Result<usize> {
    let stream: TokenStream = trees.iter().cloned().collect();
    let parser = |input: ParseStream| -> syn::Result<usize> {
        let boundaries = tree_boundaries(input);
        let give_back = parse(input)?;
        let end = input.cursor();
        let consumed = boundaries
            .iter()
            .position(|cursor| *cursor == end)
            .ok_or_else(|| input.error("the fragment ends inside an invisible group"))?;
        input.parse::<TokenStream>()?;
        Ok(if give_back && consumed > 0 {
            consumed - 1
        } else {
            consumed
        })
    };
    parser.parse2(stream)
}

/// Cursors at the start of each top-level tree and at the end.
fn tree_boundaries<'a>(input: ParseStream<'a>) -> Vec<syn::buffer::Cursor<'a>> {
    let mut cursor = input.cursor();
    let mut out = vec![cursor];
    while let Some((_, next)) = cursor.token_tree() {
        out.push(next);
        cursor = next;
    }
    out
}

fn parse_with_syn(kind: FragmentKind, edition: Edition, input: ParseStream) -> syn::Result<bool> {
    use FragmentKind::*;
    match kind {
        Expr | Expr2021 => input.parse::<syn::Expr>().map(drop)?,
        Ty => input.parse::<syn::Type>().map(drop)?,
        PatParam => syn::Pat::parse_single(input).map(drop)?,
        PatWithOr => syn::Pat::parse_multi_with_leading_vert(input).map(drop)?,
        Path => parse_path(input)?,
        Meta => input.parse::<syn::Meta>().map(drop)?,
        Vis => input.parse::<syn::Visibility>().map(drop)?,
        Item => input.parse::<syn::Item>().map(drop)?,
        Block => input.parse::<syn::Block>().map(drop)?,
        Stmt => return parse_stmt(input, edition),
        Tt | Ident | Lifetime | Literal => return Err(input.error("not a syn fragment")),
    }
    Ok(false)
}

/// A type-style path, as rustc's `path` fragment: generic arguments without turbofish, and
/// `Fn(A) -> B` arguments on the last segment.
fn parse_path(input: ParseStream) -> syn::Result<()> {
    let mut path: syn::Path = input.parse()?;
    let last_is_bare = path
        .segments
        .last()
        .is_some_and(|segment| segment.arguments.is_none());
    if last_is_bare && input.peek(token::Paren) {
        let arguments: syn::ParenthesizedGenericArguments = input.parse()?;
        if let Some(last) = path.segments.last_mut() {
            last.arguments = syn::PathArguments::Parenthesized(arguments);
        }
    }
    Ok(())
}

/// A statement without its trailing `;` (rustc's `stmt` fragment); items keep theirs.
fn parse_stmt(input: ParseStream, edition: Edition) -> syn::Result<bool> {
    let fork = input.fork();
    fork.call(syn::Attribute::parse_outer)?;
    if fork.peek(Token![let]) && !fork.peek(token::Group) {
        parse_let(input, edition)?;
        return Ok(false);
    }
    let stmt: syn::Stmt = input.parse()?;
    Ok(match stmt {
        syn::Stmt::Expr(_, semi) => semi.is_some(),
        syn::Stmt::Macro(mac) => mac.semi_token.is_some(),
        syn::Stmt::Local(_) | syn::Stmt::Item(_) => false,
    })
}

/// `let PAT (: TYPE)? (= EXPR (else BLOCK)?)?` without the `;`.
fn parse_let(input: ParseStream, edition: Edition) -> syn::Result<()> {
    input.call(syn::Attribute::parse_outer)?;
    input.parse::<Token![let]>()?;
    if edition >= Edition::E2021 {
        syn::Pat::parse_multi_with_leading_vert(input)?;
    } else {
        syn::Pat::parse_single(input)?;
    }
    if input.peek(Token![:]) && !input.peek(Token![::]) {
        input.parse::<Token![:]>()?;
        input.parse::<syn::Type>()?;
    }
    if input.peek(Token![=]) && !input.peek(Token![==]) && !input.peek(Token![=>]) {
        input.parse::<Token![=]>()?;
        input.parse::<syn::Expr>()?;
        if input.peek(Token![else]) {
            input.parse::<Token![else]>()?;
            input.parse::<syn::Block>()?;
        }
    }
    Ok(())
}

//! Tokens as rustc's lexer sees them: proc-macro2 leaves with multi-character operators and
//! lifetimes glued into one unit, and invocation input flattened for the matcher.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// The text that opens and closes a group with this delimiter (nothing for an invisible one).
pub(crate) fn delimiter_text(delimiter: Delimiter) -> (&'static str, &'static str) {
    match delimiter {
        Delimiter::Parenthesis => ("(", ")"),
        Delimiter::Brace => ("{", "}"),
        Delimiter::Bracket => ("[", "]"),
        Delimiter::None => ("", ""),
    }
}

/// rustc's operators of more than one character. proc-macro2 splits them into `Joint` puncts;
/// rustc matches (and counts, as `tt`) each as one token, so the matcher must too.
pub(crate) const COMPOUND_OPS: &[&str] = &[
    "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "<<", ">>",
    "<<=", ">>=", "..", "...", "..=", "::", "->", "<-", "=>",
];

/// One rustc token that is not a delimiter.
#[derive(Clone, Debug)]
pub(crate) enum Unit {
    Ident(Ident),
    Literal(Literal),
    /// An operator such as `+` or `<<=`: its text and its puncts, the last one `Alone`.
    Op(String, Vec<Punct>),
    /// `'a`: the quote and the name.
    Lifetime(Punct, Ident),
}

impl Unit {
    /// Whether two tokens are the same token, as rustc compares a matcher's literal tokens.
    #[inline(never)]
    pub(crate) fn same_token(&self, other: &Unit) -> bool {
        match (self, other) {
            (Unit::Ident(a), Unit::Ident(b)) => a == b,
            (Unit::Literal(a), Unit::Literal(b)) => a.to_string() == b.to_string(),
            (Unit::Op(a, _), Unit::Op(b, _)) => a == b,
            (Unit::Lifetime(_, a), Unit::Lifetime(_, b)) => a == b,
            _ => false,
        }
    }

    pub(crate) fn is_op(&self, text: &str) -> bool {
        matches!(self, Unit::Op(op, _) if op == text)
    }

    pub(crate) fn span(&self) -> Span {
        match self {
            Unit::Ident(ident) => ident.span(),
            Unit::Literal(literal) => literal.span(),
            Unit::Op(_, puncts) => puncts.first().map_or_else(Span::call_site, Punct::span),
            Unit::Lifetime(quote, _) => quote.span(),
        }
    }

    /// The proc-macro2 trees of this token, appended to `out`.
    pub(crate) fn push_trees(&self, out: &mut Vec<TokenTree>) {
        match self {
            Unit::Ident(ident) => out.push(TokenTree::Ident(ident.clone())),
            Unit::Literal(literal) => out.push(TokenTree::Literal(literal.clone())),
            Unit::Op(_, puncts) => out.extend(puncts.iter().cloned().map(TokenTree::Punct)),
            Unit::Lifetime(quote, name) => {
                out.push(TokenTree::Punct(quote.clone()));
                out.push(TokenTree::Ident(name.clone()));
            }
        }
    }

    /// How many proc-macro2 trees this token is made of.
    pub(crate) fn tree_count(&self) -> usize {
        match self {
            Unit::Ident(_) | Unit::Literal(_) => 1,
            Unit::Op(_, puncts) => puncts.len(),
            Unit::Lifetime(..) => 2,
        }
    }
}

/// A top-level piece of a token stream: a glued token or a delimited group.
#[derive(Clone, Debug)]
pub(crate) enum Piece {
    Unit(Unit),
    Group(Group),
}

/// Splits a stream's top level into rustc tokens and groups.
pub(crate) fn pieces(stream: TokenStream) -> Vec<Piece> {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut index = 0;
    while index < trees.len() {
        let (piece, used) = piece_at(&trees, index);
        out.push(piece);
        index += used;
    }
    out
}

/// The piece starting at `trees[index]` and how many trees it spans (at least one).
fn piece_at(trees: &[TokenTree], index: usize) -> (Piece, usize) {
    match &trees[index] {
        TokenTree::Group(group) => (Piece::Group(group.clone()), 1),
        TokenTree::Ident(ident) => (Piece::Unit(Unit::Ident(ident.clone())), 1),
        TokenTree::Literal(literal) => (Piece::Unit(Unit::Literal(literal.clone())), 1),
        TokenTree::Punct(punct) => {
            if let Some(lifetime) = lifetime_at(trees, index) {
                return (Piece::Unit(lifetime), 2);
            }
            let (unit, used) = op_at(trees, index, punct);
            (Piece::Unit(unit), used)
        }
    }
}

fn lifetime_at(trees: &[TokenTree], index: usize) -> Option<Unit> {
    match (&trees[index], trees.get(index + 1)) {
        (TokenTree::Punct(quote), Some(TokenTree::Ident(name)))
            if quote.as_char() == '\'' && quote.spacing() == Spacing::Joint =>
        {
            Some(Unit::Lifetime(quote.clone(), name.clone()))
        }
        _ => None,
    }
}

/// Glues `Joint` puncts from `trees[index]` on, greedily, into the longest rustc operator.
fn op_at(trees: &[TokenTree], index: usize, first: &Punct) -> (Unit, usize) {
    let mut text = first.as_char().to_string();
    let mut puncts = vec![first.clone()];
    while let Some(TokenTree::Punct(next)) = trees.get(index + puncts.len()) {
        let joint = puncts.last().is_some_and(|p| p.spacing() == Spacing::Joint);
        let glued = format!("{text}{}", next.as_char());
        if !joint || !COMPOUND_OPS.contains(&glued.as_str()) {
            break;
        }
        text = glued;
        puncts.push(next.clone());
    }
    if let Some(last) = puncts.last_mut() {
        *last = alone(last);
    }
    let used = puncts.len();
    (Unit::Op(text, puncts), used)
}

/// The same punct with `Alone` spacing, so that it cannot glue onto whatever the expansion puts
/// after it (rustc's tokens never glue across a transcription boundary).
pub(crate) fn alone(punct: &Punct) -> Punct {
    let mut out = Punct::new(punct.as_char(), Spacing::Alone);
    out.set_span(punct.span());
    out
}

/// One token of a flattened invocation input, as rustc's parser steps through it.
#[derive(Clone, Debug)]
pub(crate) enum Flat {
    Unit(Unit),
    /// The opening delimiter of this group.
    Open(Group),
    Close(Delimiter, Span),
    Eof,
}

/// Where a flat token sits: in which group of [`FlatInput::groups`], at which top-level tree.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TreeRef {
    pub group: u32,
    pub tree: u32,
}

/// The top-level trees of one group of the input, for handing a suffix of them to syn.
#[derive(Debug, Default)]
pub(crate) struct GroupTrees {
    pub trees: Vec<TokenTree>,
    /// For each tree (and one past the end), the flat index it starts, or `None` when the tree is
    /// the middle of a glued token (the second `:` of `::`).
    pub flat_of_tree: Vec<Option<usize>>,
}

/// An invocation's input flattened into rustc tokens, ending with [`Flat::Eof`].
#[derive(Debug, Default)]
pub(crate) struct FlatInput {
    pub toks: Vec<Flat>,
    pub refs: Vec<TreeRef>,
    pub groups: Vec<GroupTrees>,
}

/// The input nests delimiters deeper than the limit.
#[derive(Debug)]
pub(crate) struct TooDeep;

impl FlatInput {
    pub(crate) fn new(stream: TokenStream, max_depth: usize) -> Result<FlatInput, TooDeep> {
        let mut input = FlatInput::default();
        let top = input.push_group(stream, max_depth)?;
        let end = input.groups[top].trees.len() as u32;
        input.push_tok(Flat::Eof, top, end);
        Ok(input)
    }

    /// Flattens `stream` as a new group; returns the group's index.
    fn push_group(&mut self, stream: TokenStream, depth_left: usize) -> Result<usize, TooDeep> {
        let id = self.groups.len();
        self.groups.push(GroupTrees::default());
        let trees: Vec<TokenTree> = stream.into_iter().collect();
        let mut flat_of_tree = vec![None; trees.len() + 1];
        let mut index = 0;
        while index < trees.len() {
            flat_of_tree[index] = Some(self.toks.len());
            let (piece, used) = piece_at(&trees, index);
            match piece {
                Piece::Unit(unit) => self.push_tok(Flat::Unit(unit), id, index as u32),
                Piece::Group(group) => {
                    let left = depth_left.checked_sub(1).ok_or(TooDeep)?;
                    self.push_delimited(group, id, index as u32, left)?;
                }
            }
            index += used;
        }
        flat_of_tree[trees.len()] = Some(self.toks.len());
        let group = &mut self.groups[id];
        group.trees = trees;
        group.flat_of_tree = flat_of_tree;
        Ok(id)
    }

    /// Flattens one delimited group sitting in `parent` at `tree`.
    fn push_delimited(
        &mut self,
        group: Group,
        parent: usize,
        tree: u32,
        depth_left: usize,
    ) -> Result<(), TooDeep> {
        let (delimiter, close_span) = (group.delimiter(), group.span_close());
        self.push_tok(Flat::Open(group.clone()), parent, tree);
        let inner = self.push_group(group.stream(), depth_left)?;
        let end = self.groups[inner].trees.len() as u32;
        self.push_tok(Flat::Close(delimiter, close_span), inner, end);
        Ok(())
    }

    fn push_tok(&mut self, tok: Flat, group: usize, tree: u32) {
        self.toks.push(tok);
        self.refs.push(TreeRef {
            group: group as u32,
            tree,
        });
    }

    /// The flat index just past the group whose `Open` is at `open`.
    pub(crate) fn after_group(&self, open: usize) -> Option<usize> {
        let here = self.refs.get(open)?;
        let group = self.groups.get(here.group as usize)?;
        group
            .flat_of_tree
            .get(here.tree as usize + 1)
            .copied()
            .flatten()
    }
}

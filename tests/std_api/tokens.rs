//! Token-level rewrites that let syn parse std's source: the unstable const-trait syntax
//! (`const trait`, `const impl`, `impl const Tr`, `[const] Tr`, `~const Tr`) is removed, since
//! constness changes no type.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

/// Deepest group nesting rewritten; std's source nests a few dozen levels at most.
const MAX_DEPTH: usize = 256;

pub fn without_const_traits(tokens: TokenStream) -> TokenStream {
    rewrite(tokens, 0)
}

fn is_ident(tree: Option<&TokenTree>, word: &str) -> bool {
    matches!(tree, Some(TokenTree::Ident(ident)) if ident == word)
}

fn is_punct(tree: Option<&TokenTree>, c: char) -> bool {
    matches!(tree, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

/// `[const]` as a bound modifier (not an attribute's brackets).
fn is_const_brackets(tree: &TokenTree, previous: Option<&TokenTree>) -> bool {
    let TokenTree::Group(group) = tree else {
        return false;
    };
    if group.delimiter() != Delimiter::Bracket || is_punct(previous, '#') || is_punct(previous, '!')
    {
        return false;
    }
    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
    inner.len() == 1 && is_ident(inner.first(), "const")
}

/// A `const` that marks a trait or impl const rather than starting a const item or fn.
fn is_const_modifier(trees: &[TokenTree], at: usize, previous: Option<&TokenTree>) -> bool {
    if !is_ident(trees.get(at), "const") {
        return false;
    }
    let next = trees.get(at + 1);
    if is_ident(next, "trait") || is_ident(next, "impl") {
        return true;
    }
    if is_ident(next, "unsafe") && is_ident(trees.get(at + 2), "trait") {
        return true;
    }
    // `impl const Tr for T`, `impl<T> const Tr for T`: a trait path follows, not `NAME:`.
    let after_impl = is_ident(previous, "impl") || is_punct(previous, '>');
    let next_is_name = matches!(next, Some(TokenTree::Ident(i))
        if !["fn", "unsafe", "extern", "async", "_"].contains(&i.to_string().as_str()));
    // `const NAME: T` has a lone `:`; `impl<T> const ops::Index<I>` a path's `::`.
    let lone_colon = is_punct(trees.get(at + 2), ':') && !is_punct(trees.get(at + 3), ':');
    after_impl && next_is_name && !lone_colon
}

fn rewrite(tokens: TokenStream, depth: usize) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut at = 0;
    while at < trees.len() {
        let tree = &trees[at];
        let previous = out.last();
        if is_const_brackets(tree, previous) || is_const_modifier(&trees, at, previous) {
            at += 1;
            continue;
        }
        if is_punct(Some(tree), '~') && is_ident(trees.get(at + 1), "const") {
            at += 2;
            continue;
        }
        out.push(match tree {
            TokenTree::Group(group) if depth < MAX_DEPTH => {
                let mut rewritten =
                    Group::new(group.delimiter(), rewrite(group.stream(), depth + 1));
                rewritten.set_span(group.span());
                TokenTree::Group(rewritten)
            }
            other => other.clone(),
        });
        at += 1;
    }
    out.into_iter().collect()
}

//! Giving tokens the call site's span: tokens a macro's definition writes have no place in the
//! file being analysed, so positions are kept only for the tokens a call wrote.

use proc_macro2::{Group, Span, TokenStream, TokenTree};

/// Every token of `stream` with the call site's span.
pub fn respanned(stream: TokenStream) -> TokenStream {
    stream
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), respanned(group.stream()));
                inner.set_span(Span::call_site());
                TokenTree::Group(inner)
            }
            mut other => {
                other.set_span(Span::call_site());
                other
            }
        })
        .collect()
}

/// A `macro_rules!` body's text parsed into rules, its tokens respanned.
pub fn parse_rules_text(
    body: &str,
    edition: super::macro_rules::Edition,
) -> Option<super::macro_rules::MacroRules> {
    let tokens: TokenStream = body.parse().ok()?;
    super::macro_rules::MacroRules::parse(respanned(tokens), edition).ok()
}

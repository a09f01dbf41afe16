//! `macro_rules!` expansion on proc-macro2 token streams: parsing a definition into rules,
//! matching an invocation as rustc's macro parser does, and transcribing the first rule that
//! matches.
//!
//! # Why handwritten
//!
//! The one maintained expander outside rustc is rust-analyzer's `ra_ap_mbe`. It was weighed and
//! not taken:
//! - it pulls in 97 crates, among them salsa, rayon, rowan, crossbeam and a second major version
//!   of syn, and its `expand` needs a salsa database: a heavy build on two cores and a bigger
//!   binary for one feature;
//! - it is published weekly as `0.0.x` with exact (`=`) inter-crate pins and no API stability;
//!   the newest release already needs a newer rustc than this machine's 1.95;
//! - it works on rust-analyzer's token trees, whose spans are file-offset + syntax-context
//!   pairs: keeping proc-macro2 spans would need a side table both ways, and its fragments are
//!   parsed by rust-analyzer's parser, not the syn that the rest of memlens parses with — two
//!   grammars deciding one match.
//!
//! rustc's own matcher (an NFA over matcher positions, `compiler/rustc_expand/src/mbe`) is small
//! enough to reimplement faithfully; the fragment parsers are syn's.
//!
//! # Semantics
//!
//! - Rules are tried in order; the first that matches is transcribed. A fragment that syn does
//!   not parse makes its rule fail (rustc reports an error instead; being more lenient there
//!   cannot change an expansion rustc accepts). A local ambiguity is an error, as in rustc.
//! - Multi-character operators and lifetimes are single tokens, as rustc's lexer makes them:
//!   `$t:tt` takes `::`, `=>` or `'a` whole, and a matcher's `=>` does not match `= >`.
//! - Fragments other than `tt`, `ident` and `lifetime` are transcribed inside one
//!   `Delimiter::None` group, so `$e * 2` keeps `$e` grouped and a second macro cannot match
//!   into it with literal tokens, as in rustc. syn parses such groups as `Expr::Group` /
//!   `Type::Group` and looks through them elsewhere.
//! - Spans: tokens from the invocation keep their spans; tokens of the transcriber keep the
//!   definition's; `$crate` becomes the caller's path with the `$crate` token's span; numbers
//!   from `${count()}`, `${index()}`, `${len()}` and `${concat()}` identifiers take the span of
//!   their `${ … }`. No hygiene: identifiers are plain names.
//! - Doc comments arrive from proc-macro2 as `#[doc = "…"]` (two trees), as rustc matches them.
//!
//! Nested macro calls in the output are left as tokens: the caller resolves their names and
//! expands them (see [`expand_items_in`] for item-position calls). Recommended recursion depth
//! for callers: 128 nested expansions, rustc's default `recursion_limit` — std itself needs 33
//! (`array_impl_default!` counts down from 32), and a smaller bound would fail real munchers.

mod fragment;
mod items;
mod matcher;
mod nesting;
mod parse;
#[cfg(test)]
mod tests;
mod token;
mod transcribe;

use std::rc::Rc;

use proc_macro2::{Span, TokenStream, TokenTree};

pub use items::{ExpandedItems, ItemExpansionError, MacroScope, MacroTable, expand_items_in};
pub use nesting::exceeds_syn_nesting;
pub(crate) use token::delimiter_text;

/// The edition of the crate that defines a macro: it decides what `pat` and `expr` match and
/// which words are keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Edition {
    E2015,
    E2018,
    #[default]
    E2021,
    E2024,
}

impl Edition {
    /// The edition a manifest's `edition = "2021"` names.
    pub fn from_year(year: &str) -> Option<Edition> {
        Some(match year {
            "2015" => Edition::E2015,
            "2018" => Edition::E2018,
            "2021" => Edition::E2021,
            "2024" => Edition::E2024,
            _ => return None,
        })
    }
}

/// Bounds on the work one expansion may do, so that hostile macros cannot hang or exhaust
/// memory. Recursion (expansions expanding further macros) is the caller's to bound.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Matcher positions processed plus tokens handed to fragment parsers, over all rules.
    pub max_match_steps: usize,
    /// Matcher positions alive at once (repetitions that could split input many ways).
    pub max_positions: usize,
    /// Tokens in one expansion's output, counting into groups.
    pub max_output_tokens: usize,
    /// Passes of one repetition in a transcription.
    pub max_repetitions: usize,
    /// Delimiter nesting of a definition or an invocation.
    pub max_nesting: usize,
    /// How deeply syn may recurse parsing one fragment, as [`exceeds_syn_nesting`] estimates
    /// it: syn has no recursion limit, and a stack overflow aborts the process. The default
    /// (128) is safe with a 4× margin in release builds on 2 MiB threads and in debug builds on
    /// 8 MiB threads; debug code on 2 MiB threads (cargo's test threads) wants 32.
    pub max_fragment_nesting: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_match_steps: 2_000_000,
            max_positions: 10_000,
            max_output_tokens: 2_000_000,
            max_repetitions: 100_000,
            max_nesting: 256,
            max_fragment_nesting: 128,
        }
    }
}

/// A limit an expansion ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitHit {
    #[error("matching took more than {0} steps")]
    MatchSteps(usize),
    #[error("more than {0} matcher positions were alive at once")]
    Positions(usize),
    #[error("the expansion has more than {0} tokens")]
    OutputTokens(usize),
    #[error("a repetition repeats more than {0} times")]
    Repetitions(usize),
    #[error("delimiters nest deeper than {0}")]
    Nesting(usize),
    #[error("a fragment nests deeper than syn can safely parse (estimate over {0})")]
    FragmentNesting(usize),
}

/// Why a definition could not be parsed or an invocation not expanded. Rules are numbered from 0.
#[derive(Clone, Debug, thiserror::Error)]
pub enum MacroError {
    #[error("invalid macro definition: {message}")]
    Definition { message: String, span: Span },
    /// No rule matched; the failure of the rule that got furthest into the input.
    #[error("no rule of the macro matches (closest, rule {rule}: {message})")]
    NoMatch {
        rule: usize,
        message: String,
        span: Span,
    },
    #[error("rule {rule}: {message}")]
    Ambiguous {
        rule: usize,
        message: String,
        span: Span,
    },
    /// The rule matched but its transcriber cannot be filled (e.g. lengths of repetitions
    /// differ).
    #[error("rule {rule}: {message}")]
    Transcription {
        rule: usize,
        message: String,
        span: Span,
    },
    #[error(transparent)]
    Limit(#[from] LimitHit),
}

impl MacroError {
    /// Where the error is: in the definition or the invocation.
    pub fn span(&self) -> Span {
        match self {
            MacroError::Definition { span, .. }
            | MacroError::NoMatch { span, .. }
            | MacroError::Ambiguous { span, .. }
            | MacroError::Transcription { span, .. } => *span,
            MacroError::Limit(_) => Span::call_site(),
        }
    }
}

/// A parsed `macro_rules!` definition. Cheap to clone.
#[derive(Clone)]
pub struct MacroRules {
    definition: Rc<Definition>,
    limits: Rc<Limits>,
}

struct Definition {
    rules: Vec<parse::Rule>,
    edition: Edition,
}

impl std::fmt::Debug for MacroRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MacroRules")
            .field("rules", &self.definition.rules.len())
            .field("edition", &self.definition.edition)
            .finish()
    }
}

impl MacroRules {
    /// Parses the body of `macro_rules! name { BODY }` (the tokens inside the outer delimiter).
    pub fn parse(body: TokenStream, edition: Edition) -> Result<MacroRules, MacroError> {
        let limits = Limits::default();
        let rules = parse::parse_rules(body, edition, limits.max_nesting)?;
        Ok(MacroRules {
            definition: Rc::new(Definition { rules, edition }),
            limits: Rc::new(limits),
        })
    }

    /// The same macro, expanding under other limits.
    pub fn with_limits(self, limits: Limits) -> MacroRules {
        MacroRules {
            limits: Rc::new(limits),
            ..self
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn edition(&self) -> Edition {
        self.definition.edition
    }

    pub fn rule_count(&self) -> usize {
        self.definition.rules.len()
    }

    /// Expands one invocation's input tokens (inside the call's delimiters) with the first rule
    /// that matches, as rustc does. Nested macro calls in the output are NOT expanded (the
    /// caller resolves their names and calls back). `crate_path` is what `$crate` becomes (e.g.
    /// `crate` or `::std`, as a token stream).
    pub fn expand(
        &self,
        input: TokenStream,
        crate_path: &TokenStream,
    ) -> Result<TokenStream, MacroError> {
        let limits = &*self.limits;
        let flat = token::FlatInput::new(input, limits.max_nesting)
            .map_err(|_| LimitHit::Nesting(limits.max_nesting))?;
        let mut budget = matcher::Budget {
            limits,
            steps: flat.toks.len(),
        };
        let mut closest: Option<(usize, MacroError)> = None;
        for (index, rule) in self.definition.rules.iter().enumerate() {
            let matched =
                matcher::match_rule(&rule.matcher, &flat, self.definition.edition, &mut budget);
            match matched {
                Ok(bindings) => return transcribe_rule(rule, index, &bindings, crate_path, limits),
                Err(failure) => record_failure(failure, index, &mut closest)?,
            }
        }
        Err(closest.map_or_else(
            || MacroError::Definition {
                message: "the macro has no rules".into(),
                span: Span::call_site(),
            },
            |(_, error)| error,
        ))
    }
}

fn transcribe_rule(
    rule: &parse::Rule,
    index: usize,
    bindings: &[matcher::Binding],
    crate_path: &TokenStream,
    limits: &Limits,
) -> Result<TokenStream, MacroError> {
    transcribe::transcribe(&rule.template, &rule.matcher, bindings, crate_path, limits).map_err(
        |error| match error {
            transcribe::TranscribeError::Invalid(message, span) => MacroError::Transcription {
                rule: index,
                message,
                span,
            },
            transcribe::TranscribeError::Limit(limit) => MacroError::Limit(limit),
        },
    )
}

/// Keeps the failure that got furthest into the input (the first of equals, like rustc);
/// ambiguities and limits end the expansion.
fn record_failure(
    failure: matcher::MatchFailure,
    rule: usize,
    closest: &mut Option<(usize, MacroError)>,
) -> Result<(), MacroError> {
    match failure {
        matcher::MatchFailure::NoMatch { at, message, span } => {
            if closest.as_ref().is_none_or(|(furthest, _)| at > *furthest) {
                let error = MacroError::NoMatch {
                    rule,
                    message,
                    span,
                };
                *closest = Some((at, error));
            }
            Ok(())
        }
        matcher::MatchFailure::Ambiguous { message, span } => Err(MacroError::Ambiguous {
            rule,
            message,
            span,
        }),
        matcher::MatchFailure::Limit(limit) => Err(MacroError::Limit(limit)),
    }
}

/// `macro_rules! name { … }` as an item: its name and parsed rules; `None` for any other item
/// macro.
pub fn parse_macro_rules_item(
    item: &syn::ItemMacro,
    edition: Edition,
) -> Option<(syn::Ident, Result<MacroRules, MacroError>)> {
    let name = item.ident.clone()?;
    if !item.mac.path.is_ident("macro_rules") {
        return None;
    }
    Some((name, MacroRules::parse(item.mac.tokens.clone(), edition)))
}

/// Every `macro_rules! name { … }` in a token stream, at any depth but not inside another
/// definition — for sources syn cannot parse whole (std's, with unstable syntax). In source order.
pub fn macro_rules_in_tokens(
    stream: TokenStream,
    edition: Edition,
) -> Vec<(proc_macro2::Ident, Result<MacroRules, MacroError>)> {
    let mut found = Vec::new();
    let mut stack: Vec<(Vec<TokenTree>, usize)> = vec![(stream.into_iter().collect(), 0)];
    while let Some((trees, index)) = stack.last_mut() {
        let Some(tree) = trees.get(*index).cloned() else {
            stack.pop();
            continue;
        };
        if let Some((name, body)) = definition_at(trees, *index) {
            found.push((name, MacroRules::parse(body, edition)));
            *index += 4;
            continue;
        }
        *index += 1;
        if let TokenTree::Group(group) = tree {
            stack.push((group.stream().into_iter().collect(), 0));
        }
    }
    found
}

/// `macro_rules ! name { body }` starting at `trees[index]`.
fn definition_at(trees: &[TokenTree], index: usize) -> Option<(proc_macro2::Ident, TokenStream)> {
    match trees.get(index..index + 4)? {
        [
            TokenTree::Ident(keyword),
            TokenTree::Punct(bang),
            TokenTree::Ident(name),
            TokenTree::Group(body),
        ] if keyword == "macro_rules" && bang.as_char() == '!' => {
            Some((name.clone(), body.stream()))
        }
        _ => None,
    }
}

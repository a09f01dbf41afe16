//! Matching an invocation against one rule's matcher: rustc's macro parser, a set of matcher
//! positions advanced token by token (an NFA), with fragments parsed only when exactly one
//! position wants one — otherwise the match is ambiguous, as in rustc.

use std::rc::Rc;

use proc_macro2::Span;

use super::fragment::{self, Fragment, FragmentError};
use super::parse::{Kleene, Loc, Matcher};
use super::token::{Flat, FlatInput};
use super::{Edition, LimitHit, Limits};

/// What a metavariable matched: a fragment, or one entry per repetition.
#[derive(Clone, Debug)]
pub(crate) enum Binding {
    Single(Rc<Fragment>),
    Seq(Vec<Binding>),
}

/// A matcher position and the bindings made on the way to it (rustc's `MatcherPos`). The
/// bindings are shared until a position that forked writes to them.
#[derive(Clone)]
struct Position {
    loc: usize,
    bindings: Rc<Vec<Binding>>,
}

/// Why a rule did not match.
#[derive(Debug)]
pub(crate) enum MatchFailure {
    /// No position accepts the token at flat index `at`.
    NoMatch {
        at: usize,
        message: String,
        span: Span,
    },
    Ambiguous {
        message: String,
        span: Span,
    },
    Limit(LimitHit),
}

/// Work done so far for one expansion, shared by all its rules.
pub(crate) struct Budget<'a> {
    pub limits: &'a Limits,
    pub steps: usize,
}

impl Budget<'_> {
    fn charge(&mut self, steps: usize) -> Result<(), MatchFailure> {
        self.steps = self.steps.saturating_add(steps);
        if self.steps > self.limits.max_match_steps {
            return Err(MatchFailure::Limit(LimitHit::MatchSteps(
                self.limits.max_match_steps,
            )));
        }
        Ok(())
    }
}

/// Positions sorted by what the current token does with them.
#[derive(Default)]
struct Step {
    /// Positions that consumed the token.
    next: Vec<Position>,
    /// Positions waiting at a fragment that may begin with the token.
    fragment: Vec<Position>,
    /// Positions at the matcher's end.
    eof: Vec<Position>,
}

/// Matches `input` against `matcher`; the bindings are indexed like `matcher.metavars`.
pub(crate) fn match_rule(
    matcher: &Matcher,
    input: &FlatInput,
    edition: Edition,
    budget: &mut Budget,
) -> Result<Vec<Binding>, MatchFailure> {
    let mut current = vec![Position {
        loc: 0,
        bindings: Rc::new(Vec::with_capacity(matcher.metavars.len())),
    }];
    let mut pos = 0;
    loop {
        let tok = input.toks.get(pos).unwrap_or(&Flat::Eof);
        let step = advance(matcher, &mut current, tok, edition, budget)?;
        if matches!(tok, Flat::Eof) {
            return finish(step, pos, input);
        }
        (current, pos) = choose(matcher, step, input, pos, edition, budget)?;
    }
}

/// At the end of input: exactly one position must have reached the matcher's end.
fn finish(step: Step, pos: usize, input: &FlatInput) -> Result<Vec<Binding>, MatchFailure> {
    let mut eof = step.eof;
    match eof.len() {
        1 => {
            let only = eof.remove(0);
            Ok(Rc::try_unwrap(only.bindings).unwrap_or_else(|shared| (*shared).clone()))
        }
        0 => Err(no_match(pos, input, "unexpected end of macro invocation")),
        _ => Err(MatchFailure::Ambiguous {
            message: "local ambiguity: multiple parsing options at the end of the input".into(),
            span: span_at(input, pos),
        }),
    }
}

fn span_at(input: &FlatInput, pos: usize) -> Span {
    match input.toks.get(pos) {
        Some(Flat::Unit(unit)) => unit.span(),
        Some(Flat::Open(group)) => group.span_open(),
        Some(Flat::Close(_, span)) => *span,
        Some(Flat::Eof) | None => Span::call_site(),
    }
}

fn no_match(at: usize, input: &FlatInput, message: &str) -> MatchFailure {
    MatchFailure::NoMatch {
        at,
        message: message.to_string(),
        span: span_at(input, at),
    }
}

/// After the token at `pos`: continue with the positions that consumed it, or parse the one
/// fragment a position waits for.
fn choose(
    matcher: &Matcher,
    mut step: Step,
    input: &FlatInput,
    pos: usize,
    edition: Edition,
    budget: &mut Budget,
) -> Result<(Vec<Position>, usize), MatchFailure> {
    step.eof.clear();
    match (step.next.is_empty(), step.fragment.len()) {
        (true, 0) => Err(no_match(pos, input, "no rules expected this token")),
        (false, 0) => Ok((step.next, pos + 1)),
        (true, 1) => {
            let position = step.fragment.remove(0);
            let (position, end) = parse_fragment(matcher, position, input, pos, edition, budget)?;
            Ok((vec![position], end))
        }
        _ => Err(ambiguity(matcher, &step, input, pos)),
    }
}

fn ambiguity(matcher: &Matcher, step: &Step, input: &FlatInput, pos: usize) -> MatchFailure {
    let names: Vec<String> = step
        .fragment
        .iter()
        .filter_map(|position| match &matcher.locs[position.loc] {
            Loc::MetaVar { index, .. } => Some(format!("`${}`", matcher.metavars[*index].name)),
            _ => None,
        })
        .collect();
    let tokens = if step.next.is_empty() {
        ""
    } else {
        " or a literal token"
    };
    MatchFailure::Ambiguous {
        message: format!(
            "local ambiguity: multiple parsing options: {}{tokens}",
            names.join(", ")
        ),
        span: span_at(input, pos),
    }
}

fn parse_fragment(
    matcher: &Matcher,
    mut position: Position,
    input: &FlatInput,
    pos: usize,
    edition: Edition,
    budget: &mut Budget,
) -> Result<(Position, usize), MatchFailure> {
    let Loc::MetaVar { index, kind } = matcher.locs[position.loc] else {
        return Err(no_match(
            pos,
            input,
            "internal: fragment position without metavariable",
        ));
    };
    let max_nesting = budget.limits.max_fragment_nesting;
    let parsed = fragment::parse_fragment(kind, edition, input, pos, max_nesting);
    let parsed = parsed.map_err(|error| match error {
        FragmentError::Syntax(message, span) => MatchFailure::NoMatch {
            at: pos,
            message: format!("`${}`: {message}", matcher.metavars[index].name),
            span,
        },
        FragmentError::TooDeep => MatchFailure::Limit(LimitHit::FragmentNesting(max_nesting)),
    })?;
    budget.charge(parsed.cost)?;
    let depth = matcher.metavars[index].depth;
    push_binding(
        &mut position,
        index,
        depth,
        Binding::Single(Rc::new(parsed.fragment)),
    );
    position.loc += 1;
    Ok((position, parsed.end))
}

/// Records a binding for metavariable `index`, declared under `depth` sequences: into the
/// innermost open repetition.
fn push_binding(position: &mut Position, index: usize, depth: usize, binding: Binding) {
    let bindings = Rc::make_mut(&mut position.bindings);
    if depth == 0 {
        if bindings.len() == index {
            bindings.push(binding);
        }
        return;
    }
    let Some(mut current) = bindings.get_mut(index) else {
        return;
    };
    for _ in 1..depth {
        match current {
            Binding::Seq(entries) => match entries.last_mut() {
                Some(last) => current = last,
                None => return,
            },
            Binding::Single(_) => return,
        }
    }
    if let Binding::Seq(entries) = current {
        entries.push(binding);
    }
}

/// Follows every position through the moves that consume no token, and sorts them by what the
/// token `tok` does with them.
fn advance(
    matcher: &Matcher,
    current: &mut Vec<Position>,
    tok: &Flat,
    edition: Edition,
    budget: &mut Budget,
) -> Result<Step, MatchFailure> {
    let mut step = Step::default();
    while let Some(position) = current.pop() {
        budget.charge(1)?;
        if current.len() > budget.limits.max_positions {
            return Err(MatchFailure::Limit(LimitHit::Positions(
                budget.limits.max_positions,
            )));
        }
        advance_one(matcher, position, tok, edition, current, &mut step);
    }
    Ok(step)
}

fn advance_one(
    matcher: &Matcher,
    mut position: Position,
    tok: &Flat,
    edition: Edition,
    current: &mut Vec<Position>,
    step: &mut Step,
) {
    let Some(loc) = matcher.locs.get(position.loc) else {
        return;
    };
    match loc {
        Loc::Token(unit) => {
            if matches!(tok, Flat::Unit(input) if input.same_token(unit)) {
                position.loc += 1;
                step.next.push(position);
            }
        }
        Loc::Open(delimiter) => {
            if matches!(tok, Flat::Open(group) if group.delimiter() == *delimiter) {
                position.loc += 1;
                step.next.push(position);
            }
        }
        Loc::Close(delimiter) => {
            if matches!(tok, Flat::Close(input, _) if input == delimiter) {
                position.loc += 1;
                step.next.push(position);
            }
        }
        Loc::Sequence {
            op,
            after,
            metavars,
            depth,
        } => {
            if *op != Kleene::OneOrMore {
                let mut skip = position.clone();
                open_repetitions(&mut skip, metavars.clone(), *depth);
                skip.loc = *after;
                current.push(skip);
            }
            open_repetitions(&mut position, metavars.clone(), *depth);
            position.loc += 1;
            current.push(position);
        }
        Loc::KleeneNoSep { op, sequence } => {
            if *op != Kleene::ZeroOrOne {
                let mut again = position.clone();
                again.loc = sequence + 1;
                current.push(again);
            }
            position.loc = sequence_end(matcher, *sequence);
            current.push(position);
        }
        Loc::Separator {
            separator,
            sequence,
        } => {
            if matches!(tok, Flat::Unit(input) if input.same_token(separator)) {
                let mut after_separator = position.clone();
                after_separator.loc += 1;
                step.next.push(after_separator);
            }
            position.loc = sequence_end(matcher, *sequence);
            current.push(position);
        }
        Loc::AfterSeparator { sequence } => {
            position.loc = sequence + 1;
            current.push(position);
        }
        Loc::MetaVar { kind, .. } => {
            if fragment::may_begin_with(*kind, tok, edition) {
                step.fragment.push(position);
            }
        }
        Loc::Eof => {
            if matches!(tok, Flat::Eof) {
                step.eof.push(position);
            }
        }
    }
}

/// Starts (or skips) a repetition: an empty entry list for every metavariable declared inside,
/// recorded at the sequence's own depth.
fn open_repetitions(position: &mut Position, metavars: std::ops::Range<usize>, depth: usize) {
    for index in metavars {
        push_binding(position, index, depth, Binding::Seq(Vec::new()));
    }
}

fn sequence_end(matcher: &Matcher, sequence: usize) -> usize {
    match &matcher.locs[sequence] {
        Loc::Sequence { after, .. } => *after,
        _ => matcher.locs.len().saturating_sub(1),
    }
}

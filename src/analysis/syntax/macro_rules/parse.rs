//! Parsing a `macro_rules!` body into rules: each matcher flattened into the positions the
//! matcher steps through, each transcriber into a template tree.

use std::collections::HashMap;

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream};

use super::fragment::FragmentKind;
use super::token::{Piece, Unit, pieces};
use super::{Edition, MacroError};

/// How often a repetition may repeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kleene {
    ZeroOrMore,
    OneOrMore,
    ZeroOrOne,
}

/// One position of a flattened matcher (rustc's `MatcherLoc`).
#[derive(Clone, Debug)]
pub(crate) enum Loc {
    Token(Unit),
    Open(Delimiter),
    Close(Delimiter),
    /// The start of `$( … ) sep op`; the body starts at the next position.
    Sequence {
        op: Kleene,
        /// The position after the whole sequence.
        after: usize,
        /// The metavariables declared inside, as a range of metavariable indices.
        metavars: std::ops::Range<usize>,
        /// How many sequences enclose this one.
        depth: usize,
    },
    /// The end of a body without separator: repeat, or leave.
    KleeneNoSep {
        op: Kleene,
        sequence: usize,
    },
    /// The end of a body with separator: leave, or match the separator.
    Separator {
        separator: Unit,
        sequence: usize,
    },
    /// After a matched separator: back to the body.
    AfterSeparator {
        sequence: usize,
    },
    MetaVar {
        index: usize,
        kind: FragmentKind,
    },
    Eof,
}

/// A metavariable a matcher declares.
#[derive(Clone, Debug)]
pub(crate) struct MetaVarDecl {
    pub name: String,
    /// How many sequences enclose it.
    pub depth: usize,
}

#[derive(Debug)]
pub(crate) struct Matcher {
    pub locs: Vec<Loc>,
    pub metavars: Vec<MetaVarDecl>,
    pub by_name: HashMap<String, usize>,
}

/// A transcriber, as a tree.
#[derive(Clone, Debug)]
pub(crate) enum Template {
    Token(Unit),
    Group {
        delimiter: Delimiter,
        span: Span,
        body: Vec<Template>,
    },
    /// `$name`; emitted as `$ name` when the rule binds no such metavariable.
    Var {
        dollar: Unit,
        name: Ident,
    },
    Repeat {
        body: Vec<Template>,
        separator: Option<Unit>,
        op: Kleene,
        span: Span,
        /// Every metavariable named inside, which decides how often the body repeats.
        vars: Vec<String>,
    },
    /// `$crate`.
    Crate(Span),
    /// `${ … }`.
    Expr(MetaVarExpr, Span),
}

/// A metavariable expression (`${count(x)}` and friends).
#[derive(Clone, Debug)]
pub(crate) enum MetaVarExpr {
    Count(String, usize),
    Index(usize),
    Len(usize),
    Ignore(String),
    /// `${concat(a, $b, "c")}`: an identifier glued from the parts.
    Concat(Vec<ConcatPart>),
}

#[derive(Clone, Debug)]
pub(crate) enum ConcatPart {
    Text(String),
    Var(String, Span),
}

#[derive(Debug)]
pub(crate) struct Rule {
    pub matcher: Matcher,
    pub template: Vec<Template>,
}

fn definition_error(message: impl Into<String>, span: Span) -> MacroError {
    MacroError::Definition {
        message: message.into(),
        span,
    }
}

/// Parses `(matcher) => {transcriber};…`, rejecting nesting deeper than `max_depth`.
pub(crate) fn parse_rules(
    body: TokenStream,
    edition: Edition,
    max_depth: usize,
) -> Result<Vec<Rule>, MacroError> {
    check_depth(&body, max_depth)?;
    let mut rest = pieces(body).into_iter().peekable();
    let mut rules = Vec::new();
    while let Some(piece) = rest.next() {
        let matcher = expect_group(piece, "expected a rule's matcher `( … )`")?;
        expect_op(rest.next(), "=>", matcher.span_close())?;
        let transcriber = match rest.next() {
            Some(piece) => expect_group(piece, "expected a rule's transcriber `{ … }`")?,
            None => return Err(definition_error("expected a transcriber", matcher.span())),
        };
        rules.push(Rule {
            matcher: parse_matcher(matcher.stream(), edition)?,
            template: parse_template(transcriber.stream())?,
        });
        match rest.next() {
            None => break,
            Some(Piece::Unit(unit)) if unit.is_op(";") => {}
            Some(other) => return Err(definition_error("expected `;`", piece_span(&other))),
        }
    }
    if rules.is_empty() {
        return Err(definition_error(
            "a macro needs at least one rule",
            Span::call_site(),
        ));
    }
    Ok(rules)
}

/// Rejects token streams nesting deeper than `max_depth`, without recursion.
fn check_depth(body: &TokenStream, max_depth: usize) -> Result<(), MacroError> {
    let mut stack = vec![(body.clone(), 0usize)];
    while let Some((stream, depth)) = stack.pop() {
        for tree in stream {
            if let proc_macro2::TokenTree::Group(group) = tree {
                if depth + 1 > max_depth {
                    return Err(MacroError::Limit(super::LimitHit::Nesting(max_depth)));
                }
                stack.push((group.stream(), depth + 1));
            }
        }
    }
    Ok(())
}

fn piece_span(piece: &Piece) -> Span {
    match piece {
        Piece::Unit(unit) => unit.span(),
        Piece::Group(group) => group.span(),
    }
}

fn expect_group(piece: Piece, message: &str) -> Result<Group, MacroError> {
    match piece {
        Piece::Group(group) if group.delimiter() != Delimiter::None => Ok(group),
        other => Err(definition_error(message, piece_span(&other))),
    }
}

fn expect_op(piece: Option<Piece>, op: &str, fallback: Span) -> Result<(), MacroError> {
    match piece {
        Some(Piece::Unit(unit)) if unit.is_op(op) => Ok(()),
        Some(other) => Err(definition_error(
            format!("expected `{op}`"),
            piece_span(&other),
        )),
        None => Err(definition_error(format!("expected `{op}`"), fallback)),
    }
}

/// A matcher as a tree, before flattening.
enum MatcherTree {
    Token(Unit),
    Delimited(Delimiter, Vec<MatcherTree>),
    Sequence {
        body: Vec<MatcherTree>,
        separator: Option<Unit>,
        op: Kleene,
        span: Span,
    },
    MetaVar(Ident, FragmentKind),
}

fn parse_matcher(stream: TokenStream, edition: Edition) -> Result<Matcher, MacroError> {
    let trees = matcher_trees(stream, edition)?;
    let mut matcher = Matcher {
        locs: Vec::new(),
        metavars: Vec::new(),
        by_name: HashMap::new(),
    };
    flatten(&trees, 0, &mut matcher)?;
    matcher.locs.push(Loc::Eof);
    Ok(matcher)
}

fn matcher_trees(stream: TokenStream, edition: Edition) -> Result<Vec<MatcherTree>, MacroError> {
    let mut out = Vec::new();
    let mut rest = pieces(stream).into_iter().peekable();
    while let Some(piece) = rest.next() {
        let unit = match piece {
            Piece::Group(group) => {
                let inner = matcher_trees(group.stream(), edition)?;
                out.push(MatcherTree::Delimited(group.delimiter(), inner));
                continue;
            }
            Piece::Unit(unit) => unit,
        };
        if !unit.is_op("$") {
            out.push(MatcherTree::Token(unit));
            continue;
        }
        match rest.peek() {
            Some(Piece::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
                let group = group.clone();
                rest.next();
                let body = matcher_trees(group.stream(), edition)?;
                let (separator, op) = separator_and_op(&mut rest, group.span_close())?;
                let span = group.span();
                out.push(MatcherTree::Sequence {
                    body,
                    separator,
                    op,
                    span,
                });
            }
            Some(Piece::Group(group)) if group.delimiter() == Delimiter::Brace => {
                let message = "metavariable expressions are only allowed in a transcriber";
                return Err(definition_error(message, group.span()));
            }
            Some(Piece::Unit(Unit::Ident(name))) if name != "crate" => {
                let name = name.clone();
                rest.next();
                let kind = fragment_specifier(&mut rest, &name, edition)?;
                out.push(MatcherTree::MetaVar(name, kind));
            }
            // `$$` matches a `$`; a `$` before anything else is a plain `$`.
            Some(Piece::Unit(next)) if next.is_op("$") => {
                if let Some(Piece::Unit(dollar)) = rest.next() {
                    out.push(MatcherTree::Token(dollar));
                }
            }
            _ => out.push(MatcherTree::Token(unit)),
        }
    }
    Ok(out)
}

type Pieces = std::iter::Peekable<std::vec::IntoIter<Piece>>;

/// `: kind` after a matcher's `$name`.
fn fragment_specifier(
    rest: &mut Pieces,
    name: &Ident,
    edition: Edition,
) -> Result<FragmentKind, MacroError> {
    let missing = || {
        definition_error(
            format!("missing fragment specifier for `${name}`"),
            name.span(),
        )
    };
    match rest.peek() {
        Some(Piece::Unit(unit)) if unit.is_op(":") => rest.next(),
        _ => return Err(missing()),
    };
    let Some(Piece::Unit(Unit::Ident(kind))) = rest.next() else {
        return Err(missing());
    };
    FragmentKind::from_name(&kind.to_string(), edition).ok_or_else(|| {
        definition_error(format!("invalid fragment specifier `{kind}`"), kind.span())
    })
}

fn kleene_op(piece: Option<&Piece>) -> Option<Kleene> {
    match piece {
        Some(Piece::Unit(unit)) if unit.is_op("*") => Some(Kleene::ZeroOrMore),
        Some(Piece::Unit(unit)) if unit.is_op("+") => Some(Kleene::OneOrMore),
        Some(Piece::Unit(unit)) if unit.is_op("?") => Some(Kleene::ZeroOrOne),
        _ => None,
    }
}

/// The optional separator and the Kleene operator after `$( … )`.
fn separator_and_op(rest: &mut Pieces, span: Span) -> Result<(Option<Unit>, Kleene), MacroError> {
    if let Some(op) = kleene_op(rest.peek()) {
        rest.next();
        return Ok((None, op));
    }
    let expected = "expected one of `*`, `+` or `?` after a repetition";
    let separator = match rest.next() {
        Some(Piece::Unit(unit)) => unit,
        Some(Piece::Group(group)) => return Err(definition_error(expected, group.span())),
        None => return Err(definition_error(expected, span)),
    };
    match kleene_op(rest.peek()) {
        Some(Kleene::ZeroOrOne) => {
            let message = "the `?` repetition operator does not take a separator";
            Err(definition_error(message, separator.span()))
        }
        Some(op) => {
            rest.next();
            Ok((Some(separator), op))
        }
        None => Err(definition_error(expected, separator.span())),
    }
}

/// Flattens matcher trees into positions; `depth` is the number of enclosing sequences.
fn flatten(trees: &[MatcherTree], depth: usize, out: &mut Matcher) -> Result<(), MacroError> {
    for tree in trees {
        match tree {
            MatcherTree::Token(unit) => out.locs.push(Loc::Token(unit.clone())),
            MatcherTree::Delimited(delimiter, inner) => {
                out.locs.push(Loc::Open(*delimiter));
                flatten(inner, depth, out)?;
                out.locs.push(Loc::Close(*delimiter));
            }
            MatcherTree::MetaVar(name, kind) => declare(name, *kind, depth, out)?,
            MatcherTree::Sequence {
                body,
                separator,
                op,
                span,
            } => flatten_sequence(body, separator, *op, *span, depth, out)?,
        }
    }
    Ok(())
}

fn declare(
    name: &Ident,
    kind: FragmentKind,
    depth: usize,
    out: &mut Matcher,
) -> Result<(), MacroError> {
    let text = name.to_string();
    let index = out.metavars.len();
    if out.by_name.insert(text.clone(), index).is_some() {
        let message = format!("duplicate matcher binding `${text}`");
        return Err(definition_error(message, name.span()));
    }
    out.metavars.push(MetaVarDecl { name: text, depth });
    out.locs.push(Loc::MetaVar { index, kind });
    Ok(())
}

fn flatten_sequence(
    body: &[MatcherTree],
    separator: &Option<Unit>,
    op: Kleene,
    span: Span,
    depth: usize,
    out: &mut Matcher,
) -> Result<(), MacroError> {
    if body.iter().all(can_match_empty) {
        return Err(definition_error(
            "repetition matches empty token tree",
            span,
        ));
    }
    let sequence = out.locs.len();
    let first_metavar = out.metavars.len();
    out.locs.push(Loc::Eof); // replaced below, once the body's extent is known
    flatten(body, depth + 1, out)?;
    out.locs.push(match separator {
        Some(separator) => Loc::Separator {
            separator: separator.clone(),
            sequence,
        },
        None => Loc::KleeneNoSep { op, sequence },
    });
    if separator.is_some() {
        out.locs.push(Loc::AfterSeparator { sequence });
    }
    out.locs[sequence] = Loc::Sequence {
        op,
        after: out.locs.len(),
        metavars: first_metavar..out.metavars.len(),
        depth,
    };
    Ok(())
}

/// rustc's test for a repetition body that could match nothing (which would loop forever).
fn can_match_empty(tree: &MatcherTree) -> bool {
    match tree {
        MatcherTree::MetaVar(_, kind) => *kind == FragmentKind::Vis,
        MatcherTree::Sequence { op, .. } => *op != Kleene::OneOrMore,
        MatcherTree::Token(_) | MatcherTree::Delimited(..) => false,
    }
}

fn parse_template(stream: TokenStream) -> Result<Vec<Template>, MacroError> {
    let mut out = Vec::new();
    let mut rest = pieces(stream).into_iter().peekable();
    while let Some(piece) = rest.next() {
        let unit = match piece {
            Piece::Group(group) => {
                out.push(Template::Group {
                    delimiter: group.delimiter(),
                    span: group.span(),
                    body: parse_template(group.stream())?,
                });
                continue;
            }
            Piece::Unit(unit) => unit,
        };
        if unit.is_op("$") {
            out.push(after_dollar(unit, &mut rest)?);
        } else {
            out.push(Template::Token(unit));
        }
    }
    Ok(out)
}

/// What a transcriber's `$` starts.
fn after_dollar(dollar: Unit, rest: &mut Pieces) -> Result<Template, MacroError> {
    match rest.peek() {
        Some(Piece::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
            let group = group.clone();
            rest.next();
            let body = parse_template(group.stream())?;
            let (separator, op) = separator_and_op(rest, group.span_close())?;
            let mut vars = Vec::new();
            collect_vars(&body, &mut vars);
            Ok(Template::Repeat {
                body,
                separator,
                op,
                span: group.span(),
                vars,
            })
        }
        Some(Piece::Group(group)) if group.delimiter() == Delimiter::Brace => {
            let group = group.clone();
            rest.next();
            Ok(Template::Expr(parse_metavar_expr(&group)?, group.span()))
        }
        Some(Piece::Unit(Unit::Ident(name))) => {
            let name = name.clone();
            rest.next();
            if name == "crate" {
                return Ok(Template::Crate(name.span()));
            }
            Ok(Template::Var { dollar, name })
        }
        Some(Piece::Unit(next)) if next.is_op("$") => match rest.next() {
            Some(Piece::Unit(second)) => Ok(Template::Token(second)),
            _ => Ok(Template::Token(dollar)),
        },
        _ => Ok(Template::Token(dollar)),
    }
}

fn collect_vars(body: &[Template], out: &mut Vec<String>) {
    let mut add = |name: &str| {
        if !out.iter().any(|known| known == name) {
            out.push(name.to_string());
        }
    };
    for template in body {
        match template {
            Template::Var { name, .. } => add(&name.to_string()),
            Template::Expr(MetaVarExpr::Count(name, _) | MetaVarExpr::Ignore(name), _) => add(name),
            Template::Expr(MetaVarExpr::Concat(parts), _) => {
                for part in parts {
                    if let ConcatPart::Var(name, _) = part {
                        add(name);
                    }
                }
            }
            Template::Group { body, .. } | Template::Repeat { body, .. } => {
                let mut inner = Vec::new();
                collect_vars(body, &mut inner);
                for name in inner {
                    add(&name);
                }
            }
            Template::Token(_) | Template::Crate(_) | Template::Expr(..) => {}
        }
    }
}

/// `count($x, depth?)`, `index(depth?)`, `len(depth?)`, `ignore($x)`, `concat(…)`.
fn parse_metavar_expr(group: &Group) -> Result<MetaVarExpr, MacroError> {
    let bad = |message: &str| definition_error(message, group.span());
    let mut inside = pieces(group.stream()).into_iter();
    let (Some(Piece::Unit(Unit::Ident(name))), Some(Piece::Group(args)), None) =
        (inside.next(), inside.next(), inside.next())
    else {
        return Err(bad(
            "expected a metavariable expression such as `${count($x)}`",
        ));
    };
    if args.delimiter() != Delimiter::Parenthesis {
        return Err(bad("expected `(` after the metavariable expression's name"));
    }
    let args = split_commas(args.stream());
    match name.to_string().as_str() {
        "count" => {
            let var = args.first().and_then(|arg| var_name(arg));
            let depth = depth_arg(args.get(1));
            match (var, depth, args.len()) {
                (Some(var), Some(depth), 1 | 2) => Ok(MetaVarExpr::Count(var, depth)),
                _ => Err(bad("expected `${count($x)}` or `${count($x, depth)}`")),
            }
        }
        "index" | "len" => match (depth_arg(args.first()), args.len() <= 1) {
            (Some(depth), true) if name == "index" => Ok(MetaVarExpr::Index(depth)),
            (Some(depth), true) => Ok(MetaVarExpr::Len(depth)),
            _ => Err(bad("expected an optional depth literal")),
        },
        "ignore" => match (args.first().and_then(|arg| var_name(arg)), args.len()) {
            (Some(var), 1) => Ok(MetaVarExpr::Ignore(var)),
            _ => Err(bad("expected `${ignore($x)}`")),
        },
        "concat" => concat_parts(&args)
            .filter(|parts| parts.len() >= 2)
            .map(MetaVarExpr::Concat)
            .ok_or_else(|| bad("`concat` takes at least two identifiers, literals or `$x`")),
        _ => Err(bad("unrecognized metavariable expression")),
    }
}

fn split_commas(stream: TokenStream) -> Vec<Vec<Piece>> {
    let mut out = vec![Vec::new()];
    for piece in pieces(stream) {
        match piece {
            Piece::Unit(unit) if unit.is_op(",") => out.push(Vec::new()),
            other => {
                if let Some(last) = out.last_mut() {
                    last.push(other);
                }
            }
        }
    }
    if out.last().is_some_and(Vec::is_empty) {
        out.pop();
    }
    out
}

/// `$x` (or the older bare `x`).
fn var_name(arg: &[Piece]) -> Option<String> {
    match arg {
        [Piece::Unit(dollar), Piece::Unit(Unit::Ident(name))] if dollar.is_op("$") => {
            Some(name.to_string())
        }
        [Piece::Unit(Unit::Ident(name))] => Some(name.to_string()),
        _ => None,
    }
}

/// A depth argument: absent means 0.
fn depth_arg(arg: Option<&Vec<Piece>>) -> Option<usize> {
    match arg.map(Vec::as_slice) {
        None => Some(0),
        Some([Piece::Unit(Unit::Literal(literal))]) => literal.to_string().parse().ok(),
        Some(_) => None,
    }
}

fn concat_parts(args: &[Vec<Piece>]) -> Option<Vec<ConcatPart>> {
    args.iter()
        .map(|arg| match arg.as_slice() {
            [Piece::Unit(Unit::Ident(ident))] => Some(ConcatPart::Text(ident.to_string())),
            [Piece::Unit(Unit::Literal(literal))] => {
                let text = literal_text(&literal.to_string())?;
                Some(ConcatPart::Text(text))
            }
            _ => var_name(arg).map(|name| ConcatPart::Var(name, piece_span(&arg[0]))),
        })
        .collect()
}

/// The text a literal contributes to `concat`: a plain string's contents, or an integer.
pub(crate) fn literal_text(literal: &str) -> Option<String> {
    if let Some(inner) = literal.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return (!inner.contains('\\')).then(|| inner.to_string());
    }
    literal
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then(|| literal.to_string())
}

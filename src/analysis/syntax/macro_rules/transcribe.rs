//! Transcription: filling a rule's template with what its matcher bound, repetition by
//! repetition, with rustc's checks (lockstep lengths, metavariables used at their depth).

use std::str::FromStr;

use proc_macro2::{Delimiter, Group, Literal, Span, TokenStream, TokenTree};

use super::fragment::{Fragment, FragmentKind};
use super::matcher::Binding;
use super::parse::{ConcatPart, Kleene, Matcher, MetaVarExpr, Template, literal_text};
use super::token::Unit;
use super::{LimitHit, Limits};

#[derive(Debug)]
pub(crate) enum TranscribeError {
    Invalid(String, Span),
    Limit(LimitHit),
}

fn invalid(message: impl Into<String>, span: Span) -> TranscribeError {
    TranscribeError::Invalid(message.into(), span)
}

struct Transcriber<'a> {
    matcher: &'a Matcher,
    bindings: &'a [Binding],
    crate_path: &'a TokenStream,
    limits: &'a Limits,
    /// For each repetition being transcribed, outermost first: (this pass, passes in all).
    repeats: Vec<(usize, usize)>,
    emitted: usize,
}

pub(crate) fn transcribe(
    template: &[Template],
    matcher: &Matcher,
    bindings: &[Binding],
    crate_path: &TokenStream,
    limits: &Limits,
) -> Result<TokenStream, TranscribeError> {
    let mut transcriber = Transcriber {
        matcher,
        bindings,
        crate_path,
        limits,
        repeats: Vec::new(),
        emitted: 0,
    };
    let mut out = Vec::new();
    transcriber.all(template, &mut out)?;
    Ok(out.into_iter().collect())
}

/// How often a repetition's metavariables say it repeats.
enum Lockstep {
    Unconstrained,
    Constraint(usize, String),
}

impl Transcriber<'_> {
    fn emit(&mut self, count: usize) -> Result<(), TranscribeError> {
        self.emitted = self.emitted.saturating_add(count);
        if self.emitted > self.limits.max_output_tokens {
            let limit = LimitHit::OutputTokens(self.limits.max_output_tokens);
            return Err(TranscribeError::Limit(limit));
        }
        Ok(())
    }

    fn all(
        &mut self,
        templates: &[Template],
        out: &mut Vec<TokenTree>,
    ) -> Result<(), TranscribeError> {
        for template in templates {
            self.one(template, out)?;
        }
        Ok(())
    }

    fn one(
        &mut self,
        template: &Template,
        out: &mut Vec<TokenTree>,
    ) -> Result<(), TranscribeError> {
        match template {
            Template::Token(unit) => {
                self.emit(unit.tree_count())?;
                unit.push_trees(out);
            }
            Template::Group {
                delimiter,
                span,
                body,
            } => {
                self.emit(1)?;
                let mut inner = Vec::new();
                self.all(body, &mut inner)?;
                out.push(group(*delimiter, inner, *span));
            }
            Template::Var { dollar, name } => self.var(dollar, name, out)?,
            Template::Repeat {
                body,
                separator,
                op,
                span,
                vars,
            } => self.repeat(body, separator.as_ref(), *op, *span, vars, out)?,
            Template::Crate(span) => self.crate_path(*span, out)?,
            Template::Expr(expr, span) => self.expr(expr, *span, out)?,
        }
        Ok(())
    }

    /// The binding of `name` at the current repetition passes, if `name` is a metavariable.
    fn lookup(&self, name: &str) -> Option<&Binding> {
        let index = *self.matcher.by_name.get(name)?;
        let mut binding = self.bindings.get(index)?;
        for &(pass, _) in &self.repeats {
            match binding {
                Binding::Seq(entries) => binding = entries.get(pass)?,
                Binding::Single(_) => break,
            }
        }
        Some(binding)
    }

    fn var(
        &mut self,
        dollar: &Unit,
        name: &proc_macro2::Ident,
        out: &mut Vec<TokenTree>,
    ) -> Result<(), TranscribeError> {
        let text = name.to_string();
        match self.lookup(&text) {
            // Not a metavariable of this rule: kept as `$name`, as rustc does (a nested
            // macro definition's own metavariables).
            None => {
                self.emit(2)?;
                dollar.push_trees(out);
                out.push(TokenTree::Ident(name.clone()));
            }
            Some(Binding::Single(fragment)) => {
                let fragment = fragment.clone();
                self.emit(fragment.size)?;
                push_fragment(&fragment, out);
            }
            Some(Binding::Seq(_)) => {
                let message = format!("variable `{text}` is still repeating at this depth");
                return Err(invalid(message, name.span()));
            }
        }
        Ok(())
    }

    fn lockstep(&self, vars: &[String], span: Span) -> Result<Lockstep, TranscribeError> {
        let mut found = Lockstep::Unconstrained;
        for name in vars {
            let Some(Binding::Seq(entries)) = self.lookup(name) else {
                continue;
            };
            found = match found {
                Lockstep::Constraint(len, other) if len != entries.len() => {
                    let message = format!(
                        "meta-variable `{other}` repeats {len} times, but `{name}` repeats {} times",
                        entries.len()
                    );
                    return Err(invalid(message, span));
                }
                Lockstep::Constraint(..) => found,
                Lockstep::Unconstrained => Lockstep::Constraint(entries.len(), name.clone()),
            };
        }
        Ok(found)
    }

    fn repeat(
        &mut self,
        body: &[Template],
        separator: Option<&Unit>,
        op: Kleene,
        span: Span,
        vars: &[String],
        out: &mut Vec<TokenTree>,
    ) -> Result<(), TranscribeError> {
        let passes = match self.lockstep(vars, span)? {
            Lockstep::Constraint(len, _) => len,
            Lockstep::Unconstrained => {
                let message = "attempted to repeat an expression containing no syntax variables \
                               matched as repeating at this depth";
                return Err(invalid(message, span));
            }
        };
        if passes == 0 && op == Kleene::OneOrMore {
            return Err(invalid("this must repeat at least once", span));
        }
        if passes > self.limits.max_repetitions {
            let limit = LimitHit::Repetitions(self.limits.max_repetitions);
            return Err(TranscribeError::Limit(limit));
        }
        self.repeats.push((0, passes));
        for pass in 0..passes {
            if let (Some(separator), true) = (separator, pass > 0) {
                self.emit(separator.tree_count())?;
                separator.push_trees(out);
            }
            if let Some(last) = self.repeats.last_mut() {
                last.0 = pass;
            }
            self.all(body, out)?;
        }
        self.repeats.pop();
        Ok(())
    }

    /// `$crate`: the caller's path, with the `$crate` token's span.
    fn crate_path(&mut self, span: Span, out: &mut Vec<TokenTree>) -> Result<(), TranscribeError> {
        for mut tree in self.crate_path.clone() {
            self.emit(1)?;
            tree.set_span(span);
            out.push(tree);
        }
        Ok(())
    }

    fn expr(
        &mut self,
        expr: &MetaVarExpr,
        span: Span,
        out: &mut Vec<TokenTree>,
    ) -> Result<(), TranscribeError> {
        let number = match expr {
            MetaVarExpr::Ignore(_) => return Ok(()),
            MetaVarExpr::Concat(parts) => {
                self.emit(1)?;
                out.push(self.concat(parts, span)?);
                return Ok(());
            }
            MetaVarExpr::Count(name, depth) => self.count(name, *depth, span)?,
            MetaVarExpr::Index(depth) => self.repetition(*depth, span)?.0,
            MetaVarExpr::Len(depth) => self.repetition(*depth, span)?.1,
        };
        self.emit(1)?;
        let mut literal = Literal::usize_unsuffixed(number);
        literal.set_span(span);
        out.push(TokenTree::Literal(literal));
        Ok(())
    }

    /// The repetition `depth` levels out from the innermost one being transcribed.
    fn repetition(&self, depth: usize, span: Span) -> Result<(usize, usize), TranscribeError> {
        let at = self.repeats.len().checked_sub(depth + 1);
        at.and_then(|at| self.repeats.get(at).copied())
            .ok_or_else(|| invalid("the depth is deeper than the repetitions around it", span))
    }

    /// `${count($x, depth)}`: how many entries `$x` has at `depth` levels above its innermost
    /// repetition (0: every innermost entry), within the current passes.
    fn count(&self, name: &str, depth: usize, span: Span) -> Result<usize, TranscribeError> {
        let binding = self
            .lookup(name)
            .ok_or_else(|| invalid(format!("`{name}` is not a metavariable"), span))?;
        if let Binding::Single(_) = binding {
            let message = "`count` can not be placed inside the innermost repetition";
            return Err(invalid(message, span));
        }
        let levels = seq_levels(binding);
        let down = levels
            .checked_sub(depth + 1)
            .ok_or_else(|| invalid("the depth is deeper than the metavariable repeats", span))?;
        Ok(count_at(binding, down))
    }

    fn concat(&self, parts: &[ConcatPart], span: Span) -> Result<TokenTree, TranscribeError> {
        let mut text = String::new();
        for part in parts {
            match part {
                ConcatPart::Text(piece) => text.push_str(piece),
                ConcatPart::Var(name, var_span) => {
                    text.push_str(&self.concat_var(name, *var_span)?)
                }
            }
        }
        let bad = || invalid(format!("`{text}` is not a valid identifier"), span);
        let mut trees = TokenStream::from_str(&text).map_err(|_| bad())?.into_iter();
        match (trees.next(), trees.next()) {
            (Some(TokenTree::Ident(mut ident)), None) => {
                ident.set_span(span);
                Ok(TokenTree::Ident(ident))
            }
            _ => Err(bad()),
        }
    }

    fn concat_var(&self, name: &str, span: Span) -> Result<String, TranscribeError> {
        let bad = || {
            invalid(
                format!("`${name}` must be an identifier or a literal in `concat`"),
                span,
            )
        };
        let Some(Binding::Single(fragment)) = self.lookup(name) else {
            return Err(bad());
        };
        match (fragment.kind, fragment.trees.as_slice()) {
            (FragmentKind::Ident | FragmentKind::Tt, [TokenTree::Ident(ident)]) => {
                Ok(ident.to_string())
            }
            (FragmentKind::Literal | FragmentKind::Tt, [TokenTree::Literal(literal)]) => {
                literal_text(&literal.to_string()).ok_or_else(bad)
            }
            _ => Err(bad()),
        }
    }
}

/// How many levels of repetition a binding has (following first entries).
fn seq_levels(binding: &Binding) -> usize {
    match binding {
        Binding::Single(_) => 0,
        Binding::Seq(entries) => 1 + entries.first().map_or(0, seq_levels),
    }
}

/// The number of entries `down` levels below the top of `binding`.
fn count_at(binding: &Binding, down: usize) -> usize {
    match binding {
        Binding::Single(_) => 1,
        Binding::Seq(entries) if down == 0 => entries.len(),
        Binding::Seq(entries) => entries.iter().map(|entry| count_at(entry, down - 1)).sum(),
    }
}

fn group(delimiter: Delimiter, trees: Vec<TokenTree>, span: Span) -> TokenTree {
    let mut group = Group::new(delimiter, trees.into_iter().collect());
    group.set_span(span);
    TokenTree::Group(group)
}

/// A fragment's tokens: bare for `tt`/`ident`/`lifetime`, otherwise in an invisible group.
/// A fragment that already is one invisible group (forwarded twice) is not wrapped again, and
/// neither is a `let` statement: syn does not parse `let` inside an invisible group.
fn push_fragment(fragment: &Fragment, out: &mut Vec<TokenTree>) {
    let already_grouped = matches!(fragment.trees.as_slice(),
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::None);
    let let_statement = fragment.kind == FragmentKind::Stmt && starts_with_let(&fragment.trees);
    if fragment.kind.is_transparent() || already_grouped || let_statement {
        out.extend(fragment.trees.iter().cloned());
    } else {
        out.push(group(
            Delimiter::None,
            fragment.trees.clone(),
            fragment.span,
        ));
    }
}

/// Whether tokens are `#[…]* let …`.
fn starts_with_let(trees: &[TokenTree]) -> bool {
    let mut rest = trees;
    while let [TokenTree::Punct(pound), TokenTree::Group(_), tail @ ..] = rest {
        if pound.as_char() != '#' {
            break;
        }
        rest = tail;
    }
    matches!(rest.first(), Some(TokenTree::Ident(ident)) if ident == "let")
}

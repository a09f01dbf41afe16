//! An upper estimate of how deeply syn recurses to parse some tokens, so that hostile input
//! (`- - - … x`, `Vec<Vec<…>>`, `((( … )))`) is refused before syn overflows the stack: syn has
//! no recursion limit, and a stack overflow aborts the whole process.
//!
//! Each delimiter level counts one, and so does each token that makes syn recurse within a
//! level: a prefix operator (`-`, `!`, `*`, `&`, a closure's `|`), an assignment's `=`, and
//! `return`/`break`/`yield`/`box`; a `<` of generics counts two (syn's costliest level). A `,`
//! or `;` ends such a chain. Binary operators, method chains and `else if` (which syn parses in
//! loops) do not count.
//!
//! Measured on syn 2.0.119 (levels before a 2 MiB thread overflows): release builds take 276
//! `Vec<` levels, 409 nested blocks, 536 closures, 668 `&` in a type; debug builds take 39, 94,
//! 124 and 65. So an estimate of 128 keeps a 4× margin in release on 2 MiB threads, and in
//! debug builds on 8 MiB (a main thread's) but not on 2 MiB test threads.

use proc_macro2::{Spacing, TokenTree};

use super::token::COMPOUND_OPS;

/// Keywords that start a nested expression syn parses by recursion.
const CHAIN_KEYWORDS: &[&str] = &["return", "break", "yield", "box"];

/// Keywords after which an operator is a prefix operator.
const PREFIX_KEYWORDS: &[&str] = &[
    "as", "async", "const", "dyn", "else", "for", "if", "impl", "in", "let", "match", "move",
    "mut", "ref", "static", "unsafe", "where", "while",
];

/// Where the walk is within a level: whether the next punct is a prefix operator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Prefix,
    Infix,
    /// Inside a multi-character operator such as `&&`; `prefix` if it started as one.
    Compound {
        prefix: bool,
    },
}

struct Level {
    trees: std::iter::Peekable<std::vec::IntoIter<TokenTree>>,
    /// The chain inherited from the enclosing level (`-(-(-x))` is one chain).
    base: usize,
    run: usize,
    position: Position,
}

impl Level {
    fn new(trees: Vec<TokenTree>, base: usize) -> Level {
        Level {
            trees: trees.into_iter().peekable(),
            base,
            run: base,
            position: Position::Prefix,
        }
    }
}

/// Whether parsing `trees` could make syn recurse deeper than `limit` levels (an estimate that
/// errs on the side of "yes").
pub fn exceeds_syn_nesting(trees: &[TokenTree], limit: usize) -> bool {
    let mut stack = vec![Level::new(trees.to_vec(), 0)];
    while let Some(level) = stack.last_mut() {
        let Some(tree) = level.trees.next() else {
            stack.pop();
            continue;
        };
        let nested = match &tree {
            TokenTree::Group(group) => {
                level.position = Position::Infix;
                Some(Level::new(
                    group.stream().into_iter().collect(),
                    level.run + 1,
                ))
            }
            TokenTree::Punct(punct) => {
                step_punct(level, punct);
                None
            }
            TokenTree::Ident(ident) => {
                step_ident(level, &ident.to_string());
                None
            }
            TokenTree::Literal(_) => {
                level.position = Position::Infix;
                None
            }
        };
        if level_run(&stack) > limit {
            return true;
        }
        if let Some(nested) = nested {
            stack.push(nested);
        }
    }
    false
}

fn level_run(stack: &[Level]) -> usize {
    stack.last().map_or(0, |level| level.run)
}

fn step_punct(level: &mut Level, punct: &proc_macro2::Punct) {
    let c = punct.as_char();
    let glued_with_next = punct.spacing() == Spacing::Joint
        && matches!(level.trees.peek(), Some(TokenTree::Punct(next))
            if COMPOUND_OPS.contains(&format!("{c}{}", next.as_char()).as_str()));
    let (prefix, in_compound) = match level.position {
        Position::Prefix => (true, false),
        Position::Infix => (false, false),
        Position::Compound { prefix } => (prefix, true),
    };
    let prefix_operator = prefix && matches!(c, '-' | '!' | '*' | '&' | '|');
    let recursing_infix = !in_compound && !glued_with_next;
    if prefix_operator || (recursing_infix && c == '=') {
        level.run += 1;
    }
    if recursing_infix && c == '<' {
        level.run += 2;
    }
    if matches!(c, ',' | ';') {
        level.run = level.base;
    }
    level.position = if glued_with_next {
        Position::Compound { prefix }
    } else {
        Position::Prefix
    };
}

fn step_ident(level: &mut Level, name: &str) {
    if CHAIN_KEYWORDS.contains(&name) {
        level.run += 1;
        level.position = Position::Prefix;
    } else if PREFIX_KEYWORDS.contains(&name) {
        level.position = Position::Prefix;
    } else {
        level.position = Position::Infix;
    }
}

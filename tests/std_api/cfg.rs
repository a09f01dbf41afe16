//! `#[cfg]` evaluation as a normal stable std build has it: the build's own cfgs (`bootstrap`,
//! `test`, `miri`, features...) decided here, the target's kept as a predicate for load time.

use std::collections::BTreeSet;

use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Token};

/// Cfg names that depend on the target: kept as predicates on the items that use them.
const TARGET_NAMES: &[&str] = &["unix", "windows", "panic", "target_thread_local"];

/// Cfg names a stable std build sets (none of its own cfgs: they are all test, tooling or
/// bootstrap switches, or features off in the shipped build).
const BUILD_TRUE: &[&str] = &[];

/// Whether an item is compiled: always, never, or when every target predicate holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cfg {
    Never,
    /// The conjunction of target predicates, each in the table's text form; empty is always.
    When(BTreeSet<String>),
}

impl Cfg {
    pub fn always() -> Cfg {
        Cfg::When(BTreeSet::new())
    }

    pub fn is_never(&self) -> bool {
        matches!(self, Cfg::Never)
    }

    /// Both cfgs; never when they plainly contradict (a predicate and its negation, two
    /// values of `target_os` or another key a target has one value of, `unix` and `windows`),
    /// so that per-target alternatives of nested paths are not multiplied out in vain.
    pub fn and(&self, other: &Cfg) -> Cfg {
        match (self, other) {
            (Cfg::When(a), Cfg::When(b)) => {
                let atoms: BTreeSet<String> = a.union(b).cloned().collect();
                if contradicts(&atoms) {
                    Cfg::Never
                } else {
                    Cfg::When(atoms)
                }
            }
            _ => Cfg::Never,
        }
    }

    /// The predicate text for the table; `None` when the item is always there.
    pub fn text(&self) -> Option<String> {
        match self {
            Cfg::Never => Some("false".into()),
            Cfg::When(atoms) if atoms.is_empty() => None,
            Cfg::When(atoms) if atoms.len() == 1 => atoms.iter().next().cloned(),
            Cfg::When(atoms) => Some(format!(
                "all({})",
                atoms.iter().cloned().collect::<Vec<_>>().join(",")
            )),
        }
    }
}

/// A cfg predicate partially evaluated: the build's cfgs decided, the target's left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pred {
    Known(bool),
    Target(String),
}

fn is_target_name(name: &str) -> bool {
    name.starts_with("target_") || TARGET_NAMES.contains(&name)
}

pub fn eval_meta(meta: &Meta, depth: usize) -> Pred {
    if depth > 32 {
        return Pred::Known(false);
    }
    match meta {
        Meta::Path(path) => {
            let name = path_name(path);
            match name.as_str() {
                "true" => Pred::Known(true),
                "false" => Pred::Known(false),
                n if is_target_name(n) => Pred::Target(n.to_string()),
                n => Pred::Known(BUILD_TRUE.contains(&n)),
            }
        }
        Meta::NameValue(pair) => {
            let name = path_name(&pair.path);
            let value = lit_str(&pair.value).unwrap_or_default();
            if is_target_name(&name) {
                Pred::Target(format!("{name}=\"{value}\""))
            } else {
                // `feature = ..` and `fmt_debug = ..`: no feature is on in the shipped std that
                // changes its API, and the debug formatting is the default, full.
                Pred::Known(name == "fmt_debug" && value == "full")
            }
        }
        Meta::List(list) => eval_list(list, depth),
    }
}

fn eval_list(list: &syn::MetaList, depth: usize) -> Pred {
    let name = path_name(&list.path);
    let Ok(args) = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) else {
        return Pred::Known(false);
    };
    let args: Vec<Pred> = args.iter().map(|m| eval_meta(m, depth + 1)).collect();
    match name.as_str() {
        "all" => combine(args, true),
        "any" => combine(args, false),
        "not" => match args.as_slice() {
            [Pred::Known(b)] => Pred::Known(!b),
            [Pred::Target(t)] => Pred::Target(format!("not({t})")),
            _ => Pred::Known(false),
        },
        _ => Pred::Known(false),
    }
}

/// `all` (`conjunction`) or `any` of partially evaluated predicates.
fn combine(args: Vec<Pred>, conjunction: bool) -> Pred {
    let op = if conjunction { "all" } else { "any" };
    let mut open: Vec<String> = Vec::new();
    for arg in args {
        match arg {
            Pred::Known(b) if b != conjunction => return Pred::Known(b),
            Pred::Known(_) => {}
            Pred::Target(t) => {
                // `all(all(a, b), c)` is `all(a, b, c)`.
                for part in split_op(&t, op) {
                    if !open.contains(&part) {
                        open.push(part);
                    }
                }
            }
        }
    }
    match open.len() {
        0 => Pred::Known(conjunction),
        1 => Pred::Target(open.remove(0)),
        _ => {
            open.sort();
            Pred::Target(format!("{op}({})", open.join(",")))
        }
    }
}

/// The operands of `op(a,b,..)` when `text` is one such call, else `text` itself.
pub fn split_op(text: &str, op: &str) -> Vec<String> {
    let Some(inner) = text
        .strip_prefix(op)
        .and_then(|t| t.strip_prefix('('))
        .and_then(|t| t.strip_suffix(')'))
    else {
        return vec![text.to_string()];
    };
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (at, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return vec![text.to_string()],
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(inner[start..at].to_string());
                start = at + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return vec![text.to_string()];
    }
    parts.push(inner[start..].to_string());
    parts
}

pub fn path_name(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

pub fn lit_str(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// The cfg of an item from its `#[cfg]` attributes (after `cfg_attr` expansion).
pub fn cfg_of(attrs: &[Attribute]) -> Cfg {
    let mut atoms = BTreeSet::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("cfg")) {
        let Ok(meta) = attr.parse_args::<Meta>() else {
            return Cfg::Never;
        };
        match eval_meta(&meta, 0) {
            Pred::Known(false) => return Cfg::Never,
            Pred::Known(true) => {}
            Pred::Target(text) => atoms.extend(split_op(&text, "all")),
        }
    }
    Cfg::When(atoms)
}

/// Replaces each `#[cfg_attr(pred, a, b)]` by `#[a] #[b]` when `pred` holds in the build; a
/// `cfg_attr` on a target predicate is dropped (none in std changes its API).
pub fn expand_cfg_attrs(attrs: &[Attribute]) -> Vec<Attribute> {
    let mut out = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("cfg_attr") {
            out.push(attr.clone());
            continue;
        }
        let Ok(args) = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) else {
            continue;
        };
        let mut args = args.into_iter();
        let Some(pred) = args.next() else { continue };
        if eval_meta(&pred, 0) != Pred::Known(true) {
            continue;
        }
        for meta in args {
            let mut expanded = attr.clone();
            expanded.meta = meta;
            // A nested cfg_attr expands in turn.
            out.extend(expand_cfg_attrs(&[expanded]));
        }
    }
    out
}

/// Target keys of which every target has exactly one value.
const SINGLE_VALUED: [&str; 7] = [
    "target_os",
    "target_arch",
    "target_env",
    "target_vendor",
    "target_pointer_width",
    "target_endian",
    "target_abi",
];

/// Whether a conjunction of atoms plainly cannot hold on any target.
fn contradicts(atoms: &BTreeSet<String>) -> bool {
    let mut parts = BTreeSet::new();
    for atom in atoms {
        flatten_all(atom, 0, &mut parts);
    }
    // `not(x)` beside `x`, or `not(any(.., x, ..))` beside `x`.
    let negation_present = parts.iter().any(|part| {
        let Some(inner) = part
            .strip_prefix("not(")
            .and_then(|rest| rest.strip_suffix(')'))
        else {
            return false;
        };
        let negated = match inner.strip_prefix("any(").and_then(|r| r.strip_suffix(')')) {
            Some(alternatives) => split_top_level(alternatives),
            None => vec![inner],
        };
        negated
            .iter()
            .any(|alternative| parts.contains(&normalized(alternative)))
    });
    let mut values: Vec<(&str, &str)> = parts.iter().filter_map(|p| key_value(p)).collect();
    values.retain(|(key, _)| SINGLE_VALUED.contains(key));
    let two_values = values
        .iter()
        .any(|(key, value)| values.iter().any(|(k, v)| k == key && v != value));
    let both_families =
        parts.contains(&normalized("unix")) && parts.contains(&normalized("windows"));
    negation_present || two_values || both_families
}

/// The conjuncts of an atom (`all(a,b)` is `a` and `b`, recursively), normalized.
fn flatten_all(atom: &str, depth: usize, out: &mut BTreeSet<String>) {
    let inner = atom
        .strip_prefix("all(")
        .and_then(|rest| rest.strip_suffix(')'));
    match inner {
        Some(inner) if depth < 16 => {
            for part in split_top_level(inner) {
                flatten_all(part, depth + 1, out);
            }
        }
        _ => {
            out.insert(normalized(atom));
        }
    }
}

/// `unix` and `windows` are the families of those names.
fn normalized(atom: &str) -> String {
    match atom {
        "unix" | "windows" => format!("target_family=\"{atom}\""),
        other => match other
            .strip_prefix("not(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            Some(inner @ ("unix" | "windows")) => format!("not(target_family=\"{inner}\")"),
            _ => other.to_string(),
        },
    }
}

fn key_value(atom: &str) -> Option<(&str, &str)> {
    let (key, value) = atom.split_once('=')?;
    Some((key, value.trim_matches('"')))
}

/// Splits at the commas outside parentheses and quotes.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0);
    for (index, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

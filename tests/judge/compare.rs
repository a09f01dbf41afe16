//! Judging memlens's answer for one binding against rustc's.

use crate::memlens::Said;
use crate::rustc::Answer;

/// The verdict on one binding's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// memlens's size is rustc's.
    Right,
    /// memlens states a size rustc does not have: a different one, or one where rustc says the
    /// size depends on a generic parameter.
    Wrong,
    /// memlens gives no size where rustc has one.
    Unknown,
    /// rustc has no fixed size and memlens gives none: the right answer, but not a size.
    RustcUnsized,
    /// rustc never reported the probe (its body was not type-checked, or not compiled).
    NoAnswer,
}

pub fn verdict(rustc: Option<&Answer>, memlens: Option<&Said>) -> Verdict {
    let size = memlens.and_then(|said| said.size);
    match (rustc, size) {
        (None, _) => Verdict::NoAnswer,
        (Some(Answer::Sized { bytes, .. }), Some(size)) if *bytes == size => Verdict::Right,
        (Some(_), Some(_)) => Verdict::Wrong,
        (Some(Answer::Sized { .. }), None) => Verdict::Unknown,
        (Some(Answer::Unsized { .. }), None) => Verdict::RustcUnsized,
    }
}

/// Whether two type strings name the same type once spelling is set aside: paths are cut to
/// their last segment, lifetimes and whitespace dropped. Closures are never compared (rustc
/// names them by source position). None when either side has no type to compare.
pub fn types_match(rustc: &str, memlens: Option<&str>) -> Option<bool> {
    let memlens = memlens?;
    if rustc.contains("{closure@") || rustc.contains("{async") || rustc.contains("{coroutine") {
        return None;
    }
    Some(normalize(rustc) == normalize(memlens))
}

/// A type string in a form where rustc's and memlens's spellings meet.
pub fn normalize(ty: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let mut chars = ty.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // A lifetime: drop it and what separates it from the type (`&'a T`, `'a, T`).
            while chars
                .peek()
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            {
                chars.next();
            }
            while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
                chars.next();
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if c == ':' && chars.peek() == Some(&':') {
            // `a::b::C` keeps `C`: drop the segment read so far.
            chars.next();
            word.clear();
            continue;
        }
        out.push_str(&word);
        word.clear();
        if !c.is_whitespace() {
            out.push(c);
        }
    }
    out.push_str(&word);
    // `&<>` is what `&'a <T>` leaves of an elided list; `<>` alone means no arguments.
    out.replace("<>", "")
}

//! A small stock ledger: parse movement lines, keep balances per item, report on them.

pub mod ledger;
pub mod record;
pub mod report;

/// Builds a `Vec<String>` from string-ish expressions, like `vec!` with `.to_string()`.
#[macro_export]
macro_rules! strings {
    ($($s:expr),* $(,)?) => {
        vec![$($s.to_string()),*]
    };
}

/// Returns early with a parse error built from a format string.
macro_rules! bail {
    ($line:expr, $($arg:tt)*) => {
        return Err($crate::record::ParseError::new($line, format!($($arg)*)))
    };
}
pub(crate) use bail;

pub use ledger::Ledger;
pub use record::{Movement, ParseError, Record};

/// Parses a whole text, one record per non-empty line; comments start with `#`.
pub fn parse_all(text: &str) -> Result<Vec<Record>, ParseError> {
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let record = Record::parse(index + 1, trimmed)?;
        records.push(record);
    }
    Ok(records)
}

/// The largest `n` items by a key, in descending order of the key.
pub fn top_by<T, K: Ord + Copy>(items: &[T], n: usize, key: impl Fn(&T) -> K) -> Vec<&T> {
    let mut sorted: Vec<&T> = items.iter().collect();
    sorted.sort_by_key(|item| std::cmp::Reverse(key(item)));
    sorted.truncate(n);
    sorted
}

/// Pairs each element with the one after it.
pub fn windows_of<T: Clone>(items: &[T]) -> Vec<(T, T)> {
    let mut pairs = Vec::with_capacity(items.len().saturating_sub(1));
    let mut previous: Option<&T> = None;
    for item in items {
        if let Some(before) = previous {
            pairs.push((before.clone(), item.clone()));
        }
        previous = Some(item);
    }
    pairs
}

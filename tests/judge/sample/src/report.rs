//! Text reports over a ledger.

use std::fmt::Write;

use crate::ledger::Ledger;
use crate::top_by;

pub struct Options {
    pub width: usize,
    pub top: usize,
    pub show_zero: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            width: 40,
            top: 5,
            show_zero: false,
        }
    }
}

fn bar(value: i64, max: i64, width: usize) -> String {
    if max <= 0 {
        return String::new();
    }
    let filled = (value.max(0) as usize * width) / max as usize;
    "#".repeat(filled)
}

/// Cents as `12.05`.
pub fn money(cents: u64) -> String {
    let whole = cents / 100;
    let rest = cents % 100;
    format!("{whole}.{rest:02}")
}

pub fn balances(ledger: &Ledger, options: &Options) -> String {
    let mut rows: Vec<(&str, i64)> = ledger
        .items()
        .filter(|&(_, balance)| options.show_zero || balance != 0)
        .collect();
    rows.sort();
    let longest = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(4);
    let max = rows.iter().map(|&(_, b)| b).max().unwrap_or(0);
    let mut out = String::new();
    for (name, balance) in &rows {
        let shown = bar(*balance, max, options.width);
        let _ = writeln!(out, "{name:<longest$} {balance:>6} {shown}");
    }
    let largest = top_by(&rows, options.top, |row| row.1);
    let names: Vec<String> = largest.iter().map(|(name, _)| name.to_string()).collect();
    if !names.is_empty() {
        let _ = writeln!(out, "most stocked: {}", names.join(", "));
    }
    out
}

pub fn summary(ledger: &Ledger) -> String {
    let shortfalls = ledger.shortfalls();
    let mut lines = crate::strings!["stock report", "============"];
    lines.push(format!("value: {}", money(ledger.value_cents())));
    lines.push(format!("corrections: {}", ledger.corrections()));
    for shortfall in &shortfalls {
        let day = shortfall.day;
        lines.push(format!(
            "short: {} went to {} on {}-{:02}-{:02}",
            shortfall.item, shortfall.balance, day.year, day.month, day.day
        ));
    }
    let mut busiest = None;
    let mut busiest_change = 0;
    for (&(year, month), &change) in &ledger.monthly() {
        if change.abs() > busiest_change {
            busiest_change = change.abs();
            busiest = Some((year, month));
        }
    }
    if let Some((year, month)) = busiest {
        lines.push(format!("busiest month: {year}-{month:02} ({busiest_change:+})"));
    }
    lines.join("\n")
}

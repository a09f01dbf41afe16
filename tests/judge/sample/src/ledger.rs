//! Balances per item, replayed from records in order.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::record::{Day, Movement, Record};

#[derive(Debug, Default)]
pub struct Ledger {
    balances: HashMap<String, i64>,
    last_price: HashMap<String, u64>,
    history: Vec<(Day, String, i64)>,
    corrections: usize,
}

/// An item whose balance went below zero, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortfall<'a> {
    pub item: &'a str,
    pub day: Day,
    pub balance: i64,
}

impl Ledger {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn apply(&mut self, record: &Record) {
        let balance = self.balances.entry(record.item.clone()).or_insert(0);
        let delta = record.delta(*balance);
        *balance += delta;
        if record.movement == Movement::Count && delta != 0 {
            self.corrections += 1;
        }
        if let Some(cents) = record.unit_cents {
            self.last_price.insert(record.item.clone(), cents);
        }
        let after = *balance;
        self.history.push((record.day, record.item.clone(), after));
    }

    pub fn apply_all<'r>(&mut self, records: impl IntoIterator<Item = &'r Record>) -> usize {
        let mut count = 0;
        for record in records {
            self.apply(record);
            count += 1;
        }
        count
    }

    pub fn balance(&self, item: &str) -> i64 {
        self.balances.get(item).copied().unwrap_or_default()
    }

    pub fn corrections(&self) -> usize {
        self.corrections
    }

    /// Stock value in cents, for the items with a known price.
    pub fn value_cents(&self) -> u64 {
        let mut total = 0;
        for (item, &balance) in &self.balances {
            let Some(&price) = self.last_price.get(item) else {
                continue;
            };
            if balance > 0 {
                total += price * balance as u64;
            }
        }
        total
    }

    pub fn shortfalls(&self) -> Vec<Shortfall<'_>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (day, item, balance) in &self.history {
            if *balance < 0 && seen.insert(item.as_str()) {
                out.push(Shortfall {
                    item,
                    day: *day,
                    balance: *balance,
                });
            }
        }
        out
    }

    /// Net movement per month, as (year, month) → sum of changes.
    pub fn monthly(&self) -> BTreeMap<(u16, u8), i64> {
        let mut months = BTreeMap::new();
        let mut previous: HashMap<&str, i64> = HashMap::new();
        for (day, item, balance) in &self.history {
            let before = previous.insert(item, *balance).unwrap_or(0);
            *months.entry((day.year, day.month)).or_insert(0) += balance - before;
        }
        months
    }

    pub fn items(&self) -> impl Iterator<Item = (&str, i64)> + '_ {
        self.balances.iter().map(|(name, &b)| (name.as_str(), b))
    }
}

//! One line of the ledger: `2024-03-01 in bolts 40 @0.15`.

use std::fmt;

use crate::bail;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Movement {
    In,
    Out,
    /// A correction after counting the shelf: the balance becomes the quantity.
    Count,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub day: Day,
    pub movement: Movement,
    pub item: String,
    pub quantity: u32,
    /// Price per unit in cents, when the line gives one.
    pub unit_cents: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(line: usize, message: String) -> Self {
        ParseError { line, message }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

impl Day {
    pub fn parse(line: usize, text: &str) -> Result<Day, ParseError> {
        let parts: Vec<&str> = text.split('-').collect();
        let [year, month, day] = parts.as_slice() else {
            bail!(line, "expected a date like 2024-03-01, found {text:?}");
        };
        let year = year.parse().map_err(|_| ParseError::new(line, format!("bad year {year}")))?;
        let month: u8 = month.parse().map_err(|_| ParseError::new(line, format!("bad month {month}")))?;
        let day = day.parse::<u8>().map_err(|_| ParseError::new(line, format!("bad day {day}")))?;
        if !(1..=12).contains(&month) || day == 0 || day > 31 {
            bail!(line, "no such date {text}");
        }
        Ok(Day { year, month, day })
    }
}

impl Movement {
    fn parse(word: &str) -> Option<Movement> {
        match word {
            "in" | "+" => Some(Movement::In),
            "out" | "-" => Some(Movement::Out),
            "count" | "=" => Some(Movement::Count),
            _ => None,
        }
    }
}

/// `0.15` or `12` (whole units) as cents.
fn parse_cents(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let whole: u64 = whole.parse().ok()?;
    let mut cents = fraction.chars().take(2).collect::<String>();
    while cents.len() < 2 {
        cents.push('0');
    }
    let fraction = cents.parse::<u64>().ok()?;
    Some(whole * 100 + fraction)
}

impl Record {
    pub fn parse(line: usize, text: &str) -> Result<Record, ParseError> {
        let mut words = text.split_whitespace();
        let (Some(day), Some(movement), Some(item), Some(quantity)) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            bail!(line, "expected `DAY MOVEMENT ITEM QUANTITY [@PRICE]`");
        };
        let day = Day::parse(line, day)?;
        let Some(movement) = Movement::parse(movement) else {
            bail!(line, "unknown movement {movement:?}");
        };
        let quantity = match quantity.parse() {
            Ok(q) => q,
            Err(e) => bail!(line, "bad quantity {quantity}: {e}"),
        };
        let unit_cents = match words.next() {
            Some(price) if price.starts_with('@') => match parse_cents(&price[1..]) {
                Some(cents) => Some(cents),
                None => bail!(line, "bad price {price}"),
            },
            Some(other) => bail!(line, "unexpected {other:?}"),
            None => None,
        };
        Ok(Record {
            day,
            movement,
            item: item.to_lowercase(),
            quantity,
            unit_cents,
        })
    }

    /// The change this record makes to a balance, given the balance before it.
    pub fn delta(&self, before: i64) -> i64 {
        let quantity = i64::from(self.quantity);
        match self.movement {
            Movement::In => quantity,
            Movement::Out => -quantity,
            Movement::Count => quantity - before,
        }
    }
}

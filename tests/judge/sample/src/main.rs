//! `stockroom [FILE]`: reads movement lines (stdin without a file) and prints the report.

use std::io::Read;
use std::process::ExitCode;

use stockroom::report::{self, Options};
use stockroom::{Ledger, parse_all};

fn read_input(path: Option<&str>) -> std::io::Result<String> {
    let mut text = String::new();
    match path {
        Some(path) => text = std::fs::read_to_string(path)?,
        None => {
            std::io::stdin().read_to_string(&mut text)?;
        }
    }
    Ok(text)
}

fn options_from(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--all" => options.show_zero = true,
            "--width" => {
                let value = iter.next().ok_or("--width needs a number")?;
                options.width = value.parse().map_err(|e| format!("--width: {e}"))?;
            }
            "--top" => {
                let n = iter.next().and_then(|v| v.parse().ok()).unwrap_or(3);
                options.top = n;
            }
            _ => {}
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args.iter().find(|a| !a.starts_with("--")).map(String::as_str);
    let options = match options_from(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("stockroom: {message}");
            return ExitCode::from(2);
        }
    };
    let text = match read_input(file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("stockroom: {e}");
            return ExitCode::FAILURE;
        }
    };
    let records = match parse_all(&text) {
        Ok(records) => records,
        Err(e) => {
            eprintln!("stockroom: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut ledger = Ledger::new();
    let applied = ledger.apply_all(&records);
    let mut retries = 0;
    let days: Vec<_> = records.iter().map(|r| r.day).collect();
    let gaps = stockroom::windows_of(&days)
        .into_iter()
        .filter(|(a, b)| a.month != b.month)
        .count();
    while retries < 2 && applied == 0 {
        retries += 1;
    }
    let limit: u8 = 3;
    let mut shown = 0;
    for line in report::balances(&ledger, &options).lines() {
        if shown == usize::from(limit) * 10 {
            break;
        }
        println!("{line}");
        shown += 1;
    }
    println!("{}", report::summary(&ledger));
    println!("{applied} records, {gaps} month changes, {retries} retries");
    ExitCode::SUCCESS
}

//! The judge's findings: one record per binding, tallies by form, the printed tables and the
//! JSON for other engineers.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Value, json};

use crate::collect::Form;
use crate::compare::Verdict;
use crate::memlens::Said;
use crate::rustc::{Answer, OtherError};

/// One binding with both answers.
pub struct Record {
    pub file: String,
    pub name: String,
    pub line: usize,
    pub column: usize,
    pub form: Form,
    pub rustc: Option<Answer>,
    pub memlens: Option<Said>,
    pub verdict: Verdict,
    pub type_match: Option<bool>,
}

/// Everything judged of one crate, with what went wrong on the way.
pub struct CrateResult {
    pub label: String,
    pub dir: String,
    pub files: usize,
    pub uncompiled_files: Vec<String>,
    pub records: Vec<Record>,
    /// Reasons the crate (or part of it) could not be judged; empty when all went well.
    pub problems: Vec<String>,
    /// What a reader of the numbers should know, that is not a failure.
    pub notes: Vec<String>,
    pub other_errors: Vec<OtherError>,
}

/// Counts of verdicts for some set of bindings.
#[derive(Default, Clone, Copy)]
pub struct Tally {
    pub total: usize,
    pub right: usize,
    pub wrong: usize,
    pub unknown: usize,
    pub unsized_: usize,
    pub no_answer: usize,
    /// Bindings where rustc gave a size: the denominator of the percentages.
    pub sized: usize,
    pub types_compared: usize,
    pub types_differ: usize,
}

impl Tally {
    fn add(&mut self, record: &Record) {
        self.total += 1;
        match record.verdict {
            Verdict::Right => self.right += 1,
            Verdict::Wrong => self.wrong += 1,
            Verdict::Unknown => self.unknown += 1,
            Verdict::RustcUnsized => self.unsized_ += 1,
            Verdict::NoAnswer => self.no_answer += 1,
        }
        if matches!(record.rustc, Some(Answer::Sized { .. })) {
            self.sized += 1;
        }
        if let Some(same) = record.type_match {
            self.types_compared += 1;
            self.types_differ += usize::from(!same);
        }
    }

    fn percent(&self, count: usize) -> String {
        if self.sized == 0 {
            "–".to_string()
        } else {
            format!("{:.1}%", 100.0 * count as f64 / self.sized as f64)
        }
    }
}

/// Tallies by form, and over all forms.
pub fn tally<'r>(records: impl IntoIterator<Item = &'r Record>) -> (BTreeMap<Form, Tally>, Tally) {
    let mut by_form = BTreeMap::new();
    let mut all = Tally::default();
    for record in records {
        by_form
            .entry(record.form)
            .or_insert_with(Tally::default)
            .add(record);
        all.add(record);
    }
    (by_form, all)
}

/// The table: one row per binding form, then the sum.
pub fn table(records: &[&Record]) -> String {
    let (by_form, all) = tally(records.iter().copied());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {:<14} {:>6} {:>6} {:>6} {:>7} {:>8} {:>9} {:>7} {:>7} {:>8}",
        "form",
        "total",
        "right",
        "wrong",
        "unknown",
        "unsized",
        "no-answer",
        "right%",
        "wrong%",
        "unknown%"
    );
    let mut row = |label: &str, t: &Tally| {
        let _ = writeln!(
            out,
            "  {:<14} {:>6} {:>6} {:>6} {:>7} {:>8} {:>9} {:>7} {:>7} {:>8}",
            label,
            t.total,
            t.right,
            t.wrong,
            t.unknown,
            t.unsized_,
            t.no_answer,
            t.percent(t.right),
            t.percent(t.wrong),
            t.percent(t.unknown)
        );
    };
    for form in Form::ALL {
        if let Some(t) = by_form.get(&form) {
            row(form.as_str(), t);
        }
    }
    row("all", &all);
    let _ = writeln!(
        out,
        "  types differ in {} of {} compared (diagnosis only: spelling is normalized loosely)",
        all.types_differ, all.types_compared
    );
    out
}

fn memlens_text(said: Option<&Said>) -> String {
    match said {
        None => "no binding".to_string(),
        Some(said) => {
            let ty = said.ty.as_deref().unwrap_or("?");
            match said.size {
                Some(size) => format!("{ty} ({size} B)"),
                None => format!("{ty} (? B)"),
            }
        }
    }
}

pub fn rustc_text(answer: Option<&Answer>) -> String {
    match answer {
        None => "no answer".to_string(),
        Some(Answer::Sized { ty, bytes }) => format!("{ty} ({bytes} B)"),
        Some(Answer::Unsized { ty, why }) => format!("{ty} ({why})"),
    }
}

/// `file:line:col name: memlens TYPE (N B) vs rustc TYPE (M B)`.
pub fn describe(record: &Record) -> String {
    format!(
        "{}:{}:{} {}: memlens {} vs rustc {}",
        record.file,
        record.line,
        record.column,
        record.name,
        memlens_text(record.memlens.as_ref()),
        rustc_text(record.rustc.as_ref())
    )
}

/// The per-crate section: header, problems, table and every wrong binding.
pub fn crate_section(result: &CrateResult) -> String {
    let mut out = format!(
        "\n== {} ({} files, {} bindings)\n",
        result.label,
        result.files,
        result.records.len()
    );
    for problem in &result.problems {
        let _ = writeln!(out, "  PROBLEM: {problem}");
    }
    for note in &result.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    if !result.other_errors.is_empty() {
        let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
        for error in &result.other_errors {
            *codes
                .entry(error.code.as_deref().unwrap_or("no code"))
                .or_default() += 1;
        }
        let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
        let _ = writeln!(
            out,
            "  note: other rustc errors in the probed copy, not probe answers (see the JSON): {}",
            codes.join(", ")
        );
    }
    if !result.uncompiled_files.is_empty() {
        let _ = writeln!(
            out,
            "  not in any lib/bin module tree (not judged): {}",
            result.uncompiled_files.join(", ")
        );
    }
    let records: Vec<&Record> = result.records.iter().collect();
    out.push_str(&table(&records));
    let wrong: Vec<&Record> = records
        .iter()
        .copied()
        .filter(|r| r.verdict == Verdict::Wrong)
        .collect();
    if !wrong.is_empty() {
        let _ = writeln!(out, "  wrong ({}):", wrong.len());
        for record in wrong {
            let _ = writeln!(out, "    {}", describe(record));
        }
    }
    out
}

fn answer_json(answer: Option<&Answer>) -> Value {
    match answer {
        None => Value::Null,
        Some(Answer::Sized { ty, bytes }) => json!({"type": ty, "size": bytes}),
        Some(Answer::Unsized { ty, why }) => json!({"type": ty, "size": null, "why": why}),
    }
}

fn record_json(record: &Record) -> Value {
    json!({
        "file": record.file,
        "line": record.line,
        "column": record.column,
        "name": record.name,
        "form": record.form.as_str(),
        "verdict": record.verdict,
        "type_match": record.type_match,
        "rustc": answer_json(record.rustc.as_ref()),
        "memlens": record.memlens,
    })
}

fn tally_json(t: &Tally) -> Value {
    json!({
        "total": t.total, "right": t.right, "wrong": t.wrong, "unknown": t.unknown,
        "rustc_unsized": t.unsized_, "no_answer": t.no_answer, "rustc_sized": t.sized,
        "types_compared": t.types_compared, "types_differ": t.types_differ,
    })
}

fn tallies_json(records: &[Record]) -> Value {
    let (by_form, all) = tally(records);
    let forms: serde_json::Map<String, Value> = by_form
        .iter()
        .map(|(form, t)| (form.as_str().to_string(), tally_json(t)))
        .collect();
    json!({"all": tally_json(&all), "by_form": forms})
}

/// Everything, for analysis by others: every binding with both answers.
pub fn to_json(results: &[CrateResult]) -> Value {
    let crates: Vec<Value> = results
        .iter()
        .map(|r| {
            json!({
                "crate": r.label,
                "dir": r.dir,
                "files": r.files,
                "uncompiled_files": r.uncompiled_files,
                "problems": r.problems,
                "notes": r.notes,
                "other_errors": r.other_errors,
                "tally": tallies_json(&r.records),
                "bindings": r.records.iter().map(record_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"rustc": rustc_version(), "crates": crates})
}

fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

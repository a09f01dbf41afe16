//! The `memlens` binary: an LSP server on stdio (the default), or the `explain` command.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use memlens::analysis::Target;
use memlens::cli::{explain, verify};

#[derive(Parser)]
#[command(
    name = "memlens",
    version,
    about = "Where every value of a Rust program lives in memory"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Accepted for clients that start the server with `--stdio`; stdio is the only transport.
    #[arg(long, global = true)]
    stdio: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Language Server Protocol on stdin/stdout (the default).
    Lsp {
        /// Accepted for clients that always pass it (vscode-languageclient's stdio transport).
        #[arg(long)]
        stdio: bool,
    },
    /// Print every binding of each file: type, where it lives, stack and heap bytes.
    Explain {
        /// Rust source files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Target triple to lay types out for.
        #[arg(long, default_value = Target::X86_64_LINUX.triple)]
        target: String,
    },
    /// Compare every local's and parameter's size with the debug info of the package's last
    /// debug build: agree / disagree / source-unknown / not-in-build counts and each disagreement.
    Verify {
        /// The package directory, or a file in it (default: the current directory).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Target triple to lay types out for.
        #[arg(long, default_value = Target::X86_64_LINUX.triple)]
        target: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Lsp { .. }) => memlens::server::run_stdio(),
        Some(Command::Explain {
            files,
            json,
            target,
        }) => run_explain(&files, json, &target),
        Some(Command::Verify { path, json, target }) => run_verify(path, json, &target),
    }
}

fn run_explain(files: &[PathBuf], json: bool, target: &str) -> ExitCode {
    let (files, target) = (files.to_vec(), target.to_string());
    let outcome = memlens::stack::on_large_stack(move || {
        explain_all(&files, json, &target).map_err(|e| e.to_string())
    });
    match outcome.and_then(|result| result) {
        Ok(output) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`memlens explain f | head`) is not an error worth a message.
            let _ = stdout.write_all(output.as_bytes());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("memlens: {message}");
            ExitCode::from(2)
        }
    }
}

fn run_verify(path: PathBuf, json: bool, target: &str) -> ExitCode {
    let target = target.to_string();
    let outcome = memlens::stack::on_large_stack(move || {
        let target = explain::parse_target(&target).map_err(|e| e.to_string())?;
        let report = verify::verify(&path, target).map_err(|e| e.to_string())?;
        Ok::<_, String>(if json {
            format!(
                "{}\n",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            )
        } else {
            verify::to_text(&report)
        })
    });
    match outcome.and_then(|result| result) {
        Ok(output) => {
            let _ = std::io::stdout().lock().write_all(output.as_bytes());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("memlens: {message}");
            ExitCode::from(2)
        }
    }
}

fn explain_all(
    files: &[PathBuf],
    json: bool,
    target: &str,
) -> Result<String, explain::ExplainError> {
    let target = explain::parse_target(target)?;
    let sources = files
        .iter()
        .map(|path| Ok((path.display().to_string(), explain::read_source(path)?)))
        .collect::<Result<Vec<_>, explain::ExplainError>>()?;
    let mut crates = memlens::workspace::Crates::default();
    let reports: Vec<_> = files
        .iter()
        .zip(&sources)
        .map(|(file, (path, text))| (path, text, crates.analyze(file, text, target)))
        .collect();
    let reports = reports.into_iter();
    if json {
        let values: Vec<serde_json::Value> = reports
            .map(|(path, text, a)| explain::to_json(path, text, &a))
            .collect();
        let document = if values.len() == 1 {
            values[0].clone()
        } else {
            serde_json::Value::Array(values)
        };
        Ok(format!(
            "{}\n",
            serde_json::to_string_pretty(&document).unwrap_or_default()
        ))
    } else {
        Ok(reports
            .map(|(path, text, a)| explain::to_table(path, text, &a))
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

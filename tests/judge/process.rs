//! Running a child process with a deadline, so that no cargo or memlens run can hang the judge.

use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// What a bounded run produced: its exit status (none when it was killed) and its output.
pub struct Finished {
    pub status: Option<ExitStatus>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// The last lines of stderr, for a one-line reason in a report.
    pub fn stderr_tail(&self, lines: usize) -> String {
        let all: Vec<&str> = self.stderr.lines().collect();
        all[all.len().saturating_sub(lines)..].join(" | ")
    }
}

/// Runs `command` with its output sent to files in `scratch` (a pipe could fill up and block the
/// child while we only poll it), killing its whole process group when `limit` passes: cargo's
/// rustc children must die with it.
pub fn run_bounded(
    mut command: Command,
    scratch: &Path,
    tag: &str,
    limit: Duration,
) -> Result<Finished> {
    use std::os::unix::process::CommandExt;
    std::fs::create_dir_all(scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let out_path = scratch.join(format!("{tag}.stdout"));
    let err_path = scratch.join(format!("{tag}.stderr"));
    let out = std::fs::File::create(&out_path)?;
    let err = std::fs::File::create(&err_path)?;
    command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0);
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {command:?}"))?;
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() > limit {
            timed_out = true;
            kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(Finished {
        status,
        timed_out,
        stdout: read_lossy(&out_path),
        stderr: read_lossy(&err_path),
    })
}

/// Kills the process group the child leads (it was started with `process_group(0)`).
fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn read_lossy(path: &Path) -> String {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

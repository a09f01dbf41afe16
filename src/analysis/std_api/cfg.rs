//! Target `cfg` predicates the std API table keeps on its items (`unix`, `target_os = "linux"`,
//! `target_has_atomic = "64"`...), and their evaluation for one target, read from its triple.

use crate::analysis::target::{Arch, Target};

/// Deepest `all(any(not(...)))` nesting evaluated; std's deepest is a handful.
const MAX_DEPTH: usize = 32;

/// The `cfg` names and `name = "value"` pairs that hold on one target.
#[derive(Clone, Debug, Default)]
pub struct TargetCfg {
    pub names: Vec<&'static str>,
    pub values: Vec<(&'static str, &'static str)>,
}

impl TargetCfg {
    /// Reads the target's cfgs from its triple (`arch-vendor-os[-env]`) and architecture, so
    /// that a new target in `Target::ALL` needs no change here unless its OS is new.
    pub fn of(target: &Target) -> TargetCfg {
        let parts: Vec<&str> = target.triple.split('-').collect();
        let vendor = parts.get(1).copied().unwrap_or("unknown");
        let os_part = parts.get(2).copied().unwrap_or("none");
        let env_part = parts.get(3).copied().unwrap_or("");
        let mut cfg = TargetCfg::default();
        cfg.add_arch(target);
        cfg.add_os(os_part, vendor);
        cfg.add_env(env_part);
        cfg.values.push(("target_vendor", static_vendor(vendor)));
        cfg.values.push(("target_endian", "little"));
        let width = if target.pointer_bytes == 8 {
            "64"
        } else {
            "32"
        };
        cfg.values.push(("target_pointer_width", width));
        let panic = if target.arch == Arch::Wasm32 {
            "abort"
        } else {
            "unwind"
        };
        cfg.values.push(("panic", panic));
        cfg
    }

    fn add_arch(&mut self, target: &Target) {
        let (arch, atomic_widths, features): (&str, &[&str], &[&str]) = match target.arch {
            // Apple's and Windows' x86_64 baselines include `cmpxchg16b`, Linux's does not.
            Arch::X86_64 if !target.triple.contains("-linux") => (
                "x86_64",
                &["8", "16", "32", "64", "128", "ptr"],
                &["sse", "sse2", "fxsr", "cmpxchg16b"],
            ),
            Arch::X86_64 => (
                "x86_64",
                &["8", "16", "32", "64", "ptr"],
                &["sse", "sse2", "fxsr"],
            ),
            Arch::X86 => (
                "x86",
                &["8", "16", "32", "64", "ptr"],
                &["sse", "sse2", "fxsr"],
            ),
            Arch::Aarch64 => ("aarch64", &["8", "16", "32", "64", "128", "ptr"], &["neon"]),
            Arch::Arm => ("arm", &["8", "16", "32", "64", "ptr"], &[]),
            Arch::Wasm32 => ("wasm32", &["8", "16", "32", "64", "ptr"], &[]),
        };
        self.values.push(("target_arch", arch));
        for width in atomic_widths {
            self.values.push(("target_has_atomic", width));
            self.values.push(("target_has_atomic_load_store", width));
            self.values
                .push(("target_has_atomic_equal_alignment", width));
        }
        self.names.push("target_has_atomic");
        for feature in features {
            self.values.push(("target_feature", feature));
        }
    }

    fn add_os(&mut self, os_part: &str, vendor: &str) {
        let (os, family) = match (os_part, vendor) {
            ("linux", _) => ("linux", "unix"),
            ("darwin", _) => ("macos", "unix"),
            ("windows", _) => ("windows", "windows"),
            ("unknown", _) => ("unknown", "wasm"),
            _ => ("none", ""),
        };
        self.values.push(("target_os", os));
        if !family.is_empty() {
            self.values.push(("target_family", family));
        }
        if family == "unix" || family == "windows" {
            self.names.push(family);
            self.names.push("target_thread_local");
        }
    }

    fn add_env(&mut self, env_part: &str) {
        let (env, abi) = match env_part {
            "gnu" => ("gnu", ""),
            "gnueabihf" => ("gnu", "eabihf"),
            "msvc" => ("msvc", ""),
            "musl" => ("musl", ""),
            _ => ("", ""),
        };
        self.values.push(("target_env", env));
        self.values.push(("target_abi", abi));
    }

    fn holds_name(&self, name: &str) -> bool {
        self.names.contains(&name)
    }

    fn holds_value(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|&(n, v)| n == name && v == value)
    }

    /// Evaluates a predicate as the table writes it; what does not parse is false.
    pub fn eval(&self, predicate: &str) -> bool {
        let mut cursor = Cursor {
            text: predicate,
            pos: 0,
        };
        cursor.eval(self, 0).unwrap_or(false)
    }
}

/// Vendors as static strings, so the table of cfg values can stay `&'static`.
fn static_vendor(vendor: &str) -> &'static str {
    match vendor {
        "apple" => "apple",
        "pc" => "pc",
        _ => "unknown",
    }
}

struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Cursor<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.rest().starts_with(token);
        if found {
            self.pos += token.len();
        }
        found
    }

    fn word(&mut self) -> Option<&'t str> {
        let rest = self.rest();
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        self.pos += end;
        Some(&rest[..end]).filter(|word| !word.is_empty())
    }

    fn quoted(&mut self) -> Option<&'t str> {
        if !self.eat("\"") {
            return None;
        }
        let rest = self.rest();
        let end = rest.find('"')?;
        self.pos += end + 1;
        Some(&rest[..end])
    }

    fn eval(&mut self, cfg: &TargetCfg, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let word = self.word()?;
        match word {
            "all" => self.list(cfg, depth, true),
            "any" => self.list(cfg, depth, false),
            "not" => self.list(cfg, depth, true).map(|held| !held),
            "true" => Some(true),
            "false" => Some(false),
            name if self.eat("=") => Some(cfg.holds_value(name, self.quoted()?)),
            name => Some(cfg.holds_name(name)),
        }
    }

    /// A parenthesised list, combined with `all` (`every`) or `any`; every member is read, so
    /// the cursor ends after the `)` (and malformed text anywhere in it is `None`). `not(..)`
    /// is read as `all` of its one member.
    fn list(&mut self, cfg: &TargetCfg, depth: usize, every: bool) -> Option<bool> {
        if !self.eat("(") {
            return None;
        }
        let mut combined = every;
        while !self.eat(")") {
            let held = self.eval(cfg, depth + 1)?;
            combined = if every {
                combined && held
            } else {
                combined || held
            };
            if !self.eat(",") && !self.rest().starts_with(')') {
                return None;
            }
        }
        Some(combined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_per_target() {
        let linux = TargetCfg::of(&Target::X86_64_LINUX);
        assert!(linux.eval("unix"));
        assert!(linux.eval("all(unix,target_os=\"linux\",not(windows))"));
        assert!(!linux.eval("any(windows,target_pointer_width=\"32\")"));
        assert!(linux.eval("target_has_atomic=\"64\""));
        let wasm = Target::from_triple("wasm32-unknown-unknown").expect("known target");
        let wasm = TargetCfg::of(&wasm);
        assert!(!wasm.eval("unix"));
        assert!(wasm.eval("target_family=\"wasm\""));
        assert!(wasm.eval("panic=\"abort\""));
        assert!(!wasm.eval("garbage("));
    }
}

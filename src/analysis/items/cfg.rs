//! Which `#[cfg(..)]` predicates hold: the package's build as `cargo build` makes it, on a target.

use std::collections::HashSet;

use super::item_tree::CfgExpr;
use crate::analysis::target::{Arch, Target};

/// What a build sets: the target's facts, the enabled features, `test`, `debug_assertions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CfgOptions {
    names: HashSet<String>,
    pairs: HashSet<(String, String)>,
}

impl CfgOptions {
    /// A debug build (`cargo build`, `cargo check`) for `target` with these features enabled;
    /// `test` is set for test targets only.
    pub fn for_build(target: &Target, features: &[String], test: bool) -> CfgOptions {
        let mut options = CfgOptions {
            names: HashSet::new(),
            pairs: HashSet::new(),
        };
        // What `rustc --print cfg` says of a debug build.
        options.set("debug_assertions");
        options.pair("panic", "unwind");
        if test {
            options.set("test");
        }
        for feature in features {
            options.pair("feature", feature);
        }
        options.target(target);
        options
    }

    /// These options with `cfgs` set too (`name` or `key="value"`, as build scripts print them).
    pub fn with(mut self, cfgs: &[String]) -> CfgOptions {
        for cfg in cfgs {
            match cfg.split_once('=') {
                Some((key, value)) => self.pair(key.trim(), value.trim().trim_matches('"')),
                None => self.set(cfg.trim()),
            }
        }
        self
    }

    fn set(&mut self, name: &str) {
        self.names.insert(name.to_string());
    }

    fn pair(&mut self, key: &str, value: &str) {
        self.pairs.insert((key.to_string(), value.to_string()));
    }

    fn target(&mut self, target: &Target) {
        let arch = match target.arch {
            Arch::X86_64 => "x86_64",
            Arch::X86 => "x86",
            Arch::Aarch64 => "aarch64",
            Arch::Arm => "arm",
            Arch::Wasm32 => "wasm32",
        };
        self.pair("target_arch", arch);
        let width = (target.pointer_bytes * 8).to_string();
        self.pair("target_pointer_width", &width);
        self.pair("target_endian", "little");
        self.pair(
            "target_abi",
            if target.arch == Arch::Arm {
                "eabihf"
            } else {
                ""
            },
        );
        // The features each target's baseline CPU has.
        let features: &[&str] = match target.arch {
            Arch::X86_64 | Arch::X86 => &["fxsr", "sse", "sse2"],
            Arch::Aarch64 => &["neon"],
            Arch::Wasm32 => &[
                "bulk-memory",
                "multivalue",
                "mutable-globals",
                "nontrapping-fptoint",
                "reference-types",
                "sign-ext",
            ],
            Arch::Arm => &[],
        };
        for feature in features {
            self.pair("target_feature", feature);
        }
        for bits in ["8", "16", "32", "ptr"] {
            self.pair("target_has_atomic", bits);
        }
        if target.arch != Arch::X86 || target.pointer_bytes == 4 {
            self.pair("target_has_atomic", "64");
        }
        if target.arch == Arch::Wasm32 {
            self.pair("target_os", "unknown");
            self.pair("target_family", "wasm");
            self.pair("target_vendor", "unknown");
            self.pair("target_env", "");
        } else {
            self.set("unix");
            self.pair("target_os", "linux");
            self.pair("target_family", "unix");
            self.pair("target_vendor", "unknown");
            self.pair("target_env", "gnu");
        }
    }

    /// The target's pointer width in bytes.
    pub fn pointer_bytes(&self) -> Option<u64> {
        self.pairs
            .iter()
            .find(|(key, _)| key == "target_pointer_width")
            .and_then(|(_, bits)| bits.parse::<u64>().ok())
            .map(|bits| bits / 8)
    }

    /// Whether the predicate holds; a name the build does not set is false, as in rustc.
    pub fn holds(&self, expr: &CfgExpr) -> bool {
        match expr {
            CfgExpr::Name(name) => self.names.contains(name),
            CfgExpr::KeyValue(key, value) => self.pairs.contains(&(key.clone(), value.clone())),
            CfgExpr::All(all) => all.iter().all(|e| self.holds(e)),
            CfgExpr::Any(any) => any.iter().any(|e| self.holds(e)),
            CfgExpr::Not(inner) => !self.holds(inner),
        }
    }

    /// Whether an item with this optional `cfg` is compiled.
    pub fn enabled(&self, cfg: Option<&CfgExpr>) -> bool {
        cfg.is_none_or(|expr| self.holds(expr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::items::item_tree::cfg_predicate;

    fn holds(options: &CfgOptions, text: &str) -> bool {
        let expr = cfg_predicate(text.parse().unwrap()).expect("predicate parses");
        options.holds(&expr)
    }

    #[test]
    fn evaluates_predicates_of_a_build() {
        let linux = CfgOptions::for_build(&Target::X86_64_LINUX, &["std".into()], false);
        assert!(holds(&linux, "unix"));
        assert!(holds(
            &linux,
            "all(target_os = \"linux\", feature = \"std\")"
        ));
        assert!(!holds(&linux, "test"));
        assert!(!holds(&linux, "windows"));
        assert!(holds(&linux, "not(any(windows, target_arch = \"wasm32\"))"));
        assert!(holds(&linux, "target_pointer_width = \"64\""));
        assert!(!holds(&linux, "feature = \"serde\""));
    }
}

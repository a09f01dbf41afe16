//! The compilation targets memlens knows: pointer width, primitive alignments and calling convention.

use std::fmt;

/// The processor family, which decides how parameters are passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    X86_64,
    X86,
    Aarch64,
    Arm,
    Wasm32,
}

/// Everything memlens needs to know about a target to lay out types and place values.
///
/// The alignments are rustc's ABI alignments for the target (from its LLVM data layout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub triple: &'static str,
    pub arch: Arch,
    /// Size and alignment of pointers, `usize` and `isize`.
    pub pointer_bytes: u64,
    pub i64_align: u64,
    pub i128_align: u64,
    pub f64_align: u64,
}

impl Target {
    pub const X86_64_LINUX: Target = Target {
        triple: "x86_64-unknown-linux-gnu",
        arch: Arch::X86_64,
        pointer_bytes: 8,
        i64_align: 8,
        i128_align: 16,
        f64_align: 8,
    };

    /// The most bytes one allocation may have here: `isize::MAX`.
    pub fn max_allocation(&self) -> u64 {
        (1u64 << (self.pointer_bytes * 8 - 1).min(63)) - 1
    }

    /// All targets memlens accepts, the default first.
    pub const ALL: [Target; 5] = [
        Target::X86_64_LINUX,
        Target {
            triple: "i686-unknown-linux-gnu",
            arch: Arch::X86,
            pointer_bytes: 4,
            i64_align: 4,
            i128_align: 16,
            f64_align: 4,
        },
        Target {
            triple: "aarch64-unknown-linux-gnu",
            arch: Arch::Aarch64,
            pointer_bytes: 8,
            i64_align: 8,
            i128_align: 16,
            f64_align: 8,
        },
        Target {
            triple: "wasm32-unknown-unknown",
            arch: Arch::Wasm32,
            pointer_bytes: 4,
            i64_align: 8,
            i128_align: 16,
            f64_align: 8,
        },
        Target {
            triple: "armv7-unknown-linux-gnueabihf",
            arch: Arch::Arm,
            pointer_bytes: 4,
            i64_align: 8,
            i128_align: 8,
            f64_align: 8,
        },
    ];

    /// Looks a target up by its triple.
    pub fn from_triple(triple: &str) -> Option<Target> {
        Target::ALL
            .into_iter()
            .find(|target| target.triple == triple)
    }

    /// The triples memlens accepts, for error messages and settings.
    pub fn known_triples() -> Vec<&'static str> {
        Target::ALL.iter().map(|target| target.triple).collect()
    }
}

impl Default for Target {
    fn default() -> Self {
        Target::X86_64_LINUX
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.triple)
    }
}

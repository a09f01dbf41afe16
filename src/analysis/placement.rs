//! Where a value lives: stack, registers, read-only data, data, BSS, or inlined, and why.

use super::bindings::{Binding, BindingKind, StaticInit};
use super::defs::TypeDefs;
use super::layout::{Layout, Shape};
use super::target::{Arch, Target};
use super::ty::{FloatTy, Ty};

/// The memory region a binding's own bytes occupy (not what it points to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    Stack,
    Register,
    Rodata,
    Data,
    Bss,
    /// `const` items: copied into each use, with no address of their own.
    Inline,
}

impl Region {
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Stack => "stack",
            Region::Register => "register",
            Region::Rodata => "rodata",
            Region::Data => "data",
            Region::Bss => "bss",
            Region::Inline => "inline",
        }
    }
}

/// How a parameter reaches the function.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Passing {
    /// In these registers (one, or two for a pointer-and-length pair).
    Registers(Vec<&'static str>),
    /// Zero-sized: nothing is passed at all.
    Nothing,
    /// Too big for registers: the caller keeps the value in its own stack frame and passes its
    /// address in this register.
    ByReference(&'static str),
    /// On the stack, because the target passes arguments there or the registers ran out.
    OnStack,
}

/// A binding's placement: its region, and for parameters how they are passed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Placement {
    pub region: Region,
    pub passing: Option<Passing>,
    /// For statics: the ELF section rustc puts it in on Linux (`.rodata`, `.data.rel.ro`, ...).
    pub section: Option<&'static str>,
    /// For statics: memlens could not evaluate the initial bytes, so the section is its best
    /// reading of the declaration.
    pub section_uncertain: bool,
}

impl Placement {
    fn region(region: Region) -> Placement {
        Placement {
            region,
            passing: None,
            section: None,
            section_uncertain: false,
        }
    }
}

/// std types with interior mutability: a static holding one must be writable.
const INTERIOR_MUTABLE: [&str; 11] = [
    "Cell",
    "RefCell",
    "UnsafeCell",
    "OnceCell",
    "OnceLock",
    "LazyLock",
    "LazyCell",
    "Mutex",
    "RwLock",
    "Condvar",
    "SyncUnsafeCell",
];

fn has_interior_mutability(ty: &Ty, defs: &TypeDefs, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    match ty {
        Ty::Adt { name, args } => {
            if INTERIOR_MUTABLE.contains(&name.as_str()) || name.starts_with("Atomic") {
                return true;
            }
            if let Some(def) = defs.adt(name) {
                return def.variants.iter().flat_map(|v| &v.fields).any(|field| {
                    has_interior_mutability(
                        &field.ty.substitute(&def.generics, args),
                        defs,
                        depth + 1,
                    )
                });
            }
            // Wrappers like Option or Box<..> in a static only hold what they wrap.
            matches!(
                name.as_str(),
                "Option" | "ManuallyDrop" | "MaybeUninit" | "Wrapping"
            ) && args
                .iter()
                .any(|arg| has_interior_mutability(arg, defs, depth + 1))
        }
        Ty::Tuple(items) => items
            .iter()
            .any(|item| has_interior_mutability(item, defs, depth + 1)),
        Ty::Array(element, _) => has_interior_mutability(element, defs, depth + 1),
        _ => false,
    }
}

/// Whether the type holds a pointer, which must be relocated when a PIE is loaded.
fn holds_pointer(ty: &Ty) -> bool {
    match ty {
        Ty::Ref { .. } | Ty::Ptr { .. } | Ty::FnPtr { .. } => true,
        Ty::Adt { name, args } => {
            matches!(name.as_str(), "Box" | "Vec" | "String" | "NonNull")
                || args.iter().any(holds_pointer)
        }
        Ty::Tuple(items) => items.iter().any(holds_pointer),
        Ty::Array(element, _) => holds_pointer(element),
        _ => false,
    }
}

/// Decides where a static goes, as rustc and the linker do on Linux.
///
/// Immutable statics are read-only even when all zero (`.rodata`), or read-only after the
/// loader patches their pointers (`.data.rel.ro`). Writable ones (`static mut`, or interior
/// mutability) go to `.bss` when every byte is zero, else `.data`.
fn static_placement(binding: &Binding, defs: &TypeDefs) -> Placement {
    let writable = binding.mutable || has_interior_mutability(&binding.value.ty, defs, 0);
    let init = binding.static_init.unwrap_or(StaticInit::Unknown);
    let (region, section) = match (writable, init) {
        (false, _) if holds_pointer(&binding.value.ty) && init != StaticInit::Zero => {
            (Region::Rodata, ".data.rel.ro")
        }
        (false, _) => (Region::Rodata, ".rodata"),
        (true, StaticInit::Zero) => (Region::Bss, ".bss"),
        (true, _) => (Region::Data, ".data"),
    };
    Placement {
        section: Some(section),
        section_uncertain: writable && init == StaticInit::Unknown,
        ..Placement::region(region)
    }
}

/// The register-file view of a parameter's layout: integer or float, and how many registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ParamClass {
    Zero,
    Integer(u64),
    Float(u64),
    /// Two scalars: a fat pointer or a small pair, in two integer registers.
    IntegerPair,
    Indirect,
}

fn classify(ty: &Ty, layout: &Layout, target: &Target) -> ParamClass {
    let pointer = target.pointer_bytes;
    match ty {
        _ if layout.size == 0 => ParamClass::Zero,
        Ty::Float(FloatTy::F32) => ParamClass::Float(4),
        Ty::Float(FloatTy::F64) => ParamClass::Float(8),
        _ if layout.size <= pointer => ParamClass::Integer(layout.size),
        // Rust's ABI passes two-scalar values and small aggregates in two registers; anything
        // larger goes by reference to a copy in the caller's frame.
        _ if layout.size <= 2 * pointer && !matches!(layout.shape, Shape::Array { .. }) => {
            ParamClass::IntegerPair
        }
        _ => ParamClass::Indirect,
    }
}

const X86_64_INT: [[&str; 4]; 6] = [
    ["DIL", "DI", "EDI", "RDI"],
    ["SIL", "SI", "ESI", "RSI"],
    ["DL", "DX", "EDX", "RDX"],
    ["CL", "CX", "ECX", "RCX"],
    ["R8B", "R8W", "R8D", "R8"],
    ["R9B", "R9W", "R9D", "R9"],
];
const X86_64_FLOAT: [&str; 8] = [
    "XMM0", "XMM1", "XMM2", "XMM3", "XMM4", "XMM5", "XMM6", "XMM7",
];
const AARCH64_INT: [[&str; 2]; 8] = [
    ["W0", "X0"],
    ["W1", "X1"],
    ["W2", "X2"],
    ["W3", "X3"],
    ["W4", "X4"],
    ["W5", "X5"],
    ["W6", "X6"],
    ["W7", "X7"],
];
const AARCH64_FLOAT: [[&str; 2]; 8] = [
    ["S0", "D0"],
    ["S1", "D1"],
    ["S2", "D2"],
    ["S3", "D3"],
    ["S4", "D4"],
    ["S5", "D5"],
    ["S6", "D6"],
    ["S7", "D7"],
];

/// Hands out argument registers in order, as the calling convention does.
struct RegisterFile {
    arch: Arch,
    next_int: usize,
    next_float: usize,
}

impl RegisterFile {
    fn int_count(&self) -> usize {
        match self.arch {
            Arch::X86_64 => X86_64_INT.len(),
            Arch::Aarch64 => AARCH64_INT.len(),
            _ => 0,
        }
    }

    fn int_name(&self, index: usize, bytes: u64) -> &'static str {
        match self.arch {
            Arch::X86_64 => {
                X86_64_INT[index][match bytes {
                    1 => 0,
                    2 => 1,
                    3 | 4 => 2,
                    _ => 3,
                }]
            }
            _ => AARCH64_INT[index][usize::from(bytes > 4)],
        }
    }

    fn take_ints(&mut self, sizes: &[u64]) -> Option<Vec<&'static str>> {
        if self.next_int + sizes.len() > self.int_count() {
            self.next_int = self.int_count();
            return None;
        }
        let names = sizes
            .iter()
            .enumerate()
            .map(|(offset, &bytes)| self.int_name(self.next_int + offset, bytes))
            .collect();
        self.next_int += sizes.len();
        Some(names)
    }

    fn take_float(&mut self, bytes: u64) -> Option<&'static str> {
        let name = match self.arch {
            Arch::X86_64 => X86_64_FLOAT.get(self.next_float).copied(),
            Arch::Aarch64 => AARCH64_FLOAT
                .get(self.next_float)
                .map(|pair| pair[usize::from(bytes > 4)]),
            _ => None,
        };
        self.next_float += 1;
        name
    }

    fn pass(&mut self, class: ParamClass, pointer: u64) -> Passing {
        match class {
            ParamClass::Zero => Passing::Nothing,
            ParamClass::Integer(bytes) => self
                .take_ints(&[bytes])
                .map_or(Passing::OnStack, Passing::Registers),
            ParamClass::Float(bytes) => self
                .take_float(bytes)
                .map_or(Passing::OnStack, |r| Passing::Registers(vec![r])),
            ParamClass::IntegerPair => self
                .take_ints(&[pointer, pointer])
                .map_or(Passing::OnStack, Passing::Registers),
            ParamClass::Indirect => self
                .take_ints(&[pointer])
                .and_then(|names| names.first().copied())
                .map_or(Passing::OnStack, Passing::ByReference),
        }
    }
}

/// How each parameter of one function is passed, given the layouts of all of them in order.
/// A parameter whose layout is unknown takes no register, and makes the ones after it uncertain,
/// so they get `None`.
pub fn pass_params(params: &[(Ty, Option<Layout>)], target: &Target) -> Vec<Option<Passing>> {
    let mut registers = RegisterFile {
        arch: target.arch,
        next_int: 0,
        next_float: 0,
    };
    let mut known = true;
    params
        .iter()
        .map(|(ty, layout)| {
            let layout = layout.as_ref().filter(|_| known);
            let Some(layout) = layout else {
                known = false;
                return None;
            };
            let class = classify(ty, layout, target);
            Some(match target.arch {
                Arch::X86_64 | Arch::Aarch64 => registers.pass(class, target.pointer_bytes),
                // WebAssembly parameters are locals of the callee, held by the engine.
                Arch::Wasm32 if class != ParamClass::Indirect => {
                    Passing::Registers(vec!["a wasm local"])
                }
                _ if class == ParamClass::Zero => Passing::Nothing,
                _ => Passing::OnStack,
            })
        })
        .collect()
}

/// Where a binding lives, given how its parameter is passed (for params).
pub fn place(binding: &Binding, passing: Option<Passing>, defs: &TypeDefs) -> Placement {
    match binding.kind {
        BindingKind::Local => Placement::region(Region::Stack),
        BindingKind::Const => Placement::region(Region::Inline),
        BindingKind::Static => static_placement(binding, defs),
        BindingKind::Param => {
            let region = match &passing {
                Some(Passing::Registers(_)) | Some(Passing::Nothing) => Region::Register,
                _ => Region::Stack,
            };
            Placement {
                passing,
                ..Placement::region(region)
            }
        }
    }
}

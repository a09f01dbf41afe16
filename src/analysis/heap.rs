//! Heap bytes a value owns, with how sure memlens is, and which types can own heap at all.

use std::fmt;

use super::defs::TypeDefs;
use super::std_api::StdApi;
use super::target::Target;
use super::ty::Ty;

/// The heap bytes a value owns: exactly what the allocator was asked for, a true lower bound,
/// or unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Heap {
    Exact(u64),
    AtLeast(u64),
    Unknown,
}

/// The most bytes one allocation may have on a 64-bit target: `isize::MAX`, past which std's
/// `Layout` refuses (a capacity-overflow panic). A figure above it is no program's.
pub const MAX_ALLOCATION: u64 = i64::MAX as u64;

/// The bytes of `count` elements of `size` bytes, if one allocation of at most `max_bytes`
/// holds them (std panics with "capacity overflow" past it).
pub fn array_bytes(count: u64, size: u64, max_bytes: u64) -> Option<u64> {
    count.checked_mul(size).filter(|bytes| *bytes <= max_bytes)
}

impl Heap {
    pub const NONE: Heap = Heap::Exact(0);

    /// Bytes as a figure: a sum past what any process can own is not one.
    fn checked(bytes: Option<u64>, make: fn(u64) -> Heap) -> Heap {
        match bytes.filter(|bytes| *bytes <= MAX_ALLOCATION) {
            Some(bytes) => make(bytes),
            None => Heap::Unknown,
        }
    }

    /// The bytes, when there is a number to state.
    pub fn bytes(self) -> Option<u64> {
        match self {
            Heap::Exact(bytes) | Heap::AtLeast(bytes) => Some(bytes),
            Heap::Unknown => None,
        }
    }

    pub fn certainty(self) -> &'static str {
        match self {
            Heap::Exact(_) => "exact",
            Heap::AtLeast(_) => "at_least",
            Heap::Unknown => "unknown",
        }
    }

    /// The heap of two values together. An unknown part still leaves the known part as a lower
    /// bound, since heap bytes are never negative; a bound of zero says nothing, so it stays unknown.
    pub fn plus(self, other: Heap) -> Heap {
        match (self, other) {
            (Heap::Exact(a), Heap::Exact(b)) => Heap::checked(a.checked_add(b), Heap::Exact),
            (Heap::Unknown, Heap::Unknown) => Heap::Unknown,
            (a, b) => {
                let known = a.bytes().unwrap_or(0).checked_add(b.bytes().unwrap_or(0));
                if known == Some(0) {
                    Heap::Unknown
                } else {
                    Heap::checked(known, Heap::AtLeast)
                }
            }
        }
    }

    /// `count` elements of `size` bytes in one allocation, unless that is more than one
    /// allocation may have.
    pub fn array(count: u64, size: u64) -> Heap {
        array_bytes(count, size, MAX_ALLOCATION).map_or(Heap::Unknown, Heap::Exact)
    }

    /// The heap of `count` values like this one.
    pub fn times(self, count: u64) -> Heap {
        match self {
            Heap::Exact(bytes) => Heap::checked(bytes.checked_mul(count), Heap::Exact),
            Heap::AtLeast(bytes) if count > 0 => {
                Heap::checked(bytes.checked_mul(count), Heap::AtLeast)
            }
            Heap::AtLeast(_) => Heap::Exact(0),
            Heap::Unknown if count == 0 => Heap::Exact(0),
            Heap::Unknown => Heap::Unknown,
        }
    }

    /// Forgets exactness: used where runtime data can only add to what is known.
    pub fn at_least(self) -> Heap {
        match self {
            Heap::Exact(0) | Heap::AtLeast(0) | Heap::Unknown => Heap::Unknown,
            Heap::Exact(bytes) | Heap::AtLeast(bytes) => Heap::AtLeast(bytes),
        }
    }

    /// Hover and table form: `5 B`, `≥ 12 B`, `?`.
    pub fn label(self) -> String {
        match self {
            Heap::Exact(bytes) => format!("{bytes} B"),
            Heap::AtLeast(bytes) => format!("≥ {bytes} B"),
            Heap::Unknown => "?".to_string(),
        }
    }
}

/// Inlay-hint form: `5B`, `≥12B`, `?`.
impl fmt::Display for Heap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Heap::Exact(bytes) => write!(f, "{bytes}B"),
            Heap::AtLeast(bytes) => write!(f, "≥{bytes}B"),
            Heap::Unknown => f.write_str("?"),
        }
    }
}

/// std types that own heap memory through a pointer they allocate.
const HEAP_OWNERS: [&str; 16] = [
    "String",
    "Vec",
    "Box",
    "Rc",
    "Arc",
    "HashMap",
    "HashSet",
    "BTreeMap",
    "BTreeSet",
    "VecDeque",
    "BinaryHeap",
    "LinkedList",
    "PathBuf",
    "OsString",
    "CString",
    "Cow",
];

/// std wrappers that own heap only through what they contain.
const TRANSPARENT_WRAPPERS: [&str; 12] = [
    "Option",
    "Result",
    "Cell",
    "RefCell",
    "UnsafeCell",
    "ManuallyDrop",
    "Wrapping",
    "Reverse",
    "Mutex",
    "RwLock",
    "OnceCell",
    "Pin",
];

/// std types that own no heap whatever their arguments.
const NO_HEAP: &[&str] = &[
    "fmt::Error",
    "io::ErrorKind",
    "PhantomData",
    "Duration",
    "Instant",
    "SystemTime",
    "Ordering",
    "Range",
    "RangeInclusive",
    "ops::Range",
    "ops::RangeInclusive",
    "RangeFrom",
    "RangeTo",
    "RangeToInclusive",
    "RangeFull",
    "cmp::Ordering",
    "ErrorKind",
    "NonZero",
    "AtomicBool",
    "AtomicUsize",
    "AtomicU64",
];

/// Whether a value of type `ty` can own heap memory: `Some(false)` means it never does, so its
/// heap is exactly zero whatever its initializer; `None` means memlens cannot tell. A raw
/// pointer may own what it points to (`Box::into_raw`, a hand-made vector), so a type holding
/// one is never known to own nothing. std's types not listed here are judged by their fields
/// as std's table records them for `target`.
pub fn may_own_heap(ty: &Ty, defs: &TypeDefs, target: &Target) -> Option<bool> {
    Owners { defs, target }.may_own_heap_within(ty, 0)
}

/// Where the definitions of the types whose fields decide come from. std's table is looked up
/// only for a std type outside the lists: this runs for every expression the heap walk sees.
struct Owners<'a> {
    defs: &'a TypeDefs,
    target: &'a Target,
}

impl Owners<'_> {
    fn may_own_heap_within(&self, ty: &Ty, depth: usize) -> Option<bool> {
        let defs = self.defs;
        // Recursive types own heap only through a pointer, which is caught before this bound.
        if depth > 16 {
            return None;
        }
        let any = |types: &mut dyn Iterator<Item = &Ty>| -> Option<bool> {
            let mut unknown = false;
            for inner in types {
                match self.may_own_heap_within(inner, depth + 1) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown { None } else { Some(false) }
        };
        match ty {
            Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Char | Ty::Never => Some(false),
            Ty::Ref { .. } | Ty::FnPtr { .. } | Ty::FnItem(_) => Some(false),
            Ty::Tuple(items) => any(&mut items.iter()),
            Ty::Array(element, _) => self.may_own_heap_within(element, depth + 1),
            Ty::Closure { captures, .. } => any(&mut captures.iter()),
            Ty::Adt { name, args } => {
                if let Some(def) = defs.adt(name) {
                    let fields: Vec<Ty> = def
                        .variants
                        .iter()
                        .flat_map(|variant| &variant.fields)
                        .map(|field| field.ty.substitute(&def.generics, args))
                        .collect();
                    return any(&mut fields.iter());
                }
                if defs.alias(name).is_some() {
                    return self.may_own_heap_within(&defs.resolve_alias(ty), depth + 1);
                }
                let base = name.as_str();
                if HEAP_OWNERS.contains(&base) {
                    Some(true)
                } else if TRANSPARENT_WRAPPERS.contains(&base) {
                    any(&mut args.iter())
                } else if NO_HEAP.contains(&base)
                    || base.starts_with("NonZero")
                    || base.starts_with("Atomic")
                {
                    Some(false)
                } else {
                    self.std_fields_may_own_heap(name, args, depth)
                }
            }
            _ => None,
        }
    }

    /// One of std's other types, by the fields std's table records (`ParseIntError` holds an
    /// `IntErrorKind`, which holds nothing).
    fn std_fields_may_own_heap(&self, name: &str, args: &[Ty], depth: usize) -> Option<bool> {
        let def = StdApi::for_target(self.target).adt(name)?;
        let full_args = def.full_args(args);
        let mut unknown = false;
        for field in def.variants.iter().flat_map(|variant| &variant.fields) {
            let field_ty = field.ty.substitute(&def.generics, &full_args);
            match self.may_own_heap_within(&field_ty, depth + 1) {
                Some(true) => return Some(true),
                None => unknown = true,
                Some(false) => {}
            }
        }
        if unknown { None } else { Some(false) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_keep_honest_bounds() {
        assert_eq!(Heap::Exact(5).plus(Heap::Exact(7)), Heap::Exact(12));
        assert_eq!(Heap::Exact(5).plus(Heap::Unknown), Heap::AtLeast(5));
        assert_eq!(Heap::Exact(0).plus(Heap::Unknown), Heap::Unknown);
        assert_eq!(Heap::AtLeast(3).times(0), Heap::Exact(0));
        assert_eq!(Heap::AtLeast(12).to_string(), "≥12B");
    }

    #[test]
    fn knows_which_types_own_heap() {
        let defs = TypeDefs::default();
        let target = Target::default();
        let may_own_heap = |ty: &Ty, defs: &TypeDefs| may_own_heap(ty, defs, &target);
        assert_eq!(
            may_own_heap(&Ty::Array(Box::new(Ty::Bool), Some(3)), &defs),
            Some(false)
        );
        assert_eq!(
            may_own_heap(&Ty::adt("Option", vec![Ty::string()]), &defs),
            Some(true)
        );
        assert_eq!(
            may_own_heap(&Ty::shared_ref(Ty::string()), &defs),
            Some(false)
        );
        assert_eq!(may_own_heap(&Ty::adt("Mystery", vec![]), &defs), None);
    }
}

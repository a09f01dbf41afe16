//! Layouts kept across calls: those of types that name nothing the user defined, which therefore
//! depend only on the target (String, `Vec<u8>`, `HashMap<String, u32>`...), so that laying out
//! every binding of a file does not work them out again each time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

use super::std_prelude::STD_PREFIX;
use super::{Laid, LayoutError};
use crate::analysis::defs::TypeDefs;
use crate::analysis::target::Target;
use crate::analysis::ty::Ty;

type Cache = HashMap<Target, FxHashMap<Ty, Result<Arc<Laid>, LayoutError>>>;

/// Beyond this many entries the cache starts over, which bounds its memory.
const CAPACITY: usize = 8192;

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Whether `ty`'s layout is the same whatever the user defines: no name in it is the user's.
pub(super) fn is_shareable(ty: &Ty, defs: &TypeDefs) -> bool {
    match ty {
        Ty::Adt { name, args } => {
            let std_only = name.starts_with(STD_PREFIX)
                || defs.adt(name).is_none() && defs.alias(name).is_none();
            std_only && args.iter().all(|arg| is_shareable(arg, defs))
        }
        Ty::Tuple(items)
        | Ty::Closure {
            captures: items, ..
        } => items.iter().all(|item| is_shareable(item, defs)),
        Ty::Array(element, _) | Ty::Slice(element) => is_shareable(element, defs),
        Ty::Ref { pointee, .. } | Ty::Ptr { pointee, .. } => is_shareable(pointee, defs),
        // Whether a pointer to one is thin depends on the crate's trait.
        Ty::Assoc(_) => false,
        // Function pointers are one pointer whatever their signature names.
        _ => true,
    }
}

pub(super) fn get(target: &Target, ty: &Ty) -> Option<Result<Arc<Laid>, LayoutError>> {
    let cache = cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache.get(target)?.get(ty).cloned()
}

/// Keeps a result; not "contains itself" errors, which can come from the types around this one
/// (the nesting limit) rather than from the type itself.
pub(super) fn put(target: &Target, ty: &Ty, result: &Result<Arc<Laid>, LayoutError>) {
    if matches!(result, Err(LayoutError::Recursive(_))) {
        return;
    }
    let mut cache = cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let per_target = cache.entry(*target).or_default();
    if per_target.len() >= CAPACITY {
        per_target.clear();
    }
    per_target.insert(ty.clone(), result.clone());
}

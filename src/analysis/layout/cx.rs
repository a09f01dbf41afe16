//! One layout computation: dispatch over `Ty`, a memo of the layouts already computed, and the guard
//! against types that contain themselves.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::scalar::{self, Metadata, obj_size_bound};
use super::shared;
use super::std_prelude::{SIZED_UNKNOWN, StdDefs, without_sized_marks};
use super::univariant::{ReprOptions, StructKind, univariant};
use super::{FieldLayout, Laid, Layout, LayoutError, Shape};
use crate::analysis::defs::{Repr, TypeDefs};
use crate::analysis::target::Target;
use crate::analysis::ty::Ty;

/// How deep types may nest before memlens gives up, as rustc does on types that grow forever.
pub(super) const MAX_DEPTH: usize = 128;

/// The state of one `layout_of` call; it lives no longer than the call, so results depend only on
/// the call's inputs.
pub(super) struct Cx<'a> {
    pub target: &'a Target,
    pub defs: &'a TypeDefs,
    pub std: &'a StdDefs,
    /// Finished layouts, shared rather than copied: a type's layout is needed by every type holding
    /// it. `None` marks a type being laid out, so meeting it again means it contains itself.
    memo: FxHashMap<Ty, Option<Result<Arc<Laid>, LayoutError>>>,
    /// How many layouts are in progress, to stop types that grow forever (`S<T>` holding `S<(T,)>`).
    depth: usize,
    /// Per definition name: whether some instance of the struct could be unsized.
    pub(super) unsizable: HashMap<String, bool>,
    /// In a generic item: the parameters that may be unsized (all others are `Sized`).
    unsized_params: Option<&'a [String]>,
}

/// A field to place: its name and its (instantiated) type.
pub(super) struct FieldSpec {
    pub name: String,
    pub ty: Ty,
}

impl<'a> Cx<'a> {
    pub(super) fn new(target: &'a Target, defs: &'a TypeDefs, std: &'a StdDefs) -> Self {
        Cx {
            target,
            defs,
            std,
            memo: HashMap::default(),
            depth: 0,
            unsizable: HashMap::new(),
            unsized_params: None,
        }
    }

    pub(super) fn with_unsized_params(self, unsized_params: Option<&'a [String]>) -> Self {
        Cx {
            unsized_params,
            ..self
        }
    }

    pub(super) fn layout(&mut self, ty: &Ty) -> Result<Arc<Laid>, LayoutError> {
        match self.memo.get(ty) {
            Some(Some(done)) => return done.clone(),
            Some(None) => return Err(LayoutError::Recursive(ty.to_string())),
            None if self.depth >= MAX_DEPTH => return Err(LayoutError::Recursive(ty.to_string())),
            None => {}
        }
        if ty.is_too_large() {
            return Err(self.too_large(ty));
        }
        // Only named types are worth sharing; the rest are quicker to lay out than to look up.
        let shareable = matches!(ty, Ty::Adt { .. })
            && shared::is_shareable(ty, self.defs)
            && !ty.mentions(&|inner| matches!(inner, Ty::Param(_)));
        if shareable && let Some(known) = shared::get(self.target, ty) {
            return known;
        }
        self.memo.insert(ty.clone(), None);
        self.depth += 1;
        let result = self.compute(ty).map(Arc::new);
        self.depth -= 1;
        if let Some(slot) = self.memo.get_mut(ty) {
            *slot = Some(result.clone());
        }
        if shareable {
            shared::put(self.target, ty, &result);
        }
        result
    }

    /// Why a type past `MAX_TYPE_PARTS` has no layout. Grown inside a type that is still being
    /// laid out, it comes from a definition holding itself with other arguments
    /// (`struct Q<T> { q: Q<(T, T)> }`), which rustc rejects as infinitely large (E0072).
    fn too_large(&self, ty: &Ty) -> LayoutError {
        let Ty::Adt { name, .. } = ty else {
            return LayoutError::TooManyParts;
        };
        // The outermost of the instances in progress is the one the user wrote.
        let in_progress = self
            .memo
            .iter()
            .filter(|(held, done)| done.is_none() && held.is_adt(name))
            .min_by_key(|(held, _)| held.to_string().len());
        match in_progress {
            Some((outer, _)) => LayoutError::Recursive(outer.to_string()),
            None => LayoutError::TooManyParts,
        }
    }

    fn compute(&mut self, ty: &Ty) -> Result<Laid, LayoutError> {
        let target = self.target;
        match ty {
            Ty::Int(int) => Ok(scalar::int(*int, target)),
            Ty::Float(float) => Ok(scalar::float(*float, target)),
            Ty::Bool => Ok(scalar::bool()),
            Ty::Char => Ok(scalar::char()),
            Ty::Never => Ok(scalar::never()),
            Ty::Str | Ty::Slice(_) | Ty::Dyn(_) => Err(LayoutError::Unsized(ty.to_string())),
            Ty::Tuple(items) => {
                // rustc lets a tuple's last element be unsized, so it never moves that one.
                let kind = if items.is_empty() {
                    StructKind::AlwaysSized
                } else {
                    StructKind::MaybeUnsized
                };
                self.place_fields(ty, &numbered(items), default_repr(), kind, true)
            }
            Ty::Array(element, Some(count)) => self.array(ty, element, *count),
            Ty::Array(_, None) | Ty::Opaque(_) | Ty::Unknown(_) | Ty::Assoc(_) | Ty::Infer(_) => {
                Err(LayoutError::Unknown(ty.to_string()))
            }
            Ty::Ref { pointee, .. } => self.pointer(pointee, true),
            Ty::Ptr { pointee, .. } => self.pointer(pointee, false),
            Ty::FnPtr { .. } => Ok(scalar::pointer(target, true, Metadata::Thin)),
            Ty::FnItem(_) => Ok(scalar::zero_sized()),
            Ty::Closure { captures, .. } => self.place_fields(
                ty,
                &numbered(captures),
                default_repr(),
                StructKind::AlwaysSized,
                true,
            ),
            Ty::Adt { name, args } => self.adt(ty, name, args),
            Ty::Param(name) => Err(LayoutError::Generic(name.clone())),
        }
    }

    /// The layout of a field of `owner`; an unsized field makes the owner unsized.
    pub(super) fn field_layout(&mut self, owner: &Ty, ty: &Ty) -> Result<Arc<Laid>, LayoutError> {
        self.layout(ty).map_err(|error| match error {
            LayoutError::Unsized(_) => LayoutError::Unsized(owner.to_string()),
            other => other,
        })
    }

    /// Lays out a struct-like list of fields, and describes it field by field if `describe` (std's
    /// private fields are not shown, so not worth describing).
    pub(super) fn place_fields(
        &mut self,
        owner: &Ty,
        specs: &[FieldSpec],
        repr: ReprOptions,
        kind: StructKind,
        describe: bool,
    ) -> Result<Laid, LayoutError> {
        let laid = specs
            .iter()
            .map(|spec| self.field_layout(owner, &spec.ty))
            .collect::<Result<Vec<Arc<Laid>>, LayoutError>>()?;
        let refs: Vec<&Laid> = laid.iter().map(|laid| &**laid).collect();
        let placed = univariant(&refs, repr, kind, self.target)
            .ok_or_else(|| LayoutError::TooBig(owner.to_string()))?;
        let shape = if describe {
            Shape::Fields(field_layouts(specs, &laid, &placed.offsets))
        } else {
            Shape::Opaque
        };
        Ok(Laid {
            layout: Layout {
                size: placed.size,
                align: placed.align,
                niche: placed.niche,
                shape,
            },
            uninhabited: placed.uninhabited,
        })
    }

    fn array(&mut self, ty: &Ty, element: &Ty, count: u64) -> Result<Laid, LayoutError> {
        let element = self.field_layout(ty, element)?;
        let size = element
            .layout
            .size
            .checked_mul(count)
            .filter(|size| *size < obj_size_bound(self.target))
            .ok_or_else(|| LayoutError::TooBig(ty.to_string()))?;
        Ok(Laid {
            layout: Layout {
                size,
                align: element.layout.align,
                niche: element.layout.niche.filter(|_| count > 0),
                shape: Shape::Array { count },
            },
            uninhabited: element.uninhabited && count > 0,
        })
    }

    fn pointer(&mut self, pointee: &Ty, non_null: bool) -> Result<Laid, LayoutError> {
        let metadata = self.metadata(pointee, 0)?;
        Ok(scalar::pointer(self.target, non_null, metadata))
    }

    /// Whether a projection's trait (the crate's, else std's) declares it without `?Sized`.
    fn assoc_is_sized(&self, projection: &crate::analysis::ty::Projection) -> bool {
        let Some(trait_ref) = &projection.trait_ref else {
            return false;
        };
        if self.defs.assoc_is_sized(&trait_ref.key, &projection.name) {
            return true;
        }
        crate::analysis::std_api::StdApi::for_target(self.target)
            .trait_data(&trait_ref.key)
            .and_then(|data| data.assoc_types.iter().find(|a| a.name == projection.name))
            .is_some_and(|assoc| assoc.known_sized)
    }

    /// What a pointer to `pointee` carries besides the address, decided by the pointee's tail.
    pub(super) fn metadata(&mut self, pointee: &Ty, depth: usize) -> Result<Metadata, LayoutError> {
        if depth >= MAX_DEPTH {
            return Err(LayoutError::Recursive(pointee.to_string()));
        }
        match pointee {
            Ty::Str | Ty::Slice(_) => Ok(Metadata::Length),
            Ty::Dyn(_) => Ok(Metadata::Vtable),
            Ty::Tuple(items) => match items.last() {
                Some(last) => self.metadata(last, depth + 1),
                None => Ok(Metadata::Thin),
            },
            Ty::Adt { name, .. } if name == SIZED_UNKNOWN => Ok(Metadata::Thin),
            Ty::Adt { name, args } => match self.struct_tail(name, args) {
                Ok(Some(tail)) => self.metadata(&tail, depth + 1),
                Ok(None) => Ok(Metadata::Thin),
                Err(error) => match std_api_tail(self.target, name, args) {
                    Some(Some(tail)) => self.metadata(&tail, depth + 1),
                    Some(None) => Ok(Metadata::Thin),
                    None => Err(error),
                },
            },
            Ty::Param(name) => match self.unsized_params {
                Some(maybe) if name != "Self" && !maybe.contains(name) => Ok(Metadata::Thin),
                _ => Err(LayoutError::Generic(name.clone())),
            },
            // An associated type is `Sized` unless declared `?Sized`.
            Ty::Assoc(projection) if self.assoc_is_sized(projection) => Ok(Metadata::Thin),
            Ty::Unknown(_) | Ty::Assoc(_) | Ty::Infer(_) => {
                Err(LayoutError::Unknown(pointee.to_string()))
            }
            // Arrays are sized whatever their length; so are closures, fn items and numbers.
            _ => Ok(Metadata::Thin),
        }
    }
}

fn default_repr() -> ReprOptions {
    ReprOptions::of(&Repr::default())
}

/// Tuple elements and closure captures, named by position.
fn numbered(items: &[Ty]) -> Vec<FieldSpec> {
    items
        .iter()
        .enumerate()
        .map(|(index, ty)| FieldSpec {
            name: index.to_string(),
            ty: ty.clone(),
        })
        .collect()
}

/// The public description of placed fields, in declaration order.
pub(super) fn field_layouts(
    specs: &[FieldSpec],
    laid: &[Arc<Laid>],
    offsets: &[u64],
) -> Vec<FieldLayout> {
    specs
        .iter()
        .zip(laid)
        .zip(offsets)
        .map(|((spec, laid), &offset)| FieldLayout {
            name: spec.name.clone(),
            ty: without_sized_marks(&spec.ty),
            offset,
            size: laid.layout.size,
            align: laid.layout.align,
        })
        .collect()
}

/// The declared last field of one of std's structs the mirror does not lay out, from std's API
/// table (`Some(None)`: an enum, a union or a struct without fields, which are always sized).
/// What a pointer to it carries depends only on that field.
fn std_api_tail(target: &Target, key: &str, args: &[Ty]) -> Option<Option<Ty>> {
    let def = crate::analysis::std_api::StdApi::for_target(target).adt(key)?;
    if def.kind != crate::analysis::defs::AdtKind::Struct {
        return Some(None);
    }
    let last = def.variants.first()?.fields.last();
    Some(last.map(|field| field.ty.substitute(&def.generics, &def.full_args(args))))
}

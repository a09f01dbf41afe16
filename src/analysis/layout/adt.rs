//! Structs, enums and unions, the user's and std's: finding the definition a name means,
//! instantiating it, and laying it out with its `repr`, valid ranges and hidden niches.

use std::sync::Arc;

use super::cx::{Cx, FieldSpec, MAX_DEPTH, field_layouts};
use super::enums::{EnumInput, EnumPlaced, layout_enum};
use super::scalar::{Integer, vector_align};
use super::std_prelude::{
    AdtMeta, OWNED_PROJECTION, SIZED_UNKNOWN, STD_PREFIX, internal, strip_prefix,
    without_sized_marks,
};
use super::univariant::{Placed, ReprOptions, StructKind, union};
use super::{FieldLayout, Laid, Layout, LayoutError, Niche, Shape, TagEncoding, VariantLayout};
use crate::analysis::defs::{AdtDef, AdtKind, Repr, VariantDef};
use crate::analysis::std_api::StdApi;
use crate::analysis::target::Target;
use crate::analysis::ty::{IntTy, Ty};

/// What layout knows of a type from std's API table beyond its fields: nothing special.
const TABLE_FIELDS_SHOWN: AdtMeta = AdtMeta {
    valid_start: None,
    valid_end: None,
    hides_niches: false,
    shows_fields: true,
};
const TABLE_FIELDS_HIDDEN: AdtMeta = AdtMeta {
    shows_fields: false,
    ..TABLE_FIELDS_SHOWN
};

/// A definition with its generic arguments (defaults filled in).
pub(super) struct AdtInst<'d> {
    def: &'d AdtDef,
    /// Std's extra layout facts; `None` for the user's types.
    meta: Option<&'d AdtMeta>,
    args: Vec<Ty>,
}

/// The fields of one variant: what they are, and their layouts.
#[derive(Default)]
struct VariantFields {
    specs: Vec<FieldSpec>,
    laid: Vec<Arc<Laid>>,
}

/// What a type name means.
pub(super) enum Resolved<'d> {
    Adt(AdtInst<'d>),
    /// An alias or projection, standing for this type.
    Ty(Ty),
}

impl<'d> AdtInst<'d> {
    fn new(def: &'d AdtDef, meta: Option<&'d AdtMeta>, args: &[Ty]) -> Self {
        let args = def
            .full_args(args)
            .into_iter()
            .enumerate()
            .map(|(index, arg)| match def.generics.get(index) {
                Some(param) if !arg.is_fully_known() && !def.unsized_params.contains(param) => {
                    Ty::adt(SIZED_UNKNOWN, vec![arg])
                }
                _ => arg,
            })
            .collect();
        AdtInst { def, meta, args }
    }

    fn field_specs(&self, variant: &VariantDef) -> Vec<FieldSpec> {
        variant
            .fields
            .iter()
            .map(|field| FieldSpec {
                name: field.name.clone(),
                ty: field.ty.substitute(&self.def.generics, &self.args),
            })
            .collect()
    }

    /// The instantiated type of a struct's last field, which decides what pointers to it carry.
    fn tail(&self) -> Option<Ty> {
        if self.def.kind != AdtKind::Struct {
            return None;
        }
        let field = self.def.variants.first()?.fields.last()?;
        Some(field.ty.substitute(&self.def.generics, &self.args))
    }

    fn shows_fields(&self) -> bool {
        self.meta.is_none_or(|meta| meta.shows_fields)
    }
}

impl<'a> Cx<'a> {
    /// Finds what `name` means: the user's definitions and aliases first, then std's public items;
    /// names std uses internally (`std::`-prefixed) only in std.
    pub(super) fn resolve(&self, name: &str, args: &[Ty]) -> Result<Resolved<'a>, LayoutError> {
        let defs = self.defs;
        let unknown =
            || LayoutError::Unknown(without_sized_marks(&Ty::adt(name, args.to_vec())).to_string());
        if name == SIZED_UNKNOWN {
            return args.first().cloned().map(Resolved::Ty).ok_or_else(unknown);
        }
        if name == OWNED_PROJECTION {
            let borrowed = args.first().ok_or_else(unknown)?;
            return Ok(Resolved::Ty(
                self.std.owned_of(&self.canonical(borrowed, 0)),
            ));
        }
        if name.starts_with(STD_PREFIX) {
            // The mirror's internal names, or the table's private types (`std::sys::…`).
            return self
                .std_item(name, args)
                .or_else(|| self.std_table_item(name, args))
                .ok_or_else(unknown);
        }
        if let Some(def) = defs.adt(name) {
            return Ok(Resolved::Adt(AdtInst::new(def, None, args)));
        }
        if let Some(alias) = defs.alias(name) {
            let body = alias.instantiate(args);
            return Ok(Resolved::Ty(match self.std.public_name(name) {
                Some(std_name) => rename_adt(&body, name, &std_name),
                None => body,
            }));
        }
        self.std
            .public_name(name)
            .and_then(|internal| self.std_item(&internal, args))
            .or_else(|| self.std_table_item(name, args))
            .ok_or_else(unknown)
    }

    /// One of std's types the mirror does not hold, laid out from its fields as std's API table
    /// records them for this target — unless its layout is not what its fields make.
    fn std_table_item(&self, key: &str, args: &[Ty]) -> Option<Resolved<'a>> {
        let api = StdApi::for_target(self.target);
        if let Some(data) = api.adt_data(key) {
            if data.layout_special {
                return None;
            }
            let shown = data.field_public.iter().flatten().all(|public| *public);
            let meta = if shown {
                &TABLE_FIELDS_SHOWN
            } else {
                &TABLE_FIELDS_HIDDEN
            };
            return Some(Resolved::Adt(AdtInst::new(&data.def, Some(meta), args)));
        }
        let alias = api.alias(key)?;
        Some(Resolved::Ty(alias.instantiate(args)))
    }

    fn std_item(&self, internal: &str, args: &[Ty]) -> Option<Resolved<'a>> {
        let std = self.std;
        if let Some(def) = std.defs.adt(internal) {
            let meta = std.metas.get(internal);
            return Some(Resolved::Adt(AdtInst::new(def, meta, args)));
        }
        let alias = std.defs.alias(internal)?;
        Some(Resolved::Ty(alias.instantiate(args)))
    }

    /// `ty` with a user-facing std name (`Path`) replaced by std's internal one, following aliases,
    /// so that it can be matched against std's impls.
    fn canonical(&self, ty: &Ty, depth: usize) -> Ty {
        let Ty::Adt { name, args } = ty else {
            return ty.clone();
        };
        if depth >= MAX_DEPTH || name.starts_with(STD_PREFIX) || self.defs.adt(name).is_some() {
            return ty.clone();
        }
        match self.resolve(name, args) {
            Ok(Resolved::Ty(other)) => self.canonical(&other, depth + 1),
            Ok(Resolved::Adt(_)) if self.std.public.contains(name) => {
                Ty::adt(&internal(name), args.clone())
            }
            _ => ty.clone(),
        }
    }

    /// The type a pointer's metadata depends on: a struct's last field, or what an alias names.
    pub(super) fn struct_tail(&self, name: &str, args: &[Ty]) -> Result<Option<Ty>, LayoutError> {
        Ok(match self.resolve(name, args)? {
            Resolved::Adt(inst) => inst.tail(),
            Resolved::Ty(other) => Some(other),
        })
    }

    pub(super) fn adt(&mut self, ty: &Ty, name: &str, args: &[Ty]) -> Result<Laid, LayoutError> {
        let inst = match self.resolve(name, args)? {
            Resolved::Ty(other) => return self.layout(&other).map(Arc::unwrap_or_clone),
            Resolved::Adt(inst) => inst,
        };
        if inst.def.span.is_some() {
            crate::analysis::guard::fail_if_asked(crate::analysis::ty::display_name(name));
        }
        if let Some(error) = &inst.def.repr.invalid {
            return Err(LayoutError::Invalid(name.to_string(), error.clone()));
        }
        // Whichever file the definition is seen from (another file's has no span). std's own
        // attributes are all built in (`#[lang]`, `#[stable]`).
        if let Some(attribute) = &inst.def.repr.rewritten_by {
            return Err(LayoutError::Rewritten(name.to_string(), attribute.clone()));
        }
        let mut laid = match inst.def.kind {
            AdtKind::Struct => self.struct_layout(ty, &inst)?,
            AdtKind::Union => self.union_layout(ty, &inst)?,
            AdtKind::Enum => self.enum_layout(ty, &inst)?,
        };
        if !inst.shows_fields() {
            laid.layout.shape = Shape::Opaque;
        } else if inst.meta.is_some() {
            self.tidy_shape(&mut laid.layout.shape);
        }
        Ok(laid)
    }

    fn struct_layout(&mut self, ty: &Ty, inst: &AdtInst<'_>) -> Result<Laid, LayoutError> {
        let specs = inst
            .def
            .variants
            .first()
            .map(|variant| inst.field_specs(variant))
            .unwrap_or_default();
        if inst.def.repr.simd {
            return self.simd_layout(ty, &specs, inst.def.repr.packed.is_some());
        }
        // rustc keeps the last field last when some instance of the struct could be unsized.
        let kind = if self.unsizable(inst) {
            StructKind::MaybeUnsized
        } else {
            StructKind::AlwaysSized
        };
        let repr = ReprOptions::of(&inst.def.repr);
        let mut laid = self.place_fields(ty, &specs, repr, kind, inst.shows_fields())?;
        if let Some(meta) = inst.meta {
            if meta.hides_niches {
                laid.layout.niche = None;
            } else if meta.valid_start.is_some() || meta.valid_end.is_some() {
                self.narrow_leading_scalar(ty, &specs, &mut laid.layout, meta)?;
            }
        }
        Ok(laid)
    }

    /// A `#[repr(simd)]` struct: its one field is an array of `count` scalars, and the vector is
    /// aligned as the target aligns vectors of its size (a packed one whose count is not a power
    /// of two only to the largest power of two dividing its size), its size rounded up to that.
    fn simd_layout(
        &mut self,
        ty: &Ty,
        specs: &[FieldSpec],
        packed: bool,
    ) -> Result<Laid, LayoutError> {
        let not_a_vector = || LayoutError::Unknown(ty.to_string());
        let [field] = specs else {
            return Err(not_a_vector());
        };
        let Ty::Array(element, Some(count)) = &field.ty else {
            return Err(not_a_vector());
        };
        let scalar = matches!(**element, Ty::Int(_) | Ty::Float(_) | Ty::Ptr { .. });
        let element = self.layout(element)?;
        if !scalar || *count == 0 || element.layout.size == 0 {
            return Err(not_a_vector());
        }
        let lanes = element
            .layout
            .size
            .checked_mul(*count)
            .ok_or_else(|| LayoutError::TooBig(ty.to_string()))?;
        let align = if packed && !count.is_power_of_two() {
            1 << lanes.trailing_zeros()
        } else {
            vector_align(self.target, lanes)
        };
        let size = lanes.div_ceil(align) * align;
        Ok(Laid::plain(Layout {
            size,
            align,
            niche: element.layout.niche,
            shape: Shape::Fields(vec![FieldLayout {
                name: field.name.clone(),
                ty: field.ty.clone(),
                offset: 0,
                size: lanes,
                align: element.layout.align,
            }]),
        }))
    }

    /// Whether some instance of the struct could be unsized, which depends only on its definition.
    fn unsizable(&mut self, inst: &AdtInst<'_>) -> bool {
        if let Some(&known) = self.unsizable.get(&inst.def.name) {
            return known;
        }
        let declared_tail = inst.def.variants.first().and_then(|v| v.fields.last());
        let unsizable = declared_tail
            .is_some_and(|tail| self.may_be_unsized(&tail.ty, &inst.def.unsized_params, 0));
        self.unsizable.insert(inst.def.name.clone(), unsizable);
        unsizable
    }

    /// Whether a field declared with type `ty` could be unsized in some instance.
    fn may_be_unsized(&self, ty: &Ty, unsized_params: &[String], depth: usize) -> bool {
        if depth >= MAX_DEPTH {
            return false;
        }
        let recurse = |inner: &Ty| self.may_be_unsized(inner, unsized_params, depth + 1);
        match ty {
            Ty::Param(name) => unsized_params.contains(name),
            Ty::Str | Ty::Slice(_) | Ty::Dyn(_) => true,
            Ty::Tuple(items) => items.last().is_some_and(recurse),
            Ty::Adt { name, args } => match self.resolve(name, args) {
                Ok(Resolved::Adt(inst)) => inst.tail().is_some_and(|tail| recurse(&tail)),
                Ok(Resolved::Ty(other)) => recurse(&other),
                Err(_) => false,
            },
            _ => false,
        }
    }

    /// Applies `rustc_layout_scalar_valid_range_*` to the scalar the struct starts with, as rustc
    /// does for `NonNull`, `NonZero` and the like, and keeps the new niche if it is at least as big.
    /// The scalar is the struct's only field that is not zero-sized, which therefore sits at 0.
    fn narrow_leading_scalar(
        &mut self,
        ty: &Ty,
        specs: &[FieldSpec],
        layout: &mut Layout,
        meta: &AdtMeta,
    ) -> Result<(), LayoutError> {
        let unsupported = || LayoutError::Unknown(ty.to_string());
        let mut sized = Vec::new();
        for spec in specs {
            if self.layout(&spec.ty)?.layout.size > 0 {
                sized.push(&spec.ty);
            }
        }
        let [scalar] = sized[..] else {
            return Err(unsupported());
        };
        let bytes = match scalar {
            Ty::Int(int) => Integer::of_int_ty(*int, self.target).size(),
            Ty::Ptr { .. } => self.target.pointer_bytes,
            _ => return Err(unsupported()),
        };
        let int = Integer::of_bytes(bytes).ok_or_else(unsupported)?;
        let start = meta.valid_start.unwrap_or(0);
        let end = meta.valid_end.unwrap_or(int.max_unsigned());
        let niche = Niche::from_scalar(0, bytes, start, end);
        if let Some(niche) = niche
            && layout
                .niche
                .is_none_or(|old| old.available() <= niche.available())
        {
            layout.niche = Some(niche);
        }
        Ok(())
    }

    fn variant_layouts(
        &mut self,
        ty: &Ty,
        inst: &AdtInst<'_>,
    ) -> Result<Vec<VariantFields>, LayoutError> {
        inst.def
            .variants
            .iter()
            .map(|variant| {
                let specs = inst.field_specs(variant);
                let laid = specs
                    .iter()
                    .map(|spec| self.field_layout(ty, &spec.ty))
                    .collect::<Result<Vec<Arc<Laid>>, LayoutError>>()?;
                Ok(VariantFields { specs, laid })
            })
            .collect()
    }

    fn union_layout(&mut self, ty: &Ty, inst: &AdtInst<'_>) -> Result<Laid, LayoutError> {
        let mut variants = self.variant_layouts(ty, inst)?;
        let VariantFields { specs, laid } = variants.pop().unwrap_or_default();
        let refs: Vec<&Laid> = laid.iter().map(|laid| &**laid).collect();
        let placed = union(&refs, ReprOptions::of(&inst.def.repr), self.target)
            .ok_or_else(|| LayoutError::TooBig(ty.to_string()))?;
        Ok(Laid::plain(Layout {
            size: placed.size,
            align: placed.align,
            niche: None,
            shape: Shape::Union(field_layouts(&specs, &laid, &placed.offsets)),
        }))
    }

    fn enum_layout(&mut self, ty: &Ty, inst: &AdtInst<'_>) -> Result<Laid, LayoutError> {
        let variants = self.variant_layouts(ty, inst)?;
        let input = EnumInput {
            variants: variants
                .iter()
                .map(|variant| variant.laid.iter().map(|laid| &**laid).collect())
                .collect(),
            discriminants: discriminants(&inst.def.variants, &inst.def.repr, self.target, ty)?,
            repr: &inst.def.repr,
            explicit_discriminants: inst.def.variants.iter().any(|v| v.discriminant.is_some()),
        };
        let placed =
            layout_enum(&input, self.target).ok_or_else(|| LayoutError::TooBig(ty.to_string()))?;
        let shape = enum_shape(&inst.def.variants, &variants, &placed);
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

    /// Shows the field types of a public std type as the user would write them.
    fn tidy_shape(&self, shape: &mut Shape) {
        let fields = match shape {
            Shape::Fields(fields) | Shape::Union(fields) => fields.iter_mut().collect::<Vec<_>>(),
            Shape::Enum { variants, .. } => variants
                .iter_mut()
                .flat_map(|v| v.fields.iter_mut())
                .collect(),
            _ => Vec::new(),
        };
        for field in fields {
            field.ty = strip_prefix(&self.normalize(&field.ty));
        }
    }

    /// `ty` with `<B as ToOwned>::Owned` replaced by what it stands for.
    fn normalize(&self, ty: &Ty) -> Ty {
        match ty.map_children(&|child| self.normalize(child)) {
            Ty::Adt { name, args } if name == OWNED_PROJECTION => {
                match self.resolve(&name, &args) {
                    Ok(Resolved::Ty(owned)) => owned,
                    _ => Ty::Adt { name, args },
                }
            }
            other => other,
        }
    }
}

/// Renames `from` to `to` throughout `ty`. Rust aliases cannot refer to themselves, so a user alias
/// whose body names its own name means std's item of that name, whose path lowering dropped:
/// `type Result<T> = std::result::Result<T, Error>;`.
fn rename_adt(ty: &Ty, from: &str, to: &str) -> Ty {
    match ty.map_children(&|child| rename_adt(child, from, to)) {
        Ty::Adt { name, args } if name == from => Ty::Adt {
            name: to.to_string(),
            args,
        },
        other => other,
    }
}

/// Each variant's discriminant on `target`: as written, or one more than the previous variant's.
/// `None` when a written one has no value memlens knows: guessing it would guess the tag.
/// The discriminant of each variant, in the enum's discriminant type (its `repr` integer, else
/// `isize`). Values rustc rejects are an error with its message: an implicit `previous + 1` past
/// the type's maximum (E0370), a written value outside the type, one value given twice (E0081).
fn discriminants(
    variants: &[VariantDef],
    repr: &Repr,
    target: &Target,
    ty: &Ty,
) -> Result<Vec<i128>, LayoutError> {
    let int = repr.int.unwrap_or(IntTy::Isize);
    let (min, max) = Integer::of_int_ty(int, target).range(int.is_signed());
    let invalid = |message: String| LayoutError::Invalid(ty.to_string(), message);
    let mut values = Vec::with_capacity(variants.len());
    let mut next = Some(0i128);
    for variant in variants {
        let value = match &variant.discriminant {
            Some(written) => written
                .on(target.pointer_bytes)
                .ok_or_else(|| LayoutError::Discriminant(ty.to_string()))?,
            // `u128` past `i128::MAX` is beyond what memlens holds, not an overflow.
            None if next.is_none() && int == IntTy::U128 => {
                return Err(LayoutError::Discriminant(ty.to_string()));
            }
            None => next.ok_or_else(|| {
                invalid(format!(
                    "the discriminant of `{}` would be {max} + 1, which overflows `{}` (E0370)",
                    variant.name,
                    int.name()
                ))
            })?,
        };
        if value < min || value > max {
            return Err(invalid(format!(
                "the discriminant {value} of `{}` is outside `{}`",
                variant.name,
                int.name()
            )));
        }
        if values.contains(&value) {
            return Err(invalid(format!(
                "discriminant value `{value}` assigned more than once (E0081)"
            )));
        }
        values.push(value);
        next = (value < max).then(|| value + 1);
    }
    Ok(values)
}

fn enum_shape(defs: &[VariantDef], variants: &[VariantFields], placed: &EnumPlaced) -> Shape {
    let direct_tag = placed
        .tag
        .filter(|tag| tag.encoding == TagEncoding::Direct)
        .map_or(0, |tag| tag.bytes);
    let layouts = defs
        .iter()
        .zip(variants)
        .zip(&placed.variants)
        .enumerate()
        .filter(|(index, _)| placed.listed[*index])
        .map(|(index, ((def, fields), variant))| {
            let fields = field_layouts(&fields.specs, &fields.laid, &variant.offsets);
            VariantLayout {
                name: def.name.clone(),
                size: printed_variant_size(&fields, variant, direct_tag),
                fields,
                tag_value: placed.tag_values[index],
            }
        })
        .collect();
    Shape::Enum {
        tag: placed.tag,
        variants: layouts,
    }
}

/// A variant's size as `-Zprint-type-sizes` counts it: up to the end of its last field (the
/// variant's own size when its fields end at 0), less a separate tag, which is shown on its own.
/// A niche the variant's data holds, or lies beyond, stays counted: it is inside its fields.
fn printed_variant_size(fields: &[FieldLayout], placed: &Placed, direct_tag: u64) -> u64 {
    let fields_end = fields.iter().map(|f| f.offset + f.size).max().unwrap_or(0);
    let end = if fields_end == 0 {
        placed.size
    } else {
        fields_end
    };
    end.saturating_sub(direct_tag)
}

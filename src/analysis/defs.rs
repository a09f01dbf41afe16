//! Definitions of named types (structs, enums, unions, aliases) as plain data, from the user's code or std.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::layout::std_module_alias;
use super::ty::{IntTy, Ty};

/// What `#[repr(..)]` says about a type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Repr {
    pub c: bool,
    pub transparent: bool,
    /// `repr(packed)` is `Some(1)`, `repr(packed(N))` is `Some(N)`.
    pub packed: Option<u64>,
    /// `repr(align(N))`.
    pub align: Option<u64>,
    /// `repr(u8)`, `repr(i32)`, ...
    pub int: Option<IntTy>,
    /// `repr(simd)`: a vector of its one array field's elements, aligned as the target aligns
    /// vectors.
    pub simd: bool,
    /// rustc's error for a `repr` it rejects (E0589: `align(3)`, `packed(0)`, `align(2^30)`):
    /// such a type has no layout.
    pub invalid: Option<String>,
    /// An attribute macro on the definition (`self_referencing`): it may rewrite the fields, so
    /// the type has no layout memlens can know.
    pub rewritten_by: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdtKind {
    Struct,
    Enum,
    Union,
}

/// One field of a struct, union or enum variant. Tuple fields are named `0`, `1`, ...
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
}

/// One variant of an enum; structs and unions have exactly one, named like the type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VariantDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
    /// An explicit `= value` discriminant; `None` when the variant has none.
    pub discriminant: Option<Discriminant>,
}

/// A written discriminant's value on targets of each pointer width, since `isize::MAX` or
/// `u32::MAX as isize` differ between them; `None` where memlens could not evaluate it (or rustc
/// rejects it there), which leaves the enum's layout unknown rather than guessed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Discriminant {
    pub bits32: Option<i128>,
    pub bits64: Option<i128>,
}

impl Discriminant {
    /// The same value on every target.
    pub fn everywhere(value: Option<i128>) -> Discriminant {
        Discriminant {
            bits32: value,
            bits64: value,
        }
    }

    /// The value on a target whose pointers are `pointer_bytes` wide.
    pub fn on(&self, pointer_bytes: u64) -> Option<i128> {
        match pointer_bytes {
            4 => self.bits32,
            8 => self.bits64,
            _ => None,
        }
    }
}

/// Where a definition was written, as byte offsets into its file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DefSpan {
    pub name_start: usize,
    pub name_end: usize,
}

impl DefSpan {
    pub fn move_by(&mut self, moved: impl Fn(usize) -> usize) {
        let length = self.name_end - self.name_start;
        self.name_start = moved(self.name_start);
        self.name_end = self.name_start + length;
    }
}

/// A struct, enum or union definition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AdtDef {
    pub name: String,
    /// Names of the type's generic type parameters, in order (lifetimes and consts are left out).
    pub generics: Vec<String>,
    /// Each generic parameter's default (`struct Wrap<T = u64>`), for uses that leave it out.
    pub defaults: Vec<Option<Ty>>,
    /// Generic parameters declared `?Sized`: a struct whose last field may be unsized keeps it last.
    pub unsized_params: Vec<String>,
    pub kind: AdtKind,
    pub repr: Repr,
    pub variants: Vec<VariantDef>,
    /// Where the user wrote it; `None` for std's types.
    pub span: Option<DefSpan>,
}

/// A `type Name<T> = ...;` alias.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AliasDef {
    pub name: String,
    pub generics: Vec<String>,
    /// Each generic parameter's default (`type Pair<T = u8> = (T, T);`).
    pub defaults: Vec<Option<Ty>>,
    pub ty: Ty,
}

impl AdtDef {
    /// The type its definition declares: `Pair<T>` with its parameters as arguments, or the
    /// instance that writing the bare name means when every parameter has a default
    /// (`struct Wrap<T = u64>` declares `Wrap<u64>`).
    pub fn declared_ty(&self) -> Ty {
        let all_defaulted =
            self.defaults.len() == self.generics.len() && self.defaults.iter().all(Option::is_some);
        let args = if all_defaulted {
            self.full_args(&[])
        } else {
            self.generics.iter().map(|g| Ty::Param(g.clone())).collect()
        };
        Ty::adt(&self.name, args)
    }

    /// `args` with the defaults of the parameters they leave out appended.
    pub fn full_args(&self, args: &[Ty]) -> Vec<Ty> {
        with_defaults(&self.generics, &self.defaults, args)
    }
}

impl AliasDef {
    /// The type the alias stands for with these arguments (defaults filling the ones left out).
    pub fn instantiate(&self, args: &[Ty]) -> Ty {
        let args = with_defaults(&self.generics, &self.defaults, args);
        self.ty.substitute(&self.generics, &args)
    }
}

/// Appends the defaults of the trailing parameters `args` leaves out. A default may name the
/// parameters before it (`struct S<T, U = Vec<T>>`), so each is instantiated with those.
fn with_defaults(params: &[String], defaults: &[Option<Ty>], args: &[Ty]) -> Vec<Ty> {
    let mut full = args.to_vec();
    while let Some(Some(default)) = defaults.get(full.len()) {
        let known = &params[..full.len().min(params.len())];
        full.push(default.substitute(known, &full));
    }
    full
}

/// The named types visible to the layout engine: the file's own, then std's.
#[derive(Clone, Debug, Default)]
pub struct TypeDefs {
    /// Shared, so that a file's table (its own definitions and the crate's, thousands in a big
    /// crate) is cloned and dropped in a few pointer copies on every edit; a definition is copied
    /// only when one of its spans moves.
    adts: HashMap<Arc<str>, Arc<AdtDef>>,
    aliases: HashMap<String, AliasDef>,
    /// Integer values of `const` items, used for array lengths like `[u8; N]`.
    consts: HashMap<String, u64>,
    /// The crate's traits' associated types declared without `?Sized`: (trait key, name).
    sized_assoc: HashSet<(String, String)>,
}

impl TypeDefs {
    pub fn add_adt(&mut self, def: AdtDef) {
        self.adts
            .insert(Arc::from(def.name.as_str()), Arc::new(def));
    }

    pub fn add_alias(&mut self, def: AliasDef) {
        self.aliases.insert(def.name.clone(), def);
    }

    pub fn add_const(&mut self, name: &str, value: u64) {
        self.consts.insert(name.to_string(), value);
    }

    /// Notes that trait `trait_key`'s associated type `name` is always `Sized`.
    pub fn add_sized_assoc(&mut self, trait_key: &str, name: &str) {
        self.sized_assoc
            .insert((trait_key.to_string(), name.to_string()));
    }

    /// Whether `<_ as Trait>::name` is known to be `Sized`.
    pub fn assoc_is_sized(&self, trait_key: &str, name: &str) -> bool {
        self.sized_assoc
            .contains(&(trait_key.to_string(), name.to_string()))
    }

    pub fn adt(&self, name: &str) -> Option<&AdtDef> {
        self.adts.get(name).map(|def| &**def)
    }

    pub fn alias(&self, name: &str) -> Option<&AliasDef> {
        self.aliases.get(name)
    }

    pub fn const_value(&self, name: &str) -> Option<u64> {
        self.consts.get(name).copied()
    }

    pub fn adts(&self) -> impl Iterator<Item = &AdtDef> {
        self.adts.values().map(|def| &**def)
    }

    /// Adds every definition of `other` whose name this table does not define.
    pub fn fill_in(&mut self, other: &TypeDefs) {
        for (name, def) in &other.adts {
            self.adts
                .entry(Arc::clone(name))
                .or_insert_with(|| Arc::clone(def));
        }
        for (name, def) in &other.aliases {
            self.aliases
                .entry(name.clone())
                .or_insert_with(|| def.clone());
        }
        for (name, value) in &other.consts {
            self.consts.entry(name.clone()).or_insert(*value);
        }
        self.sized_assoc.extend(other.sized_assoc.iter().cloned());
    }

    /// The definitions, aliases and constants whose names pass `keep`.
    pub fn filtered(&self, keep: impl Fn(&str) -> bool) -> TypeDefs {
        TypeDefs {
            adts: kept_entries(&self.adts, &keep),
            aliases: kept_entries(&self.aliases, &keep),
            consts: kept_entries(&self.consts, &keep),
            sized_assoc: self
                .sized_assoc
                .iter()
                .filter(|(key, _)| keep(key))
                .cloned()
                .collect(),
        }
    }

    pub fn alias_names(&self) -> impl Iterator<Item = &str> {
        self.aliases.keys().map(String::as_str)
    }

    /// Where each definition whose name passes `keep` was written.
    pub fn spans_of(&self, keep: impl Fn(&str) -> bool) -> HashMap<String, DefSpan> {
        self.adts
            .iter()
            .filter(|(name, _)| keep(name))
            .filter_map(|(name, def)| Some((name.to_string(), def.span?)))
            .collect()
    }

    /// Puts back where definitions were written (see [`TypeDefs::spans_of`]).
    pub fn restore_spans(&mut self, spans: &HashMap<String, DefSpan>) {
        for (name, span) in spans {
            if let Some(def) = self.adts.get_mut(name.as_str()) {
                Arc::make_mut(def).span = Some(*span);
            }
        }
    }

    /// Keeps only the definitions and aliases whose names pass `keep`.
    pub fn retain_names(&mut self, keep: impl Fn(&str) -> bool) {
        self.adts.retain(|name, _| keep(name));
        self.aliases.retain(|name, _| keep(name));
    }

    /// Forgets where the definitions were written, except for those whose names are in `keep`.
    pub fn keep_spans_of(&mut self, keep: &std::collections::HashSet<String>) {
        for (name, def) in &mut self.adts {
            if def.span.is_some() && !keep.contains(&**name) {
                Arc::make_mut(def).span = None;
            }
        }
    }

    /// Forgets where the definitions were written: for declarations seen from another file.
    pub fn forget_spans(&mut self) {
        for def in self.adts.values_mut().filter(|def| def.span.is_some()) {
            Arc::make_mut(def).span = None;
        }
    }

    /// Moves where every user definition was written, after the text before it changed length.
    pub fn move_spans(&mut self, moved: impl Fn(usize) -> usize) {
        for def in self.adts.values_mut().filter(|def| def.span.is_some()) {
            if let Some(span) = &mut Arc::make_mut(def).span {
                span.move_by(&moved);
            }
        }
    }

    /// `ty` with what its names leave implicit written out, as rustc reads it: std's module-level
    /// aliases replaced by what they stand for (`io::Result<u32>` is `Result<u32, io::Error>`, so
    /// that `?` and `unwrap` see a `Result`), and the file's generic types given their omitted
    /// trailing arguments (`Wrap` is `Wrap<u64>` after `struct Wrap<T = u64>`). Std's defaults
    /// (`Vec<T, Global>`) stay implicit, as people write those types.
    pub fn written_out(&self, ty: &Ty) -> Ty {
        self.written_out_within(ty, 0)
    }

    fn written_out_within(&self, ty: &Ty, depth: usize) -> Ty {
        // Neither aliases nor defaults can name themselves in valid Rust; the bound only protects
        // against bad input.
        if depth >= 32 {
            return ty.clone();
        }
        let filled = ty.map_children(&|child| self.written_out_within(child, depth + 1));
        let Ty::Adt { name, args } = &filled else {
            return filled;
        };
        if let Some(meaning) = std_module_alias(name, args) {
            return self.written_out_within(&meaning, depth + 1);
        }
        let full = match (self.adts.get(name.as_str()), self.aliases.get(name)) {
            (Some(def), _) => def.full_args(args),
            (None, Some(alias)) => with_defaults(&alias.generics, &alias.defaults, args),
            (None, None) => return filled,
        };
        if full.len() == args.len() {
            return filled;
        }
        // The defaults just added may name the file's generic types themselves.
        let added = full[args.len()..]
            .iter()
            .map(|default| self.written_out_within(default, depth + 1));
        Ty::Adt {
            name: name.clone(),
            args: args.iter().cloned().chain(added).collect(),
        }
    }

    /// Writes out every field type and alias body (see [`Self::written_out`]).
    pub fn write_out_all(&mut self) {
        let adts: HashMap<Arc<str>, Arc<AdtDef>> = self
            .adts
            .iter()
            .map(|(name, def)| (Arc::clone(name), Arc::new(self.adt_written_out(def))))
            .collect();
        let aliases: HashMap<String, AliasDef> = self
            .aliases
            .iter()
            .map(|(name, alias)| {
                let mut filled = alias.clone();
                filled.ty = self.written_out(&alias.ty);
                (name.clone(), filled)
            })
            .collect();
        self.adts = adts;
        self.aliases = aliases;
    }

    fn adt_written_out(&self, def: &AdtDef) -> AdtDef {
        let mut filled = def.clone();
        for field in filled.variants.iter_mut().flat_map(|v| v.fields.iter_mut()) {
            field.ty = self.written_out(&field.ty);
        }
        for default in filled.defaults.iter_mut().flatten() {
            *default = self.written_out(default);
        }
        filled
    }

    /// Follows aliases (with their generic arguments) until a non-alias type is reached.
    pub fn resolve_alias(&self, ty: &Ty) -> Ty {
        let mut current = ty.clone();
        // Aliases cannot be recursive in valid Rust; the bound only protects against bad input.
        for _ in 0..32 {
            let Ty::Adt { name, args } = &current else {
                return current;
            };
            let Some(alias) = self.aliases.get(name) else {
                return current;
            };
            current = alias.instantiate(args);
        }
        current
    }
}

/// The entries of a name-keyed table whose names pass `keep`.
pub fn kept_entries<K, T>(map: &HashMap<K, T>, keep: impl Fn(&str) -> bool) -> HashMap<K, T>
where
    K: std::borrow::Borrow<str> + Clone + Eq + std::hash::Hash,
    T: Clone,
{
    map.iter()
        .filter(|(name, _)| keep((*name).borrow()))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

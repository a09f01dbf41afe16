//! The embedded table's index (built at load: one scan over header lines) and the decoding of
//! one entry's lines into the API's data, for one target's active `cfg`s.
//!
//! An entry is a header line `TAG[flags] key rest` followed by body lines that start with a
//! space, `␠tag[flags] rest`. Flags: `!` unstable, `?N` the N-th `cfg` predicate of the table's
//! header, and on header lines `#N` the body's length in bytes, so that loading reads header
//! lines only. Entries of one kind are contiguous and sorted by key, so lookups binary-search.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::format::{Parsed, Parser};
use super::{
    AdtData, AssocConst, AssocTypeDecl, ImplData, MethodDecl, StdDef, TABLE_TEXT, TableInfo,
    TraitData,
};
use crate::analysis::defs::{AdtDef, AdtKind, AliasDef, FieldDef, Repr, VariantDef};
use crate::analysis::ty::{FnSig, GenericKind, GenericParam, IntTy, Predicate, Ty};

/// The kinds of entries, in the order the table lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Module = 0,
    Adt,
    Alias,
    Trait,
    Fn,
    Const,
    Static,
    Macro,
    Impl,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Module,
        Kind::Adt,
        Kind::Alias,
        Kind::Trait,
        Kind::Fn,
        Kind::Const,
        Kind::Static,
        Kind::Macro,
        Kind::Impl,
    ];

    pub fn tag(self) -> char {
        match self {
            Kind::Module => 'M',
            Kind::Adt => 'A',
            Kind::Alias => 'L',
            Kind::Trait => 'T',
            Kind::Fn => 'F',
            Kind::Const => 'C',
            Kind::Static => 'S',
            Kind::Macro => 'X',
            Kind::Impl => 'I',
        }
    }

    fn from_tag(tag: char) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.tag() == tag)
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Module => "modules",
            Kind::Adt => "types",
            Kind::Alias => "aliases",
            Kind::Trait => "traits",
            Kind::Fn => "functions",
            Kind::Const => "consts",
            Kind::Static => "statics",
            Kind::Macro => "macros",
            Kind::Impl => "impls",
        }
    }
}

/// Where the line starting at `pos` ends (its `\n`, or the end of the text).
fn line_end(bytes: &[u8], pos: usize) -> usize {
    bytes[pos.min(bytes.len())..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |offset| pos + offset)
}

/// The decimal number after the flag at `*at`, leaving `*at` on its last digit.
fn read_number(bytes: &[u8], at: &mut usize) -> usize {
    let mut value = 0usize;
    while let Some(digit) = bytes.get(*at + 1).filter(|b| b.is_ascii_digit()) {
        value = value
            .saturating_mul(10)
            .saturating_add(usize::from(digit - b'0'));
        *at += 1;
    }
    value
}

/// One entry: its header line split, and its body lines.
#[derive(Clone, Debug)]
pub struct Entry {
    pub kind: Kind,
    pub key: &'static str,
    pub rest: &'static str,
    pub body: &'static str,
    pub cfg: Option<u32>,
    pub unstable: bool,
}

impl Entry {
    /// The first word after the key: an impl's trait key (`-` for inherent), a macro's kind.
    pub fn rest_word(&self) -> &'static str {
        self.rest.split(' ').next().unwrap_or("")
    }
}

/// A module's member as decoded.
#[derive(Clone, Debug)]
pub struct Member {
    pub name: &'static str,
    pub def: StdDef,
}

/// An entry decoded for one target.
#[derive(Debug)]
pub enum Decoded {
    Module(Vec<Member>),
    Adt(AdtData),
    Alias(AliasDef),
    Trait(TraitData),
    Impl(ImplData),
    Fn(FnSig),
    Value(Ty),
    Macro(Option<String>),
}

/// The table as loaded: its header and the index of its entries.
pub struct Table {
    pub info: TableInfo,
    pub cfgs: Vec<&'static str>,
    pub entries: Vec<Entry>,
    /// Per kind (by its order in `Kind::ALL`), the range of its entries.
    sections: [Range<usize>; Kind::ALL.len()],
}

/// A line's tag, flags and the text after them.
struct Tagged<'t> {
    tag: char,
    unstable: bool,
    cfg: Option<u32>,
    rest: &'t str,
}

/// The number after `marker` in a flags string.
fn flag_number(flags: &str, marker: char) -> Option<usize> {
    let digits = &flags[flags.find(marker)? + 1..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

fn split_tag(line: &str) -> Option<Tagged<'_>> {
    let mut chars = line.char_indices();
    let (_, tag) = chars.next()?;
    let flags_end = line.find(' ').unwrap_or(line.len());
    let flags = &line[tag.len_utf8()..flags_end];
    let unstable = flags.starts_with('!');
    let cfg = flag_number(flags, '?').and_then(|n| u32::try_from(n).ok());
    let rest = line.get(flags_end + 1..).unwrap_or("");
    Some(Tagged {
        tag,
        unstable,
        cfg,
        rest,
    })
}

impl Table {
    /// The process-wide table, indexed on first use.
    pub fn get() -> &'static Table {
        static TABLE: OnceLock<Table> = OnceLock::new();
        TABLE.get_or_init(|| Table::index(TABLE_TEXT))
    }

    pub fn index(text: &'static str) -> Table {
        let mut table = Table {
            info: TableInfo {
                rustc: String::new(),
                source: String::new(),
                edition: String::new(),
            },
            cfgs: Vec::new(),
            entries: Vec::with_capacity(text.len() / 128),
            sections: std::array::from_fn(|_| 0..0),
        };
        let bytes = text.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() {
            // Entries start with an upper-case tag; the table's header lines with a word.
            let next = match bytes[pos] {
                b'A'..=b'Z' => table.add_entry(text, pos),
                _ => None,
            };
            pos = match next {
                Some(next) => next,
                None => {
                    let end = line_end(bytes, pos);
                    table.add_header_line(&text[pos..end]);
                    end + 1
                }
            };
        }
        table.index_sections();
        table
    }

    fn add_header_line(&mut self, line: &'static str) {
        if let Some(rustc) = line.strip_prefix("rustc ") {
            self.info.rustc = rustc.to_string();
        } else if let Some(source) = line.strip_prefix("source ") {
            self.info.source = source.to_string();
        } else if let Some(edition) = line.strip_prefix("edition ") {
            self.info.edition = edition.to_string();
        } else if let Some(cfg) = line.strip_prefix("cfg ") {
            self.cfgs.push(cfg);
        }
    }

    /// Reads the entry whose header line starts at `pos`, byte by byte (this is the whole
    /// cost of loading); returns where the next entry starts, after the body.
    fn add_entry(&mut self, text: &'static str, pos: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let kind = Kind::from_tag(char::from(bytes[pos]))?;
        let (mut unstable, mut cfg, mut body_len) = (false, None, 0usize);
        let mut at = pos + 1;
        while at < bytes.len() && bytes[at] != b' ' && bytes[at] != b'\n' {
            match bytes[at] {
                b'!' => unstable = true,
                b'?' => cfg = u32::try_from(read_number(bytes, &mut at)).ok(),
                b'#' => body_len = read_number(bytes, &mut at),
                _ => {}
            }
            at += 1;
        }
        let key_start = (at + 1).min(bytes.len());
        let end = line_end(bytes, key_start);
        let key_end = bytes[key_start..end]
            .iter()
            .position(|&b| b == b' ')
            .map_or(end, |offset| key_start + offset);
        let body_start = (end + 1).min(bytes.len());
        let body = text.get(body_start..body_start + body_len)?;
        self.entries.push(Entry {
            kind,
            key: text.get(key_start..key_end)?,
            rest: text.get((key_end + 1).min(end)..end)?,
            body,
            cfg,
            unstable,
        });
        Some(body_start + body_len)
    }

    fn index_sections(&mut self) {
        for (index, entry) in self.entries.iter().enumerate() {
            let range = &mut self.sections[entry.kind as usize];
            if range.start == range.end {
                *range = index..index;
            }
            range.end = index + 1;
        }
    }

    fn section(&self, kind: Kind) -> Range<usize> {
        self.sections[kind as usize].clone()
    }

    /// The indices of the entries of this kind with this key (several when the key has
    /// alternatives for different targets).
    pub fn entries_with_key(&self, kind: Kind, key: &str) -> impl Iterator<Item = usize> + '_ {
        let range = self.section(kind);
        let slice = &self.entries[range.clone()];
        let first = slice.partition_point(|entry| entry.key < key);
        let count = slice[first..]
            .iter()
            .take_while(|entry| entry.key == key)
            .count();
        range.start + first..range.start + first + count
    }

    /// The keys of every entry of this kind, in key order (with repeats for alternatives).
    pub fn keys(&self, kind: Kind) -> impl Iterator<Item = &str> + '_ {
        self.entries[self.section(kind)]
            .iter()
            .map(|entry| entry.key)
    }

    /// The impls whose self type has this head.
    pub fn impls_with_head(&self, head: &str) -> Range<usize> {
        let range = self.section(Kind::Impl);
        let slice = &self.entries[range.clone()];
        let first = slice.partition_point(|entry| entry.key < head);
        let last = slice.partition_point(|entry| entry.key <= head);
        range.start + first..range.start + last
    }

    pub fn impls_by_trait(&self) -> HashMap<&'static str, Vec<usize>> {
        let mut by_trait: HashMap<&'static str, Vec<usize>> = HashMap::new();
        for index in self.section(Kind::Impl) {
            let trait_key = self.entries[index].rest_word();
            if trait_key != "-" {
                by_trait.entry(trait_key).or_default().push(index);
            }
        }
        by_trait
    }

    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        Kind::ALL
            .into_iter()
            .map(|kind| (kind.name(), self.section(kind).len()))
            .collect()
    }
}

/// The body's lines, with their tags split, that are active on the target.
fn body_lines<'e>(
    entry: &'e Entry,
    active: &'e dyn Fn(Option<u32>) -> bool,
) -> impl Iterator<Item = Tagged<'static>> + 'e {
    entry
        .body
        .split('\n')
        .filter_map(|line| split_tag(line.strip_prefix(' ')?))
        .filter(move |tagged| active(tagged.cfg))
}

/// Decodes one entry for a target; `None` when it does not parse (a bug the tests catch).
pub fn decode(entry: &Entry, active: &dyn Fn(Option<u32>) -> bool) -> Option<Decoded> {
    let decoded = match entry.kind {
        Kind::Module => Ok(Decoded::Module(decode_module(entry, active))),
        Kind::Adt => decode_adt(entry, active).map(Decoded::Adt),
        Kind::Alias => decode_alias(entry, active).map(Decoded::Alias),
        Kind::Trait => decode_trait(entry, active).map(Decoded::Trait),
        Kind::Impl => decode_impl(entry, active).map(Decoded::Impl),
        Kind::Fn => Parser::new(entry.rest).fn_sig().map(|p| Decoded::Fn(p.sig)),
        Kind::Const | Kind::Static => Parser::new(entry.rest).ty().map(Decoded::Value),
        Kind::Macro => Ok(Decoded::Macro(decode_macro(entry, active))),
    };
    decoded.ok()
}

fn decode_module(entry: &Entry, active: &dyn Fn(Option<u32>) -> bool) -> Vec<Member> {
    body_lines(entry, active)
        .filter_map(|line| {
            let (name, target) = line.rest.split_once(' ')?;
            let target = target.to_string();
            let def = match line.tag {
                'm' => StdDef::Module(target),
                't' => StdDef::Type(target),
                'f' => StdDef::Fn(target),
                'c' => StdDef::Const(target),
                's' => StdDef::Static(target),
                'x' => StdDef::Macro(target),
                'p' => StdDef::Primitive(target),
                'v' => {
                    let (adt, index) = target.rsplit_once('#')?;
                    StdDef::Variant {
                        adt: adt.to_string(),
                        index: index.parse().ok()?,
                    }
                }
                _ => return None,
            };
            Some(Member { name, def })
        })
        .collect()
}

/// Generics as the `g` line writes them: all parameters, and the `?Sized` ones.
fn parse_generics(text: &str) -> Parsed<(Vec<GenericParam>, Vec<String>)> {
    Parser::new(text).generics("\n")
}

fn type_params(generics: &[GenericParam]) -> (Vec<String>, Vec<Option<Ty>>) {
    generics
        .iter()
        .filter_map(|param| match &param.kind {
            GenericKind::Type { default } => Some((param.name.clone(), default.clone())),
            _ => None,
        })
        .unzip()
}

fn decode_adt(entry: &Entry, active: &dyn Fn(Option<u32>) -> bool) -> Parsed<AdtData> {
    let mut words = entry.rest.split(' ');
    let kind = match words.next() {
        Some("enum") => AdtKind::Enum,
        Some("union") => AdtKind::Union,
        _ => AdtKind::Struct,
    };
    let path = words.next().unwrap_or("").to_string();
    let mut generics = (Vec::new(), Vec::new());
    let mut predicates = Vec::new();
    let mut repr = Repr::default();
    let mut layout_special = false;
    let mut variants: Vec<VariantDef> = Vec::new();
    let mut field_public: Vec<Vec<bool>> = Vec::new();
    for line in body_lines(entry, active) {
        match line.tag {
            'g' => generics = parse_generics(line.rest)?,
            'w' => predicates.push(Parser::new(line.rest).predicate()?),
            'r' => repr = parse_repr(line.rest),
            'l' => layout_special = true,
            'v' => {
                let mut words = line.rest.split(' ');
                let name = words.next().unwrap_or("").to_string();
                // The table holds discriminants already evaluated, the same on every target.
                let discriminant = words
                    .next()
                    .map(|d| crate::analysis::defs::Discriminant::everywhere(d.parse().ok()));
                variants.push(VariantDef {
                    name,
                    fields: Vec::new(),
                    discriminant,
                });
                field_public.push(Vec::new());
            }
            'f' | 'p' => {
                if variants.is_empty() {
                    let name = entry.key.rsplit("::").next().unwrap_or(entry.key);
                    variants.push(VariantDef {
                        name: name.to_string(),
                        fields: Vec::new(),
                        discriminant: None,
                    });
                    field_public.push(Vec::new());
                }
                let (name, ty) = line.rest.split_once(' ').unwrap_or((line.rest, "?"));
                let field = FieldDef {
                    name: name.to_string(),
                    ty: Parser::new(ty).ty()?,
                };
                if let (Some(variant), Some(public)) =
                    (variants.last_mut(), field_public.last_mut())
                {
                    variant.fields.push(field);
                    public.push(line.tag == 'f');
                }
            }
            _ => {}
        }
    }
    if variants.is_empty() && kind != AdtKind::Enum {
        let name = entry.key.rsplit("::").next().unwrap_or(entry.key);
        variants.push(VariantDef {
            name: name.to_string(),
            fields: Vec::new(),
            discriminant: None,
        });
        field_public.push(Vec::new());
    }
    // A field written once per target alternative (`inner: unix::File`, `inner: windows::File`)
    // appears twice only if the cfgs meant to separate them both hold: which one std uses is then
    // not known.
    layout_special |= variants.iter().any(has_repeated_field);
    let (params, unsized_params) = generics;
    let (names, defaults) = type_params(&params);
    let def = AdtDef {
        name: entry.key.to_string(),
        generics: names,
        defaults,
        unsized_params,
        kind,
        repr,
        variants,
        span: None,
    };
    Ok(AdtData {
        def,
        generics: params,
        predicates,
        field_public,
        path,
        stable: !entry.unstable,
        layout_special,
    })
}

fn has_repeated_field(variant: &VariantDef) -> bool {
    let fields = &variant.fields;
    fields
        .iter()
        .enumerate()
        .any(|(index, field)| fields[..index].iter().any(|f| f.name == field.name))
}

fn parse_repr(text: &str) -> Repr {
    let mut repr = Repr::default();
    for word in text.split(',') {
        match word.split_once('=') {
            Some(("packed", n)) => repr.packed = n.parse().ok(),
            Some(("align", n)) => repr.align = n.parse().ok(),
            _ if word == "C" => repr.c = true,
            _ if word == "transparent" => repr.transparent = true,
            _ if word == "simd" => repr.simd = true,
            _ => repr.int = repr.int.or(IntTy::from_name(word)),
        }
    }
    repr
}

fn decode_alias(entry: &Entry, active: &dyn Fn(Option<u32>) -> bool) -> Parsed<AliasDef> {
    let mut params = Vec::new();
    let mut ty = Ty::Unknown(None);
    for line in body_lines(entry, active) {
        match line.tag {
            'g' => params = parse_generics(line.rest)?.0,
            '=' => ty = Parser::new(line.rest).ty()?,
            _ => {}
        }
    }
    let (generics, defaults) = type_params(&params);
    Ok(AliasDef {
        name: entry.key.to_string(),
        generics,
        defaults,
        ty,
    })
}

/// A method line's name and signature, composed with the enclosing generics and predicates.
fn decode_method(
    line: &Tagged<'_>,
    outer: &[GenericParam],
    outer_predicates: &[Predicate],
    has_default: bool,
) -> Parsed<MethodDecl> {
    let (name, sig) = line.rest.split_once(' ').unwrap_or((line.rest, ""));
    let parsed = Parser::new(sig).fn_sig()?;
    let mut sig = parsed.sig;
    sig.own_generics_from = outer.len();
    sig.generics = outer.iter().cloned().chain(sig.generics).collect();
    sig.predicates = outer_predicates
        .iter()
        .cloned()
        .chain(sig.predicates)
        .collect();
    Ok(MethodDecl {
        name: name.to_string(),
        sig,
        unsized_params: parsed.unsized_params,
        has_default,
        stable: !line.unstable,
    })
}

/// `Name`, `Name<'a>`, `Name:Bound+Bound`, `Name=Default`, in that order; a leading `?` when
/// it is declared `?Sized`.
fn decode_assoc_type(line: &Tagged<'_>) -> Parsed<AssocTypeDecl> {
    let mut parser = Parser::new(line.rest);
    let maybe_unsized = parser.eat("?");
    let name = parser.name()?.to_string();
    let mut generics = Vec::new();
    if parser.eat("<") {
        generics = parser.generics(">")?.0;
        parser.eat(">");
    }
    let mut bounds = Vec::new();
    if parser.eat(":") {
        loop {
            bounds.push(parser.trait_ref()?);
            if !parser.eat("+") {
                break;
            }
        }
    }
    let default = if parser.eat("=") {
        Some(parser.ty()?)
    } else {
        None
    };
    Ok(AssocTypeDecl {
        name,
        generics,
        bounds,
        default,
        stable: !line.unstable,
        known_sized: !maybe_unsized,
    })
}

fn decode_const(line: &Tagged<'_>, has_default: bool) -> Parsed<AssocConst> {
    let (name, ty) = line.rest.split_once(' ').unwrap_or((line.rest, "?"));
    Ok(AssocConst {
        name: name.to_string(),
        ty: Parser::new(ty).ty()?,
        has_default,
        stable: !line.unstable,
    })
}

fn decode_trait(entry: &Entry, active: &dyn Fn(Option<u32>) -> bool) -> Parsed<TraitData> {
    let mut words = entry.rest.split(' ');
    let path = words.next().unwrap_or("").to_string();
    let flags: Vec<&str> = words.collect();
    let mut data = TraitData {
        key: entry.key.to_string(),
        path,
        generics: Vec::new(),
        unsized_params: Vec::new(),
        supertraits: Vec::new(),
        predicates: Vec::new(),
        assoc_types: Vec::new(),
        consts: Vec::new(),
        methods: Vec::new(),
        is_auto: flags.contains(&"auto"),
        is_unsafe: flags.contains(&"unsafe"),
        stable: !entry.unstable,
    };
    for line in body_lines(entry, active) {
        match line.tag {
            'g' => (data.generics, data.unsized_params) = parse_generics(line.rest)?,
            'w' => data.predicates.push(Parser::new(line.rest).predicate()?),
            's' => data.supertraits.push(Parser::new(line.rest).trait_ref()?),
            'a' => data.assoc_types.push(decode_assoc_type(&line)?),
            'k' | 'K' => data.consts.push(decode_const(&line, line.tag == 'K')?),
            'm' | 'd' => data.methods.push(decode_method(
                &line,
                &data.generics,
                &data.predicates,
                line.tag == 'd',
            )?),
            _ => {}
        }
    }
    Ok(data)
}

fn decode_impl(entry: &Entry, active: &dyn Fn(Option<u32>) -> bool) -> Parsed<ImplData> {
    let mut data = ImplData {
        generics: Vec::new(),
        unsized_params: Vec::new(),
        predicates: Vec::new(),
        trait_ref: None,
        self_ty: Ty::Unknown(None),
        assoc_types: Vec::new(),
        consts: Vec::new(),
        methods: Vec::new(),
        negative: entry.rest.split(' ').nth(1) == Some("negative"),
        stable: !entry.unstable,
    };
    for line in body_lines(entry, active) {
        match line.tag {
            'g' => (data.generics, data.unsized_params) = parse_generics(line.rest)?,
            'w' => data.predicates.push(Parser::new(line.rest).predicate()?),
            't' => data.trait_ref = Some(Parser::new(line.rest).trait_ref()?),
            's' => data.self_ty = Parser::new(line.rest).ty()?,
            'a' => {
                let (name, ty) = line.rest.split_once(' ').unwrap_or((line.rest, "?"));
                data.assoc_types
                    .push((name.to_string(), Parser::new(ty).ty()?));
            }
            'k' => data.consts.push(decode_const(&line, true)?),
            'm' => data.methods.push(decode_method(
                &line,
                &data.generics,
                &data.predicates,
                true,
            )?),
            _ => {}
        }
    }
    Ok(data)
}

fn decode_macro(entry: &Entry, active: &dyn Fn(Option<u32>) -> bool) -> Option<String> {
    let line = body_lines(entry, active).find(|line| line.tag == '=')?;
    Some(unescape_line(line.rest))
}

/// Writes text on one line: `\` and newlines escaped.
pub fn escape_line(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

pub fn unescape_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

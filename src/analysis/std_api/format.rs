//! The std API table's text syntax for types, trait references, generics and signatures:
//! one writer (used by the generator) and one small parser (used at run time), side by side.
//!
//! Types: primitives by name (`u8`, `str`, `!`), `()`/`(A,)`/`(A,B)`, `[T]`, `[T;4]`, `[T;_]`,
//! `&T`, `&mut T`, `*const T`, `*mut T`, `@Key<A,B>` (std types and aliases by key), `$T`
//! (generic parameters, `$Self` too), `<T as @Tr<A>>::Name` and `<T>::Name` (projections),
//! `dyn(Tr+Tr)`, `impl(Tr+Tr)`, `fn(A,B)->R`, `?` and `?"text"` (unknown). Trait references:
//! `Key`, `Key<A,B>`, `Key<A|Item=B>`. Generics: `'a,T,U?,A=@Global,#N:usize` (`?` marks a
//! `?Sized` parameter, `#` a const one). Signatures:
//! `unsafe const fn<T>(&self,$T)->@Option<$T> where $T:Clone`.

use crate::analysis::ty::{
    Bounds, FloatTy, FnSig, GenericKind, GenericParam, IntTy, Predicate, Projection, Receiver,
    TraitRef, Ty,
};

/// Deepest nesting the parser follows; std's deepest type is far shallower.
const MAX_DEPTH: usize = 64;

pub fn write_ty(ty: &Ty, out: &mut String) {
    match ty {
        Ty::Int(int) => out.push_str(int.name()),
        Ty::Float(float) => out.push_str(float.name()),
        Ty::Bool => out.push_str("bool"),
        Ty::Char => out.push_str("char"),
        Ty::Str => out.push_str("str"),
        Ty::Never => out.push('!'),
        Ty::Tuple(items) => {
            out.push('(');
            write_list(items, out);
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Ty::Array(element, len) => {
            out.push('[');
            write_ty(element, out);
            match len {
                Some(len) => out.push_str(&format!(";{len}]")),
                None => out.push_str(";_]"),
            }
        }
        Ty::Slice(element) => {
            out.push('[');
            write_ty(element, out);
            out.push(']');
        }
        Ty::Ref { mutable, pointee } => {
            out.push_str(if *mutable { "&mut " } else { "&" });
            write_ty(pointee, out);
        }
        Ty::Ptr { mutable, pointee } => {
            out.push_str(if *mutable { "*mut " } else { "*const " });
            write_ty(pointee, out);
        }
        Ty::Adt { name, args } => {
            out.push('@');
            out.push_str(name);
            write_args(args, out);
        }
        Ty::Dyn(bounds) => write_bounds("dyn", bounds, out),
        Ty::Opaque(bounds) => write_bounds("impl", bounds, out),
        Ty::Assoc(projection) => write_projection(projection, out),
        Ty::FnPtr { params, ret } => {
            out.push_str("fn(");
            write_list(params, out);
            out.push_str(")->");
            write_ty(ret, out);
        }
        Ty::Param(name) => {
            out.push('$');
            out.push_str(name);
        }
        Ty::Unknown(Some(text)) => {
            out.push_str("?\"");
            write_escaped(text, out);
            out.push('"');
        }
        // Closures, fn items and inference variables never occur in std's declarations.
        Ty::Unknown(None) | Ty::FnItem(_) | Ty::Closure { .. } | Ty::Infer(_) => out.push('?'),
    }
}

fn write_list(items: &[Ty], out: &mut String) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        write_ty(item, out);
    }
}

fn write_args(args: &[Ty], out: &mut String) {
    if !args.is_empty() {
        out.push('<');
        write_list(args, out);
        out.push('>');
    }
}

fn write_bounds(keyword: &str, bounds: &Bounds, out: &mut String) {
    out.push_str(keyword);
    out.push('(');
    for (index, bound) in bounds.traits.iter().enumerate() {
        if index > 0 {
            out.push('+');
        }
        write_trait_ref(bound, out);
    }
    out.push(')');
}

fn write_projection(projection: &Projection, out: &mut String) {
    out.push('<');
    write_ty(&projection.base, out);
    if let Some(trait_ref) = &projection.trait_ref {
        out.push_str(" as ");
        write_trait_ref(trait_ref, out);
    }
    out.push_str(">::");
    out.push_str(&projection.name);
}

fn write_escaped(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
}

pub fn write_trait_ref(trait_ref: &TraitRef, out: &mut String) {
    out.push_str(&trait_ref.key);
    if trait_ref.args.is_empty() && trait_ref.bindings.is_empty() {
        return;
    }
    out.push('<');
    write_list(&trait_ref.args, out);
    if !trait_ref.bindings.is_empty() {
        out.push('|');
        for (index, (name, ty)) in trait_ref.bindings.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            out.push_str(name);
            out.push('=');
            write_ty(ty, out);
        }
    }
    out.push('>');
}

/// Generic parameters; those named in `unsized_params` are written with `?`.
pub fn write_generics(params: &[GenericParam], unsized_params: &[String], out: &mut String) {
    for (index, param) in params.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        match &param.kind {
            GenericKind::Lifetime => {
                out.push('\'');
                out.push_str(&param.name);
            }
            GenericKind::Const { ty } => {
                out.push('#');
                out.push_str(&param.name);
                out.push(':');
                write_ty(ty, out);
            }
            GenericKind::Type { default } => {
                out.push_str(&param.name);
                if unsized_params.contains(&param.name) {
                    out.push('?');
                }
                if let Some(default) = default {
                    out.push('=');
                    write_ty(default, out);
                }
            }
        }
    }
}

pub fn write_predicate(predicate: &Predicate, out: &mut String) {
    write_ty(&predicate.subject, out);
    out.push(':');
    write_trait_ref(&predicate.bound, out);
}

/// A function's own part of a signature: generics after the enclosing impl's or trait's
/// (`own_generics_from` onwards), its own predicates (`own_predicates_from` onwards).
pub fn write_fn_sig(
    sig: &FnSig,
    own_predicates_from: usize,
    unsized_params: &[String],
    out: &mut String,
) {
    if sig.is_unsafe {
        out.push_str("unsafe ");
    }
    if sig.is_const {
        out.push_str("const ");
    }
    out.push_str("fn");
    let own = &sig.generics[sig.own_generics_from.min(sig.generics.len())..];
    if !own.is_empty() {
        out.push('<');
        write_generics(own, unsized_params, out);
        out.push('>');
    }
    out.push('(');
    let mut first = true;
    if let Some(receiver) = &sig.receiver {
        write_receiver(receiver, out);
        first = false;
    }
    for param in &sig.params {
        if !first {
            out.push(',');
        }
        first = false;
        write_ty(param, out);
    }
    out.push(')');
    if sig.ret != Ty::unit() {
        out.push_str("->");
        write_ty(&sig.ret, out);
    }
    let own_predicates = &sig.predicates[own_predicates_from.min(sig.predicates.len())..];
    for (index, predicate) in own_predicates.iter().enumerate() {
        out.push_str(if index == 0 { " where " } else { ", " });
        write_predicate(predicate, out);
    }
}

fn write_receiver(receiver: &Receiver, out: &mut String) {
    match receiver {
        Receiver::Value => out.push_str("self"),
        Receiver::Ref => out.push_str("&self"),
        Receiver::RefMut => out.push_str("&mut self"),
        Receiver::Typed(ty) => {
            out.push_str("self:");
            write_ty(ty, out);
        }
    }
}

/// Why a piece of the table did not parse: the byte offset in the text parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub offset: usize,
    pub expected: &'static str,
}

pub type Parsed<T> = Result<T, FormatError>;

/// A signature as parsed: `own_generics_from` is 0 and the caller prepends the enclosing
/// impl's or trait's generics and predicates.
#[derive(Clone, Debug)]
pub struct ParsedSig {
    pub sig: FnSig,
    pub unsized_params: Vec<String>,
}

/// A cursor over one piece of table text.
pub struct Parser<'t> {
    text: &'t str,
    pos: usize,
    depth: usize,
}

impl<'t> Parser<'t> {
    pub fn new(text: &'t str) -> Parser<'t> {
        Parser {
            text,
            pos: 0,
            depth: 0,
        }
    }

    pub fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    pub fn at_end(&mut self) -> bool {
        self.skip_spaces();
        self.pos >= self.text.len()
    }

    fn error<T>(&self, expected: &'static str) -> Parsed<T> {
        Err(FormatError {
            offset: self.pos,
            expected,
        })
    }

    fn skip_spaces(&mut self) {
        let skipped = self.rest().len() - self.rest().trim_start_matches(' ').len();
        self.pos += skipped;
    }

    /// Consumes `token` (after spaces) when the text continues with it.
    pub fn eat(&mut self, token: &str) -> bool {
        self.skip_spaces();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            return true;
        }
        false
    }

    /// Consumes a keyword only when no identifier character follows it.
    fn eat_word(&mut self, word: &str) -> bool {
        self.skip_spaces();
        let rest = self.rest();
        let follows_word = rest[word.len().min(rest.len())..]
            .starts_with(|c: char| c.is_alphanumeric() || c == '_');
        if rest.starts_with(word) && !follows_word {
            self.pos += word.len();
            return true;
        }
        false
    }

    fn expect(&mut self, token: &'static str) -> Parsed<()> {
        if self.eat(token) {
            Ok(())
        } else {
            self.error(token)
        }
    }

    /// An identifier-like run: names, and keys with `::`.
    fn word(&mut self, allow_path: bool) -> Parsed<&'t str> {
        self.skip_spaces();
        let rest = self.rest();
        let mut end = 0;
        let bytes = rest.as_bytes();
        while end < bytes.len() {
            let b = bytes[end];
            if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 {
                end += 1;
            } else if allow_path && b == b':' && bytes.get(end + 1) == Some(&b':') {
                end += 2;
            } else {
                break;
            }
        }
        // A key may not end with `::` (that is a projection's `>::`).
        while rest[..end].ends_with("::") {
            end -= 2;
        }
        if end == 0 {
            return self.error("a name");
        }
        self.pos += end;
        Ok(&rest[..end])
    }

    pub fn name(&mut self) -> Parsed<&'t str> {
        self.word(false)
    }

    pub fn key(&mut self) -> Parsed<&'t str> {
        self.skip_spaces();
        if self.rest().starts_with('?') {
            // An unresolved trait: `?` and the path as written.
            self.pos += 1;
            let path = self.word(true)?;
            return Ok(&self.text[self.pos - path.len() - 1..self.pos]);
        }
        self.word(true)
    }

    fn enter(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error("shallower nesting");
        }
        Ok(())
    }

    pub fn ty(&mut self) -> Parsed<Ty> {
        self.enter()?;
        let ty = self.ty_inner();
        self.depth -= 1;
        ty
    }

    fn ty_inner(&mut self) -> Parsed<Ty> {
        self.skip_spaces();
        let Some(first) = self.rest().chars().next() else {
            return self.error("a type");
        };
        match first {
            '(' => self.tuple(),
            '[' => self.array_or_slice(),
            '&' => self.reference(),
            '*' => self.pointer(),
            '@' => {
                self.pos += 1;
                let name = self.key()?.to_string();
                let args = self.type_args()?;
                Ok(Ty::Adt { name, args })
            }
            '$' => {
                self.pos += 1;
                Ok(Ty::Param(self.name()?.to_string()))
            }
            '<' => self.projection(),
            '!' => {
                self.pos += 1;
                Ok(Ty::Never)
            }
            '?' => self.unknown(),
            _ => self.named_ty(),
        }
    }

    fn tuple(&mut self) -> Parsed<Ty> {
        self.expect("(")?;
        let mut items = Vec::new();
        while !self.eat(")") {
            items.push(self.ty()?);
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        Ok(Ty::Tuple(items))
    }

    fn array_or_slice(&mut self) -> Parsed<Ty> {
        self.expect("[")?;
        let element = Box::new(self.ty()?);
        if self.eat("]") {
            return Ok(Ty::Slice(element));
        }
        self.expect(";")?;
        let len = if self.eat("_") {
            None
        } else {
            Some(self.number()?)
        };
        self.expect("]")?;
        Ok(Ty::Array(element, len))
    }

    fn number(&mut self) -> Parsed<u64> {
        let digits = self.name()?;
        digits.parse().or_else(|_| self.error("a number"))
    }

    fn reference(&mut self) -> Parsed<Ty> {
        self.expect("&")?;
        let mutable = self.eat_word("mut");
        let pointee = Box::new(self.ty()?);
        Ok(Ty::Ref { mutable, pointee })
    }

    fn pointer(&mut self) -> Parsed<Ty> {
        self.expect("*")?;
        let mutable = if self.eat_word("mut") {
            true
        } else if self.eat_word("const") {
            false
        } else {
            return self.error("mut or const");
        };
        let pointee = Box::new(self.ty()?);
        Ok(Ty::Ptr { mutable, pointee })
    }

    fn projection(&mut self) -> Parsed<Ty> {
        self.expect("<")?;
        let base = self.ty()?;
        let trait_ref = if self.eat_word("as") {
            Some(self.trait_ref()?)
        } else {
            None
        };
        self.expect(">::")?;
        let name = self.name()?.to_string();
        Ok(Ty::Assoc(Box::new(Projection {
            base,
            trait_ref,
            name,
        })))
    }

    fn unknown(&mut self) -> Parsed<Ty> {
        self.expect("?")?;
        if !self.rest().starts_with('"') {
            return Ok(Ty::Unknown(None));
        }
        self.pos += 1;
        let mut text = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((offset, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += offset + 1;
                    return Ok(Ty::Unknown(Some(text)));
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => text.push('\n'),
                    Some((_, other)) => text.push(other),
                    None => break,
                },
                other => text.push(other),
            }
        }
        self.error("a closing quote")
    }

    fn named_ty(&mut self) -> Parsed<Ty> {
        if self.eat_word("dyn") {
            return Ok(Ty::Dyn(self.bounds()?));
        }
        if self.eat_word("impl") {
            return Ok(Ty::Opaque(self.bounds()?));
        }
        if self.eat_word("fn") {
            return self.fn_ptr();
        }
        let name = self.name()?;
        primitive(name).map_or_else(|| self.error("a primitive type"), Ok)
    }

    fn fn_ptr(&mut self) -> Parsed<Ty> {
        self.expect("(")?;
        let mut params = Vec::new();
        while !self.eat(")") {
            params.push(self.ty()?);
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        self.expect("->")?;
        let ret = Box::new(self.ty()?);
        Ok(Ty::FnPtr { params, ret })
    }

    fn bounds(&mut self) -> Parsed<Bounds> {
        self.expect("(")?;
        let mut traits = Vec::new();
        while !self.eat(")") {
            traits.push(self.trait_ref()?);
            if !self.eat("+") {
                self.expect(")")?;
                break;
            }
        }
        let text = traits
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" + ");
        Ok(Bounds { traits, text })
    }

    fn type_args(&mut self) -> Parsed<Vec<Ty>> {
        let mut args = Vec::new();
        if !self.eat("<") {
            return Ok(args);
        }
        while !self.eat(">") {
            args.push(self.ty()?);
            if !self.eat(",") {
                self.expect(">")?;
                break;
            }
        }
        Ok(args)
    }

    pub fn trait_ref(&mut self) -> Parsed<TraitRef> {
        self.enter()?;
        let parsed = self.trait_ref_inner();
        self.depth -= 1;
        parsed
    }

    fn trait_ref_inner(&mut self) -> Parsed<TraitRef> {
        let key = self.key()?.to_string();
        let mut trait_ref = TraitRef {
            key,
            args: Vec::new(),
            bindings: Vec::new(),
        };
        if !self.eat("<") {
            return Ok(trait_ref);
        }
        loop {
            if self.eat(">") {
                return Ok(trait_ref);
            }
            if self.eat("|") {
                break;
            }
            trait_ref.args.push(self.ty()?);
            if !self.eat(",") && !self.rest().starts_with('|') {
                self.expect(">")?;
                return Ok(trait_ref);
            }
        }
        while !self.eat(">") {
            let name = self.name()?.to_string();
            self.expect("=")?;
            trait_ref.bindings.push((name, self.ty()?));
            if !self.eat(",") {
                self.expect(">")?;
                break;
            }
        }
        Ok(trait_ref)
    }

    /// A generics list up to (not including) `terminator`, or the end of the text.
    pub fn generics(&mut self, terminator: &str) -> Parsed<(Vec<GenericParam>, Vec<String>)> {
        let mut params = Vec::new();
        let mut unsized_params = Vec::new();
        loop {
            self.skip_spaces();
            if self.rest().is_empty() || self.rest().starts_with(terminator) {
                return Ok((params, unsized_params));
            }
            params.push(self.generic_param(&mut unsized_params)?);
            if !self.eat(",") {
                return Ok((params, unsized_params));
            }
        }
    }

    fn generic_param(&mut self, unsized_params: &mut Vec<String>) -> Parsed<GenericParam> {
        if self.eat("'") {
            let name = self.name()?.to_string();
            let kind = GenericKind::Lifetime;
            return Ok(GenericParam { name, kind });
        }
        if self.eat("#") {
            let name = self.name()?.to_string();
            self.expect(":")?;
            let kind = GenericKind::Const { ty: self.ty()? };
            return Ok(GenericParam { name, kind });
        }
        let name = self.name()?.to_string();
        if self.eat("?") {
            unsized_params.push(name.clone());
        }
        let default = if self.eat("=") {
            Some(self.ty()?)
        } else {
            None
        };
        let kind = GenericKind::Type { default };
        Ok(GenericParam { name, kind })
    }

    pub fn predicate(&mut self) -> Parsed<Predicate> {
        let subject = self.ty()?;
        self.expect(":")?;
        let bound = self.trait_ref()?;
        Ok(Predicate { subject, bound })
    }

    pub fn fn_sig(&mut self) -> Parsed<ParsedSig> {
        let is_unsafe = self.eat_word("unsafe");
        let is_const = self.eat_word("const");
        if !self.eat_word("fn") {
            return self.error("fn");
        }
        let (generics, unsized_params) = if self.eat("<") {
            let parsed = self.generics(">")?;
            self.expect(">")?;
            parsed
        } else {
            (Vec::new(), Vec::new())
        };
        self.expect("(")?;
        let receiver = self.receiver()?;
        let mut params = Vec::new();
        if receiver.is_some() && !self.eat(",") {
            self.expect(")")?;
        } else {
            while !self.eat(")") {
                params.push(self.ty()?);
                if !self.eat(",") {
                    self.expect(")")?;
                    break;
                }
            }
        }
        let ret = if self.eat("->") {
            self.ty()?
        } else {
            Ty::unit()
        };
        let mut predicates = Vec::new();
        if self.eat_word("where") {
            loop {
                predicates.push(self.predicate()?);
                if !self.eat(",") {
                    break;
                }
            }
        }
        let sig = FnSig {
            generics,
            own_generics_from: 0,
            predicates,
            receiver,
            params,
            ret,
            is_unsafe,
            is_const,
        };
        Ok(ParsedSig {
            sig,
            unsized_params,
        })
    }

    fn receiver(&mut self) -> Parsed<Option<Receiver>> {
        if self.eat("&mut self") {
            return Ok(Some(Receiver::RefMut));
        }
        if self.eat("&self") {
            return Ok(Some(Receiver::Ref));
        }
        if !self.eat_word("self") {
            return Ok(None);
        }
        if self.eat(":") {
            return Ok(Some(Receiver::Typed(self.ty()?)));
        }
        Ok(Some(Receiver::Value))
    }
}

/// The primitive type a name denotes (`f16` and `f128`, which the vocabulary lacks, are not).
pub fn primitive(name: &str) -> Option<Ty> {
    if let Some(int) = IntTy::from_name(name) {
        return Some(Ty::Int(int));
    }
    Some(match name {
        "f32" => Ty::Float(FloatTy::F32),
        "f64" => Ty::Float(FloatTy::F64),
        "bool" => Ty::Bool,
        "char" => Ty::Char,
        "str" => Ty::Str,
        _ => return None,
    })
}

/// Parses one whole type.
pub fn parse_ty(text: &str) -> Parsed<Ty> {
    let mut parser = Parser::new(text);
    let ty = parser.ty()?;
    if !parser.at_end() {
        return parser.error("the end of the type");
    }
    Ok(ty)
}

pub fn ty_text(ty: &Ty) -> String {
    let mut out = String::new();
    write_ty(ty, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) {
        let ty = parse_ty(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(ty_text(&ty), text);
    }

    #[test]
    fn types_round_trip() {
        for text in [
            "u8",
            "()",
            "(u8,)",
            "(u8,&mut str)",
            "[$T]",
            "[$T;4]",
            "[$T;_]",
            "*const [u8]",
            "@Option<<$Self as Iterator>::Item>",
            "<$I>::Item",
            "@Box<dyn(Any+Send),@Global>",
            "impl(FnMut<($T,)|Output=bool>)",
            "fn(u8,char)->!",
            "?\"Rc<\\\"x\\\">\"",
            "?",
            "@io::Result<()>",
        ] {
            round_trip(text);
        }
    }

    #[test]
    fn signatures_round_trip() {
        for text in [
            "fn(&self)->@Option<$T>",
            "unsafe const fn<'a,U?,#N:usize>(self:@Box<$Self>,$U)->$U where $U:Clone, $U:Into<u8>",
            "fn()",
            "fn(&mut self,u8)",
        ] {
            let parsed = Parser::new(text).fn_sig().expect(text);
            let mut out = String::new();
            write_fn_sig(&parsed.sig, 0, &parsed.unsized_params, &mut out);
            assert_eq!(out, text);
        }
    }
}

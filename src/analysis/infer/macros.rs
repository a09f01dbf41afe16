//! Macro calls in expressions and statements: std's macros are typed as their expansion is
//! (`format!` is a `String`, `panic!` diverges, `write!` is the destination's `write_fmt`), the
//! crate's `macro_rules!` macros by expanding them; anything else is unknown, never `()`.

use syn::parse::Parser;
use syn::punctuated::Punctuated;

use super::InferCtx;
use super::pat::BindingMode;
use crate::analysis::items::def_map::{CrateId, MacroRef, Namespace, Res, StdDef};
use crate::analysis::items::item_tree::path_ref;
use crate::analysis::syntax::macro_rules::MacroRules;
use crate::analysis::syntax::respan::parse_rules_text;
use crate::analysis::ty::{IntTy, Ty};

/// The arguments of a macro call, as comma-separated expressions.
fn comma_exprs(tokens: &proc_macro2::TokenStream) -> Option<Vec<syn::Expr>> {
    let parsed = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated.parse2(tokens.clone());
    parsed.ok().map(|list| list.into_iter().collect())
}

/// What a macro path names, as far as typing it goes.
enum MacroKind {
    /// One of std's, by name.
    Std(String),
    /// A `macro_rules!` of a crate of the graph.
    Crate(CrateId, MacroRef),
    /// A `macro_rules!` defined in the body, by its index among the body's macros.
    Local(usize),
    Unknown,
}

/// Bounds on expansion in one body: nesting (rustc allows 128; real code stays far below) and
/// the number of expansions.
const MAX_EXPANSION_DEPTH: usize = 64;
const MAX_EXPANSIONS: usize = 4096;

impl InferCtx<'_> {
    pub(super) fn check_macro(&mut self, mac: &syn::Macro, expected: Option<&Ty>) -> Ty {
        match self.macro_kind(&mac.path) {
            MacroKind::Std(name) => self.check_std_macro(&name, &mac.tokens, expected),
            MacroKind::Crate(krate, macro_ref) => {
                self.check_crate_macro(krate, macro_ref, &mac.tokens, expected)
            }
            MacroKind::Local(index) => {
                let rules = self.local_macros[index].1.clone();
                self.check_expansion_of(&rules, &quote::quote!(crate), &mac.tokens, expected)
            }
            MacroKind::Unknown => {
                // A macro memlens cannot expand may do anything with what it is given.
                self.poison_locals_named_in(&mac.tokens);
                Ty::Unknown(None)
            }
        }
    }

    fn macro_kind(&self, path: &syn::Path) -> MacroKind {
        let name = path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if path.segments.len() == 1
            && let Some(index) = self.local_macros.iter().rposition(|(n, _)| *n == name)
        {
            return MacroKind::Local(index);
        }
        let resolved = self
            .lowerer
            .scope
            .resolve_path(&path_ref(path), Namespace::Macros)
            .map(|r| r.res);
        match resolved {
            Some(Res::Std(StdDef::Macro(std_name))) => MacroKind::Std(std_name),
            Some(Res::Macro(krate, macro_ref)) => MacroKind::Crate(krate, macro_ref),
            Some(_) => MacroKind::Unknown,
            // std's macros are in every crate's prelude; the std table may not list them all.
            None if is_std_macro(&name) => MacroKind::Std(name),
            None => MacroKind::Unknown,
        }
    }

    /// A crate macro: expanded, and its expansion typed in place (an expression, or statements
    /// in the enclosing block).
    fn check_crate_macro(
        &mut self,
        krate: CrateId,
        macro_ref: MacroRef,
        tokens: &proc_macro2::TokenStream,
        expected: Option<&Ty>,
    ) -> Ty {
        if self.expansion_depth >= MAX_EXPANSION_DEPTH || self.expansions >= MAX_EXPANSIONS {
            return Ty::Unknown(None);
        }
        let Some(rules) = self.macro_rules_of(krate, macro_ref) else {
            return Ty::Unknown(None);
        };
        let crate_path = self.dollar_crate(krate);
        self.check_expansion_of(&rules, &crate_path, tokens, expected)
    }

    /// Expands one call with `rules` and types the expansion in place.
    fn check_expansion_of(
        &mut self,
        rules: &MacroRules,
        crate_path: &proc_macro2::TokenStream,
        tokens: &proc_macro2::TokenStream,
        expected: Option<&Ty>,
    ) -> Ty {
        if self.expansion_depth >= MAX_EXPANSION_DEPTH || self.expansions >= MAX_EXPANSIONS {
            self.poison_locals_named_in(tokens);
            return Ty::Unknown(None);
        }
        let Ok(expanded) = rules.expand(tokens.clone(), crate_path) else {
            self.poison_locals_named_in(tokens);
            return Ty::Unknown(None);
        };
        self.expansions += 1;
        self.expansion_depth += 1;
        let ty = self.check_expansion(expanded, expected);
        self.expansion_depth -= 1;
        ty
    }

    /// `macro_rules! name { .. }` written in the body: callable after it, within the body.
    pub(super) fn define_local_macro(&mut self, item: &syn::ItemMacro) {
        let Some(ident) = &item.ident else {
            return;
        };
        if !item.mac.path.is_ident("macro_rules") {
            return;
        }
        let edition = self
            .lowerer
            .scope
            .def_map()
            .map_or(Default::default(), |map| map.edition);
        let tokens = crate::analysis::syntax::respan::respanned(item.mac.tokens.clone());
        if let Ok(rules) = MacroRules::parse(tokens, edition) {
            self.local_macros.push((ident.to_string(), rules));
        }
    }

    /// Every local whose name appears among `tokens` may have been used in any way.
    fn poison_locals_named_in(&mut self, tokens: &proc_macro2::TokenStream) {
        let mut names = Vec::new();
        collect_idents(tokens, &mut names, 0);
        for name in names {
            if let Some(index) = self.locals.iter().rposition(|local| local.name == name) {
                let ty = self.locals[index].ty.clone();
                self.poison(&ty);
            }
        }
    }

    fn check_expansion(&mut self, tokens: proc_macro2::TokenStream, expected: Option<&Ty>) -> Ty {
        if let Ok(expr) = syn::parse2::<syn::Expr>(tokens.clone()) {
            return self.check_expr(&expr, expected);
        }
        match syn::Block::parse_within.parse2(tokens) {
            Ok(stmts) => self.check_stmts(&stmts, expected),
            Err(_) => Ty::Unknown(None),
        }
    }

    /// What `$crate` means for a macro of `krate`, seen from the crate being analysed.
    fn dollar_crate(&self, krate: CrateId) -> proc_macro2::TokenStream {
        let own = self.lowerer.scope.krate;
        match self.world.graph.crate_map(krate) {
            Some(map) if krate != own => {
                let name = proc_macro2::Ident::new(&map.name, proc_macro2::Span::call_site());
                quote::quote!(::#name)
            }
            _ => quote::quote!(crate),
        }
    }

    /// A crate macro's rules, parsed once per body. The definition's tokens take the call
    /// site's span: only tokens the call wrote keep positions in the file.
    fn macro_rules_of(&mut self, krate: CrateId, macro_ref: MacroRef) -> Option<MacroRules> {
        if let Some(cached) = self.macro_cache.get(&(krate, macro_ref)) {
            return cached.clone();
        }
        let map = self.world.graph.crate_map(krate)?;
        let parsed = map
            .macro_def(macro_ref)
            .and_then(|def| parse_rules_text(&def.body, map.edition));
        self.macro_cache.insert((krate, macro_ref), parsed.clone());
        parsed
    }

    fn check_std_macro(
        &mut self,
        name: &str,
        tokens: &proc_macro2::TokenStream,
        expected: Option<&Ty>,
    ) -> Ty {
        let name = name.rsplit("::").next().unwrap_or(name);
        match name {
            "vec" => self.check_vec_macro(tokens, expected),
            "format" => {
                self.check_format_args(tokens, 0);
                Ty::string()
            }
            "print" | "println" | "eprint" | "eprintln" => {
                self.check_format_args(tokens, 0);
                Ty::unit()
            }
            "write" | "writeln" => self.check_write_macro(tokens),
            "panic" | "unreachable" | "todo" | "unimplemented" | "compile_error" => {
                self.check_format_args(tokens, 0);
                Ty::Never
            }
            "assert" | "debug_assert" => {
                if let Some(args) = comma_exprs(tokens)
                    && let Some(cond) = args.first()
                {
                    self.check_coerce(cond, &Ty::Bool);
                    self.check_format_args_of(&args[1..]);
                }
                Ty::unit()
            }
            "assert_eq" | "assert_ne" | "debug_assert_eq" | "debug_assert_ne" => {
                self.check_assert_eq(tokens);
                Ty::unit()
            }
            "matches" => {
                self.check_matches(tokens);
                Ty::Bool
            }
            "dbg" => self.check_dbg(tokens),
            "concat" | "stringify" | "file" | "module_path" | "env" | "include_str" => {
                Ty::shared_ref(Ty::Str)
            }
            "line" | "column" => Ty::Int(IntTy::U32),
            "cfg" => Ty::Bool,
            "option_env" => Ty::adt("Option", vec![Ty::shared_ref(Ty::Str)]),
            "format_args" | "const_format_args" => {
                self.check_format_args(tokens, 0);
                Ty::adt("Arguments", Vec::new())
            }
            "include_bytes" => Ty::shared_ref(Ty::Array(Box::new(Ty::Int(IntTy::U8)), None)),
            "try" => match syn::parse2::<syn::Expr>(tokens.clone()) {
                Ok(inner) => self.try_value(&inner),
                Err(_) => Ty::Unknown(None),
            },
            _ => Ty::Unknown(None),
        }
    }

    /// `vec![]`, `vec![a, b]`, `vec![x; n]`: a `Vec` of the elements' type.
    fn check_vec_macro(&mut self, tokens: &proc_macro2::TokenStream, expected: Option<&Ty>) -> Ty {
        let hint = match expected.map(|e| self.resolve(e)) {
            Some(Ty::Adt { name, args }) if name == "Vec" => args.first().cloned(),
            _ => None,
        };
        let element = hint.unwrap_or_else(|| self.new_var());
        if let Ok(repeat) = syn::parse2::<syn::ExprRepeat>(quote::quote!([#tokens])) {
            self.check_coerce(&repeat.expr, &element);
            self.check_expr(&repeat.len, Some(&Ty::Int(IntTy::Usize)));
            return Ty::vec_of(element);
        }
        match comma_exprs(tokens) {
            Some(items) => {
                for item in &items {
                    self.check_coerce(item, &element);
                }
                Ty::vec_of(element)
            }
            None => Ty::Unknown(None),
        }
    }

    /// A format macro's arguments after `skip` leading ones and the format string.
    fn check_format_args(&mut self, tokens: &proc_macro2::TokenStream, skip: usize) {
        if let Some(args) = comma_exprs(tokens) {
            let rest = args.get(skip + 1..).unwrap_or_default();
            self.check_format_args_of(rest);
        }
    }

    fn check_format_args_of(&mut self, args: &[syn::Expr]) {
        for arg in args {
            match arg {
                // `name = value`.
                syn::Expr::Assign(assign) => {
                    self.check_expr(&assign.right, None);
                }
                other => {
                    self.check_expr(other, None);
                }
            }
        }
    }

    /// `write!(dst, ..)` is `dst.write_fmt(format_args!(..))`.
    fn check_write_macro(&mut self, tokens: &proc_macro2::TokenStream) -> Ty {
        let Some(args) = comma_exprs(tokens) else {
            return Ty::Unknown(None);
        };
        let Some(dst) = args.first() else {
            return Ty::Unknown(None);
        };
        let dst_ty = self.check_expr(dst, None);
        self.check_format_args_of(args.get(2..).unwrap_or_default());
        match self.lookup_method(&dst_ty, "write_fmt") {
            Some(pick) => {
                let generics = pick.sig.generics.clone();
                let given: Vec<(String, Ty)> = pick.subst.clone().into_iter().collect();
                let subst = self.fresh_substitution(&generics, &given);
                let (_, ret) = self.instantiate_sig(&pick.sig, &subst, pick.trait_key.as_deref());
                ret
            }
            None => Ty::Unknown(None),
        }
    }

    fn check_assert_eq(&mut self, tokens: &proc_macro2::TokenStream) {
        let Some(args) = comma_exprs(tokens) else {
            return;
        };
        let (Some(left), Some(right)) = (args.first(), args.get(1)) else {
            return;
        };
        let left_ty = self.check_expr(left, None);
        let right_ty = self.check_expr(right, Some(&left_ty));
        let (l, r) = (self.shallow(&left_ty), self.shallow(&right_ty));
        let numeric = super::expr::is_builtin_numeric(&l) && super::expr::is_builtin_numeric(&r);
        if numeric || matches!(l, Ty::Infer(_)) || matches!(r, Ty::Infer(_)) {
            self.unify(&left_ty, &right_ty);
        }
        self.check_format_args_of(args.get(2..).unwrap_or_default());
    }

    /// `matches!(expr, pattern if guard)`.
    fn check_matches(&mut self, tokens: &proc_macro2::TokenStream) {
        let parser = |input: syn::parse::ParseStream<'_>| {
            let expr: syn::Expr = input.parse()?;
            input.parse::<syn::Token![,]>()?;
            let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
            let guard = if input.peek(syn::Token![if]) {
                input.parse::<syn::Token![if]>()?;
                Some(input.parse::<syn::Expr>()?)
            } else {
                None
            };
            let _ = input.parse::<Option<syn::Token![,]>>();
            Ok((expr, pat, guard))
        };
        let Ok((expr, pat, guard)) = parser.parse2(tokens.clone()) else {
            return;
        };
        let scrutinee = self.check_expr(&expr, None);
        self.scoped(|cx| {
            cx.check_pat(&pat, &scrutinee, BindingMode::Move);
            if let Some(guard) = &guard {
                cx.check_coerce(guard, &Ty::Bool);
            }
        });
    }

    /// `dbg!(x)` is `x`; several arguments make a tuple; none is `()`.
    fn check_dbg(&mut self, tokens: &proc_macro2::TokenStream) -> Ty {
        let Some(args) = comma_exprs(tokens) else {
            return Ty::Unknown(None);
        };
        let mut types: Vec<Ty> = args.iter().map(|arg| self.check_expr(arg, None)).collect();
        match types.len() {
            0 => Ty::unit(),
            1 => types.remove(0),
            _ => Ty::Tuple(types),
        }
    }

    /// `try!(e)`: what `e?` gives.
    fn try_value(&mut self, inner: &syn::Expr) -> Ty {
        let ty = self.check_expr(inner, None);
        match self.resolve(&ty) {
            Ty::Adt { name, args } if name == "Result" || name == "Option" => {
                args.first().cloned().unwrap_or(Ty::Unknown(None))
            }
            _ => Ty::Unknown(None),
        }
    }
}

/// The identifiers in a token stream, at any depth (bounded).
fn collect_idents(tokens: &proc_macro2::TokenStream, out: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    for tree in tokens.clone() {
        match tree {
            proc_macro2::TokenTree::Ident(ident) => out.push(ident.to_string()),
            proc_macro2::TokenTree::Group(group) => collect_idents(&group.stream(), out, depth + 1),
            _ => {}
        }
    }
}

/// std's macros, which every crate can call unimported.
fn is_std_macro(name: &str) -> bool {
    matches!(
        name,
        "vec"
            | "format"
            | "print"
            | "println"
            | "eprint"
            | "eprintln"
            | "write"
            | "writeln"
            | "panic"
            | "unreachable"
            | "todo"
            | "unimplemented"
            | "compile_error"
            | "assert"
            | "debug_assert"
            | "assert_eq"
            | "assert_ne"
            | "debug_assert_eq"
            | "debug_assert_ne"
            | "matches"
            | "dbg"
            | "concat"
            | "stringify"
            | "file"
            | "module_path"
            | "env"
            | "include_str"
            | "line"
            | "column"
            | "cfg"
            | "option_env"
            | "format_args"
            | "include_bytes"
            | "try"
    )
}

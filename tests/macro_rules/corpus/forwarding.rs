// edition: 2021
// Fragments forwarded to a second macro: opaque to literal tokens, whole as one `tt`; doc
// comments and lifetimes as tokens; empty `vis`.
#![allow(unused)]

macro_rules! one_or_other { (1) => { "one" }; ($e:expr) => { "expr" }; ($($t:tt)*) => { "tts" }; }
macro_rules! forward_expr { ($e:expr) => { one_or_other!($e) }; }
macro_rules! forward_literal { ($l:literal) => { one_or_other!($l) }; }
macro_rules! forward_tt { ($t:tt) => { one_or_other!($t) }; }

macro_rules! one { ($t:tt) => { 1 }; }
macro_rules! count_tts { ($($t:tt)*) => { 0 $(+ one!($t))* }; }
macro_rules! count_forwarded { ($e:expr) => { count_tts!($e) }; }

macro_rules! ident_again { ($i:ident) => { ident_or_not!($i) }; }
macro_rules! ident_or_not { (x) => { "x" }; ($i:ident) => { "ident" }; }

macro_rules! life { ($l:lifetime) => { lifetime_tt! { $l } }; }
macro_rules! lifetime_tt { ($t:tt) => { fn f<$t>(x: &$t u8) -> &$t u8 { x } }; }

macro_rules! vis_item { ($v:vis fn $name:ident) => { $v fn $name() {} }; }

macro_rules! ty_forward { ($t:ty) => { ty_inner!($t) }; }
macro_rules! ty_inner { ($t:ty) => { Option<$t> }; }

macro_rules! crate_nested { () => { crate_inner!() }; }
macro_rules! crate_inner { () => { $crate::stringify_free(1) }; }

pub fn stringify_free<T>(t: T) -> T { t }

fn site_opacity() {
    let a = forward_expr!(1);
    let b = forward_literal!(1);
    let c = forward_tt!(1);
    let d = one_or_other!(1);
    let e = count_forwarded!(1 + 2 + 3);
    let f = count_tts!(/// doc
        a :: b => 'a);
}

fn site_idents() {
    let a = ident_again!(x);
    let b = ident_again!(y);
}

mod site_lifetimes {
    life!('a);
}

mod site_vis {
    vis_item!(fn private);
    vis_item!(pub fn public);
    vis_item!(pub(crate) fn in_crate);
}

fn site_types() {
    let a: ty_forward!(Vec<u8>) = None;
}

fn site_crate_paths() {
    let a = crate_nested!();
}

// edition: 2021
// Everyday macros: error propagation, counting, repetitions, fragments of every kind.
#![allow(unused)]

pub enum Error { Io, Parse(u32) }

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(error) => return Err(From::from(error)),
        }
    };
    ($e:expr, $fallback:expr $(,)?) => {
        match $e {
            Ok(value) => value,
            Err(_) => $fallback,
        }
    };
}

macro_rules! double { ($e:expr) => { $e * 2 }; }
macro_rules! negate { ($e:expr) => { -$e }; }
macro_rules! square_ty { ($t:ty) => { [$t; 2] }; }

macro_rules! hashmap {
    ($($key:expr => $value:expr),* $(,)?) => {{
        let mut map = Vec::new();
        $( map.push(($key, $value)); )*
        map
    }};
}

macro_rules! count_idents {
    () => { 0usize };
    ($head:ident $($tail:ident)*) => { 1usize + count_idents!($($tail)*) };
}

macro_rules! getters {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($field_vis:vis $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        $vis struct $name { $($field_vis $field: $ty),* }
        impl $name {
            $( pub fn $field(&self) -> &$ty { &self.$field } )*
        }
    };
}

macro_rules! with_lifetime {
    ($lt:lifetime, $t:ty) => { pub struct Holder<$lt> { pub inner: &$lt $t } };
}

macro_rules! lit_kind {
    ($l:literal) => { ("literal", $l) };
    ($i:ident) => { ("ident", stringify_free) };
}

macro_rules! call_path {
    ($p:path) => { $p(1) };
}

macro_rules! my_assert {
    ($cond:expr $(,)?) => { if !$cond { panic_free() } };
    ($cond:expr, $($arg:tt)+) => { if !$cond { panic_free_with(($($arg)+)) } };
}

macro_rules! crate_fn { () => { $crate::helper() }; }

macro_rules! matrix {
    ($([$($x:expr),*]),*) => { [$([$($x),*]),*] };
}

macro_rules! pair_up {
    ($($a:ident),* ; $($b:expr),*) => { [$(($a, $b)),*] };
}

macro_rules! pat_or { ($p:pat) => { matches!(x, $p) }; }
macro_rules! when { ($v:expr, $p:pat => $r:expr) => { match $v { $p => Some($r), _ => None } }; }

macro_rules! block_frag { ($b:block) => { { let result = $b; result } } }
macro_rules! stmt_frag { ($($s:stmt;)*) => { $($s;)* } }
macro_rules! item_frag { ($($i:item)*) => { $($i)* } }

macro_rules! optional {
    ($name:ident $(: $t:ty)? $(= $default:expr)?) => { let $name $(: $t)? $(= $default)?; };
}

macro_rules! keyword_ident { ($i:ident) => { let $i = 1; }; }

fn helper() -> u32 { 0 }
fn panic_free() {}
fn panic_free_with<T>(_: T) {}
const stringify_free: &str = "";

fn site_tri() -> Result<u32, Error> {
    let a = tri!(Ok::<u32, Error>(1));
    let b = tri!(Err::<u32, Error>(Error::Io), 7,);
    Ok(a + b)
}

fn site_precedence() {
    let a = double!(1 + 2);
    let b = negate!(3 - 4);
    let c = double!(double!(5 + 6) - 1);
    let d: square_ty!(u8) = [1, 2];
}

fn site_hashmap() {
    let m = hashmap! { "a" => 1, "b" => 2 + 3, };
    let empty: Vec<(u8, u8)> = hashmap! {};
}

fn site_count() {
    let n = count_idents!(a b c d e);
}

mod site_getters {
    getters! {
        /// A point.
        #[repr(C)]
        pub(crate) struct Point { pub x: i32, y: Vec<u8>, }
    }
}

mod site_lifetime {
    with_lifetime!('a, [u8]);
}

fn site_literals() {
    let a = lit_kind!(-1);
    let b = lit_kind!("text");
    let c = lit_kind!(true);
    let d = lit_kind!(x);
}

fn site_paths() {
    let a = call_path!(std::convert::identity);
    let b = call_path!(Some);
    let c = crate_fn!();
}

fn site_assert() {
    my_assert!(1 + 1 == 2);
    my_assert!(true, "message {}", 1);
}

fn site_matrix(a: u8, b: u8) {
    let m = matrix!([1, 2], [3, 4 + 5], []);
    let p = pair_up!(a, b; 1, 2 * 3);
}

fn site_patterns(x: Option<u8>) {
    let a = when!(x, Some(1 | 2) => 3);
    let b = when!(x, None => 0);
}

fn site_blocks() -> u32 {
    stmt_frag! { let a = 1; let b: u32 = a + 1; b; }
    block_frag!({ 1 + 2 })
}

mod site_items {
    item_frag! {
        pub fn one() -> u8 { 1 }
        struct Unit;
        impl Unit { const N: usize = 3; }
    }
}

fn site_optional() {
    optional!(a);
    optional!(b: u8);
    optional!(c = 3);
    optional!(d: Vec<u8> = Vec::new());
}

fn site_keyword_idents() {
    keyword_ident!(r#type);
    keyword_ident!(r#match);
}

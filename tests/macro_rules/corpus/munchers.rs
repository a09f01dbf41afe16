// edition: 2021
// Recursive macros: tt-munchers, internal rules, macros calling macros, item-position macros.
#![allow(unused)]

macro_rules! reverse {
    (@acc [$($acc:tt)*]) => { [$($acc),*] };
    (@acc [$($acc:tt)*] $head:tt $($rest:tt)*) => { reverse!(@acc [$head $($acc)*] $($rest)*) };
    ($($items:tt)*) => { reverse!(@acc [] $($items)*) };
}

macro_rules! count_tts {
    () => { 0 };
    ($odd:tt $($a:tt $b:tt)*) => { (count_tts!($($a)*) << 1) | 1 };
    ($($a:tt $even:tt)*) => { count_tts!($($a)*) << 1 };
}

macro_rules! json {
    (null) => { Value::Null };
    ([ $($elem:tt),* ]) => { Value::Array(vec_free(&[ $( json!($elem) ),* ])) };
    ({ $($key:literal : $value:tt),* }) => { Value::Object(vec_free(&[ $( ($key, json!($value)) ),* ])) };
    ($other:expr) => { Value::from($other) };
}

macro_rules! builder {
    (@fields $name:ident { } -> ($($done:tt)*)) => {
        pub struct $name { $($done)* }
    };
    (@fields $name:ident { $field:ident : $ty:ty = $default:expr, $($rest:tt)* } -> ($($done:tt)*)) => {
        builder!(@fields $name { $($rest)* } -> ($($done)* pub $field: $ty,));
    };
    (@fields $name:ident { $field:ident : $ty:ty, $($rest:tt)* } -> ($($done:tt)*)) => {
        builder!(@fields $name { $($rest)* } -> ($($done)* $field: $ty,));
    };
    ($name:ident { $($body:tt)* }) => { builder!(@fields $name { $($body)* } -> ()); };
}

macro_rules! cfg_rt {
    ($($item:item)*) => {
        $(
            #[allow(dead_code)]
            $item
        )*
    };
}

macro_rules! impl_from {
    ($($from:ty => $to:ident),* $(,)?) => {
        $(
            impl From<$from> for Wrapper {
                fn from(value: $from) -> Wrapper { Wrapper::$to(value) }
            }
        )*
    };
}

macro_rules! forward_binop {
    (impl $imp:ident, $method:ident for $t:ty) => {
        impl<'a> $imp<$t> for &'a $t {
            type Output = <$t as $imp<$t>>::Output;
            fn $method(self, other: $t) -> Self::Output { $imp::$method(*self, other) }
        }
    };
}

macro_rules! tuple_impls {
    ($( ($($name:ident)+) )+) => {
        $( impl<$($name),+> Marker for ($($name,)+) {} )+
    };
}

macro_rules! enum_with_names {
    ($vis:vis enum $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $vis enum $name { $($variant),+ }
        impl $name {
            $vis fn name(&self) -> &'static str {
                match self { $( $name::$variant => $text ),+ }
            }
        }
    };
}

macro_rules! maths {
    (add $a:expr, $b:expr) => { $a + $b };
    (mul $a:expr, $b:expr) => { $a * $b };
    (sq $a:expr) => { maths!(mul $a, $a) };
}

macro_rules! kv_list {
    (@munch [$($out:tt)*]) => { [$($out)*] };
    (@munch [$($out:tt)*] $k:ident = $v:expr; $($rest:tt)*) => {
        kv_list!(@munch [$($out)* (stringify_free(stringify_free), $v),] $($rest)*)
    };
    ($($t:tt)*) => { kv_list!(@munch [] $($t)*) };
}

macro_rules! chain {
    ($first:expr $(, $rest:expr)* $(,)?) => { $first $(.chain($rest))* };
}

pub enum Value { Null, Array(u8), Object(u8) }
pub fn vec_free<T>(_: T) -> u8 { 0 }
pub enum Wrapper { Byte(u8), Word(u16) }
pub trait Marker {}
pub fn stringify_free<T>(t: T) -> T { t }
use std::ops::Add;

fn site_reverse() {
    let r = reverse!(1 2 3 4);
}

fn site_count_tts() {
    let n = count_tts!(a b c d e f g);
}

fn site_json() {
    let v = json!({ "a": null, "b": [1, 2, null], "c": (3 + 4) });
}

mod site_builder {
    builder!(Config { port: u16 = 80, host: String, retries: u8 = 3, });
}

mod site_cfg_rt {
    cfg_rt! {
        pub fn spawn() {}
        pub struct Runtime;
    }
}

mod site_impl_from {
    use super::Wrapper;
    impl_from! { u8 => Byte, u16 => Word }
}

mod site_forward {
    use std::ops::Add;
    forward_binop!(impl Add, add for u32);
}

mod site_tuples {
    use super::Marker;
    tuple_impls! { (A) (A B) (A B C) }
}

mod site_enum_names {
    enum_with_names! {
        pub(crate) enum Color { Red = "red", Green = "green", }
    }
}

fn site_maths() {
    let a = maths!(sq 1 + 2);
    let b = maths!(add maths!(mul 2, 3), 4);
}

fn site_kv_list() {
    let l = kv_list!(a = 1; b = 2 * 3;);
}

fn site_chain(a: Vec<u8>, b: Vec<u8>, c: Vec<u8>) {
    let c = chain!(a.iter(), b.iter(), c.iter());
}

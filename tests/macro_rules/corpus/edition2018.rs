// edition: 2018
// Edition 2018: `pat` takes no top-level `|`; `dyn` and `async` are keywords.
#![allow(unused)]

macro_rules! pat_or_tts {
    ($p:pat) => { "pat" };
    ($($t:tt)*) => { "tokens" };
}

macro_rules! boxed {
    ($t:ty) => { Box<$t> };
}

macro_rules! try_opt {
    ($e:expr) => { match $e { Some(v) => v, None => return None } };
}

fn site_pat_2018() {
    let a = pat_or_tts!(Some(1));
    let b = pat_or_tts!(A | B);
}

fn site_types_2018() -> Option<u8> {
    let a: boxed!(dyn Fn(u8) -> u8) = Box::new(|x| x);
    let b = try_opt!(Some(1u8));
    Some(b)
}

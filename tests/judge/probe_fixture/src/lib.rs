//! The judge's own check of its probe: each `// expect:` comment says what rustc must report for
//! the bindings on its line (`name=type@bytes`, or `@unsized` for a generic-dependent size). The
//! cases are the ones where a probe could change inference or go unreported.
#![forbid(unsafe_code)]
#![deny(warnings)]
#![allow(dead_code, unused_variables, unused_assignments, clippy::all)]

pub struct Marker;

pub struct Pair {
    pub left: u8,
    pub right: u32,
}

impl Pair {
    pub fn sum(&self) -> u32 { // expect: self=&Pair@8
        u32::from(self.left) + self.right
    }

    pub fn into_left(self) -> u8 { // expect: self=Pair@8
        self.left
    }
}

pub fn literal_fixed_later() -> u64 {
    let n = 5; // expect: n=u64@8
    let m: u64 = n; // expect: m=u64@8
    let mut count = 0; // expect: count=usize@8
    for _ in 0..3 {
        count += 1;
    }
    let _ = [0u8; 4].len() == count;
    m
}

pub fn vec_fixed_by_push() -> usize {
    let mut v = Vec::new(); // expect: v=Vec<u16>@24
    v.push(7u16);
    v.len()
}

pub fn closure_params_from_use() -> u8 {
    let add = |a, b| a + b; // expect: add={closure}@0, a=u8@1, b=u8@1
    let len = |s: &str| s.len(); // expect: len={closure}@0, s=&str@16
    add(1u8, 2) + len("x") as u8
}

pub fn zero_sized_and_never(flag: bool) -> u8 { // expect: flag=bool@1
    let unit = (); // expect: unit=()@0
    let marker = Marker; // expect: marker=Marker@0
    if flag {
        let stop = return 1; // expect: stop=!@0
    }
    0
}

pub const fn doubled(v: u32) -> u32 { // expect: v=u32@4
    let d = v * 2; // expect: d=u32@4
    d
}

pub async fn measured(text: String) -> usize { // expect: text=String@24
    let n = text.len(); // expect: n=usize@8
    n
}

pub fn generic<T: Clone>(item: T, many: Vec<T>) -> Vec<T> { // expect: item=T@unsized, many=Vec<T>@24
    let first = &item; // expect: first=&T@8
    let mut out = many; // expect: out=Vec<T>@24
    out.push(first.clone());
    out
}

pub fn arms(value: Option<i16>) -> i32 { // expect: value=Option<i16>@4
    let picked = match value { // expect: picked=i16@2
        Some(k) if k > 2 => k, // expect: k=i16@2
        Some(small) => small * 2, // expect: small=i16@2
        None => 0,
    };
    let Some(inner) = value else { return 0 }; // expect: inner=i16@2
    if let Some(again) = value // expect: again=i16@2
        && let Ok(wide) = i32::try_from(again) // expect: wide=i32@4
    {
        return wide;
    }
    let make: Box<dyn Fn(i16) -> i16> = match value { // expect: make=Box<dyn Fn(i16) -> i16>@16
        Some(base) => Box::new(move |z: i16| z + base), // expect: base=i16@2, z=i16@2
        None => Box::new(|z: i16| z), // expect: z=i16@2
    };
    i32::from(make(picked) + inner)
}

pub fn tail_binding(values: &[u8]) -> u8 { // expect: values=&[u8]@16
    match values.first() {
        Some(&head) => head, // expect: head=u8@1
        None => 0,
    }
}

pub fn loops(pairs: &[(u8, char)]) -> u32 { // expect: pairs=&[(u8, char)]@16
    let mut total = 0; // expect: total=u32@4
    for &(byte, letter) in pairs { // expect: byte=u8@1, letter=char@4
        total += u32::from(byte) + letter as u32;
    }
    let mut stack = vec![1u64, 2]; // expect: stack=Vec<u64>@24
    while let Some(top) = stack.pop() { // expect: top=u64@8
        total += top as u32;
    }
    total
}

pub fn patterns(pair: Pair) -> u32 { // expect: pair=Pair@8
    let Pair { left, right: r } = pair; // expect: left=u8@1, r=u32@4
    let ref borrowed = left; // expect: borrowed=&u8@8
    let (a, (b, c)) = (1i8, (2u16, [0u8; 3])); // expect: a=i8@1, b=u16@2, c=[u8; 3]@3
    let late; // expect: late=u64@8
    late = 5u64;
    let x = 1u8; // expect: x=u8@1
    let x = x as u32; // expect: x=u32@4
    match r {
        0 | 1 => 0,
        n @ 2..=9 => n, // expect: n=u32@4
        other => other + u32::from(*borrowed) + late as u32 + x, // expect: other=u32@4
    }
}

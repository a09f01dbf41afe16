//! The types the layout truth tests ask rustc about: user definitions as source text, and type
//! expressions. The source must compile both against std and against memlens's std prelude under
//! `#![no_core]`, so it names std types only by their bare names.

/// User type definitions, shared by every probe and lowered into the `TypeDefs` under test.
pub const USER_SOURCE: &str = r#"
pub trait Tr {}
pub const N: usize = 3;
pub type Alias = Pair<u16>;
pub type Bytes = [u8; 4];

pub struct Unit;
pub struct Empty {}
pub struct OneByte { a: u8 }
pub struct Mixed { a: u8, b: u32, c: u16, d: u64 }
pub struct Reordered { a: u8, b: u64, c: u8 }
pub struct WithBool { flag: bool, value: u32 }
pub struct TwoBools { a: bool, b: bool, c: u16 }
pub struct NicheMiddle { a: u32, b: bool, c: u32 }
pub struct NicheTail { a: u64, b: u16, c: bool }
pub struct Chars { c: char, b: u8 }
pub struct Refs<'a> { s: &'a str, n: &'a u32, b: bool }
pub struct Arrays { a: [u8; 3], b: u16, c: [u32; 2], d: [u8; 0] }
pub struct ArrayLen { a: [u16; N], b: u8, c: Bytes }
pub struct Zsts { a: (), b: u8, c: Unit, d: [u64; 0], e: u32 }
pub struct Tuple3(u8, u64, u16);
pub struct Nested { inner: Mixed, flag: bool }
pub struct Big { a: u128, b: u8 }
pub struct Floats { a: f32, b: f64, c: u8 }
pub struct Pointers { a: *const u8, b: *mut [u8], c: &'static dyn Tr, d: fn(u8) -> u8 }
pub struct Generic<T> { a: u8, t: T }
pub struct Pair<T> { a: T, b: T }
pub struct Two<A, B> { a: A, b: B }
pub struct Node { value: u32, next: Option<Box<Node>> }
pub struct List { head: Option<Box<Node>>, len: usize }
pub struct Tree { children: Vec<Tree>, name: String }
pub struct Holder { v: Vec<u8>, s: String, b: Box<u64>, o: Option<u8> }
pub struct Inventory { items: Vec<String>, counts: HashMap<String, u32>, owner: Option<String>, id: u64, active: bool }
pub struct WithNonZero { a: u8, b: NonZeroU32, c: u16 }
pub struct WithDuration { d: Duration, tag: u8 }
pub struct ManyNiches { a: bool, b: char, c: u8, d: Option<u8> }
pub struct NicheBiasEnd { a: (u8, u8, u8, bool), b: (u8, bool, u8) }
pub struct EndA { a: u32, b: (u8, bool), c: u16 }
pub struct EndB { a: [u8; 3], b: bool, c: u32, d: u8 }
pub struct EndC { a: (u16, bool), b: u64, c: (bool, u8, u8) }
pub struct EndD { a: Option<u8>, b: u32, c: [u8; 6] }
pub struct EndE { x: u64, y: char, z: u16, w: bool }
pub struct EndF { a: (u8, u8, u8, bool), b: (u8, bool, u8), c: u32 }
pub struct EndG { a: u8, b: (u32, bool), c: [u16; 3] }
pub struct InnerOffsets { a: (bool, u8), b: (u8, bool), c: u16 }
pub struct NichesEqual { a: bool, b: u16, c: bool, d: u32 }
pub struct TwoNiches { a: char, b: u32, c: bool, d: [u8; 3] }
pub struct InnerFirst { a: (u8, bool), b: (bool, u8), c: [u8; 2] }
pub struct InnerFirst3 { a: (u8, u8, bool), b: (u8, bool, u8), c: (bool, u8, u8) }
pub struct SliceTail { len: usize, data: [u8] }
pub struct StrTail { tag: u8, text: str }
pub struct DynTail { id: u32, value: dyn Tr }
pub struct Tail<T: ?Sized> { a: u8, data: T }
pub struct WhereTail<T> where T: ?Sized { a: u8, b: u16, data: T }
pub struct Wrap<T = u64> { a: T, b: u8 }
pub struct WithDefault<T, U = Vec<T>> { t: T, u: U }
pub type DefaultPair<T = u8> = (T, u32);
pub enum DefaultEither<L, R = L> { Left(L), Right(R) }
pub struct HoldsDefaults { w: Wrap, p: DefaultPair, s: WithDefault<u8>, e: DefaultEither<bool> }

#[repr(C)] pub struct CStruct { a: u8, b: u32, c: u16 }
#[repr(C)] pub struct CTail { a: u64, b: u8 }
#[repr(C)] pub struct CNested { x: CStruct, y: u8 }
#[repr(C, packed)] pub struct Packed { a: u8, b: u32, c: u16 }
#[repr(packed)] pub struct PackedRust { a: u8, b: u32, c: u16 }
#[repr(packed(2))] pub struct Packed2 { a: u8, b: u32, c: u64 }
#[repr(C, packed(4))] pub struct Packed4 { a: u8, b: u64 }
#[repr(align(16))] pub struct Aligned { a: u8 }
#[repr(C, align(8))] pub struct AlignedC { a: u8, b: u16 }
#[repr(align(32))] pub struct AlignedBig { a: u64, b: u8 }
#[repr(transparent)] pub struct Transparent(u32);
#[repr(transparent)] pub struct TransparentZst { inner: f64, marker: () }
#[repr(transparent)] pub struct TransparentRef<'a>(&'a u8);
pub struct Contains<'a> { t: TransparentRef<'a>, x: u8 }
pub struct HoldsAligned { a: u8, b: Aligned }

pub union U1 { a: u8, b: u32 }
#[repr(C)] pub union UC { a: u16, b: [u8; 3] }
#[repr(C, packed)] pub union UPacked { a: u32, b: u8 }
#[repr(align(8))] pub union UAligned { a: u8 }
pub union UOdd { a: [u8; 5], b: u16 }
pub union UBool { a: bool, b: char }

pub enum Never {}
pub enum Single { Only }
pub enum SingleData { Only(u32) }
pub enum TwoUnit { A, B }
pub enum Fieldless { A, B, C, D }
pub enum Explicit { A = 10, B = 20, C = 300 }
pub enum Negative { A = -1, B = 0, C = 1 }
pub enum NegativeWide { A = -200, B = 100 }
#[repr(u8)] pub enum ReprU8 { A, B = 5, C }
#[repr(i32)] pub enum ReprI32 { A = -5, B }
#[repr(u64)] pub enum ReprU64 { A }
#[repr(C)] pub enum CEnum { A, B, C }
#[repr(C)] pub enum CData { A(u8), B(u32, u16), C }
#[repr(u8)] pub enum U8Data { A(u32), B { x: u16, y: u8 }, C }
#[repr(C, u8)] pub enum CU8Data { A(u64), B(u8) }
#[repr(i16)] pub enum I16Data { A(u8), B(u64) }
#[repr(u8)] pub enum OneReprU8 { A(u32) }
pub enum Data { A(u8), B(u32), C(u64) }
pub enum Data2 { A(u32, u8), B(u16), C }
pub enum Data3 { A { x: u8, y: u64 }, B { z: u16 } }
pub enum WithBoolNiche { A(bool), B, C }
pub enum BoolAndMore { A(bool, u8), B(u8) }
pub enum CharNiche { A(char), B, C, D }
pub enum RefNiche<'a> { A(&'a u32), B }
pub enum BoxNiche { A(Box<u8>), B }
pub enum TwoData { A(Box<u8>), B(u8) }
pub enum NicheFill { A(u32, bool), B(u16) }
pub enum NicheAfter { A(bool, u32), B(u16, u8) }
pub enum Jagged { A(u8, bool, u32), B(u16), C(u8) }
pub enum NestedOpt { A(Option<bool>), B }
pub enum OptionLike<T> { Nothing, Just(T) }
pub enum Either<L, R> { Left(L), Right(R) }
pub enum Uninhabited1 { A(u32), B(Never) }
pub enum Uninhabited2 { A(u32), B(!, u8) }
pub enum AllUninhabited { A(Never), B(!) }
pub enum ZstVariants { A(()), B(Unit), C }
pub enum LargeTag { A(u64), B }
pub enum WideTag { A(u32, u8), B(u32) }
pub enum AlignedVariants { A(u16, u8), B(u32) }
pub enum StringOrInt { S(String), I(u64) }
pub enum VecOrNone { V(Vec<u8>), N }
pub enum ThreeWay { A(String), B(Vec<u8>), C }
pub enum Event { Key { code: u32, pressed: bool }, Mouse { x: i32, y: i32 }, Quit }
pub enum Instruction { Push(i64), Pop, Add, Jump(u32), Call { target: u32, args: u8 } }
#[repr(align(8))] pub enum AlignedEnum { A, B(u8) }
pub enum NicheZst { A([u64; 0], bool), B }
pub enum Deep { A(Option<Option<bool>>), B }
pub enum Recursive { Leaf(u32), Node(Box<Recursive>, Box<Recursive>) }
pub enum DynBox { A(Box<dyn Tr>), B }
pub enum SliceRef<'a> { A(&'a [u8]), B(&'a str), C }
pub enum WithChar { A(char, u8), B(u8) }
pub enum I8Payload { A(i8), B }
pub enum NonZeroPayload { A(NonZeroU32), B }
pub enum ManyDataless { A(u8, bool), B, C, D, E, F }
pub enum MiddleLargest { A, B(u32, bool), C }
pub enum EqualSizes { A(u32), B(u32), C(bool) }
pub enum PtrPair { A(&'static u8, u8), B(u16) }
pub enum U128Payload { A(u128), B(u8) }
pub enum F64Payload { A(f64), B(u8, u8) }
pub enum Shape { Circle { r: f32 }, Rect { w: f32, h: f32 }, Point }
pub enum UsesEndA { A(EndA), B(u8), C(u16, u8) }
pub enum UsesEndB { A(EndB), B(u16) }
pub enum UsesEndF { A(EndF), B(u16), C }
pub enum UsesEndG { A(EndG), B(u32), C(u8) }
pub enum UsesNichesEqual { A(NichesEqual), B(u8, u8), C }
pub enum UsesTwoNiches { A(TwoNiches), B([u8; 7]), C(u16) }
pub enum UsesInner { A(InnerOffsets), B(u8), C(u8), D }
pub enum TaggedBoolFirst { A(bool, u8), B(u8, u8) }
pub enum TaggedNiches { A(u16, bool, u8, char), B(u64) }
pub enum Json { Null, Bool(bool), Number(f64), Str(String), Array(Vec<Json>) }

pub const BASE: u16 = 40000;
pub enum DiscrAssoc { A = 0, B = i32::MIN as isize }
#[repr(C)] pub enum DiscrCWide { A = 0, B = i64::MAX as isize }
pub enum DiscrU32Max { A = 0, B = u32::MAX as isize }
pub enum DiscrIsize { A = isize::MIN, B = isize::MAX }
pub enum DiscrBits { A = u8::BITS as isize, B = 300 }
#[repr(u8)] pub enum DiscrCasts { A = 300u16 as u8, B = -1i8 as u8, C = b'z', D = true as u8 + 1 }
pub enum DiscrShift { A = 1 << 20, B = (1 << 30) | 5, C = N as isize * 7 - 1 }
pub enum DiscrConst { A = BASE as isize, B, C = BASE as isize * 2 }
#[repr(i16)] pub enum DiscrNeg { A = -(1 << 14), B = !0, C = i8::MIN as i16 >> 2u32 }
#[repr(u64)] pub enum DiscrU64 { A = u64::MAX >> 1u32, B = 1 }
#[repr(i8)] pub enum WrapI8 { A = 0, B = 1, C = 2, D = 125, E = 126, F = 127 }
#[repr(u8)] pub enum WrapU8 { A = 0, B = 1, C = 254, D = 255 }
#[repr(u16)] pub enum WrapU16 { A = 0, B = 65535 }
#[repr(i8)] pub enum WrapI8Full { A = -128, B = 127 }
#[repr(i8)] pub enum WrapI8Neg { A = -100, B = 100 }
#[repr(i32)] pub enum WrapI32 { A = 0, B = 1, C = i32::MAX }
pub enum PlainGap { A = 0, B = 1, C = 126, D = 127 }
pub enum PlainNeg { A = -1, B = 5 }
pub enum WideTagNiche { A(usize), B(usize) }
pub enum AbsentInMany { A(u32), B(u8), C(Never) }
pub enum PresentUninhabited { A(u32), B(u8, Never), C }
pub enum NicheAfterData { A(u32, bool), B(u8, u8, u8, u8, u8, u8), C }

#[repr(simd)] pub struct F32x4([f32; 4]);
#[repr(simd)] pub struct U8x3([u8; 3]);
#[repr(simd)] pub struct I64x2([i64; 2]);
#[repr(simd)] pub struct F64x8([f64; 8]);
#[repr(simd)] pub struct U16x32([u16; 32]);
#[repr(simd)] pub struct I32x2([i32; 2]);
#[repr(simd, packed)] pub struct PackedF32x3([f32; 3]);
#[repr(simd, packed)] pub struct PackedU8x4([u8; 4]);
#[repr(simd)] pub struct PtrX2([*const u8; 2]);
pub struct HoldsVector { a: u8, v: F32x4, b: u16 }
pub enum VectorOrNot { V(I64x2), N }
"#;

/// Type expressions probed on every target. Each is also probed wrapped in one and two `Option`s.
pub const TYPES: &[&str] = &[
    // Discriminants written as constant expressions, and the tag ranges they give.
    "DiscrAssoc",
    "DiscrCWide",
    "DiscrU32Max",
    "DiscrIsize",
    "DiscrBits",
    "DiscrCasts",
    "DiscrShift",
    "DiscrConst",
    "DiscrNeg",
    "DiscrU64",
    "WrapI8",
    "WrapU8",
    "WrapU16",
    "WrapI8Full",
    "WrapI8Neg",
    "WrapI32",
    "PlainGap",
    "PlainNeg",
    "WideTagNiche",
    "AbsentInMany",
    "PresentUninhabited",
    "NicheAfterData",
    // `#[repr(simd)]` vectors.
    "F32x4",
    "U8x3",
    "I64x2",
    "F64x8",
    "U16x32",
    "I32x2",
    "PackedF32x3",
    "PackedU8x4",
    "PtrX2",
    "HoldsVector",
    "VectorOrNot",
    "[F32x4; 3]",
    "Option<char>",
    "Cell<usize>",
    // Primitives and ZSTs.
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
    "bool",
    "char",
    "()",
    "!",
    // Pointers.
    "&u8",
    "&mut u64",
    "&str",
    "&[u8]",
    "&[u64]",
    "&dyn Tr",
    "&mut dyn Tr",
    "*const u8",
    "*mut u32",
    "*const [u8]",
    "*const str",
    "*const dyn Tr",
    "fn()",
    "fn(u8) -> u64",
    "&&str",
    "&SliceTail",
    "&StrTail",
    "&DynTail",
    "*const DynTail",
    "&(u8, [u16])",
    // Arrays.
    "[u8; 0]",
    "[u8; 3]",
    "[u32; 4]",
    "[bool; 2]",
    "[(u8, u16); 3]",
    "[char; 0]",
    "[u64; 2]",
    "[Option<u8>; 3]",
    "[!; 0]",
    "[Never; 2]",
    // Tuples.
    "(u8,)",
    "(u8, u32)",
    "(u32, u8)",
    "(u8, u64, u16)",
    "(u16, u8, u64)",
    "(bool, u32)",
    "(u32, bool)",
    "(u8, bool, u32)",
    "((), u8)",
    "(char, u8, u8)",
    "(u64, u8, u8, u8)",
    "(u8, u128)",
    "(f64, u8)",
    "(bool, bool, bool)",
    "(u8, (u16, u8))",
    "(&str, bool)",
    "(u32, u8, u16, u8)",
    "(u8, !)",
    "(Vec<u8>, bool)",
    "(bool, Vec<u8>)",
    // User structs, unions and enums.
    "Unit",
    "Empty",
    "OneByte",
    "Mixed",
    "Reordered",
    "WithBool",
    "TwoBools",
    "NicheMiddle",
    "NicheTail",
    "Chars",
    "Refs<'static>",
    "Arrays",
    "ArrayLen",
    "Zsts",
    "Tuple3",
    "Nested",
    "Big",
    "Floats",
    "Pointers",
    "Node",
    "List",
    "Tree",
    "Holder",
    "Inventory",
    "WithNonZero",
    "WithDuration",
    "ManyNiches",
    "NicheBiasEnd",
    "CStruct",
    "CTail",
    "CNested",
    "Packed",
    "PackedRust",
    "Packed2",
    "Packed4",
    "Aligned",
    "AlignedC",
    "AlignedBig",
    "Transparent",
    "TransparentZst",
    "TransparentRef<'static>",
    "Contains<'static>",
    "HoldsAligned",
    "U1",
    "UC",
    "UPacked",
    "UAligned",
    "UOdd",
    "UBool",
    "Never",
    "Single",
    "SingleData",
    "TwoUnit",
    "Fieldless",
    "Explicit",
    "Negative",
    "NegativeWide",
    "ReprU8",
    "ReprI32",
    "ReprU64",
    "CEnum",
    "CData",
    "U8Data",
    "CU8Data",
    "I16Data",
    "OneReprU8",
    "Data",
    "Data2",
    "Data3",
    "WithBoolNiche",
    "BoolAndMore",
    "CharNiche",
    "RefNiche<'static>",
    "BoxNiche",
    "TwoData",
    "NicheFill",
    "NicheAfter",
    "Jagged",
    "NestedOpt",
    "Uninhabited1",
    "Uninhabited2",
    "AllUninhabited",
    "ZstVariants",
    "LargeTag",
    "WideTag",
    "AlignedVariants",
    "StringOrInt",
    "VecOrNone",
    "ThreeWay",
    "Event",
    "Instruction",
    "AlignedEnum",
    "NicheZst",
    "Deep",
    "Recursive",
    "DynBox",
    "SliceRef<'static>",
    "WithChar",
    "I8Payload",
    "NonZeroPayload",
    "ManyDataless",
    "MiddleLargest",
    "EqualSizes",
    "PtrPair",
    "U128Payload",
    "F64Payload",
    "Shape",
    "Json",
    "Alias",
    "Bytes",
    "EndA",
    "EndB",
    "EndC",
    "EndD",
    "EndE",
    "EndF",
    "EndG",
    "InnerOffsets",
    "NichesEqual",
    "TwoNiches",
    "UsesEndA",
    "UsesEndB",
    "UsesEndF",
    "UsesEndG",
    "UsesNichesEqual",
    "UsesTwoNiches",
    "UsesInner",
    "InnerFirst",
    "InnerFirst3",
    "TaggedBoolFirst",
    "TaggedNiches",
    // Generic instantiations.
    "Generic<u8>",
    "Generic<u64>",
    "Generic<bool>",
    "Generic<(u8, u32)>",
    "Pair<u8>",
    "Pair<u64>",
    "Pair<bool>",
    "Two<u8, u64>",
    "Two<bool, u32>",
    "Two<String, u8>",
    "OptionLike<u32>",
    "OptionLike<bool>",
    "OptionLike<&'static u8>",
    "Either<u8, u32>",
    "Either<bool, char>",
    "Either<String, Vec<u8>>",
    "Either<u64, ()>",
    "Either<Never, u8>",
    // Unsized tails behind generic parameters, and defaulted generic parameters.
    "Tail<u32>",
    "Tail<(u8, u64)>",
    "&Tail<[u8]>",
    "&Tail<str>",
    "*const Tail<[u64]>",
    "Box<Tail<dyn Tr>>",
    "Rc<Tail<[u16]>>",
    "WhereTail<u64>",
    "&WhereTail<[u16]>",
    "Wrap",
    "Wrap<u8>",
    "WithDefault<u8>",
    "WithDefault<u16, u8>",
    "DefaultPair",
    "DefaultPair<u64>",
    "DefaultEither<u8>",
    "DefaultEither<u8, u32>",
    "HoldsDefaults",
    // Std types.
    "String",
    "Vec<u8>",
    "Vec<u64>",
    "Box<u8>",
    "Box<()>",
    "Box<str>",
    "Box<[u32]>",
    "Box<dyn Tr>",
    "Box<Vec<u8>>",
    "Option<u8>",
    "Option<u32>",
    "Option<bool>",
    "Option<char>",
    "Cell<usize>",
    "Option<&str>",
    "Option<Box<u8>>",
    "Option<Vec<u8>>",
    "Option<String>",
    "Option<(u8, bool)>",
    "Option<()>",
    "Option<!>",
    "Option<Never>",
    "Result<u8, u8>",
    "Result<u32, bool>",
    "Result<(), Box<u8>>",
    "Result<String, u8>",
    "Result<Vec<u8>, String>",
    "Result<u64, ()>",
    "Result<bool, bool>",
    "Result<!, u8>",
    "Result<(), !>",
    "Result<u16, Never>",
    "Result<char, u32>",
    "NonNull<u8>",
    "NonNull<[u8]>",
    "NonNull<dyn Tr>",
    "NonZeroU8",
    "NonZeroU32",
    "NonZeroI64",
    "NonZero<u16>",
    "NonZeroUsize",
    "NonZero<i128>",
    "Rc<u8>",
    "Rc<str>",
    "Rc<[u8]>",
    "Arc<u64>",
    "Arc<dyn Tr>",
    "Arc<str>",
    "Weak<u8>",
    "Cell<u8>",
    "Cell<bool>",
    "RefCell<u64>",
    "RefCell<Vec<u8>>",
    "RefCell<bool>",
    "UnsafeCell<bool>",
    "UnsafeCell<&'static u8>",
    "PhantomData<u64>",
    "PhantomData<str>",
    "ManuallyDrop<bool>",
    "MaybeUninit<u32>",
    "MaybeUninit<bool>",
    "MaybeUninit<String>",
    "Wrapping<u16>",
    "Saturating<i8>",
    "Reverse<char>",
    "HashMap<u8, u8>",
    "HashMap<String, Vec<u8>>",
    "HashSet<u32>",
    "BTreeMap<u8, u8>",
    "BTreeMap<String, u64>",
    "BTreeSet<u8>",
    "VecDeque<u8>",
    "LinkedList<u8>",
    "BinaryHeap<u32>",
    "Duration",
    "Ordering",
    "Cow<'static, str>",
    "Cow<'static, [u8]>",
    "Cow<'static, Path>",
    "PathBuf",
    "OsString",
    "&Path",
    "&OsStr",
    "Box<Path>",
    "CString",
    "&CStr",
    "AtomicBool",
    "AtomicU8",
    "AtomicU16",
    "AtomicU32",
    "AtomicU64",
    "AtomicI64",
    "AtomicUsize",
    "AtomicIsize",
    "AtomicPtr<u8>",
    "Pin<Box<u8>>",
    "Pin<&mut dyn Tr>",
    "OnceCell<u8>",
    "OnceCell<String>",
    "Option<Rc<u8>>",
    "Vec<Option<Box<u8>>>",
    "(String, u8)",
    "(Option<bool>, u8)",
    "[Option<bool>; 2]",
    "Option<Option<(u8, bool)>>",
    "Result<Option<bool>, bool>",
    // Std items named through their module, module-level aliases, and C types.
    "io::Error",
    "io::ErrorKind",
    "io::Result<u32>",
    "io::Result<()>",
    "io::Result<Vec<u8>>",
    "io::Result<io::Error>",
    "Result<String, io::Error>",
    "fmt::Error",
    "fmt::Result",
    "thread::Result<u8>",
    "thread::Result<String>",
    "sync::Weak<u8>",
    "sync::Weak<dyn Tr>",
    "(io::Error, u8)",
    "[io::ErrorKind; 3]",
    "c_char",
    "c_uchar",
    "c_int",
    "c_long",
    "c_ulong",
    "c_longlong",
    "c_double",
    "*mut c_void",
    "&(dyn Tr + Send)",
    "&(dyn Tr + Send + Sync + 'static)",
    "Box<dyn Any + Send>",
    "Box<Tail<dyn Tr + Sync>>",
];

/// Std types whose layout memlens only knows on Linux.
pub const LINUX_TYPES: &[&str] = &[
    "Mutex<u8>",
    "Mutex<u64>",
    "Mutex<Vec<u8>>",
    "Mutex<(u8, u8, u8, u8, u8)>",
    "RwLock<u32>",
    "Condvar",
    "Instant",
    "SystemTime",
    "OnceLock<u64>",
    "OnceLock<String>",
];

/// Captured variable types of closures probed against std (closures cannot be named in types).
pub const CLOSURES: &[&[&str]] = &[
    &[],
    &["u8"],
    &["u8", "u64"],
    &["u64", "u8", "u16"],
    &["bool", "u32", "bool"],
    &["String", "u8"],
    &["&'static str", "Option<u8>"],
];

/// The `use` lines that make the std types above nameable in the std probe.
/// The SIMD vectors of `core::arch`, per `target_arch`.
pub const ARCH_TYPES: &[(&str, &[&str])] = &[
    (
        "x86_64",
        &[
            "__m128", "__m128i", "__m128d", "__m256", "__m256i", "__m256d", "__m512", "__m512i",
            "__m512d",
        ],
    ),
    ("x86", &["__m128", "__m128i", "__m256d", "__m512"]),
    (
        "aarch64",
        &[
            "int8x8_t",
            "int8x16_t",
            "int16x4_t",
            "int16x8_t",
            "int32x2_t",
            "int32x4_t",
            "int64x1_t",
            "int64x2_t",
            "uint8x16_t",
            "uint64x2_t",
            "float32x2_t",
            "float32x4_t",
            "float64x1_t",
            "float64x2_t",
            "poly8x16_t",
            "poly16x4_t",
            "poly64x2_t",
        ],
    ),
    (
        "arm",
        &[
            "int8x16_t",
            "int64x1_t",
            "uint32x4_t",
            "float32x4_t",
            "poly16x8_t",
        ],
    ),
    ("wasm32", &["v128"]),
];

pub const STD_USES: &str = "
use std::arch::x86_64::{__m128, __m128d, __m128i, __m256, __m256d, __m256i, __m512, __m512d, __m512i};
use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell, UnsafeCell};
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::ffi::{CStr, CString, OsStr, OsString};
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::num::{NonZero, NonZeroI64, NonZeroU32, NonZeroU8, NonZeroUsize, Saturating, Wrapping};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicIsize, AtomicPtr, AtomicU16, AtomicU32, AtomicU64, AtomicU8, AtomicUsize};
use std::sync::{Arc, Condvar, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant, SystemTime};
use std::{fmt, io, sync, thread};
use std::any::Any;
use std::ffi::{c_char, c_double, c_int, c_long, c_longlong, c_uchar, c_ulong, c_void};
";

/// Generic types with an argument memlens does not know (`_`), for a parameter that must be
/// `Sized`: memlens gives each a size, which must be rustc's for every argument in
/// [`SIZED_FILLERS`].
pub const SIZED_ARGUMENT_TYPES: &[&str] = &[
    "Vec<_>",
    "VecDeque<_>",
    "BTreeMap<_, u8>",
    "BTreeMap<String, _>",
    "BTreeSet<_>",
    "LinkedList<_>",
    "BinaryHeap<_>",
    "HashMap<_, u32>",
    "HashSet<_>",
    "PhantomData<_>",
    "Reverse<Vec<_>>",
    "RefCell<Vec<_>>",
    "Option<Vec<_>>",
    "(u8, Vec<_>)",
    "Box<Vec<_>>",
    "Option<Box<[_]>>",
];

/// Arguments of every size, alignment and kind, for [`SIZED_ARGUMENT_TYPES`].
pub const SIZED_FILLERS: &[&str] = &[
    "u8",
    "()",
    "[u64; 7]",
    "String",
    "(u8, u128)",
    "&'static str",
];

/// Types whose unknown argument may be unsized (or is held by value): memlens must not size them.
pub const UNSIZED_ARGUMENT_TYPES: &[&str] = &[
    "Box<_>",
    "Rc<_>",
    "Arc<_>",
    "&'static _",
    "Cell<_>",
    "Option<_>",
    "Cow<'static, _>",
    "(u8, _)",
    "Wrapping<_>",
    "*const _",
];

//! Reading one artifact's DWARF with `object` and `gimli`: every named local and parameter of
//! every compiled function, with its declaring file and line and its type's size. An artifact is
//! an executable, or an rlib whose members are relocatable objects (their DWARF is read with the
//! relocations applied: in a `.o` the string and line-table offsets live in the relocations).

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};

use gimli::{AttributeValue, EndianSlice, Reader as _, RunTimeEndian, UnitOffset};
use object::{Object, ObjectSection};

use super::BuildVariable;

/// Artifacts larger than this are not read: the whole file is held in memory while it is read,
/// and a debug executable past 2 GiB is not one this command can afford (nor likely one at all).
const MAX_ARTIFACT_BYTES: u64 = 2 << 30;
/// A compressed debug section may claim at most this many bytes once decompressed; the claim is
/// allocated up front, so a hostile header could otherwise ask for any amount.
const MAX_SECTION_BYTES: u64 = 2 << 30;
/// Type lookups (typedef / qualifier hops, array elements, subranges) per variable: rustc's chains
/// are a few hops long, and a hostile file could make them cycle.
const MAX_TYPE_STEPS: usize = 64;
/// An rlib's members past this count are not read (rustc writes one per codegen unit).
const MAX_ARCHIVE_MEMBERS: usize = 10_000;
/// Units and entries past these counts are not read: they bound the walk over a hostile file.
const MAX_UNITS: usize = 1_000_000;
const MAX_ENTRIES_PER_UNIT: usize = 50_000_000;
/// Namespaces and subprograms nest at most this deep in what is kept; deeper ones are cut.
const MAX_SCOPE_DEPTH: usize = 256;

/// Why an artifact's debug info could not be read; the artifact then confirms nothing.
#[derive(Debug, thiserror::Error)]
pub enum DebugInfoError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a regular file")]
    NotAFile,
    #[error("larger than {MAX_ARTIFACT_BYTES} bytes")]
    TooLarge,
    #[error("a compressed debug section would decompress to more than {MAX_SECTION_BYTES} bytes")]
    SectionTooLarge,
    #[error("not an object file memlens reads: {0}")]
    Object(#[from] object::Error),
    #[error("malformed DWARF: {0}")]
    Dwarf(#[from] gimli::Error),
}

type Reader<'d> = gimli::RelocateReader<EndianSlice<'d, RunTimeEndian>, Relocations<'d>>;

/// A section's relocations, as gimli asks for them: an executable has none left, a `.o` has many.
#[derive(Debug, Clone, Copy)]
pub struct Relocations<'d>(&'d object::read::RelocationMap);

impl gimli::read::Relocate<usize> for Relocations<'_> {
    fn relocate_address(&self, offset: usize, value: u64) -> gimli::Result<u64> {
        Ok(self.0.relocate(offset as u64, value))
    }

    fn relocate_offset(&self, offset: usize, value: usize) -> gimli::Result<usize> {
        <usize as gimli::ReaderOffset>::from_u64(self.0.relocate(offset as u64, value as u64))
    }
}

/// One debug section's bytes (decompressed if need be) and its relocations.
struct Section<'d> {
    data: Cow<'d, [u8]>,
    relocations: object::read::RelocationMap,
}

/// The variables of one artifact declared in files under `package_dir` (an absolute path).
pub fn read_variables(
    artifact: &Path,
    package_dir: &Path,
) -> Result<Vec<BuildVariable>, DebugInfoError> {
    let bytes = read_bounded(artifact)?;
    let mut variables = Vec::new();
    if bytes.starts_with(b"!<arch>\n") {
        let archive = object::read::archive::ArchiveFile::parse(&*bytes)?;
        for member in archive.members().take(MAX_ARCHIVE_MEMBERS) {
            let member = member?;
            // The other members are the crate's metadata (`lib.rmeta`), not objects.
            if member.name().ends_with(b".o") {
                // A member starts at any even offset; ELF parsing wants its headers aligned, and
                // a fresh allocation is (malloc's alignment; were it not, parsing fails, safely).
                let object = member.data(&*bytes)?.to_vec();
                object_variables(&object, package_dir, &mut variables)?;
            }
        }
    } else {
        object_variables(&bytes, package_dir, &mut variables)?;
    }
    Ok(variables)
}

/// The variables of one object file (an executable, or a member of an rlib).
fn object_variables(
    bytes: &[u8],
    package_dir: &Path,
    out: &mut Vec<BuildVariable>,
) -> Result<(), DebugInfoError> {
    let file = object::File::parse(bytes)?;
    let endian = if file.is_little_endian() {
        RunTimeEndian::Little
    } else {
        RunTimeEndian::Big
    };
    let sections = gimli::DwarfSections::load(|id| section(&file, id.name()))?;
    let dwarf = sections.borrow(|section| {
        gimli::RelocateReader::new(
            EndianSlice::new(&section.data, endian),
            Relocations(&section.relocations),
        )
    });
    let mut headers = dwarf.units();
    let mut units_read = 0;
    while let Some(header) = headers.next()? {
        units_read += 1;
        if units_read > MAX_UNITS {
            break;
        }
        let unit = dwarf.unit(header)?;
        unit_variables(&dwarf, &unit, package_dir, out)?;
    }
    Ok(())
}

/// The artifact's bytes, refusing one over the limit (checked on the size when opened, and again
/// on the bytes read: a build may be rewriting it). Opened without blocking and read only if it
/// is a regular file: what was listed as one may have been replaced by a FIFO since.
fn read_bounded(artifact: &Path) -> Result<Vec<u8>, DebugInfoError> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(artifact)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(DebugInfoError::NotAFile);
    }
    if metadata.len() > MAX_ARTIFACT_BYTES {
        return Err(DebugInfoError::TooLarge);
    }
    let mut bytes = Vec::new();
    file.take(MAX_ARTIFACT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_ARTIFACT_BYTES {
        return Err(DebugInfoError::TooLarge);
    }
    Ok(bytes)
}

/// A section's bytes, decompressed if the linker compressed it, and its relocations; an absent
/// section is empty.
fn section<'d>(file: &object::File<'d>, name: &str) -> Result<Section<'d>, DebugInfoError> {
    let Some(section) = file.section_by_name(name) else {
        return Ok(Section {
            data: Cow::Borrowed(&[]),
            relocations: object::read::RelocationMap::default(),
        });
    };
    let compressed = section.compressed_data()?;
    if compressed.format != object::CompressionFormat::None
        && compressed.uncompressed_size > MAX_SECTION_BYTES
    {
        return Err(DebugInfoError::SectionTooLarge);
    }
    Ok(Section {
        data: compressed.decompress()?,
        relocations: section.relocation_map()?,
    })
}

/// A namespace or subprogram the walk is inside, with the depth of its entry.
struct Scope {
    depth: isize,
    is_subprogram: bool,
    /// The item name as source spells it (`twice`, not `twice<u8>`); `None` for a name in braces
    /// (`{closure#0}`, `{impl#0}`), which no source binding names as its function.
    item_name: Option<String>,
    /// For a closure's or async block's subprogram: the line it starts on. rustc describes each
    /// captured variable again inside it, at the line of the variable's own `let` (with the
    /// captured place's type); those are not the closure's bindings.
    body_start_line: Option<u64>,
}

/// Walks one compilation unit, depth first, keeping the variables and parameters found inside a
/// subprogram (at any depth: lexical blocks, inlined subroutines).
fn unit_variables(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    package_dir: &Path,
    out: &mut Vec<BuildVariable>,
) -> Result<(), DebugInfoError> {
    let files = FileTable::new(dwarf, unit);
    let mut scopes: Vec<Scope> = Vec::new();
    let mut cursor = unit.entries();
    let mut entries_read = 0;
    while let Some(entry) = cursor.next_dfs()? {
        entries_read += 1;
        if entries_read > MAX_ENTRIES_PER_UNIT {
            break;
        }
        let depth = entry.depth();
        while scopes.last().is_some_and(|scope| scope.depth >= depth) {
            scopes.pop();
        }
        let tag = entry.tag();
        match tag {
            gimli::DW_TAG_namespace | gimli::DW_TAG_subprogram
                if scopes.len() < MAX_SCOPE_DEPTH =>
            {
                let name = scope_name(dwarf, unit, entry);
                let is_subprogram = tag == gimli::DW_TAG_subprogram;
                let is_body = is_subprogram && name.as_deref().is_some_and(|n| n.starts_with('{'));
                scopes.push(Scope {
                    depth,
                    is_subprogram,
                    item_name: name.as_deref().and_then(item_name),
                    body_start_line: is_body
                        .then(|| entry.attr_value(gimli::DW_AT_decl_line)?.udata_value())
                        .flatten(),
                });
            }
            gimli::DW_TAG_variable | gimli::DW_TAG_formal_parameter
                if scopes.iter().any(|scope| scope.is_subprogram) =>
            {
                if let Some(mut variable) = variable(dwarf, unit, &files, entry)
                    && variable.file.starts_with(package_dir)
                    && !is_capture(&scopes, &variable)
                {
                    variable.function = enclosing_function(&scopes);
                    out.push(variable);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A variable of a closure body declared before the closure starts: a captured variable.
fn is_capture(scopes: &[Scope], variable: &BuildVariable) -> bool {
    let innermost = scopes.iter().rev().find(|scope| scope.is_subprogram);
    innermost
        .and_then(|scope| scope.body_start_line)
        .is_some_and(|start| variable.line < start)
}

/// The name of a namespace or subprogram; a concrete method or an out-of-line instance names
/// itself only through the declaration it points at (`DW_AT_specification`, `DW_AT_abstract_origin`).
fn scope_name(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    entry: &gimli::DebuggingInformationEntry<Reader<'_>>,
) -> Option<String> {
    if let Some(name) = entry_name(dwarf, unit, entry) {
        return Some(name);
    }
    let origin = [gimli::DW_AT_specification, gimli::DW_AT_abstract_origin]
        .into_iter()
        .find_map(|attribute| match entry.attr_value(attribute) {
            Some(AttributeValue::UnitRef(offset)) => Some(offset),
            _ => None,
        })?;
    // One hop only: a declaration names itself.
    entry_name(dwarf, unit, &unit.entry(origin).ok()?)
}

fn entry_name(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    entry: &gimli::DebuggingInformationEntry<Reader<'_>>,
) -> Option<String> {
    let value = entry.attr_value(gimli::DW_AT_name)?;
    let name = dwarf.attr_string(unit, value).ok()?;
    Some(name.to_string_lossy().ok()?.into_owned())
}

/// `twice<u8>` → `twice`; `{closure#0}` and `{impl#1}` name no item.
fn item_name(dwarf_name: &str) -> Option<String> {
    if dwarf_name.starts_with('{') {
        return None;
    }
    let name = dwarf_name.split('<').next().unwrap_or(dwarf_name);
    (!name.is_empty()).then(|| name.to_string())
}

/// The function item a variable belongs to, as source names it: the innermost named scope. A
/// closure's subprogram is `{closure#0}` inside a namespace named after its function.
fn enclosing_function(scopes: &[Scope]) -> Option<String> {
    scopes
        .iter()
        .rev()
        .find_map(|scope| scope.item_name.clone())
}

/// A named variable with a declaring file and line; `None` for one without (an inlined copy
/// that only points at its abstract origin, an artificial one, or one rustc gave no line).
fn variable(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    files: &FileTable,
    entry: &gimli::DebuggingInformationEntry<Reader<'_>>,
) -> Option<BuildVariable> {
    if matches!(
        entry.attr_value(gimli::DW_AT_artificial),
        Some(AttributeValue::Flag(true))
    ) {
        return None;
    }
    let name = entry_name(dwarf, unit, entry)?;
    let line = entry.attr_value(gimli::DW_AT_decl_line)?.udata_value()?;
    if line == 0 {
        return None;
    }
    // gimli reads `DW_AT_decl_file` as a file index, which `udata_value` does not convert.
    let file_index = match entry.attr_value(gimli::DW_AT_decl_file)? {
        AttributeValue::FileIndex(index) => index,
        other => other.udata_value()?,
    };
    let file = files.path(file_index)?;
    let (size, type_name) = match entry.attr_value(gimli::DW_AT_type) {
        Some(AttributeValue::UnitRef(offset)) => {
            let mut steps = MAX_TYPE_STEPS;
            type_size_and_name(dwarf, unit, offset, &mut steps)
        }
        _ => (None, None),
    };
    Some(BuildVariable {
        file,
        line,
        name,
        function: None,
        size,
        type_name,
    })
}

/// The unit's line-program file table as absolute paths, indexed as `DW_AT_decl_file` counts.
struct FileTable {
    paths: Vec<Option<PathBuf>>,
    /// DWARF 5 numbers files from 0, earlier versions from 1.
    first_index: u64,
}

impl FileTable {
    fn new(dwarf: &gimli::Dwarf<Reader<'_>>, unit: &gimli::Unit<Reader<'_>>) -> FileTable {
        let Some(program) = &unit.line_program else {
            return FileTable {
                paths: Vec::new(),
                first_index: 0,
            };
        };
        let header = program.header();
        let comp_dir = unit
            .comp_dir
            .as_ref()
            .and_then(|dir| Some(PathBuf::from(dir.to_string_lossy().ok()?.into_owned())))
            .unwrap_or_default();
        let string = |value| {
            dwarf
                .attr_string(unit, value)
                .ok()
                .and_then(|s| Some(s.to_string_lossy().ok()?.into_owned()))
        };
        let paths = header
            .file_names()
            .iter()
            .map(|file| {
                let name = PathBuf::from(string(file.path_name())?);
                let dir = file
                    .directory(header)
                    .and_then(string)
                    .map(PathBuf::from)
                    .unwrap_or_default();
                Some(comp_dir.join(dir).join(name))
            })
            .collect();
        let first_index = if header.version() >= 5 { 0 } else { 1 };
        FileTable { paths, first_index }
    }

    fn path(&self, index: u64) -> Option<PathBuf> {
        let slot = usize::try_from(index.checked_sub(self.first_index)?).ok()?;
        self.paths.get(slot)?.clone()
    }
}

/// The size and name of the type at `offset`, through typedefs and qualifiers. rustc leaves
/// `DW_AT_byte_size` off thin pointers (the unit's address size, then) and off arrays (the
/// element's size times the counts). `steps` is shared by the whole lookup, nested arrays included.
fn type_size_and_name(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    mut offset: UnitOffset,
    steps: &mut usize,
) -> (Option<u64>, Option<String>) {
    let mut name = None;
    while *steps > 0 {
        *steps -= 1;
        let Ok(entry) = unit.entry(offset) else {
            return (None, name);
        };
        if name.is_none() {
            name = entry_name(dwarf, unit, &entry);
        }
        if let Some(size) = entry
            .attr_value(gimli::DW_AT_byte_size)
            .and_then(|v| v.udata_value())
        {
            return (Some(size), name);
        }
        let tag = entry.tag();
        if matches!(
            tag,
            gimli::DW_TAG_pointer_type | gimli::DW_TAG_reference_type
        ) {
            return (Some(u64::from(unit.header.address_size())), name);
        }
        let next = match entry.attr_value(gimli::DW_AT_type) {
            Some(AttributeValue::UnitRef(next)) => next,
            _ => return (None, name),
        };
        match tag {
            gimli::DW_TAG_array_type => {
                let (element, element_name) = type_size_and_name(dwarf, unit, next, steps);
                let count = array_count(unit, offset, steps);
                // rustc names no array type; `[u8; 256]` is what a report needs to show.
                let name = name.or_else(|| Some(format!("[{}; {}]", element_name?, count?)));
                return (element.zip(count).and_then(|(e, c)| e.checked_mul(c)), name);
            }
            gimli::DW_TAG_typedef | gimli::DW_TAG_const_type | gimli::DW_TAG_volatile_type => {
                offset = next;
            }
            _ => return (None, name),
        }
    }
    (None, name)
}

/// The product of an array type's subrange counts (`DW_AT_count`, or upper bound + 1).
fn array_count(
    unit: &gimli::Unit<Reader<'_>>,
    offset: UnitOffset,
    steps: &mut usize,
) -> Option<u64> {
    let mut tree = unit.entries_tree(Some(offset)).ok()?;
    let root = tree.root().ok()?;
    let mut children = root.children();
    let mut count: u64 = 1;
    let mut subranges = 0;
    while let Ok(Some(child)) = children.next() {
        *steps = steps.checked_sub(1)?;
        let entry = child.entry();
        if entry.tag() != gimli::DW_TAG_subrange_type {
            continue;
        }
        subranges += 1;
        let length = match entry.attr_value(gimli::DW_AT_count) {
            Some(value) => value.udata_value()?,
            None => entry
                .attr_value(gimli::DW_AT_upper_bound)?
                .udata_value()?
                .checked_add(1)?,
        };
        count = count.checked_mul(length)?;
    }
    (subranges > 0).then_some(count)
}

//! Re-analysing only what an edit touched, and only what a query asks about.
//!
//! The file is cut into top-level chunks. Each chunk is first parsed with its function bodies
//! blanked out, which is several times faster than a full parse and gives every declaration
//! other items need. A chunk's bodies are parsed and walked only when a query covers the chunk,
//! so the first hover on a large file costs one skeleton parse of the file plus one item.
//!
//! After an edit, only the chunks between the unchanged start and the unchanged end of the text
//! are split and parsed again; the others keep their trees and walks, shifted to where they now
//! start. Walks are kept relative to their chunk so that inserting a line above does not
//! invalidate them; they are redone when the file's declarations or the target change.
//!
//! syn's spans live in proc-macro2's thread-local source map, which grows with every parse.
//! The analyzers of one thread share a budget: past it the map is cleared, and every analyzer
//! on the thread notices (by an epoch number) that its cached trees are gone.

use std::cell::Cell;
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use quote::ToTokens;

use super::bindings::{Collected, Walker};
use super::chunk::{
    blank_ignored_prefix, split_at_item_lines, split_items, split_items_recovering,
};
use super::crate_index::{CrateIndex, FileDeclarations, imports_of};
use super::defs::TypeDefs;
use super::guard;
use super::items::def_map::CrateFile as ItemsFile;
use super::items::graph::{CrateSpec, build_graph};
use super::items::item_tree::FileItems;
use super::items::package::{PackageInfo, TargetKind};
use super::items::std_items::StdItems;
use super::parse::{ParsedItem, SyntaxError, parse_chunk, parse_declarations};
use super::std_api::StdApi;
use super::symbols::{Symbols, flatten_items};
use super::typed_body::CrateContext;
use super::{BindingReport, FileAnalysis, Target, TypeReport, build_reports, type_reports};

/// Source bytes parsed on this thread before the span map is cleared.
/// The map keeps each parsed text with its line table, so this bounds its memory to a few
/// times the budget; a 50 000-line file takes about 1.5 MB per parse of the whole file, and a
/// one-line edit re-parses one item, so the map is cleared rarely.
const SPAN_BUDGET_BYTES: usize = 16 * 1024 * 1024;

thread_local! {
    /// (epoch, bytes parsed since the map was last cleared) for this thread's source map.
    static SOURCE_MAP: Cell<(u64, usize)> = const { Cell::new((0, 0)) };
}

/// Clears proc-macro2's span map for this thread; every cached syntax tree becomes unusable.
pub fn invalidate_spans() {
    proc_macro2::extra::invalidate_current_thread_spans();
    SOURCE_MAP.with(|map| map.set((map.get().0 + 1, 0)));
}

fn span_epoch() -> u64 {
    SOURCE_MAP.with(|map| map.get().0)
}

fn note_parsed(bytes: usize) {
    SOURCE_MAP.with(|map| {
        let (epoch, used) = map.get();
        map.set((epoch, used + bytes));
    });
}

fn over_budget() -> bool {
    SOURCE_MAP.with(|map| map.get().1 > SPAN_BUDGET_BYTES)
}

/// A parse: the pieces of a chunk (spans relative to the chunk) and its syntax errors.
struct Parsed {
    items: Vec<ParsedItem>,
    errors: Vec<SyntaxError>,
}

impl Parsed {
    fn of(text: &str) -> Parsed {
        note_parsed(text.len());
        let (items, errors) = parse_chunk(text);
        Parsed { items, errors }
    }

    /// The chunk parsed for its declarations only; `None` if that is its full parse.
    fn declarations_of(text: &str) -> Option<Parsed> {
        let parsed = parse_declarations(text)?;
        note_parsed(parsed.parsed_bytes);
        Some(Parsed {
            items: parsed.items,
            errors: parsed.errors,
        })
    }
}

/// One chunk's analysis, positions relative to the chunk start.
struct WalkedChunk {
    declarations: u64,
    target: Target,
    collected: Collected,
    reports: Vec<BindingReport>,
    /// The message of a panic in the walk: the chunk then has no answers, and says why.
    failure: Option<String>,
}

/// One top-level chunk of the current text and what is known of it so far.
struct Chunk {
    range: Range<usize>,
    /// The parse with function bodies blanked; `None` when the full parse serves instead
    /// (the chunk has no body, or blanking left something that does not parse).
    skeleton: Option<Parsed>,
    full: Option<Parsed>,
    /// A fingerprint of what the chunk declares for other items to see.
    declarations: u64,
    /// A fingerprint of where the chunk's type definitions are named, relative to the chunk.
    definitions_at: u64,
    walked: Option<Arc<WalkedChunk>>,
    /// For a piece of an item open at the end of the text: where that item starts.
    open_region: Option<usize>,
}

impl Chunk {
    /// Parses the chunk at `range`: fully if it overlaps `scope` (the query will walk it), else
    /// only its declarations. A full parse without errors also serves for the declarations; one
    /// with errors does not, because blanking the bodies keeps a function whose body is being
    /// typed declared for the other items.
    fn new(text: &str, range: Range<usize>, scope: &Range<usize>) -> Chunk {
        let source = &text[range.clone()];
        let full = overlaps(&range, scope).then(|| Parsed::of(source));
        let skeleton = match &full {
            Some(parsed) if parsed.errors.is_empty() => None,
            _ => Parsed::declarations_of(source).filter(|parsed| parsed.errors.is_empty()),
        };
        let full = full.or_else(|| skeleton.is_none().then(|| Parsed::of(source)));
        let mut chunk = Chunk {
            range,
            skeleton,
            full,
            declarations: 0,
            definitions_at: 0,
            walked: None,
            open_region: None,
        };
        let files = || {
            chunk
                .declaring_items()
                .iter()
                .filter_map(|item| Some((item.file.as_ref()?, item.range.start)))
        };
        let declarations = fingerprint(files().map(|(file, _)| declarations_of(file)));
        let definitions_at = fingerprint(files().flat_map(|(file, start)| {
            definition_offsets(file).map(move |offset| (start + offset) as u64)
        }));
        chunk.declarations = declarations;
        chunk.definitions_at = definitions_at;
        chunk
    }

    /// The pieces that say what the chunk declares: the same whether or not bodies are parsed.
    fn declaring_items(&self) -> &[ParsedItem] {
        match (&self.skeleton, &self.full) {
            (Some(parsed), _) | (None, Some(parsed)) => &parsed.items,
            (None, None) => &[],
        }
    }

    /// The full parse, bodies included, parsed now if it was not yet.
    fn full(&mut self, text: &str) -> &Parsed {
        self.full
            .get_or_insert_with(|| Parsed::of(&text[self.range.clone()]))
    }
}

/// Whether a chunk's range touches a query's scope (an empty scope is a cursor position).
fn overlaps(range: &Range<usize>, scope: &Range<usize>) -> bool {
    range.start <= scope.end && scope.start <= range.end
}

/// The file's declarations, collected once per set of declarations, with the types' layouts.
struct Declared {
    fingerprint: u64,
    /// Where, relative to its chunk, each type definition was named when they were collected.
    definitions_at: u64,
    /// The chunks' ranges when the declarations were collected or last moved: a definition's
    /// position moves with its chunk.
    chunk_ranges: Vec<Range<usize>>,
    symbols: Symbols,
    defs: Arc<TypeDefs>,
    types: Option<(Target, Arc<Vec<TypeReport>>)>,
    /// The file's items for the crate graph, and the graph built for one target.
    items: Arc<FileItems>,
    context: Option<(Target, CrateContext)>,
    /// Where the file is in its crate (`None`: in no crate), and the crates to build.
    specs: Option<(CrateSpec, Option<CrateSpec>, Vec<String>)>,
}

impl Declared {
    /// Moves the definitions' positions to where their chunks now are. The declarations are
    /// the same chunk for chunk (their fingerprint says so); only the text between them changed.
    fn move_to(&mut self, chunk_ranges: Vec<Range<usize>>) {
        if self.chunk_ranges == chunk_ranges {
            return;
        }
        let old = std::mem::replace(&mut self.chunk_ranges, chunk_ranges);
        let new = &self.chunk_ranges;
        let moved = |at: usize| {
            let index = old
                .partition_point(|range| range.start <= at)
                .saturating_sub(1);
            match (old.get(index), new.get(index)) {
                (Some(was), Some(now)) => at - was.start + now.start,
                _ => at,
            }
        };
        self.symbols.defs.move_spans(moved);
        self.defs = Arc::new(self.symbols.defs.clone());
        if let Some((_, types)) = &mut self.types {
            for report in Arc::make_mut(types) {
                if let Some(span) = &mut report.def.span {
                    span.move_by(moved);
                    report.name_range = span.name_start..span.name_end;
                }
            }
        }
    }
}

impl Declared {
    /// Builds the crate graph for `target` if the one at hand is for another (or none), and
    /// gives the layout engine its definitions.
    fn bring_context_to(&mut self, target: Target) {
        if self
            .context
            .as_ref()
            .is_some_and(|(built, _)| *built == target)
        {
            return;
        }
        let std: &'static dyn StdItems = StdApi::for_target(&target);
        let (main, library, module_path) = self.specs.clone().unwrap_or_else(|| {
            let file = ItemsFile {
                module_path: Vec::new(),
                items: Arc::clone(&self.items),
            };
            let package = PackageInfo::standalone();
            (
                CrateSpec::of_package(&package, vec![file], TargetKind::Binary),
                None,
                Vec::new(),
            )
        });
        let (graph, krate) = build_graph(main, library, &target, std);
        let context = CrateContext::new(graph, krate, module_path, std);
        let mut own = (*context.defs).clone();
        own.keep_spans_of(&context.own_keys());
        // Built before for another target, the definitions may have moved with their chunks
        // since: their current places win over the item tree's.
        own.restore_spans(&self.symbols.defs.spans_of(|name| name.starts_with("::")));
        self.symbols.defs.forget_spans();
        // The walk's own names are bare; where one is also a std key, std's is meant.
        // The graph's own definitions (keys start with `::`) are replaced: another target's
        // graph may have put them there.
        self.symbols.defs.retain_names(|name| {
            !name.starts_with("::") && std.adt(name).is_none() && std.alias(name).is_none()
        });
        self.symbols.defs.fill_in(&own);
        self.defs = Arc::new(self.symbols.defs.clone());
        self.types = None;
        self.context = Some((target, context));
    }
}

/// A file of a crate: where it is, and the index of the crate's declarations.
#[derive(Clone, Copy)]
pub struct CrateFile<'a> {
    pub index: &'a CrateIndex,
    pub path: &'a std::path::Path,
}

/// Analyses successive versions of one document, reusing what did not change.
#[derive(Default)]
pub struct Analyzer {
    epoch: u64,
    text: String,
    chunks: Vec<Chunk>,
    declared: Option<Declared>,
    /// The last view of the rest of the crate, by a fingerprint of what it depends on.
    outside: Option<(u64, Arc<Symbols>)>,
}

impl Analyzer {
    /// Analyses the whole of `text`: the same result as [`super::analyze`], computed
    /// incrementally.
    pub fn analyze(&mut self, text: &str, target: Target) -> FileAnalysis {
        self.analyze_scope(text, target, 0..text.len())
    }

    /// Analyses `text`, reporting bindings, uses, functions and syntax errors only for the items
    /// that overlap `scope` (a byte range); types and declarations are always the whole file's.
    /// Items outside the scope are parsed only for their declarations.
    pub fn analyze_scope(
        &mut self,
        text: &str,
        target: Target,
        scope: Range<usize>,
    ) -> FileAnalysis {
        self.analyze_in_crate(text, target, scope, None)
    }

    /// Brings everything but the walks up to `text`: every item parsed for its declarations,
    /// the declarations collected, the crate context built. A document just opened is prepared
    /// before any request about it arrives; the first request then parses and walks only its
    /// own item.
    pub fn prepare_in_crate(&mut self, text: &str, target: Target, krate: Option<CrateFile<'_>>) {
        let text = &blank_ignored_prefix(text);
        self.forget_stale_trees();
        // A scope past every item: none is parsed for its bodies.
        self.update_chunks(text, &(usize::MAX..usize::MAX));
        self.update_declarations(krate);
        if let Some(declared) = &mut self.declared {
            declared.bring_context_to(target);
        }
    }

    /// Like [`Analyzer::analyze_scope`], for a file of a crate: names the file does not declare
    /// itself are looked up in what the crate's other files declare.
    pub fn analyze_in_crate(
        &mut self,
        text: &str,
        target: Target,
        scope: Range<usize>,
        krate: Option<CrateFile<'_>>,
    ) -> FileAnalysis {
        let text = &blank_ignored_prefix(text);
        self.forget_stale_trees();
        self.update_chunks(text, &scope);
        self.update_declarations(krate);
        let Some(declared) = &mut self.declared else {
            unreachable!("declarations were just brought up to date")
        };
        declared.bring_context_to(target);
        let mut walked = Vec::new();
        for chunk in self
            .chunks
            .iter_mut()
            .filter(|chunk| overlaps(&chunk.range, &scope))
        {
            let walk = walk_chunk(
                chunk,
                &self.text,
                &declared.symbols,
                declared.context.as_ref().map(|(_, context)| context),
                declared.fingerprint,
                target,
            );
            walked.push((
                chunk.range.start,
                walk,
                chunk.full(&self.text).errors.clone(),
            ));
        }
        let types = match &declared.types {
            Some((types_target, types)) if *types_target == target => Arc::clone(types),
            _ => {
                let types = Arc::new(type_reports(&declared.defs, &target));
                declared.types = Some((target, Arc::clone(&types)));
                types
            }
        };
        let mut analysis = assemble(&walked, Arc::clone(&declared.defs), types, target);
        analysis.line_starts = super::line_starts(&self.text);
        analysis
    }

    /// The full syntax trees of the last analysed text, with the byte offset each starts at.
    pub fn files(&mut self) -> Vec<(&syn::File, usize)> {
        let text = &self.text;
        for chunk in &mut self.chunks {
            chunk.full(text);
        }
        self.chunks
            .iter()
            .flat_map(|chunk| {
                let start = chunk.range.start;
                chunk.full.iter().flat_map(move |parsed| {
                    parsed.items.iter().filter_map(move |item| {
                        Some((item.file.as_ref()?, start + item.range.start))
                    })
                })
            })
            .collect()
    }

    /// Brings the chunks up to `text`: the chunks before the first changed byte and after the
    /// last one are kept (the latter shifted); only those in between are split and parsed anew.
    ///
    /// An item still open at the end of the text (an unclosed brace) is cut at its column-0 item
    /// lines, one chunk per piece, so that an edit below it parses and walks one piece, not the
    /// rest of the file. An edit inside such a region splits it again from its start (whether it
    /// is still open depends on all of it); pieces whose text did not change keep their parse.
    fn update_chunks(&mut self, text: &str, scope: &Range<usize>) {
        if self.text == text {
            return;
        }
        let old = std::mem::replace(&mut self.text, text.to_string());
        let prefix = common_prefix(old.as_bytes(), text.as_bytes());
        let suffix = common_suffix(&old.as_bytes()[prefix..], &text.as_bytes()[prefix..]);
        let touched = self
            .chunks
            .iter()
            .position(|chunk| chunk.range.end >= prefix)
            .unwrap_or(self.chunks.len());
        let first = match self.chunks.get(touched).and_then(|chunk| chunk.open_region) {
            Some(region) => self
                .chunks
                .iter()
                .position(|chunk| chunk.range.start >= region)
                .unwrap_or(touched),
            None => touched,
        };
        let rescan_from = self.chunks.get(first).map_or(0, |chunk| chunk.range.start);
        // Old chunks lying wholly in the unchanged end, by where they start in the new text. A
        // piece of an open region is no place to resume: the region may have closed.
        let unchanged_from = old.len() - suffix;
        let shift = |at: usize| at + text.len() - old.len();
        let resumable: HashMap<usize, usize> = (first..self.chunks.len())
            .filter(|&index| self.chunks[index].range.start >= unchanged_from)
            .filter(|&index| self.chunks[index].open_region.is_none())
            .map(|index| (shift(self.chunks[index].range.start), index))
            .collect();
        let mut resumed_at = None;
        let split = split_items_recovering(text, rescan_from, |end| {
            resumed_at = resumable.get(&end).copied();
            resumed_at.is_some()
        });
        let mut tail = match resumed_at {
            Some(index) => self.chunks.split_off(index),
            None => Vec::new(),
        };
        for chunk in &mut tail {
            chunk.range = shift(chunk.range.start)..shift(chunk.range.end);
            chunk.open_region = chunk.open_region.map(shift);
        }
        // The replaced chunks whose text is unchanged, by their range in the new text.
        let mut unchanged: HashMap<(usize, usize), Chunk> = HashMap::new();
        for chunk in self.chunks.split_off(first) {
            let range = if chunk.range.end < prefix {
                chunk.range.clone()
            } else if chunk.range.start >= unchanged_from {
                shift(chunk.range.start)..shift(chunk.range.end)
            } else {
                continue;
            };
            unchanged.insert((range.start, range.end), chunk);
        }
        let mut ranges: Vec<(Range<usize>, Option<usize>)> =
            split.items.into_iter().map(|range| (range, None)).collect();
        if split.open_at_end
            && let Some((open, _)) = ranges.pop()
        {
            let region = Some(open.start);
            ranges.extend(
                split_at_item_lines(text, open)
                    .into_iter()
                    .map(|piece| (piece, region)),
            );
        }
        if ranges.is_empty() && tail.is_empty() {
            // Only blank text follows: it belongs to the last item, which parses the same.
            if let Some(last) = self.chunks.last_mut() {
                last.range.end = text.len();
            }
        }
        for (range, open_region) in ranges {
            let mut chunk = match unchanged.remove(&(range.start, range.end)) {
                Some(mut kept) => {
                    kept.range = range;
                    kept
                }
                None => Chunk::new(text, range, scope),
            };
            chunk.open_region = open_region;
            self.chunks.push(chunk);
        }
        self.chunks.append(&mut tail);
    }

    /// A fingerprint of what the file declares, which changes whenever its declarations may have.
    pub fn own_declarations(&self) -> u64 {
        fingerprint(self.chunks.iter().map(|chunk| chunk.declarations))
    }

    /// The declarations of the last analysed text, for the crate index.
    pub fn file_declarations(&self) -> FileDeclarations {
        FileDeclarations::of_items(self.declaring_files().flat_map(|(file, _)| &file.items))
    }

    /// The trees that say what the file declares, with the byte offset each starts at.
    fn declaring_files(&self) -> impl Iterator<Item = (&syn::File, usize)> + Clone {
        self.chunks.iter().flat_map(|chunk| {
            let start = chunk.range.start;
            chunk
                .declaring_items()
                .iter()
                .filter_map(move |item| Some((item.file.as_ref()?, start + item.range.start)))
        })
    }

    /// Collects the file's declarations again if any chunk's declarations changed, if (in a
    /// crate) what the other files declare changed, or if a type definition moved within its
    /// chunk (a comment above it, a function body before it in a module): then the definitions
    /// do not simply move with their chunks. In the last case the walks stay valid, since they
    /// depend on what is declared, not where.
    fn update_declarations(&mut self, krate: Option<CrateFile<'_>>) {
        let definitions_at = fingerprint(self.chunks.iter().map(|chunk| chunk.definitions_at));
        let fingerprint = fingerprint(
            [self.own_declarations()]
                .into_iter()
                .chain(krate.map(|krate| krate.index.context_of(krate.path))),
        );
        let chunk_ranges: Vec<Range<usize>> = self
            .chunks
            .iter()
            .map(|chunk| chunk.range.clone())
            .collect();
        if let Some(declared) = &mut self.declared
            && declared.fingerprint == fingerprint
            && declared.definitions_at == definitions_at
        {
            declared.move_to(chunk_ranges);
            return;
        }
        let outside = match krate {
            Some(krate) => self.outside_view(krate),
            None => Arc::default(),
        };
        let symbols = Symbols::collect_with(self.declaring_files(), &outside);
        let items = Arc::new(
            FileItems::lower(
                self.declaring_files()
                    .flat_map(|(file, base)| file.items.iter().map(move |item| (item, base))),
            )
            .with_inner_attributes_of(&self.text),
        );
        let specs = krate.and_then(|krate| {
            krate
                .index
                .crate_specs(krate.path, Some(Arc::clone(&items)))
        });
        self.declared = Some(Declared {
            fingerprint,
            definitions_at,
            chunk_ranges,
            defs: Arc::new(symbols.defs.clone()),
            symbols,
            types: None,
            items,
            context: None,
            specs,
        });
    }

    /// What the rest of the crate declares that this file can name: kept while the file's imports
    /// and the other files' declarations stay the same, since in a big crate it is most of the
    /// work of a declaration edit (a field typed into a struct).
    fn outside_view(&mut self, krate: CrateFile<'_>) -> Arc<Symbols> {
        let items = self.declaring_files().flat_map(|(file, _)| &file.items);
        let imports = imports_of(items);
        let mut hasher = DefaultHasher::new();
        (krate.index.context_of(krate.path), &imports).hash(&mut hasher);
        let key = hasher.finish();
        if let Some((cached, view)) = &self.outside
            && *cached == key
        {
            return Arc::clone(view);
        }
        let view = Arc::new(krate.index.view(krate.path, &imports));
        self.outside = Some((key, Arc::clone(&view)));
        view
    }

    /// After the thread's span map was cleared, cached trees are unusable: start over.
    fn forget_stale_trees(&mut self) {
        if over_budget() {
            invalidate_spans();
        }
        if self.epoch != span_epoch() {
            *self = Analyzer {
                epoch: span_epoch(),
                ..Analyzer::default()
            };
        }
    }
}

/// The chunk's walk for these declarations and target, walked now if it is not cached.
fn walk_chunk(
    chunk: &mut Chunk,
    text: &str,
    symbols: &Symbols,
    context: Option<&CrateContext>,
    declarations: u64,
    target: Target,
) -> Arc<WalkedChunk> {
    if let Some(walked) = &chunk.walked
        && walked.declarations == declarations
        && walked.target == target
    {
        return Arc::clone(walked);
    }
    let source = &text[chunk.range.clone()];
    let parsed = chunk.full(text);
    // A panic here (a bug in memlens) loses this item's answers only.
    let walk = guard::isolated(|| {
        let mut walker = Walker::new(symbols, source, target);
        if let Some(context) = context {
            walker = walker.with_context(context);
        }
        for item in &parsed.items {
            if let Some(file) = &item.file {
                fail_if_asked_for(file);
                walker.walk_file(file, item.range.start);
            }
        }
        let collected = walker.finish();
        let reports = build_reports(&collected, &symbols.defs, &target);
        (collected, reports)
    });
    let (collected, reports, failure) = match walk {
        Ok((collected, reports)) => (collected, reports, None),
        Err(message) => (Collected::default(), Vec::new(), Some(message)),
    };
    let walked = Arc::new(WalkedChunk {
        declarations,
        target,
        collected,
        reports,
        failure,
    });
    chunk.walked = Some(Arc::clone(&walked));
    walked
}

/// The failure injection of [`guard::FAIL_ITEM_VAR`], for the functions of a chunk.
fn fail_if_asked_for(file: &syn::File) {
    for item in &file.items {
        if let syn::Item::Fn(function) = item {
            guard::fail_if_asked(&function.sig.ident.to_string());
        }
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    // Comparing blocks first lets a long identical start be compared at memcmp speed.
    const BLOCK: usize = 256;
    let blocks = a
        .chunks(BLOCK)
        .zip(b.chunks(BLOCK))
        .take_while(|(x, y)| x == y)
        .count();
    let start = blocks * BLOCK;
    start
        + a.get(start..)
            .unwrap_or_default()
            .iter()
            .zip(b.get(start..).unwrap_or_default())
            .take_while(|(x, y)| x == y)
            .count()
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let length = a.len().min(b.len());
    let (a, b) = (&a[a.len() - length..], &b[b.len() - length..]);
    let blocks = a
        .rchunks(BLOCK)
        .zip(b.rchunks(BLOCK))
        .take_while(|(x, y)| x == y)
        .count();
    let matched = (blocks * BLOCK).min(length);
    let (a, b) = (&a[..length - matched], &b[..length - matched]);
    matched
        + a.iter()
            .rev()
            .zip(b.iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

pub(super) fn fingerprint(parts: impl Iterator<Item = u64>) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.for_each(|part| part.hash(&mut hasher));
    hasher.finish()
}

/// What a chunk declares for other items to see: everything but function bodies.
fn declarations_of(file: &syn::File) -> u64 {
    fingerprint(file.items.iter().map(declarations_of_item))
}

/// What an item declares for other items (and files) to see: everything but function bodies.
pub(super) fn declarations_of_item(item: &syn::Item) -> u64 {
    let mut hasher = DefaultHasher::new();
    declaration_tokens(item).hash(&mut hasher);
    hasher.finish()
}

/// Parses a whole file item by item for its declarations only (see [`parse_declarations`]),
/// counting its bytes against this thread's span budget (for trees that are used and dropped,
/// like another file's declarations). Items that do not parse are left out.
pub(super) fn parse_declarations_counted(text: &str) -> Vec<ParsedItem> {
    split_items(text)
        .into_iter()
        .flat_map(|range| {
            let piece = &text[range];
            let parsed = Parsed::declarations_of(piece).unwrap_or_else(|| Parsed::of(piece));
            parsed.items
        })
        .collect()
}

/// Where the file's type definitions (in modules too) are named, relative to the file's text.
fn definition_offsets(file: &syn::File) -> impl Iterator<Item = usize> + '_ {
    flatten_items(&file.items)
        .into_iter()
        .filter_map(|item| match item {
            syn::Item::Struct(item) => Some(&item.ident),
            syn::Item::Enum(item) => Some(&item.ident),
            syn::Item::Union(item) => Some(&item.ident),
            _ => None,
        })
        .map(|ident| ident.span().byte_range().start)
}

/// What an item declares as text: its tokens without function bodies and without doc
/// attributes, which a declarations-only parse may leave out (see [`parse_declarations`]).
fn declaration_tokens(item: &syn::Item) -> String {
    let tokens = |node: &dyn ToTokens| tokens_without_docs(node.to_token_stream());
    match item {
        syn::Item::Fn(function) => tokens(&function.sig),
        syn::Item::Impl(block) => {
            let mut text = tokens(&block.self_ty);
            text.push_str(&tokens(&block.generics));
            for impl_item in &block.items {
                match impl_item {
                    syn::ImplItem::Fn(method) => text.push_str(&tokens(&method.sig)),
                    other => text.push_str(&tokens(other)),
                }
            }
            text
        }
        syn::Item::Trait(_) => String::new(),
        // The name, attributes (`#[path]`) and form (`mod x;` or inline) say which file or items
        // the module is: renaming it changes the crate's module tree.
        syn::Item::Mod(module) => {
            let mut text = module.ident.to_string();
            for attr in &module.attrs {
                text.push_str(&tokens(attr));
            }
            text.push_str(if module.content.is_some() { "{}" } else { ";" });
            for items in module.content.iter().map(|(_, items)| items) {
                text.extend(items.iter().map(declaration_tokens));
            }
            text
        }
        other => tokens(other),
    }
}

/// The tokens as text, each `#[doc ...]` and `#![doc ...]` attribute (a doc comment, at token
/// level) left out, inside groups too.
fn tokens_without_docs(tokens: proc_macro2::TokenStream) -> String {
    use super::syntax::macro_rules::delimiter_text;
    use proc_macro2::{Delimiter, TokenTree};
    let is_doc = |tree: Option<&TokenTree>| {
        matches!(tree, Some(TokenTree::Group(group))
            if group.delimiter() == Delimiter::Bracket
                && matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(ident)) if ident == "doc"))
    };
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut text = String::new();
    let mut index = 0;
    while let Some(tree) = trees.get(index) {
        if let TokenTree::Punct(punct) = tree
            && punct.as_char() == '#'
        {
            let bang =
                matches!(trees.get(index + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
            let group_at = index + 1 + usize::from(bang);
            if is_doc(trees.get(group_at)) {
                index = group_at + 1;
                continue;
            }
        }
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = delimiter_text(group.delimiter());
                text.push_str(open);
                text.push_str(&tokens_without_docs(group.stream()));
                text.push_str(close);
            }
            other => text.push_str(&other.to_string()),
        }
        text.push(' ');
        index += 1;
    }
    text
}

/// Puts the walked chunks' results together, shifted to their chunk's start in the text.
fn assemble(
    walked: &[(usize, Arc<WalkedChunk>, Vec<SyntaxError>)],
    defs: Arc<TypeDefs>,
    types: Arc<Vec<TypeReport>>,
    target: Target,
) -> FileAnalysis {
    let mut analysis = FileAnalysis {
        target,
        bindings: Vec::new(),
        uses: Vec::new(),
        mentions: Vec::new(),
        functions: Vec::new(),
        leaks: Vec::new(),
        rc_links: Vec::new(),
        types,
        errors: Vec::new(),
        defs,
        line_starts: Vec::new(),
    };
    for (start, walked, errors) in walked {
        let start = *start;
        let first = analysis.bindings.len();
        let collected = &walked.collected;
        let shift = |range: &Range<usize>| range.start + start..range.end + start;
        analysis
            .bindings
            .extend(walked.reports.iter().cloned().map(|mut report| {
                report.binding.name_range = shift(&report.binding.name_range);
                report.binding.hint_offset += start;
                report.binding.last_change = report.binding.last_change.map(|at| at + start);
                report
            }));
        analysis
            .uses
            .extend(collected.uses.iter().map(|u| super::bindings::Use {
                range: shift(&u.range),
                binding: u.binding + first,
            }));
        analysis.mentions.extend(
            collected
                .mentions
                .iter()
                .map(|m| super::bindings::TypeMention {
                    range: shift(&m.range),
                    ty: m.ty.clone(),
                    member: m.member.clone(),
                }),
        );
        analysis
            .functions
            .extend(collected.functions.iter().cloned().map(|mut f| {
                f.name_range = shift(&f.name_range);
                f.body_range = shift(&f.body_range);
                for slot in &mut f.params {
                    slot.bindings.iter_mut().for_each(|b| *b += first);
                }
                f
            }));
        analysis
            .leaks
            .extend(collected.leaks.iter().map(|l| super::bindings::Leak {
                range: shift(&l.range),
                heap: l.heap,
            }));
        analysis
            .rc_links
            .extend(collected.rc_links.iter().map(|l| super::cycles::RcLink {
                from: l.from + first,
                to: l.to + first,
                range: shift(&l.range),
            }));
        analysis.errors.extend(errors.iter().map(|e| SyntaxError {
            range: shift(&e.range),
            ..e.clone()
        }));
        if let Some(failure) = &walked.failure {
            analysis.errors.push(SyntaxError {
                range: start..start,
                left_out: true,
                message: format!(
                    "memlens failed on this item ({failure}): its answers are left out; the \
                     other items of the file are not affected"
                ),
            });
        }
    }
    analysis
}

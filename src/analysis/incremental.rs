//! Re-analysing only what an edit touched: each top-level chunk is parsed once per text and
//! walked once per text, set of declarations and target.
//!
//! An edit inside one function re-parses and re-walks that one chunk; the others' results are
//! reused, shifted to where their chunk now starts. Results are kept relative to their chunk so
//! that inserting a line above does not invalidate them.
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
use super::chunk::split_items;
use super::parse::{ParsedItem, SyntaxError, parse_chunk};
use super::symbols::Symbols;
use super::{BindingReport, FileAnalysis, Target, build_reports, type_reports};

/// Source bytes parsed on this thread before the span map is cleared.
const SPAN_BUDGET_BYTES: usize = 64 * 1024 * 1024;

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

/// One chunk's parse: its pieces (spans relative to the chunk), errors, and a fingerprint of
/// what it declares.
struct ParsedChunk {
    items: Vec<ParsedItem>,
    errors: Vec<SyntaxError>,
    declarations: u64,
}

/// One chunk's analysis, positions relative to the chunk start.
struct WalkedChunk {
    declarations: u64,
    target: Target,
    collected: Collected,
    reports: Vec<BindingReport>,
}

/// Analyses successive versions of one document, reusing what did not change.
#[derive(Default)]
pub struct Analyzer {
    epoch: u64,
    parsed: HashMap<String, ParsedChunk>,
    walked: HashMap<String, Arc<WalkedChunk>>,
    /// The chunks of the last analysis, in order, with their start offsets.
    last_chunks: Vec<(String, usize)>,
}

impl Analyzer {
    /// Analyses `text`: the same result as [`super::analyze`], computed incrementally.
    pub fn analyze(&mut self, text: &str, target: Target) -> FileAnalysis {
        self.forget_stale_trees();
        let chunks: Vec<(String, usize)> = split_items(text)
            .into_iter()
            .map(|range| (text[range.clone()].to_string(), range.start))
            .collect();
        for (chunk, _) in &chunks {
            if !self.parsed.contains_key(chunk) {
                note_parsed(chunk.len());
                self.parsed.insert(chunk.clone(), parse(chunk));
            }
        }
        let files = self.pieces(&chunks);
        let symbols = Symbols::collect(files.iter().map(|(file, base)| (*file, *base)));
        let declarations = fingerprint(
            chunks
                .iter()
                .map(|(chunk, _)| self.parsed[chunk].declarations),
        );
        let walked: Vec<Arc<WalkedChunk>> = chunks
            .iter()
            .map(|(chunk, _)| self.walked_chunk(chunk, declarations, target, &symbols))
            .collect();
        let analysis = assemble(&chunks, &walked, &self.parsed, symbols, target);
        self.keep_only(&chunks);
        self.last_chunks = chunks;
        analysis
    }

    /// The syntax trees of the last analysed text, with the byte offset each starts at.
    pub fn files(&self) -> Vec<(&syn::File, usize)> {
        self.pieces(&self.last_chunks)
    }

    fn pieces(&self, chunks: &[(String, usize)]) -> Vec<(&syn::File, usize)> {
        chunks
            .iter()
            .flat_map(|(chunk, start)| {
                self.parsed[chunk]
                    .items
                    .iter()
                    .filter_map(move |item| Some((item.file.as_ref()?, start + item.range.start)))
            })
            .collect()
    }

    fn walked_chunk(
        &mut self,
        chunk: &str,
        declarations: u64,
        target: Target,
        symbols: &Symbols,
    ) -> Arc<WalkedChunk> {
        if let Some(walked) = self.walked.get(chunk)
            && walked.declarations == declarations
            && walked.target == target
        {
            return Arc::clone(walked);
        }
        let mut walker = Walker::new(symbols, chunk, target);
        for item in &self.parsed[chunk].items {
            if let Some(file) = &item.file {
                walker.walk_file(file, item.range.start);
            }
        }
        let collected = walker.finish();
        let reports = build_reports(&collected, &symbols.defs, &target);
        let walked = Arc::new(WalkedChunk {
            declarations,
            target,
            collected,
            reports,
        });
        self.walked.insert(chunk.to_string(), Arc::clone(&walked));
        walked
    }

    /// After the thread's span map was cleared, cached trees are unusable: start over.
    fn forget_stale_trees(&mut self) {
        if over_budget() {
            invalidate_spans();
        }
        if self.epoch != span_epoch() {
            self.parsed.clear();
            self.walked.clear();
            self.last_chunks.clear();
            self.epoch = span_epoch();
        }
    }

    /// Keeps the caches to the chunks of the current text, so they do not grow with each edit.
    fn keep_only(&mut self, chunks: &[(String, usize)]) {
        if self.parsed.len() <= chunks.len() && self.walked.len() <= chunks.len() {
            return;
        }
        let live: std::collections::HashSet<&str> =
            chunks.iter().map(|(chunk, _)| chunk.as_str()).collect();
        self.parsed.retain(|chunk, _| live.contains(chunk.as_str()));
        self.walked.retain(|chunk, _| live.contains(chunk.as_str()));
    }
}

fn parse(chunk: &str) -> ParsedChunk {
    let (items, errors) = parse_chunk(chunk);
    let declarations = fingerprint(
        items
            .iter()
            .filter_map(|item| item.file.as_ref())
            .map(declarations_of),
    );
    ParsedChunk {
        items,
        errors,
        declarations,
    }
}

fn fingerprint(parts: impl Iterator<Item = u64>) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.for_each(|part| part.hash(&mut hasher));
    hasher.finish()
}

/// What a chunk declares for other items to see: everything but function bodies.
fn declarations_of(file: &syn::File) -> u64 {
    let mut hasher = DefaultHasher::new();
    for item in &file.items {
        declaration_tokens(item).hash(&mut hasher);
    }
    hasher.finish()
}

fn declaration_tokens(item: &syn::Item) -> String {
    match item {
        syn::Item::Fn(function) => function.sig.to_token_stream().to_string(),
        syn::Item::Impl(block) => {
            let mut text = block.self_ty.to_token_stream().to_string();
            text.push_str(&block.generics.to_token_stream().to_string());
            for impl_item in &block.items {
                match impl_item {
                    syn::ImplItem::Fn(method) => {
                        text.push_str(&method.sig.to_token_stream().to_string())
                    }
                    other => text.push_str(&other.to_token_stream().to_string()),
                }
            }
            text
        }
        syn::Item::Trait(_) => String::new(),
        syn::Item::Mod(module) => module
            .content
            .iter()
            .flat_map(|(_, items)| items.iter().map(declaration_tokens))
            .collect(),
        other => other.to_token_stream().to_string(),
    }
}

/// Puts the chunks' results together, shifted to their chunk's start in the current text.
fn assemble(
    chunks: &[(String, usize)],
    walked: &[Arc<WalkedChunk>],
    parsed: &HashMap<String, ParsedChunk>,
    symbols: Symbols,
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
        types: type_reports(&symbols.defs, &target),
        errors: Vec::new(),
        defs: symbols.defs,
    };
    for ((chunk, start), walked) in chunks.iter().zip(walked) {
        let first = analysis.bindings.len();
        let collected = &walked.collected;
        let shift = |range: &Range<usize>| range.start + start..range.end + start;
        analysis
            .bindings
            .extend(walked.reports.iter().cloned().map(|mut report| {
                report.binding.name_range = shift(&report.binding.name_range);
                report.binding.hint_offset += start;
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
        analysis
            .errors
            .extend(parsed[chunk].errors.iter().map(|e| SyntaxError {
                range: shift(&e.range),
                message: e.message.clone(),
            }));
    }
    analysis
}

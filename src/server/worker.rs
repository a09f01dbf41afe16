//! The analysis thread: runs analyses on a large stack, under a panic guard, with a cache.
//!
//! syn keeps a thread-local source map and recurses deeply on nested input, so all parsing
//! happens on this one thread with a stack large enough for pathological files. A panic inside
//! an analysis is caught and reported; the thread keeps serving.

use std::collections::HashMap;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, mpsc};

use ropey::Rope;
use tokio::sync::{Notify, oneshot};
use tower_lsp_server::ls_types::Uri;

use crate::analysis::guard::panic_message;
use crate::analysis::incremental::{Analyzer, CrateFile};
use crate::analysis::{FileAnalysis, Target};
use crate::server::crates::{CrateIndexes, FileChange};

use crate::stack::ANALYSIS_STACK_BYTES;

/// What an analysis request names: a document's text at a revision, for a target.
pub struct AnalysisRequest {
    pub uri: Uri,
    /// The document's revision: a new one for every text the client sends, whatever version
    /// the client gave it (a second `didOpen`, or a `didChange` repeating the version, is new
    /// text under the same version).
    pub revision: u64,
    /// A snapshot of the text; ropes clone in constant time, so taking one is cheap.
    pub text: Rope,
    pub target: Target,
    /// The byte range the query is about: items outside it are analysed only for their
    /// declarations. `None` asks for the whole file.
    pub scope: Option<Range<usize>>,
}

type Job = Box<dyn FnOnce(&mut AnalysisCache) + Send>;

/// When a crate-index job runs: in turn, or only when no other job is waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    Now,
    Background,
}

/// A job and whether it may wait: background jobs (indexing a crate) run only when no other
/// job is waiting, so that a hover is never queued behind a whole crate.
enum Message {
    Now(Job),
    Background(Job),
}

/// Runs jobs as they arrive, background ones only when no other is waiting. Ends when every
/// sender is gone.
fn serve(receiver: mpsc::Receiver<Message>, cache: &mut AnalysisCache) {
    let mut background = std::collections::VecDeque::new();
    loop {
        let message = match receiver.try_recv() {
            Ok(message) => message,
            Err(mpsc::TryRecvError::Disconnected) => return,
            Err(mpsc::TryRecvError::Empty) => match background.pop_front() {
                Some(job) => Message::Now(job),
                None => match receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return,
                },
            },
        };
        match message {
            Message::Now(job) => job(cache),
            Message::Background(job) => background.push_back(job),
        }
    }
}

/// What the analysis thread keeps: an incremental analyzer per document, each document's
/// latest whole analysis, and the indexes of the crates the documents belong to.
#[derive(Default)]
pub struct AnalysisCache {
    analyzers: HashMap<Uri, Analyzer>,
    latest: HashMap<Uri, LatestAnalysis>,
    pub crates: CrateIndexes,
    file_changes: Arc<FileChanges>,
}

/// Watched-file changes reported but not applied yet, by path. Every job on the analysis thread
/// applies them first, all together: a request sees every change the client reported before
/// it, and a storm of events (a checkout, a build) costs one walk of each module tree, not one
/// per event.
#[derive(Default)]
struct FileChanges(Mutex<HashMap<PathBuf, FileChange>>);

impl FileChanges {
    fn pending(&self) -> MutexGuard<'_, HashMap<PathBuf, FileChange>> {
        // Plain data: usable even if a panic elsewhere poisoned the lock.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds changes; returns whether none were pending before (then a job must apply them).
    fn add(&self, changes: Vec<(PathBuf, FileChange)>) -> bool {
        let mut pending = self.pending();
        let was_empty = pending.is_empty();
        for (path, change) in changes {
            let merged = match pending.get(&path) {
                // A file created (or deleted) and then written is still a change to the tree.
                Some(&earlier) if change == FileChange::Changed => earlier,
                _ => change,
            };
            pending.insert(path, merged);
        }
        was_empty
    }

    fn take(&self) -> Vec<(PathBuf, FileChange)> {
        std::mem::take(&mut *self.pending()).into_iter().collect()
    }
}

/// A whole-file analysis and what it was made from: it stands for any request with the same
/// revision, target and crate context.
struct LatestAnalysis {
    revision: u64,
    target: Target,
    context: Option<u64>,
    analysis: Arc<FileAnalysis>,
}

/// The file behind a document, if it is one: what the crate index knows it by.
/// The crate context of the file at `path`, if a known package's module tree holds it.
fn crate_file<'a>(
    crates: &'a mut CrateIndexes,
    path: Option<&'a std::path::Path>,
) -> Option<CrateFile<'a>> {
    let path = path?;
    let index = crates.index_for(path)?;
    Some(CrateFile { index, path })
}

fn file_path(uri: &Uri) -> Option<std::path::PathBuf> {
    let path = uri.to_file_path()?;
    Some(std::fs::canonicalize(&path).unwrap_or_else(|_| path.into_owned()))
}

impl AnalysisCache {
    /// The analysis for a request: the cached whole-file analysis of that revision, target and
    /// crate context if there is one (it covers any scope), else a fresh one of the requested
    /// scope.
    fn analysis(&mut self, request: &AnalysisRequest) -> Arc<FileAnalysis> {
        let path = file_path(&request.uri);
        let krate = crate_file(&mut self.crates, path.as_deref());
        let context = krate
            .as_ref()
            .map(|krate| krate.index.context_of(krate.path));
        if let Some(latest) = self.latest.get(&request.uri)
            && latest.revision == request.revision
            && latest.target == request.target
            && latest.context == context
        {
            return Arc::clone(&latest.analysis);
        }
        let analyzer = self.analyzers.entry(request.uri.clone()).or_default();
        let text = request.text.to_string();
        // A scope covering the whole text (an editor asking for every hint) is a whole analysis,
        // which is kept for the next request of the same version.
        let whole = 0..text.len();
        let scope = request.scope.clone().unwrap_or(whole.clone());
        let is_whole = scope == whole;
        let started = std::time::Instant::now();
        let analysis = Arc::new(analyzer.analyze_in_crate(&text, request.target, scope, krate));
        tracing::debug!(
            "analysed {:?} of {:?} in {:?}",
            request.scope,
            request.uri.as_str(),
            started.elapsed()
        );
        if let Some(path) = &path {
            self.crates.note_analyzed(path, analyzer);
        }
        if is_whole {
            let latest = LatestAnalysis {
                revision: request.revision,
                target: request.target,
                context,
                analysis: Arc::clone(&analysis),
            };
            self.latest.insert(request.uri.clone(), latest);
        }
        analysis
    }

    /// Prepares a document's analysis (see [`Analyzer::prepare_in_crate`]) unless one of this
    /// revision is cached already.
    fn prepare(&mut self, request: &AnalysisRequest) {
        if self
            .latest
            .get(&request.uri)
            .is_some_and(|latest| latest.revision == request.revision)
        {
            return;
        }
        let path = file_path(&request.uri);
        let krate = crate_file(&mut self.crates, path.as_deref());
        let analyzer = self.analyzers.entry(request.uri.clone()).or_default();
        let started = std::time::Instant::now();
        analyzer.prepare_in_crate(&request.text.to_string(), request.target, krate);
        tracing::debug!(
            "prepared {:?} in {:?}",
            request.uri.as_str(),
            started.elapsed()
        );
        if let Some(path) = &path {
            self.crates.note_analyzed(path, analyzer);
        }
    }

    /// Applies the watched-file changes reported since the last job.
    fn apply_file_changes(&mut self) {
        let changes = self.file_changes.take();
        if !changes.is_empty() {
            self.crates.files_changed(&changes);
        }
    }

    /// Forgets everything after a panic: the caches may hold half-built entries.
    fn clear(&mut self) {
        self.latest.clear();
        self.analyzers.clear();
        self.crates = self.crates.fresh();
    }
}

/// A handle to the analysis thread; cloning it shares the thread.
#[derive(Clone)]
pub struct AnalysisWorker {
    jobs: mpsc::Sender<Message>,
    crate_changes: Arc<Notify>,
    file_changes: Arc<FileChanges>,
}

/// Why an analysis produced no result.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisFailure {
    #[error("memlens analysis panicked: {0}")]
    Panicked(String),
    #[error("the memlens analysis thread is gone")]
    WorkerGone,
}

impl AnalysisWorker {
    pub fn spawn() -> std::io::Result<AnalysisWorker> {
        let (jobs, receiver) = mpsc::channel::<Message>();
        let crate_changes = Arc::new(Notify::new());
        let changes = Arc::clone(&crate_changes);
        let file_changes = Arc::new(FileChanges::default());
        let files = Arc::clone(&file_changes);
        std::thread::Builder::new()
            .name("memlens-analysis".into())
            .stack_size(ANALYSIS_STACK_BYTES)
            .spawn(move || {
                let mut cache = AnalysisCache {
                    crates: CrateIndexes::signalling(changes),
                    file_changes: files,
                    ..AnalysisCache::default()
                };
                serve(receiver, &mut cache);
            })?;
        Ok(AnalysisWorker {
            jobs,
            crate_changes,
            file_changes,
        })
    }

    /// Files changed on disk: applied before the next job, with any others reported by then.
    /// Returns at once; a job is queued only when none is due to apply them already.
    pub fn files_changed(&self, changes: Vec<(PathBuf, FileChange)>) {
        if self.file_changes.add(changes) {
            let _ = self.jobs.send(Message::Now(Box::new(|cache| {
                if let Err(failure) = guarded(cache, AnalysisCache::apply_file_changes) {
                    tracing::error!("{failure}");
                }
            })));
        }
    }

    /// Signalled whenever a crate index changed: open documents' analyses may have changed.
    pub fn crate_changes(&self) -> Arc<Notify> {
        Arc::clone(&self.crate_changes)
    }

    /// Analyses a document (or reuses the cached analysis of that version) and applies `query`
    /// to it on the analysis thread.
    pub async fn query<T: Send + 'static>(
        &self,
        request: AnalysisRequest,
        query: impl FnOnce(&FileAnalysis) -> T + Send + 'static,
    ) -> Result<T, AnalysisFailure> {
        // Without the syntax trees: handing them out would parse every function body.
        self.run(Message::Now, move |cache| query(&cache.analysis(&request)))
            .await
    }

    /// Like [`AnalysisWorker::query`], with the document's syntax trees (each with the byte
    /// offset its text starts at) for queries that need more than the analysis.
    pub async fn query_with_syntax<T: Send + 'static>(
        &self,
        request: AnalysisRequest,
        query: impl FnOnce(&FileAnalysis, &[(&syn::File, usize)]) -> T + Send + 'static,
    ) -> Result<T, AnalysisFailure> {
        self.run(Message::Now, move |cache| {
            let analysis = cache.analysis(&request);
            let files = cache
                .analyzers
                .get_mut(&request.uri)
                .map(Analyzer::files)
                .unwrap_or_default();
            query(&analysis, &files)
        })
        .await
    }

    /// Runs `work` on the analysis thread under the panic guard; after a panic the caches are
    /// cleared, as they may hold half-built entries.
    async fn run<T: Send + 'static>(
        &self,
        priority: fn(Job) -> Message,
        work: impl FnOnce(&mut AnalysisCache) -> T + Send + 'static,
    ) -> Result<T, AnalysisFailure> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |cache| {
            // The request was cancelled (or its client gone) while the job waited: skip it.
            // This is what makes `$/cancelRequest` cancel queued work, not only the answer.
            if reply.is_closed() {
                return;
            }
            let result = guarded(cache, |cache| {
                cache.apply_file_changes();
                work(cache)
            });
            let _ = reply.send(result);
        });
        self.jobs
            .send(priority(job))
            .map_err(|_| AnalysisFailure::WorkerGone)?;
        answer.await.map_err(|_| AnalysisFailure::WorkerGone)?
    }

    /// Prepares the analysis of a document just opened, in turn with other jobs; returns at
    /// once. Requests about it then find its declarations ready.
    pub fn prepare(&self, request: AnalysisRequest) {
        let _ = self.jobs.send(Message::Now(Box::new(move |cache| {
            let prepared = guarded(cache, |cache| {
                cache.apply_file_changes();
                cache.prepare(&request);
            });
            if let Err(failure) = prepared {
                tracing::error!("{failure}");
            }
        })));
    }

    /// Forgets a closed document's analysis; its file's declarations come from disk again.
    pub fn forget(&self, uri: Uri) {
        let _ = self.jobs.send(Message::Now(Box::new(move |cache| {
            cache.latest.remove(&uri);
            cache.analyzers.remove(&uri);
            // Reading the file from disk again parses it: under the guard, like every job.
            let reread = guarded(cache, |cache| {
                cache.apply_file_changes();
                if let Some(path) = file_path(&uri) {
                    cache.crates.closed(&path);
                }
            });
            if let Err(failure) = reread {
                tracing::error!("{failure}");
            }
        })));
    }

    /// Runs `work` on the crate indexes, on the analysis thread, under the panic guard; in the
    /// background, it waits until no other job is waiting.
    pub async fn with_crates<T: Send + 'static>(
        &self,
        priority: Priority,
        work: impl FnOnce(&mut CrateIndexes) -> T + Send + 'static,
    ) -> Result<T, AnalysisFailure> {
        let message = match priority {
            Priority::Now => Message::Now,
            Priority::Background => Message::Background,
        };
        self.run(message, move |cache| work(&mut cache.crates))
            .await
    }
}

/// Runs `work` under the panic guard; after a panic the caches are cleared, as they may hold
/// half-built entries.
fn guarded<T>(
    cache: &mut AnalysisCache,
    work: impl FnOnce(&mut AnalysisCache) -> T,
) -> Result<T, AnalysisFailure> {
    let result = catch_unwind(AssertUnwindSafe(|| work(cache)))
        .map_err(|payload| AnalysisFailure::Panicked(panic_message(&payload)));
    if result.is_err() {
        cache.clear();
    }
    result
}

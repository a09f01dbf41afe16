//! The analysis thread: runs analyses on a large stack, under a panic guard, with a cache.
//!
//! syn keeps a thread-local source map and recurses deeply on nested input, so all parsing
//! happens on this one thread with a stack large enough for pathological files. A panic inside
//! an analysis is caught and reported; the thread keeps serving.

use std::collections::HashMap;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, mpsc};

use ropey::Rope;
use tokio::sync::oneshot;
use tower_lsp_server::ls_types::Uri;

use crate::analysis::incremental::Analyzer;
use crate::analysis::{FileAnalysis, Target};

use crate::stack::ANALYSIS_STACK_BYTES;

/// What an analysis request names: a document's text at a version, for a target.
pub struct AnalysisRequest {
    pub uri: Uri,
    pub version: i32,
    /// A snapshot of the text; ropes clone in constant time, so taking one is cheap.
    pub text: Rope,
    pub target: Target,
    /// The byte range the query is about: items outside it are analysed only for their
    /// declarations. `None` asks for the whole file.
    pub scope: Option<Range<usize>>,
}

type Job = Box<dyn FnOnce(&mut AnalysisCache) + Send>;

/// What the analysis thread keeps: an incremental analyzer per document, and each document's
/// latest analysis by version and target.
#[derive(Default)]
struct AnalysisCache {
    analyzers: HashMap<Uri, Analyzer>,
    latest: HashMap<Uri, (i32, Target, Arc<FileAnalysis>)>,
}

impl AnalysisCache {
    /// The analysis for a request: the cached whole-file analysis of that version and target if
    /// there is one (it covers any scope), else a fresh one of the requested scope.
    fn analysis(&mut self, request: &AnalysisRequest) -> Arc<FileAnalysis> {
        if let Some((version, target, analysis)) = self.latest.get(&request.uri)
            && *version == request.version
            && *target == request.target
        {
            return Arc::clone(analysis);
        }
        let analyzer = self.analyzers.entry(request.uri.clone()).or_default();
        let text = request.text.to_string();
        let Some(scope) = &request.scope else {
            let analysis = Arc::new(analyzer.analyze(&text, request.target));
            let entry = (request.version, request.target, Arc::clone(&analysis));
            self.latest.insert(request.uri.clone(), entry);
            return analysis;
        };
        Arc::new(analyzer.analyze_scope(&text, request.target, scope.clone()))
    }

    /// Forgets everything after a panic: the caches may hold half-built entries.
    fn clear(&mut self) {
        self.latest.clear();
        self.analyzers.clear();
    }
}

/// A handle to the analysis thread; cloning it shares the thread.
#[derive(Clone)]
pub struct AnalysisWorker {
    jobs: mpsc::Sender<Job>,
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
        let (jobs, receiver) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("memlens-analysis".into())
            .stack_size(ANALYSIS_STACK_BYTES)
            .spawn(move || {
                let mut cache = AnalysisCache::default();
                for job in receiver {
                    job(&mut cache);
                }
            })?;
        Ok(AnalysisWorker { jobs })
    }

    /// Analyses a document (or reuses the cached analysis of that version) and applies `query`
    /// to it on the analysis thread.
    pub async fn query<T: Send + 'static>(
        &self,
        request: AnalysisRequest,
        query: impl FnOnce(&FileAnalysis) -> T + Send + 'static,
    ) -> Result<T, AnalysisFailure> {
        self.query_with_syntax(request, move |analysis, _| query(analysis))
            .await
    }

    /// Like [`AnalysisWorker::query`], with the document's syntax trees (each with the byte
    /// offset its text starts at) for queries that need more than the analysis.
    pub async fn query_with_syntax<T: Send + 'static>(
        &self,
        request: AnalysisRequest,
        query: impl FnOnce(&FileAnalysis, &[(&syn::File, usize)]) -> T + Send + 'static,
    ) -> Result<T, AnalysisFailure> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |cache| {
            let result = catch_unwind(AssertUnwindSafe(|| {
                let analysis = cache.analysis(&request);
                let files = cache
                    .analyzers
                    .get_mut(&request.uri)
                    .map(Analyzer::files)
                    .unwrap_or_default();
                query(&analysis, &files)
            }));
            let result =
                result.map_err(|payload| AnalysisFailure::Panicked(panic_message(&payload)));
            if result.is_err() {
                cache.clear();
            }
            let _ = reply.send(result);
        });
        self.jobs
            .send(job)
            .map_err(|_| AnalysisFailure::WorkerGone)?;
        answer.await.map_err(|_| AnalysisFailure::WorkerGone)?
    }

    /// Forgets a closed document's analysis.
    pub fn forget(&self, uri: Uri) {
        let _ = self.jobs.send(Box::new(move |cache| {
            cache.latest.remove(&uri);
            cache.analyzers.remove(&uri);
        }));
    }
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

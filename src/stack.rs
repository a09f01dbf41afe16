//! Running analysis on a thread whose stack is large enough for deeply nested input.
//!
//! syn parses nested expressions recursively; 10 000 nested parentheses need far more than a
//! main thread's 8 MiB. The stack is reserved address space, touched only as deep as it is used.

/// Stack for analysis threads.
pub const ANALYSIS_STACK_BYTES: usize = 512 * 1024 * 1024;

/// Runs `work` on a fresh thread with [`ANALYSIS_STACK_BYTES`] of stack and returns its result;
/// a panic in `work` is returned as an error message.
pub fn on_large_stack<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let handle = std::thread::Builder::new()
        .name("memlens-analysis".into())
        .stack_size(ANALYSIS_STACK_BYTES)
        .spawn(work)
        .map_err(|error| format!("cannot start the analysis thread: {error}"))?;
    handle.join().map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the analysis panicked".to_string())
    })
}

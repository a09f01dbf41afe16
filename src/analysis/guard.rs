//! Failure per item: runs one item's analysis so that a panic in it (a bug in memlens) loses
//! only that item's answers, and injects such a failure on request, for the tests that check it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

/// Names the function or type whose analysis panics on purpose, so a test against the real
/// binary can check that the other items keep their answers. Unset in normal use.
pub const FAIL_ITEM_VAR: &str = "MEMLENS_FAIL_ITEM";

/// Runs `work`, turning a panic into its message.
pub fn isolated<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| panic_message(&payload))
}

/// The message a panic was raised with.
pub fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Panics when `name` is the item [`FAIL_ITEM_VAR`] names.
pub fn fail_if_asked(name: &str) {
    static ASKED: OnceLock<Option<String>> = OnceLock::new();
    let asked = ASKED.get_or_init(|| std::env::var(FAIL_ITEM_VAR).ok());
    if asked.as_deref() == Some(name) {
        panic!("a failure injected into `{name}` ({FAIL_ITEM_VAR})");
    }
}

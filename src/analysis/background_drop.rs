//! Freeing large analysis state on a thread of its own, off the request path.
//!
//! A declaration edit in a crate of 20 000 files replaces the file's view of the crate (its
//! definitions, the crate graph, the last analysis): freeing those took a quarter of the edit.

use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};

type Garbage = Box<dyn Send>;

/// Frees `value` on the background thread; on the caller's if that thread cannot be started.
pub fn drop_later<T: Send + 'static>(value: T) {
    static QUEUE: Mutex<Option<Sender<Garbage>>> = Mutex::new(None);
    let mut queue = QUEUE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if queue.is_none() {
        *queue = start();
    }
    let unsent = match queue.as_ref() {
        Some(sender) => sender.send(Box::new(value)).err().map(|error| error.0),
        None => Some(Box::new(value) as Garbage),
    };
    drop(queue);
    drop(unsent);
}

fn start() -> Option<Sender<Garbage>> {
    let (sender, receiver) = channel::<Garbage>();
    std::thread::Builder::new()
        .name("memlens-drop".into())
        .spawn(move || receiver.into_iter().for_each(drop))
        .ok()?;
    Some(sender)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn a_value_is_freed_soon_after() {
        let value = Arc::new(vec![0u8; 1 << 20]);
        let watch = Arc::downgrade(&value);
        drop_later(value);
        let deadline = Instant::now() + Duration::from_secs(10);
        while watch.upgrade().is_some() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(watch.upgrade().is_none());
    }
}

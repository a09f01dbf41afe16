//! Frames of the LSP base protocol (`Content-Length: N\r\n\r\n` and N bytes), read so that no
//! bad header or body loses the rest of the stream.
//!
//! Resynchronising works because of one fact about JSON: a `Content-Length` header can never
//! be part of a valid body. It cannot stand outside a string (it is no JSON token), and inside a
//! string it cannot follow a line break (raw line breaks are not allowed in JSON strings). So:
//!
//! - after a header block with no usable length (missing, negative, not a number, past
//!   `usize`, a NUL inside), everything up to the next `Content-Length` is skipped;
//! - a body is cut short where a header appears in it at its start, after a line break, or
//!   right after a complete JSON value: the length was too long (by a few bytes, or by a
//!   gigabyte with a short body) and the header is the next frame's;
//! - a body too short is answered as a parse error, and whatever it left before the next
//!   header is skipped;
//! - a length over [`MAX_BODY_BYTES`] is not believed: the reader skips to the next header
//!   rather than buffering or swallowing that much.

use tokio::io::{AsyncRead, AsyncReadExt};

/// The header's name, matched without regard to case (header names are case-insensitive).
const HEADER_NAME: &[u8] = b"content-length";

/// A header block longer than this is not one.
const MAX_HEADER_BLOCK: usize = 4096;

/// The largest body believed; the largest document in the tests is 10 MiB.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// How many times one body's prefix is parsed to tell whether a header follows a complete value.
const MAX_JSON_CHECKS: usize = 8;

/// How much is read from the input at a time.
const READ_CHUNK: usize = 64 * 1024;

/// How long to wait for the rest of a header that seems to start at the end of a body, before
/// taking the body as it is.
const PARTIAL_HEADER_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

pub struct FrameReader<R> {
    input: R,
    /// Bytes read but not consumed yet.
    buffer: Vec<u8>,
    eof: bool,
}

/// What reading a body found.
enum Body {
    Complete(Vec<u8>),
    /// A header where the body should have been: nothing to hand on, read the next frame.
    Resync,
    Eof,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(input: R) -> FrameReader<R> {
        FrameReader {
            input,
            buffer: Vec::new(),
            eof: false,
        }
    }

    /// The next frame's body; `None` at the end of the input.
    pub async fn next_body(&mut self) -> Option<Vec<u8>> {
        loop {
            let length = self.next_header().await?;
            if length > MAX_BODY_BYTES {
                tracing::warn!("ignored a Content-Length of {length} bytes: too large to believe");
                continue;
            }
            match self.body(length).await {
                Body::Complete(body) => return Some(body),
                Body::Resync => continue,
                Body::Eof => return None,
            }
        }
    }

    /// Reads more input; `false` at its end (or on a read error, which ends it too).
    async fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        let start = self.buffer.len();
        self.buffer.resize(start + READ_CHUNK, 0);
        let read = self
            .input
            .read(&mut self.buffer[start..])
            .await
            .unwrap_or(0);
        self.buffer.truncate(start + read);
        self.eof = read == 0;
        !self.eof
    }

    /// Drops `count` consumed bytes from the front of the buffer.
    fn consume(&mut self, count: usize) {
        self.buffer.drain(..count.min(self.buffer.len()));
    }

    /// Finds the next header block with a usable length, skipping anything before it, and
    /// consumes it; returns the length, or `None` at the end of the input.
    async fn next_header(&mut self) -> Option<usize> {
        loop {
            let Some(start) = find_header_name(&self.buffer, 0) else {
                // Keep a tail that may be the start of a header name split across reads.
                let keep = HEADER_NAME.len() - 1;
                self.skip_garbage(self.buffer.len().saturating_sub(keep));
                if !self.fill().await {
                    return None;
                }
                continue;
            };
            self.skip_garbage(start);
            let Some((block_end, body_start)) = header_block_end(&self.buffer) else {
                if self.buffer.len() > MAX_HEADER_BLOCK {
                    tracing::warn!("skipped a header block that never ends");
                    self.consume(HEADER_NAME.len());
                } else if !self.fill().await {
                    return None;
                }
                continue;
            };
            let length = header_length(&self.buffer[..block_end]);
            self.consume(body_start);
            match length {
                Some(length) => return Some(length),
                None => tracing::warn!("skipped a header block without a valid Content-Length"),
            }
        }
    }

    /// Drops bytes that are no part of any frame, logging them when they are more than the
    /// whitespace some clients leave between frames.
    fn skip_garbage(&mut self, count: usize) {
        let skipped = &self.buffer[..count.min(self.buffer.len())];
        if skipped.iter().any(|b| !b.is_ascii_whitespace()) {
            tracing::warn!(
                "skipped {} bytes that are not part of a frame",
                skipped.len()
            );
        }
        self.consume(count);
    }

    /// Reads a body of `length` bytes, cut short where the next frame's header shows up in it.
    async fn body(&mut self, length: usize) -> Body {
        let (mut scanned, mut checks) = (0, MAX_JSON_CHECKS);
        loop {
            // A header may start inside the body and end just after it (a length a few bytes
            // too long), so the search looks a header name's length past the body's end.
            let window = self.buffer.len().min(length + HEADER_NAME.len());
            if let Some(cut) = resync_point(&self.buffer[..window], length, scanned, &mut checks) {
                tracing::warn!("a frame's Content-Length ({length}) ran into the next header");
                let body = self.buffer[..cut].to_vec();
                self.consume(cut);
                return if body.iter().all(u8::is_ascii_whitespace) {
                    Body::Resync
                } else {
                    Body::Complete(body)
                };
            }
            scanned = window.saturating_sub(HEADER_NAME.len());
            if self.buffer.len() >= length {
                match partial_header_at_end(&self.buffer[..window]) {
                    // The body may end in the first bytes of the next frame's header, the rest
                    // of it not read yet: wait a little for it, then decide again.
                    Some(cut) if cut < length => {
                        if window < length + HEADER_NAME.len() && self.wait_for_more().await {
                            continue;
                        }
                        // Nothing more came: the JSON before the partial header is the message.
                        return self.take(cut);
                    }
                    _ => return self.take(length),
                }
            }
            if !self.fill().await {
                return Body::Eof;
            }
        }
    }

    fn take(&mut self, count: usize) -> Body {
        let body = self.buffer[..count].to_vec();
        self.consume(count);
        Body::Complete(body)
    }

    /// Waits a little for more input; `true` if some came.
    async fn wait_for_more(&mut self) -> bool {
        let before = self.buffer.len();
        let _ = tokio::time::timeout(PARTIAL_HEADER_WAIT, self.fill()).await;
        self.buffer.len() > before
    }
}

/// Where the header name first occurs at or after `from`, ignoring case.
fn find_header_name(bytes: &[u8], from: usize) -> Option<usize> {
    let last = bytes.len().checked_sub(HEADER_NAME.len())?;
    (from..=last).find(|&at| bytes[at..at + HEADER_NAME.len()].eq_ignore_ascii_case(HEADER_NAME))
}

/// The end of the header block at the start of `bytes` and where its body starts: the first
/// empty line (`\r\n\r\n`, or `\n\n` from lenient clients).
fn header_block_end(bytes: &[u8]) -> Option<(usize, usize)> {
    let searched = &bytes[..bytes.len().min(MAX_HEADER_BLOCK + 4)];
    let crlf = searched.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = searched.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(crlf), Some(lf)) if lf < crlf => Some((lf, lf + 2)),
        (Some(crlf), _) => Some((crlf, crlf + 4)),
        (None, Some(lf)) => Some((lf, lf + 2)),
        (None, None) => None,
    }
}

/// The length in a header block that starts with the header name: decimal digits only, as the
/// base protocol has it (no sign, no NUL, nothing past `usize`).
fn header_length(block: &[u8]) -> Option<usize> {
    let rest = block.get(HEADER_NAME.len()..)?;
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let line = std::str::from_utf8(&rest[..line_end]).ok()?;
    let value = line
        .trim_start_matches([' ', '\t'])
        .strip_prefix(':')?
        .trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// Where, in the first `length` bytes of `bytes`, the next frame's header starts, if it does:
/// at the start, after a line break, or right after a complete JSON object. `from` skips what
/// earlier calls searched; `checks` bounds how many prefixes are parsed as JSON, so that a
/// document full of `}Content-Length` strings costs a few parses, not one per occurrence.
fn resync_point(bytes: &[u8], length: usize, from: usize, checks: &mut usize) -> Option<usize> {
    let mut at = from;
    while let Some(found) = find_header_name(bytes, at).filter(|&found| found < length) {
        let after_break = found == 0 || bytes[found - 1] == b'\n';
        let after_object = bytes[..found].trim_ascii_end().ends_with(b"}") && *checks > 0;
        if after_object {
            *checks -= 1;
        }
        if after_break || (after_object && is_complete_json(&bytes[..found])) {
            return Some(found);
        }
        at = found + 1;
    }
    None
}

/// Where a complete JSON value ends if the rest of `body` is the start of a header name (its
/// first bytes only, the rest not read yet).
fn partial_header_at_end(body: &[u8]) -> Option<usize> {
    (1..HEADER_NAME.len()).rev().find_map(|taken| {
        let cut = body.len().checked_sub(taken)?;
        let tail = &body[cut..];
        (tail.eq_ignore_ascii_case(&HEADER_NAME[..taken]) && is_complete_json(&body[..cut]))
            .then_some(cut)
    })
}

fn is_complete_json(bytes: &[u8]) -> bool {
    !bytes.iter().all(u8::is_ascii_whitespace)
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every body the reader hands on, for `input` fed at once.
    fn bodies(input: &[u8]) -> Vec<String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let mut reader = FrameReader::new(input);
            let mut found = Vec::new();
            while let Some(body) = reader.next_body().await {
                found.push(String::from_utf8_lossy(&body).into_owned());
            }
            found
        })
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn good_frames_pass_as_they_are() {
        let input = frame("{\"a\":1}") + &frame("{\"text\":\"Content-Length: 5\"}");
        assert_eq!(
            bodies(input.as_bytes()),
            ["{\"a\":1}", "{\"text\":\"Content-Length: 5\"}"]
        );
    }

    #[test]
    fn bad_lengths_resynchronise() {
        let good = frame("{\"b\":2}");
        for bad in [
            "Content-Length: -1\r\n\r\n{\"a\":1}".to_string(),
            "Content-Length: 1x\r\n\r\n{\"a\":1}".to_string(),
            "Content-Length: 18446744073709551616\r\n\r\n{\"a\":1}".to_string(),
            "Content-Length: 4\u{0}2\r\n\r\n{\"a\":1}".to_string(),
            "Content-Type: x\r\n\r\n{\"a\":1}".to_string(),
        ] {
            assert_eq!(
                bodies((bad.clone() + &good).as_bytes()),
                ["{\"b\":2}"],
                "{bad:?}"
            );
        }
    }

    #[test]
    fn lengths_off_by_a_few_bytes_keep_the_next_frame() {
        let good = frame("{\"b\":2}");
        let long = "Content-Length: 10\r\n\r\n{\"a\":1}".to_string() + &good;
        assert_eq!(bodies(long.as_bytes()), ["{\"a\":1}", "{\"b\":2}"]);
        let short = "Content-Length: 5\r\n\r\n{\"a\":1}".to_string() + &good;
        assert_eq!(bodies(short.as_bytes()), ["{\"a\":", "{\"b\":2}"]);
        let huge = "Content-Length: 1000000\r\n\r\n{\"a\":1}".to_string() + &good;
        assert_eq!(bodies(huge.as_bytes()), ["{\"a\":1}", "{\"b\":2}"]);
        let unbelievable = "Content-Length: 1000000000\r\n\r\n{\"a\":1}".to_string() + &good;
        assert_eq!(bodies(unbelievable.as_bytes()), ["{\"b\":2}"]);
    }

    #[test]
    fn a_length_past_the_end_stops_at_the_partial_header() {
        let input = "Content-Length: 9\r\n\r\n{\"a\":1}Co";
        assert_eq!(bodies(input.as_bytes()), ["{\"a\":1}"]);
    }
}

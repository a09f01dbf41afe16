//! A framing guard in front of tower-lsp-server: malformed messages must not end the session.
//!
//! tower-lsp-server's reader stops for good after the first frame it cannot decode, so a single
//! bad message from a client would end the server. Frames are read here first: a body that is
//! not a JSON-RPC object is logged and replaced by a `$/` notification, which servers ignore,
//! and a header block without a usable `Content-Length` is skipped.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

/// What a malformed frame is replaced by: a notification the LSP spec lets servers ignore.
const IGNORED: &[u8] = br#"{"jsonrpc":"2.0","method":"$/memlens/malformedMessage"}"#;

/// The largest body accepted; larger frames are skipped rather than buffered.
const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// Returns a reader that yields only well-formed frames of `input`, fed by a background task.
pub fn guarded(input: impl AsyncRead + Unpin + Send + 'static) -> DuplexStream {
    let (mut writer, reader) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        let mut input = BufReader::new(input);
        while let Some(body) = next_frame(&mut input).await {
            let body = if is_json_rpc(&body) {
                body
            } else {
                IGNORED.to_vec()
            };
            let header = format!("Content-Length: {}\r\n\r\n", body.len());
            if writer.write_all(header.as_bytes()).await.is_err()
                || writer.write_all(&body).await.is_err()
            {
                break;
            }
        }
        let _ = writer.shutdown().await;
    });
    reader
}

fn is_json_rpc(body: &[u8]) -> bool {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) if value.get("jsonrpc").is_some() => true,
        Ok(_) => {
            tracing::warn!("ignored a message that is not a JSON-RPC object");
            false
        }
        Err(error) => {
            tracing::warn!("ignored a message that is not JSON: {error}");
            false
        }
    }
}

/// Reads the next frame's body; `None` at the end of input.
async fn next_frame(input: &mut BufReader<impl AsyncRead + Unpin>) -> Option<Vec<u8>> {
    loop {
        let length = read_headers(input).await?;
        match length {
            Some(length) if length <= MAX_BODY_BYTES => {
                let mut body = vec![0; length];
                input.read_exact(&mut body).await.ok()?;
                return Some(body);
            }
            Some(length) => {
                tracing::warn!("skipped a {length}-byte message: too large");
                tokio::io::copy(
                    &mut (&mut *input).take(length as u64),
                    &mut tokio::io::sink(),
                )
                .await
                .ok()?;
            }
            None => tracing::warn!("skipped a header block without a valid Content-Length"),
        }
    }
}

/// Reads one header block; the outer `None` is the end of input, the inner one a block
/// without a usable `Content-Length`.
async fn read_headers(input: &mut BufReader<impl AsyncRead + Unpin>) -> Option<Option<usize>> {
    let mut length = None;
    let mut line = String::new();
    let mut seen_any = false;
    loop {
        line.clear();
        if input.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if seen_any {
                return Some(length);
            }
            continue;
        }
        seen_any = true;
        if let Some((name, value)) = trimmed.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok();
        }
    }
}

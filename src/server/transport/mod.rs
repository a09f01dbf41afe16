//! The transport: frames in, JSON-RPC checked, every message handled as soon as it is read,
//! answers out. It replaces tower-lsp-server's `Server` and keeps its `LspService`, which routes
//! each message to the `LanguageServer` methods.
//!
//! Why not tower-lsp-server's own loop: its reader stops for good at the first frame it cannot
//! decode (a bad `Content-Length`, a `"jsonrpc":"1.0"`, an id of `1.5`), and it runs at most four
//! handlers from a queue of a hundred, reading nothing more while the queue is full. So a
//! `$/cancelRequest` waits behind the very requests it cancels (2 000 hovers then 2 000 cancels:
//! none cancelled), and a handler waiting for the client (an unanswered
//! `workspace/configuration`) holds one of the four slots for its whole timeout.
//!
//! Here each message's handler is polled once right away, in the order the client sent the
//! messages: handlers whose work is synchronous (applying an edit, taking a document snapshot)
//! are done before the next message is read, as before. A handler that has to wait goes on in a
//! task of its own, so reading never stops for it and a cancellation reaches the request at
//! once; tower-lsp-server's cancellation then drops the request's future, and the analysis
//! thread skips the job the request had queued.

mod frames;
mod message;

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tower::Service;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{ClientSocket, ExitedError, LanguageServer, LspService};

use frames::FrameReader;
use message::Incoming;

/// Requests and notifications whose handlers are still running, at most: past this many the
/// reader waits for one to finish, so a flood of requests cannot grow memory without bound.
const MAX_IN_FLIGHT: usize = 4096;

/// Serialised messages on their way to the client.
type Outbox = mpsc::UnboundedSender<String>;

type HandlerFuture = Pin<Box<dyn Future<Output = Result<Option<Response>, ExitedError>> + Send>>;

/// Serves `service` on `input`/`output` until the client sends `exit` or closes the input.
pub async fn serve<S, I, O>(input: I, output: O, mut service: LspService<S>, socket: ClientSocket)
where
    S: LanguageServer,
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (outbox, outgoing) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write_frames(output, outgoing));
    let (mut server_requests, mut client_responses) = socket.split();
    let forwarder = tokio::spawn({
        let outbox = outbox.clone();
        async move {
            while let Some(request) = server_requests.next().await {
                send(&outbox, &request);
            }
        }
    });
    let mut frames = FrameReader::new(input);
    let mut handlers = JoinSet::new();
    while let Some(body) = frames.next_body().await {
        let exit = match message::classify(&body) {
            Incoming::Request(request) => {
                let exit = request.method() == "exit";
                if !dispatch(&mut service, request, &outbox, &mut handlers).await {
                    break;
                }
                exit
            }
            Incoming::Response(response) => {
                // Fails only once the server has exited; the answer is of no use then.
                let _ = client_responses.send(response).await;
                false
            }
            Incoming::Reject { id, error } => {
                tracing::warn!(
                    "answered an invalid message with an error: {}",
                    error.message
                );
                send(&outbox, &Response::from_error(id, error));
                false
            }
            Incoming::Ignore(why) => {
                tracing::warn!("ignored an invalid message: {why}");
                false
            }
        };
        if exit {
            break;
        }
        reap(&mut handlers).await;
    }
    // `exit`, or the client closed its end: nobody waits for the answers still being worked on.
    handlers.abort_all();
    forwarder.abort();
    drop(outbox);
    let _ = writer.await;
}

/// Hands a request or notification to the service and polls its handler once here; a handler
/// that has to wait goes on in a task. Returns `false` once the service has exited.
async fn dispatch<S: LanguageServer>(
    service: &mut LspService<S>,
    request: Request,
    outbox: &Outbox,
    handlers: &mut JoinSet<()>,
) -> bool {
    if !ready(service).await {
        return false;
    }
    let mut handler: HandlerFuture = service.call(request);
    match poll_once(&mut handler).await {
        Poll::Ready(result) => answer(outbox, result),
        Poll::Pending => {
            let outbox = outbox.clone();
            handlers.spawn(async move { answer(&outbox, handler.await) });
        }
    }
    true
}

/// Waits until the service takes messages: it holds them back while `initialize` runs (as
/// tower-lsp-server's loop did), and refuses them after `exit`. The service does not wake its
/// caller when `initialize` ends, so this looks again every millisecond meanwhile.
async fn ready<S: LanguageServer>(service: &mut LspService<S>) -> bool {
    loop {
        match std::future::poll_fn(|cx| Poll::Ready(service.poll_ready(cx))).await {
            Poll::Ready(result) => return result.is_ok(),
            Poll::Pending => tokio::time::sleep(std::time::Duration::from_millis(1)).await,
        }
    }
}

/// Polls a future once, without waiting for it.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx))).await
}

fn answer(outbox: &Outbox, result: Result<Option<Response>, ExitedError>) {
    if let Ok(Some(response)) = result {
        send(outbox, &response);
    }
}

fn send(outbox: &Outbox, message: &impl serde::Serialize) {
    match serde_json::to_string(message) {
        // Fails only when the writer is gone, after the end of the session.
        Ok(text) => {
            let _ = outbox.send(text);
        }
        Err(error) => tracing::error!("could not serialise a message: {error}"),
    }
}

/// Collects finished handlers; waits for one when too many are running.
async fn reap(handlers: &mut JoinSet<()>) {
    while handlers.try_join_next().is_some() {}
    while handlers.len() >= MAX_IN_FLIGHT {
        handlers.join_next().await;
    }
}

/// Writes each message as a frame, flushing whenever no other message is waiting.
async fn write_frames(
    mut output: impl AsyncWrite + Unpin,
    mut outgoing: mpsc::UnboundedReceiver<String>,
) {
    while let Some(body) = outgoing.recv().await {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(body.as_bytes()).await.is_err()
        {
            return;
        }
        if outgoing.is_empty() && output.flush().await.is_err() {
            return;
        }
    }
    let _ = output.flush().await;
}

//! A frame's body judged as JSON-RPC 2.0: a request or response to hand on, an error to answer
//! with, or something to log and drop.
//!
//! Only what passes every check reaches tower-lsp-server, rebuilt from the checked parts, so its
//! decoding cannot fail. Bodies serde_json refuses are decoded leniently once more: invalid
//! UTF-8 and lone UTF-16 surrogate escapes (`"\ud800"`, which editors send when a user's buffer
//! holds half a pair) become U+FFFD. Dropping such a change instead would leave the server's
//! copy of the document out of step with the editor's for good.

use serde_json::{Map, Value};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};

/// What a frame's body is.
#[derive(Debug)]
pub enum Incoming {
    /// A valid request or notification.
    Request(Request),
    /// A valid response to one of the server's requests.
    Response(Response),
    /// Not valid, and answerable: answer with this error under this id.
    Reject { id: Id, error: Error },
    /// Not valid and not answerable (it has no usable id): logged and dropped.
    Ignore(String),
}

pub fn classify(body: &[u8]) -> Incoming {
    let value = match parse_lenient(body) {
        Ok(value) => value,
        Err(error) => {
            return reject(
                Id::Null,
                ErrorCode::ParseError,
                format!("not JSON: {error}"),
            );
        }
    };
    let Value::Object(message) = value else {
        return reject(
            Id::Null,
            ErrorCode::InvalidRequest,
            "not a JSON object".into(),
        );
    };
    let id = message.get("id").map(id_of);
    if message.contains_key("method") {
        request(message, id)
    } else if message.contains_key("result") || message.contains_key("error") {
        response(message, id)
    } else {
        invalid(id, "neither a method nor a result".into())
    }
}

/// The answer to an invalid message: an error under its id when it has one (id null when the
/// id itself is invalid, JSON-RPC 2.0 section 5); without an id, nothing (it may have been a
/// notification, and notifications are never answered).
fn invalid(id: Option<Result<Id, String>>, why: String) -> Incoming {
    match id {
        None => Incoming::Ignore(why),
        Some(Ok(id)) => reject(id, ErrorCode::InvalidRequest, why),
        Some(Err(bad_id)) => reject(
            Id::Null,
            ErrorCode::InvalidRequest,
            format!("{why}{bad_id}"),
        ),
    }
}

fn reject(id: Id, code: ErrorCode, why: String) -> Incoming {
    Incoming::Reject {
        id,
        error: Error {
            code,
            message: why.into(),
            data: None,
        },
    }
}

/// A request id as JSON-RPC allows it and tower-lsp-server can answer it: a string, an integer
/// that fits `i64`, or null. The error describes an id that is not.
fn id_of(value: &Value) -> Result<Id, String> {
    match value {
        Value::String(id) => Ok(Id::String(id.clone())),
        Value::Null => Ok(Id::Null),
        Value::Number(number) => number
            .as_i64()
            .map(Id::Number)
            .ok_or_else(|| format!("; the id {number} is not an integer of 64 bits")),
        other => Err(format!("; the id {other} is not a string or a number")),
    }
}

fn version_ok(message: &Map<String, Value>) -> bool {
    message.get("jsonrpc").and_then(Value::as_str) == Some("2.0")
}

fn request(mut message: Map<String, Value>, id: Option<Result<Id, String>>) -> Incoming {
    let method = match message.get("method") {
        Some(Value::String(method)) => method.clone(),
        _ => return invalid(id, "the method is not a string".into()),
    };
    if !version_ok(&message) {
        return invalid(id, format!("`{method}`: not JSON-RPC 2.0"));
    }
    let id = match id {
        Some(Err(bad_id)) => return invalid(Some(Err(bad_id)), format!("`{method}`")),
        Some(Ok(id)) => Some(id),
        None => None,
    };
    let mut clean = Map::new();
    clean.insert("jsonrpc".into(), "2.0".into());
    clean.insert("method".into(), method.clone().into());
    if let Some(params) = message.remove("params") {
        clean.insert("params".into(), params);
    }
    if let Some(id) = &id {
        clean.insert("id".into(), serde_json::to_value(id).unwrap_or(Value::Null));
    }
    match serde_json::from_value::<Request>(Value::Object(clean)) {
        Ok(request) => Incoming::Request(request),
        Err(error) => invalid(id.map(Ok), format!("`{method}`: {error}")),
    }
}

fn response(message: Map<String, Value>, id: Option<Result<Id, String>>) -> Incoming {
    let why = match (&id, version_ok(&message)) {
        (None, _) => Some("a response without an id"),
        (Some(Err(_)), _) => Some("a response with an invalid id"),
        (_, false) => Some("a response that is not JSON-RPC 2.0"),
        _ if message.contains_key("result") == message.contains_key("error") => {
            Some("a response with both a result and an error")
        }
        _ => None,
    };
    if let Some(why) = why {
        return Incoming::Ignore(why.into());
    }
    match serde_json::from_value::<Response>(Value::Object(message)) {
        Ok(response) => Incoming::Response(response),
        Err(error) => Incoming::Ignore(format!("a response that is not valid: {error}")),
    }
}

/// Parses JSON; a body serde_json refuses is parsed again with invalid UTF-8 and lone surrogate
/// escapes replaced by U+FFFD.
fn parse_lenient(body: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice(body).or_else(|error| {
        let text = String::from_utf8_lossy(body);
        let repaired = replace_lone_surrogates(text.as_bytes());
        let value = serde_json::from_slice(&repaired).map_err(|_| error)?;
        tracing::warn!("a message held invalid UTF-8 or lone surrogates: replaced by U+FFFD");
        Ok(value)
    })
}

/// Rewrites `\uD800`–`\uDFFF` escapes that are not part of a surrogate pair as `\uFFFD`, the
/// same length; everything else, escaped backslashes included, stays as it is.
fn replace_lone_surrogates(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            out.push(bytes[at]);
            at += 1;
            continue;
        }
        let unit = escaped_unit(bytes, at);
        let width = match unit {
            Some(0xD800..=0xDBFF)
                if matches!(escaped_unit(bytes, at + 6), Some(0xDC00..=0xDFFF)) =>
            {
                12
            }
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\ufffd");
                at += 6;
                continue;
            }
            Some(_) => 6,
            // Any other escape is two bytes (`\\`, `\"`, `\n`, …); a trailing `\` is one.
            None => 2.min(bytes.len() - at),
        };
        out.extend_from_slice(&bytes[at..at + width]);
        at += width;
    }
    out
}

/// The code unit of a `\uXXXX` escape starting at `at`, if one does.
fn escaped_unit(bytes: &[u8], at: usize) -> Option<u16> {
    let escape = bytes.get(at..at + 6)?;
    if escape[0] != b'\\' || escape[1] != b'u' {
        return None;
    }
    let hex = std::str::from_utf8(&escape[2..]).ok()?;
    u16::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected_id(body: &str) -> Option<Id> {
        match classify(body.as_bytes()) {
            Incoming::Reject { id, .. } => Some(id),
            _ => None,
        }
    }

    #[test]
    fn invalid_requests_are_rejected_under_their_id_or_null() {
        assert_eq!(
            rejected_id(r#"{"jsonrpc":"1.0","id":3,"method":"x"}"#),
            Some(Id::Number(3))
        );
        assert_eq!(
            rejected_id(r#"{"jsonrpc":2,"id":"a","method":"x"}"#),
            Some(Id::String("a".into()))
        );
        assert_eq!(
            rejected_id(r#"{"jsonrpc":"2.0","id":4,"method":5}"#),
            Some(Id::Number(4))
        );
        for bad_id in ["1.5", "{}", "[]", "true", "18446744073709551616"] {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{bad_id},"method":"x"}}"#);
            assert_eq!(rejected_id(&body), Some(Id::Null), "{body}");
        }
        assert!(matches!(
            classify(br#"{"jsonrpc":"1.0","method":"x"}"#),
            Incoming::Ignore(_)
        ));
        assert!(matches!(
            classify(b"{oops"),
            Incoming::Reject { id: Id::Null, .. }
        ));
    }

    #[test]
    fn valid_messages_pass() {
        let request = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
        assert!(matches!(classify(request.as_bytes()), Incoming::Request(_)));
        let response = r#"{"jsonrpc":"2.0","id":1,"result":null}"#;
        assert!(matches!(
            classify(response.as_bytes()),
            Incoming::Response(_)
        ));
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let body = br#"{"t":"a\ud800b \udc00 \\ud800 \ud83d\ude00"}"#;
        let value = parse_lenient(body).expect("lenient");
        assert_eq!(value["t"], "a\u{fffd}b \u{fffd} \\ud800 \u{1f600}");
    }
}

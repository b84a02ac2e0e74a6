//! Just enough HTTP/1.1 to talk JSON with chromedriver, and with a Hoard node from the CLI and the
//! tests: one connection per request (`Connection: close`), `Content-Length` or chunked bodies,
//! bounded sizes, a timeout on every step. Plain HTTP only.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::error::{Error, Result};

/// An HTTP response: status code and body.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// The whole body (de-chunked).
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON, or as a JSON string when it is not JSON (an HTML error page, say).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&self.body).into_owned())
        })
    }
}

/// Sends one request (a JSON body, if any) and reads the whole response.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
    timeout: Duration,
) -> Result<Response> {
    let err = |what: &str, e: std::io::Error| Error::Http(format!("{what} {method} {path}: {e}"));
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| err("connecting for", e))?;
    stream.set_read_timeout(Some(timeout)).map_err(|e| err("configuring", e))?;
    stream.set_write_timeout(Some(timeout)).map_err(|e| err("configuring", e))?;

    let body = body.unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\n"
    );
    if (method != "GET" && method != "DELETE") || !body.is_empty() {
        head.push_str("Content-Type: application/json; charset=utf-8\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    stream.write_all(&out).map_err(|e| err("sending", e))?;

    // Read until the response is complete: chromedriver announces `Connection: close` but
    // does not always close, so the framing (Content-Length or chunked) decides, not EOF.
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut buf).map_err(|e| err("reading the answer to", e))?;
        raw.extend_from_slice(&buf[..n]);
        if let Some(response) = try_parse(&raw, n == 0)? {
            return Ok(response);
        }
        if raw.len() > crate::RESPONSE_BYTES_MAX + HEAD_BYTES_MAX {
            return Err(Error::ResponseTooLarge);
        }
    }
}

/// Largest response head (status line and headers) accepted.
const HEAD_BYTES_MAX: usize = 64 * 1024;

/// Parses a complete response read until the server closed the connection.
#[cfg(test)]
fn parse_response(raw: &[u8]) -> Result<Response> {
    try_parse(raw, true)?.ok_or_else(|| Error::Http("incomplete response".into()))
}

/// Parses a response if `raw` holds all of it; `Ok(None)` if more bytes are needed. `eof` says
/// that no more bytes will come (the server closed the connection).
fn try_parse(raw: &[u8], eof: bool) -> Result<Option<Response>> {
    let malformed = |what: &str| Error::Http(format!("malformed response: {what}"));
    let Some(head_end) = find(raw, b"\r\n\r\n") else {
        if eof {
            return Err(malformed("no end of headers"));
        }
        if raw.len() > HEAD_BYTES_MAX {
            return Err(malformed("headers too long"));
        }
        return Ok(None);
    };
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| malformed("headers not UTF-8"))?;
    let rest = &raw[head_end + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| status_line.starts_with("HTTP/1."))
        .ok_or_else(|| malformed("status line"))?;

    let mut content_length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = Some(value.parse::<usize>().map_err(|_| malformed("content-length"))?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        }
    }

    let body = if chunked {
        decode_chunked(rest)?
    } else if let Some(len) = content_length {
        if len > crate::RESPONSE_BYTES_MAX {
            return Err(Error::ResponseTooLarge);
        }
        rest.get(..len).map(<[u8]>::to_vec)
    } else if eof {
        Some(rest.to_vec())
    } else {
        None
    };
    match body {
        Some(body) if body.len() > crate::RESPONSE_BYTES_MAX => Err(Error::ResponseTooLarge),
        Some(body) => Ok(Some(Response { status, body })),
        None if eof => Err(malformed("connection closed before the end of the body")),
        None => Ok(None),
    }
}

/// Decodes a chunked body; `Ok(None)` if it is not complete yet.
fn decode_chunked(mut rest: &[u8]) -> Result<Option<Vec<u8>>> {
    let malformed = |what: &str| Error::Http(format!("malformed chunked body: {what}"));
    let mut body = Vec::new();
    loop {
        let Some(line_end) = find(rest, b"\r\n") else { return Ok(None) };
        let size_text = std::str::from_utf8(&rest[..line_end]).map_err(|_| malformed("size"))?;
        let size_hex = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| malformed("size"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(Some(body));
        }
        if body.len().saturating_add(size) > crate::RESPONSE_BYTES_MAX {
            return Err(Error::ResponseTooLarge);
        }
        let (Some(chunk), Some(after)) = (rest.get(..size), rest.get(size + 2..)) else {
            return Ok(None);
        };
        body.extend_from_slice(chunk);
        rest = after;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Percent-encodes a path segment (everything but unreserved characters).
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_body() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhelloEXTRA")
            .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"hello");
    }

    #[test]
    fn chunked_body() {
        let raw = b"HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        let r = parse_response(raw).unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(r.body, b"abcde");
    }

    #[test]
    fn body_until_close() {
        let r = parse_response(b"HTTP/1.0 500 Oops\r\n\r\n{}").unwrap();
        assert_eq!((r.status, r.body.as_slice()), (500, &b"{}"[..]));
    }

    #[test]
    fn incomplete_responses_wait_for_more() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel";
        assert!(try_parse(head, false).unwrap().is_none());
        assert!(try_parse(b"HTTP/1.1 200 OK\r\nContent-Le", false).unwrap().is_none());
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab";
        assert!(try_parse(chunked, false).unwrap().is_none());
        assert!(try_parse(chunked, true).is_err());
        // Without framing, only the end of the connection ends the body.
        assert!(try_parse(b"HTTP/1.0 200 OK\r\n\r\nabc", false).unwrap().is_none());
    }

    #[test]
    fn malformed_responses_are_errors() {
        assert!(parse_response(b"garbage").is_err());
        assert!(parse_response(b"SPDY 200\r\n\r\n").is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort").is_err());
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err()
        );
        let huge = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", usize::MAX);
        assert!(matches!(parse_response(huge.as_bytes()), Err(Error::ResponseTooLarge)));
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("data-role"), "data-role");
        assert_eq!(encode_segment("a b/c?"), "a%20b%2Fc%3F");
    }
}

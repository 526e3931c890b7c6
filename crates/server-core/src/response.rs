//! Building a response: a status, validated header fields and a body (RFC 9110 §15, RFC 9112 §4, §6).
//!
//! What it teaches: a response is a status line, header fields and a body whose length the
//! client must be able to tell. Chapter 2 shows how [`Response`] values become bytes.
//!
//! Choices made here:
//! - Header names and values are checked when they are *set* ([`Response::with_header`]): a
//!   name must be a token, a value may not hold CR, LF, NUL or another control byte (HTAB is
//!   fine). So no handler — and later no CGI script or gateway application — can split a
//!   response by smuggling a line break into a header.
//! - The server, not the handler, owns framing and connection management: `Content-Length`,
//!   `Transfer-Encoding`, `Connection`, `Keep-Alive`, `TE`, `Trailer`, `Upgrade`, `Date` and
//!   `Server` are refused by `with_header` and written by `connection` instead. This keeps the
//!   length on the wire and the body always in agreement.
//! - A body of unknown length is sent chunked to HTTP/1.1 clients and delimited by closing
//!   the connection for HTTP/1.0 clients (RFC 9112 §6.3 rule 8).

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::Read;

use crate::request::is_token;

/// The body of a response.
pub enum Body {
    /// No body (a length of zero).
    Empty,
    /// Bytes already in memory.
    Bytes(Vec<u8>),
    /// A file, streamed from disk; `len` is its size when opened.
    File {
        /// The open file, positioned at its start.
        file: File,
        /// How many bytes to send.
        len: u64,
    },
    /// Bytes produced while sending (a CGI script's output, a gateway's chunks).
    /// With `len: None` the body is sent chunked (HTTP/1.1) or until close (HTTP/1.0).
    Stream {
        /// Where the bytes come from.
        reader: Box<dyn Read + Send>,
        /// The length, when it is known in advance.
        len: Option<u64>,
    },
}

impl Body {
    /// The length of the body when known before sending it.
    pub fn len(&self) -> Option<u64> {
        match self {
            Body::Empty => Some(0),
            Body::Bytes(bytes) => Some(bytes.len() as u64),
            Body::File { len, .. } => Some(*len),
            Body::Stream { len, .. } => *len,
        }
    }

    /// True for a body known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Body::Empty"),
            Body::Bytes(bytes) => write!(f, "Body::Bytes({} bytes)", bytes.len()),
            Body::File { len, .. } => write!(f, "Body::File({len} bytes)"),
            Body::Stream { len, .. } => write!(f, "Body::Stream({len:?})"),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::Bytes(bytes)
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::Bytes(text.into_bytes())
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Self {
        Body::Bytes(text.as_bytes().to_vec())
    }
}

/// Why a header could not be set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidHeader {
    /// The name is empty or holds a character that is not allowed in a token.
    BadName(String),
    /// The value holds CR, LF, NUL or another control character.
    BadValue {
        /// The header whose value was refused.
        name: String,
    },
    /// The server writes this header itself (framing, connection management, Date, Server).
    ManagedByServer(String),
}

impl fmt::Display for InvalidHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidHeader::BadName(name) => {
                write!(f, "'{}' is not a valid header name", name.escape_debug())
            }
            InvalidHeader::BadValue { name } => write!(
                f,
                "the value of header '{}' holds a line break or control character",
                name.escape_debug()
            ),
            InvalidHeader::ManagedByServer(name) => {
                write!(f, "the server sets the '{name}' header itself")
            }
        }
    }
}

impl std::error::Error for InvalidHeader {}

/// Headers that only the server may write: they decide framing and connection handling.
pub const SERVER_MANAGED_HEADERS: &[&str] = &[
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "date",
    "server",
];

/// Checks a header name and value the way [`Response::with_header`] does.
pub fn validate_header(name: &str, value: &str) -> Result<(), InvalidHeader> {
    if !is_token(name.as_bytes()) {
        return Err(InvalidHeader::BadName(name.to_string()));
    }
    if SERVER_MANAGED_HEADERS
        .iter()
        .any(|managed| managed.eq_ignore_ascii_case(name))
    {
        return Err(InvalidHeader::ManagedByServer(name.to_string()));
    }
    if !is_valid_header_value(value) {
        return Err(InvalidHeader::BadValue {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// A field value may hold visible characters, spaces and tabs — never CR, LF, NUL or DEL.
pub fn is_valid_header_value(value: &str) -> bool {
    value.chars().all(|c| c == '\t' || !c.is_control())
}

/// An HTTP response on its way to the client.
#[derive(Debug)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

impl Response {
    /// A response with this status, no headers and an empty body.
    ///
    /// Statuses outside 100–999 are replaced by 500: they cannot be written as three digits.
    pub fn new(status: u16) -> Self {
        let status = if (100..=999).contains(&status) {
            status
        } else {
            500
        };
        Response {
            status,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// A `text/plain; charset=utf-8` response.
    pub fn text(status: u16, text: impl Into<String>) -> Self {
        Response::new(status)
            .with_trusted_header("Content-Type", "text/plain; charset=utf-8")
            .with_body(text.into())
    }

    /// A `text/html; charset=utf-8` response. The caller is responsible for escaping.
    pub fn html(status: u16, html: impl Into<String>) -> Self {
        Response::new(status)
            .with_trusted_header("Content-Type", "text/html; charset=utf-8")
            .with_body(html.into())
    }

    /// An HTML error page like http.server's, with `message` escaped.
    pub fn error_page(status: u16, message: &str) -> Self {
        Response::html(status, crate::html::error_page(status, message))
    }

    /// Adds a header after checking its name and value; see the module docs for the rules.
    pub fn with_header(
        mut self,
        name: &str,
        value: impl Into<String>,
    ) -> Result<Self, InvalidHeader> {
        self.add_header(name, value)?;
        Ok(self)
    }

    /// Adds a header in place after checking it; several headers may share a name.
    pub fn add_header(
        &mut self,
        name: &str,
        value: impl Into<String>,
    ) -> Result<(), InvalidHeader> {
        let value = value.into();
        validate_header(name, &value)?;
        self.headers.push((name.to_string(), value));
        Ok(())
    }

    /// Adds a header known to be valid (a constant), panicking if it is not: a programming
    /// error caught by the first test, never by a client.
    pub(crate) fn with_trusted_header(self, name: &str, value: &str) -> Self {
        match self.with_header(name, value) {
            Ok(response) => response,
            Err(err) => panic!("invalid constant header: {err}"),
        }
    }

    /// Replaces the body.
    pub fn with_body(mut self, body: impl Into<Body>) -> Self {
        self.body = body.into();
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers set so far (not the ones the server adds when sending).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Takes the response apart for sending.
    pub(crate) fn into_parts(self) -> (u16, Vec<(String, String)>, Body) {
        (self.status, self.headers, self.body)
    }
}

/// A status code's standard reason phrase (RFC 9110 §15), or a generic one for the class.
pub fn reason_phrase(status: u16) -> Cow<'static, str> {
    let phrase = match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        _ => {
            return Cow::Borrowed(match status / 100 {
                1 => "Informational",
                2 => "Success",
                3 => "Redirection",
                4 => "Client Error",
                _ => "Server Error",
            });
        }
    };
    Cow::Borrowed(phrase)
}

/// True for statuses that never carry a body (RFC 9110 §6.4.1): 1xx, 204 and 304.
pub fn status_forbids_body(status: u16) -> bool {
    (100..200).contains(&status) || status == 204 || status == 304
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_with_line_breaks_are_refused() {
        let err = Response::new(200)
            .with_header("X-Test", "a\r\nSet-Cookie: evil=1")
            .unwrap_err();
        assert_eq!(
            err,
            InvalidHeader::BadValue {
                name: "X-Test".into()
            }
        );
        assert!(Response::new(200).with_header("X-Test", "nul\0").is_err());
        assert!(Response::new(200).with_header("X-Test", "tab\tok").is_ok());
    }

    #[test]
    fn header_names_must_be_tokens() {
        for name in ["", "Bad Name", "Bad:Name", "Bad\nName", "Ünicode"] {
            assert!(
                matches!(
                    Response::new(200).with_header(name, "x"),
                    Err(InvalidHeader::BadName(_))
                ),
                "{name:?} was accepted"
            );
        }
    }

    #[test]
    fn framing_headers_belong_to_the_server() {
        for name in [
            "Content-Length",
            "transfer-encoding",
            "Connection",
            "Date",
            "Server",
        ] {
            assert_eq!(
                Response::new(200).with_header(name, "1").unwrap_err(),
                InvalidHeader::ManagedByServer(name.into())
            );
        }
    }

    #[test]
    fn out_of_range_statuses_become_500() {
        assert_eq!(Response::new(42).status(), 500);
        assert_eq!(Response::new(1000).status(), 500);
        assert_eq!(Response::new(599).status(), 599);
    }
}

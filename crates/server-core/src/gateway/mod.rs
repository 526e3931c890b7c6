//! A gateway interface: Python's WSGI (PEP 3333), in Rust (lessons 05–07).
//!
//! What it teaches: CGI starts a new process for every request and hands it the request as
//! environment variables. WSGI keeps the idea and drops the process: the application is a
//! function *inside* the server, called with the same variables in a dictionary (the
//! `environ`) and a `start_response` callback, and it returns the body as a sequence of byte
//! strings. Chapter 5 (`book/src/ch05-gateway.md`) maps PEP 3333 onto this module line by line
//! and measures what dropping the process buys.
//!
//! | PEP 3333 | here |
//! |---|---|
//! | `application(environ, start_response)` | [`Application::call`] (closures implement it) |
//! | `environ` (a `dict`) | [`Environ`]: [`Environ::get`] for the variables |
//! | `environ['wsgi.input']` | [`Environ::input`]: the request body, a `Read` |
//! | `environ['wsgi.errors']` | [`Environ::errors`]: the server's log, a `Write` |
//! | `environ['wsgi.url_scheme']` | `environ.get("wsgi.url_scheme")` |
//! | `start_response(status, headers)` | [`StartResponse::start`] |
//! | `start_response(..., exc_info)` | [`StartResponse::restart`] |
//! | the returned iterable of `bytes` | [`Chunks`]: an iterator of `Vec<u8>` |
//! | an exception | `Err(`[`AppError`]`)` |
//!
//! The parts:
//! - this file: the interface — [`Environ`], [`StartResponse`], [`Application`];
//! - [`host`]: [`GatewayHost`], a server-core [`crate::Handler`] that runs an application
//!   in-process on the HTTP/1.1 server, building its environ with
//!   [`crate::cgi::env::meta_variables`] — the function that builds a CGI script's
//!   environment, so the two are the same data;
//! - [`middleware`]: applications that wrap an application — an access log, a header adder,
//!   and an error catcher that turns failures into a 500 whose page hides the details;
//! - [`router`]: dispatch by ordered regular expressions, like the course's `resolve_path`.
//!
//! Choices made here:
//! - **Values are text.** PEP 3333 decodes every variable as Latin-1 so that any byte
//!   survives. Here a value that is UTF-8 (almost all are: the decoded path, header values)
//!   is kept as it is, and only one that is not is read as Latin-1, byte for byte.
//! - **The status and every header are checked** when [`StartResponse::start`] is called:
//!   `NNN Reason` with a code of 200–599 (1xx responses belong to the server) and no control
//!   character; header names are tokens, values hold no CR, LF or other control character,
//!   and hop-by-hop headers (`Connection`, `Transfer-Encoding`...) are refused, as PEP 3333
//!   requires. A refusal is returned to the application *and* remembered, so an application
//!   that ignores the error still gets a 500 — never a header it did not mean to send.
//! - **The server frames the response.** An application's `Content-Length` is checked
//!   against the body it returns (a mismatch is a 500); without one, a body of one chunk gets
//!   a `Content-Length` and a longer one is sent chunked. `Date` and `Server` are the server's:
//!   an application's are dropped. The reason phrase written is the standard one for the code.

pub mod host;
pub mod middleware;
pub mod router;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read, Write};

pub use host::{GatewayHost, serve};
pub use middleware::{AccessLog, AddHeader, ErrorCatcher};
pub use router::{Reply, RouteError, Router};

/// What an application returns as its body: chunks of bytes, sent in order (PEP 3333's
/// iterable of byte strings). It is consumed after [`Application::call`] returns, while the
/// response is written.
pub type Chunks = Box<dyn Iterator<Item = Vec<u8>> + Send>;

/// A failure inside an application: any error, as an exception is in Python.
pub type AppError = Box<dyn std::error::Error + Send + Sync>;

/// A body of one chunk.
pub fn body(bytes: impl Into<Vec<u8>>) -> Chunks {
    Box::new(std::iter::once(bytes.into()))
}

// ANCHOR: application
/// A web application: called once per request with the environ and `start_response`.
pub trait Application: Send + Sync + 'static {
    /// Answers one request: call `start_response.start(status, headers)`, return the body.
    fn call(
        &self,
        environ: &mut Environ<'_>,
        start_response: &mut StartResponse,
    ) -> Result<Chunks, AppError>;
}

impl<F> Application for F
where
    F: Fn(&mut Environ<'_>, &mut StartResponse) -> Result<Chunks, AppError> + Send + Sync + 'static,
{
    fn call(
        &self,
        environ: &mut Environ<'_>,
        start_response: &mut StartResponse,
    ) -> Result<Chunks, AppError> {
        self(environ, start_response)
    }
}
// ANCHOR_END: application

/// The request, as an application sees it (PEP 3333's `environ`).
pub struct Environ<'a> {
    /// The CGI meta-variables and `wsgi.url_scheme`, by name.
    vars: BTreeMap<String, String>,
    /// `wsgi.input`: the request body. Read at most `CONTENT_LENGTH` bytes.
    pub input: &'a mut dyn Read,
    /// `wsgi.errors`: where an application writes diagnostics (the server's log).
    pub errors: &'a mut dyn Write,
}

impl<'a> Environ<'a> {
    /// An environ of these variables, with this body and error stream.
    pub fn new<I, K>(vars: I, input: &'a mut dyn Read, errors: &'a mut dyn Write) -> Environ<'a>
    where
        I: IntoIterator<Item = (K, Vec<u8>)>,
        K: Into<String>,
    {
        Environ {
            vars: vars
                .into_iter()
                .map(|(name, value)| (name.into(), text_of(value)))
                .collect(),
            input,
            errors,
        }
    }

    /// A variable: `environ.get("PATH_INFO")`, like `environ.get('PATH_INFO')`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Sets a variable (middleware may add some for the application it wraps).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(name.into(), value.into());
    }

    /// Every variable, sorted by name.
    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// `PATH_INFO`, or `""`.
    pub fn path_info(&self) -> &str {
        self.get("PATH_INFO").unwrap_or("")
    }

    /// `REQUEST_METHOD`, or `""`.
    pub fn method(&self) -> &str {
        self.get("REQUEST_METHOD").unwrap_or("")
    }
}

/// Bytes as text: UTF-8 when they are, else Latin-1 (each byte one character).
fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|error| error.into_bytes().into_iter().map(char::from).collect())
}

/// Headers an application may not send: they concern this one connection (RFC 9110 §7.6.1),
/// which the server manages. PEP 3333 forbids them.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
];

/// Why `start_response` refused what it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayError {
    /// The status is not `NNN Reason` with a code of 200–599 and no control character.
    BadStatus(String),
    /// A header name is not a token.
    BadHeaderName(String),
    /// A header value holds CR, LF or another control character.
    BadHeaderValue(String),
    /// A hop-by-hop header, which only the server may send.
    HopByHop(String),
    /// `Content-Length` is not a number of bytes.
    BadContentLength(String),
    /// `start` was called a second time; [`StartResponse::restart`] replaces a response.
    AlreadyStarted,
    /// The application returned a body without calling `start`.
    NotStarted,
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GatewayError::BadStatus(status) => write!(
                f,
                "the status {status:?} is not a code of 200-599, a space and a reason"
            ),
            GatewayError::BadHeaderName(name) => {
                write!(f, "{name:?} is not a valid header name")
            }
            GatewayError::BadHeaderValue(name) => write!(
                f,
                "the value of header {name:?} holds a line break or control character"
            ),
            GatewayError::HopByHop(name) => write!(
                f,
                "{name:?} is a hop-by-hop header, which only the server may send (PEP 3333)"
            ),
            GatewayError::BadContentLength(value) => {
                write!(f, "Content-Length {value:?} is not a number of bytes")
            }
            GatewayError::AlreadyStarted => {
                f.write_str("start_response was called twice; use restart to replace a response")
            }
            GatewayError::NotStarted => {
                f.write_str("the application returned without calling start_response")
            }
        }
    }
}

impl std::error::Error for GatewayError {}

// ANCHOR: start_response
/// PEP 3333's `start_response`: the application says its status and headers here.
#[derive(Debug, Default)]
pub struct StartResponse {
    /// The status code and reason, once started.
    status: Option<(u16, String)>,
    /// The headers, checked.
    headers: Vec<(String, String)>,
    /// The first refusal, which makes the response a 500 even if the application ignored it.
    refused: Option<GatewayError>,
}

impl StartResponse {
    /// A `start_response` not yet called.
    pub fn new() -> StartResponse {
        StartResponse::default()
    }

    /// Starts the response: `start("200 OK", [("Content-Type", "text/plain")])`.
    pub fn start<I, N, V>(&mut self, status: &str, headers: I) -> Result<(), GatewayError>
    where
        I: IntoIterator<Item = (N, V)>,
        N: Into<String>,
        V: Into<String>,
    {
        if self.status.is_some() {
            return Err(self.refuse(GatewayError::AlreadyStarted));
        }
        let code = parse_status(status).map_err(|error| self.refuse(error))?;
        let mut checked = Vec::new();
        for (name, value) in headers {
            let (name, value) = (name.into(), value.into());
            check_header(&name, &value).map_err(|error| self.refuse(error))?;
            checked.push((name, value));
        }
        self.status = Some((code, status.to_string()));
        self.headers = checked;
        Ok(())
    }

    /// Replaces whatever was started — PEP 3333's `start_response(..., exc_info)`, used when
    /// an error is found after `start` (nothing has been sent yet: the server sends the
    /// response only once the application has returned).
    pub fn restart<I, N, V>(&mut self, status: &str, headers: I) -> Result<(), GatewayError>
    where
        I: IntoIterator<Item = (N, V)>,
        N: Into<String>,
        V: Into<String>,
    {
        *self = StartResponse::new();
        self.start(status, headers)
    }

    /// Adds one header after `start` (what a header-adding middleware does).
    pub fn add_header(&mut self, name: &str, value: &str) -> Result<(), GatewayError> {
        check_header(name, value).map_err(|error| self.refuse(error))?;
        self.headers.push((name.to_string(), value.to_string()));
        Ok(())
    }

    /// The status code, once started.
    pub fn status(&self) -> Option<u16> {
        self.status.as_ref().map(|(code, _)| *code)
    }

    /// The status line as the application wrote it (`404 Not Found`), once started.
    pub fn status_text(&self) -> Option<&str> {
        self.status.as_ref().map(|(_, text)| text.as_str())
    }

    /// The headers, in order.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The first thing refused, if anything was.
    pub fn refused(&self) -> Option<&GatewayError> {
        self.refused.as_ref()
    }

    /// Remembers the first refusal and hands it back.
    fn refuse(&mut self, error: GatewayError) -> GatewayError {
        self.refused.get_or_insert_with(|| error.clone());
        error
    }
}
// ANCHOR_END: start_response

/// `404 Not Found` → 404, checking the shape.
fn parse_status(status: &str) -> Result<u16, GatewayError> {
    let bad = || GatewayError::BadStatus(status.to_string());
    let (code, reason) = status.split_once(' ').ok_or_else(bad)?;
    let valid_code = code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit());
    let code: u16 = code.parse().map_err(|_| bad())?;
    let valid_reason = reason.chars().all(|c| c == '\t' || !c.is_control());
    if !valid_code || !(200..=599).contains(&code) || !valid_reason {
        return Err(bad());
    }
    Ok(code)
}

/// The checks of one header from an application.
fn check_header(name: &str, value: &str) -> Result<(), GatewayError> {
    if !crate::request::is_token(name.as_bytes()) {
        return Err(GatewayError::BadHeaderName(name.to_string()));
    }
    if !crate::response::is_valid_header_value(value) {
        return Err(GatewayError::BadHeaderValue(name.to_string()));
    }
    if HOP_BY_HOP.iter().any(|hop| hop.eq_ignore_ascii_case(name)) {
        return Err(GatewayError::HopByHop(name.to_string()));
    }
    if name.eq_ignore_ascii_case("content-length")
        && (value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) || value.len() > 19)
    {
        return Err(GatewayError::BadContentLength(value.to_string()));
    }
    Ok(())
}

/// An error stream that discards everything: for tests and for applications run alone.
pub fn no_errors() -> io::Sink {
    io::sink()
}

#[cfg(test)]
mod tests;

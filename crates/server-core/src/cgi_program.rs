//! The other side of the gateway: what a CGI *program* written in Rust needs (RFC 3875).
//!
//! What it teaches: a CGI program never sees the HTTP request. Everything arrives as
//! environment variables — the request's method, query string, script name, extra path, the
//! client's address and one `HTTP_*` variable per header field — plus the body on standard
//! input; everything leaves as a header block, an empty line and the body on standard output.
//! The server does the HTTP. Chapter 3 (`book/src/ch03-cgi.md`) follows one request through
//! both sides; `lessons/lesson03-cgi/src/rust_cgi.rs` uses this module for its hello page.
//!
//! - [`CgiRequest`] reads the meta-variables (RFC 3875 §4.1): `REQUEST_METHOD` (§4.1.12),
//!   `QUERY_STRING` (§4.1.7), `SCRIPT_NAME` (§4.1.13), `PATH_INFO` (§4.1.5), `REMOTE_ADDR`
//!   (§4.1.8), `HTTP_COOKIE` and the other `HTTP_*` variables (§4.1.18), and reads exactly
//!   `CONTENT_LENGTH` (§4.1.2) bytes of body from standard input (§4.2).
//! - [`CgiRequest::form`] reads the query string and the body as a [`Form`] — the very same
//!   code the server uses (`crate::form`), so a CGI program and a server-side handler read a
//!   form alike: urlencoded or multipart, first value or all of them, files streamed to disk.
//! - [`CgiResponse`] writes the response (§6): `Status` (§6.3.3), `Content-Type` (§6.3.1),
//!   `Set-Cookie` through [`SetCookie`], and other header fields (§6.3.4).
//!
//! Choices made here:
//!
//! - Header fields are checked when they are *added*, with the rules of
//!   [`crate::response::validate_header`]: the name must be a token and the value may not
//!   hold CR, LF or another control byte. So no value taken from the request can end a header
//!   line early and smuggle in a header of its own; a refused header is a [`CgiError`], never
//!   a silently mangled one. Framing headers (`Content-Length`, `Transfer-Encoding`,
//!   `Connection`...) are refused too: the server frames the response (§6.3.4 forbids header
//!   fields that "relate to client-side communication issues").
//! - The status is given when the response is made and always written, `Status: 200 OK`
//!   included, so every response says what it is; only 200–599 are accepted (1xx responses
//!   are interim ones the server manages). `Status` can therefore not be added as a header,
//!   and `Content-Type` and `Location` only once.
//! - A response with a body must have a `Content-Type` (§6.3.1); [`CgiResponse::write_to`]
//!   refuses one without.
//! - Header lines end in CRLF. RFC 3875 lets a script end them with a bare newline and leaves
//!   the translation to the server, but a server that passes the output through unparsed
//!   (Python's `http.server --cgi` does) puts the script's lines on the wire as they are.
//! - Variables that are not valid UTF-8 are read with U+FFFD in place of the bad bytes; a
//!   missing `QUERY_STRING`, `SCRIPT_NAME` or `PATH_INFO` reads as empty.
//! - The Cookie header is read by [`crate::cookies::parse_cookie_header`] and `Set-Cookie`
//!   written by [`SetCookie`] (both shared with the server side): a piece that cannot be read
//!   is skipped, and never stops the reading of the rest.
//! - The body is read only up to `CONTENT_LENGTH` (a script must not read more, §4.2), and
//!   only when it is within the caller's limit; a body that ends early is an error, not a
//!   shorter body.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read, Write};

use crate::cookies::parse_cookie_header;
pub use crate::cookies::{CookieError, SameSite, SetCookie};
use crate::form::{Form, FormError, FormOptions};
use crate::response::{InvalidHeader, reason_phrase, validate_header};

/// Why a CGI program could not read its request or write its response.
#[derive(Debug)]
pub enum CgiError {
    /// A header the response refused: a bad name, a line break or control byte in the
    /// value, or a header the server writes itself.
    Header(InvalidHeader),
    /// `Status` given as a header: the status is chosen with [`CgiResponse::new`].
    StatusAsHeader,
    /// A second `Content-Type` or `Location`, which a response has at most once.
    Duplicate(String),
    /// A status outside 200–599.
    Status(u16),
    /// A `Set-Cookie` that cannot be written; the error says which part is wrong.
    Cookie(CookieError),
    /// The form in the query string or body could not be read.
    Form(FormError),
    /// A response with a body and no `Content-Type` (RFC 3875 §6.3.1).
    MissingContentType,
    /// `CONTENT_LENGTH` is not a number of bytes.
    ContentLength(String),
    /// The body is longer than the limit the program accepts.
    BodyTooLarge {
        /// `CONTENT_LENGTH`.
        length: u64,
        /// The most the program accepts.
        limit: u64,
    },
    /// Standard input ended before `CONTENT_LENGTH` bytes arrived.
    ShortBody {
        /// `CONTENT_LENGTH`.
        expected: u64,
        /// What arrived.
        received: u64,
    },
    /// Reading standard input or writing standard output failed.
    Io(io::Error),
}

impl fmt::Display for CgiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CgiError::Header(invalid) => write!(f, "{invalid}"),
            CgiError::StatusAsHeader => {
                f.write_str("the status is set with CgiResponse::new, not as a Status header")
            }
            CgiError::Duplicate(name) => {
                write!(f, "a response has at most one '{name}' header")
            }
            CgiError::Status(status) => {
                write!(
                    f,
                    "{status} is not a status a CGI program can send (200-599)"
                )
            }
            CgiError::Cookie(error) => write!(f, "{error}"),
            CgiError::Form(error) => write!(f, "{error}"),
            CgiError::MissingContentType => {
                f.write_str("a response with a body needs a Content-Type (RFC 3875 §6.3.1)")
            }
            CgiError::ContentLength(value) => write!(
                f,
                "CONTENT_LENGTH is {:?}, which is not a number of bytes",
                value
            ),
            CgiError::BodyTooLarge { length, limit } => write!(
                f,
                "the body has {length} bytes, more than the {limit} this program accepts"
            ),
            CgiError::ShortBody { expected, received } => write!(
                f,
                "standard input ended after {received} of the {expected} body bytes that \
                 CONTENT_LENGTH announced"
            ),
            CgiError::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for CgiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CgiError::Header(invalid) => Some(invalid),
            CgiError::Io(error) => Some(error),
            CgiError::Cookie(error) => Some(error),
            CgiError::Form(error) => Some(error),
            _ => None,
        }
    }
}

impl From<InvalidHeader> for CgiError {
    fn from(invalid: InvalidHeader) -> Self {
        CgiError::Header(invalid)
    }
}

impl From<CookieError> for CgiError {
    fn from(error: CookieError) -> Self {
        CgiError::Cookie(error)
    }
}

impl From<FormError> for CgiError {
    fn from(error: FormError) -> Self {
        CgiError::Form(error)
    }
}

impl From<io::Error> for CgiError {
    fn from(error: io::Error) -> Self {
        CgiError::Io(error)
    }
}

/// The request as a CGI program sees it: the meta-variables its server set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CgiRequest {
    /// Every variable, sorted by name.
    vars: BTreeMap<String, String>,
}

impl CgiRequest {
    /// The request of this process: its whole environment.
    pub fn from_env() -> CgiRequest {
        CgiRequest::from_vars(std::env::vars_os().map(|(name, value)| {
            (
                name.to_string_lossy().into_owned(),
                value.to_string_lossy().into_owned(),
            )
        }))
    }

    /// A request from given variables: for tests, or a program that builds its own.
    pub fn from_vars<I, K, V>(vars: I) -> CgiRequest
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        CgiRequest {
            vars: vars
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        }
    }

    /// One variable, if it is set.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Every variable, sorted by name.
    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// True when a server started the program: `GATEWAY_INTERFACE` is `CGI/1.1` or similar.
    /// Run by hand from a shell, a program sees no such variable.
    pub fn is_cgi(&self) -> bool {
        self.var("GATEWAY_INTERFACE")
            .is_some_and(|gateway| gateway.starts_with("CGI/"))
    }

    /// `REQUEST_METHOD` (§4.1.12): `GET`, `POST`...; empty when not set.
    pub fn method(&self) -> &str {
        self.var("REQUEST_METHOD").unwrap_or("")
    }

    /// `QUERY_STRING` (§4.1.7), still percent-encoded: `name=value&x=1`; empty when none.
    pub fn query_string(&self) -> &str {
        self.var("QUERY_STRING").unwrap_or("")
    }

    /// The query string decoded as a form (names and values must be UTF-8).
    pub fn query(&self) -> Result<Form, CgiError> {
        Ok(Form::from_query(
            self.query_string(),
            &FormOptions::default(),
        )?)
    }

    // ANCHOR: cgi_form
    /// The whole form: the query string, then the body on `input` (standard input, in a real
    /// program) when `CONTENT_TYPE` is urlencoded or multipart. At most `CONTENT_LENGTH` bytes
    /// are read (§4.2), and the form's `options` bound the rest.
    pub fn form(&self, input: impl Read, options: &FormOptions) -> Result<Form, CgiError> {
        let length = self.content_length()?;
        let content_type = self.var("CONTENT_TYPE").filter(|value| !value.is_empty());
        let form = Form::read(
            self.query_string(),
            content_type,
            input.take(length),
            options,
        )?;
        Ok(form)
    }
    // ANCHOR_END: cgi_form

    /// `SCRIPT_NAME` (§4.1.13): the URL path that named this program, `/cgi-bin/hello`.
    pub fn script_name(&self) -> &str {
        self.var("SCRIPT_NAME").unwrap_or("")
    }

    /// `PATH_INFO` (§4.1.5): the part of the URL path after the script's name, already
    /// percent-decoded by the server: `/a/b` for `/cgi-bin/env/a/b`; empty when none.
    pub fn path_info(&self) -> &str {
        self.var("PATH_INFO").unwrap_or("")
    }

    /// `REMOTE_ADDR` (§4.1.8): the client's address, as the server saw it.
    pub fn remote_addr(&self) -> Option<&str> {
        self.var("REMOTE_ADDR")
    }

    /// A request header field by its HTTP name (`User-Agent`), read from its `HTTP_*`
    /// variable (`HTTP_USER_AGENT`, §4.1.18). A server need not pass every header.
    pub fn http_header(&self, name: &str) -> Option<&str> {
        let variable = format!("HTTP_{}", name.to_ascii_uppercase().replace('-', "_"));
        self.var(&variable)
    }

    /// The cookies of the `Cookie` header (`HTTP_COOKIE`), in order, as
    /// [`parse_cookie_header`] reads them.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.var("HTTP_COOKIE")
            .map(parse_cookie_header)
            .unwrap_or_default()
    }

    /// The value of the first cookie called `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies()
            .into_iter()
            .find(|(cookie, _)| cookie == name)
            .map(|(_, value)| value)
    }

    // ANCHOR: read_body
    /// `CONTENT_LENGTH` (§4.1.2): how many body bytes wait on standard input; 0 when the
    /// variable is missing or empty (a request without a body).
    pub fn content_length(&self) -> Result<u64, CgiError> {
        let value = self.var("CONTENT_LENGTH").unwrap_or("");
        if value.is_empty() {
            return Ok(0);
        }
        value
            .parse::<u64>()
            .ok()
            .filter(|_| value.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| CgiError::ContentLength(value.to_string()))
    }

    /// Reads the body from `input` (standard input, in a real program): exactly
    /// `CONTENT_LENGTH` bytes, and only if that is at most `limit`.
    pub fn read_body(&self, input: impl Read, limit: u64) -> Result<Vec<u8>, CgiError> {
        let length = self.content_length()?;
        if length > limit {
            return Err(CgiError::BodyTooLarge { length, limit });
        }
        // `length` is at most `limit`, which the caller chose to hold in memory.
        let mut body = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
        input.take(length).read_to_end(&mut body)?;
        let received = body.len() as u64;
        if received < length {
            return Err(CgiError::ShortBody {
                expected: length,
                received,
            });
        }
        Ok(body)
    }
    // ANCHOR_END: read_body
}

/// A CGI response: a status, checked header fields and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgiResponse {
    /// The status code, 200–599.
    status: u16,
    /// The header fields, in order, each checked when added.
    headers: Vec<(String, String)>,
    /// The body.
    body: Vec<u8>,
}

impl CgiResponse {
    /// A response with this status, no headers and no body.
    pub fn new(status: u16) -> Result<CgiResponse, CgiError> {
        if !(200..=599).contains(&status) {
            return Err(CgiError::Status(status));
        }
        Ok(CgiResponse {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        })
    }

    /// A `text/html; charset=utf-8` response. The caller escapes what came from the request.
    pub fn html(status: u16, html: impl Into<String>) -> Result<CgiResponse, CgiError> {
        Ok(CgiResponse::new(status)?
            .with_header("Content-Type", "text/html; charset=utf-8")?
            .with_body(html.into()))
    }

    /// A `text/plain; charset=utf-8` response.
    pub fn text(status: u16, text: impl Into<String>) -> Result<CgiResponse, CgiError> {
        Ok(CgiResponse::new(status)?
            .with_header("Content-Type", "text/plain; charset=utf-8")?
            .with_body(text.into()))
    }

    /// Adds a header after checking it; see the module documentation for the rules.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<CgiResponse, CgiError> {
        self.add_header(name, value)?;
        Ok(self)
    }

    /// Adds a header in place after checking it; several headers may share a name, except
    /// `Content-Type` and `Location`.
    pub fn add_header(&mut self, name: &str, value: &str) -> Result<(), CgiError> {
        validate_header(name, value)?;
        if name.eq_ignore_ascii_case("status") {
            return Err(CgiError::StatusAsHeader);
        }
        let single = ["content-type", "location"]
            .iter()
            .any(|single| single.eq_ignore_ascii_case(name));
        if single && self.header(name).is_some() {
            return Err(CgiError::Duplicate(name.to_string()));
        }
        self.headers.push((name.to_string(), value.to_string()));
        Ok(())
    }

    /// Adds a `Set-Cookie` header for `cookie`.
    pub fn with_cookie(self, cookie: &SetCookie) -> Result<CgiResponse, CgiError> {
        let value = cookie.to_header_value()?;
        self.with_header("Set-Cookie", &value)
    }

    /// Replaces the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> CgiResponse {
        self.body = body.into();
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The header fields, in order (without `Status`).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The header block: `Status`, the headers in order and the empty line, CRLF-ended.
    pub fn head(&self) -> String {
        let mut head = format!("Status: {} {}\r\n", self.status, reason_phrase(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head
    }

    // ANCHOR: write_to
    /// Writes the header block and the body to `out` (standard output, in a real program),
    /// then flushes it. Refuses a body without a `Content-Type`.
    pub fn write_to(&self, mut out: impl Write) -> Result<(), CgiError> {
        if !self.body.is_empty() && self.header("content-type").is_none() {
            return Err(CgiError::MissingContentType);
        }
        out.write_all(self.head().as_bytes())?;
        out.write_all(&self.body)?;
        out.flush()?;
        Ok(())
    }
    // ANCHOR_END: write_to
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn request(vars: &[(&str, &str)]) -> CgiRequest {
        CgiRequest::from_vars(vars.iter().copied())
    }

    /// [`request`], for tests that already named a variable `request`.
    fn request_with(vars: &[(&str, &str)]) -> CgiRequest {
        request(vars)
    }

    #[test]
    fn the_request_is_read_from_the_variables() {
        let request = request(&[
            ("GATEWAY_INTERFACE", "CGI/1.1"),
            ("REQUEST_METHOD", "GET"),
            ("QUERY_STRING", "name=value&x=%3Cb%3E"),
            ("SCRIPT_NAME", "/cgi-bin/env"),
            ("PATH_INFO", "/a/b"),
            ("REMOTE_ADDR", "127.0.0.1"),
            ("HTTP_USER_AGENT", "curl/8.0"),
        ]);
        assert!(request.is_cgi());
        assert_eq!(request.method(), "GET");
        assert_eq!(request.query_string(), "name=value&x=%3Cb%3E");
        assert_eq!(request.query().unwrap().first("x"), Some("<b>"));
        assert_eq!(request.script_name(), "/cgi-bin/env");
        assert_eq!(request.path_info(), "/a/b");
        assert_eq!(request.remote_addr(), Some("127.0.0.1"));
        assert_eq!(request.http_header("User-Agent"), Some("curl/8.0"));
        assert_eq!(request.http_header("referer"), None);
        let names: Vec<&str> = request.vars().map(|(name, _)| name).collect();
        assert_eq!(names.first(), Some(&"GATEWAY_INTERFACE"), "sorted by name");
    }

    #[test]
    fn missing_variables_read_as_empty() {
        let request = request(&[]);
        assert!(!request.is_cgi());
        assert_eq!(
            (
                request.method(),
                request.query_string(),
                request.path_info()
            ),
            ("", "", "")
        );
        assert!(request.query().unwrap().is_empty());
        assert!(request.cookies().is_empty());
        assert_eq!(request.content_length().unwrap(), 0);
    }

    #[test]
    fn a_query_keeps_every_value_in_order() {
        let request = request(&[(
            "QUERY_STRING",
            "operand=1&operand=2&x=&operand=39&&flag&a+b=c%20d",
        )]);
        let query = request.query().unwrap();
        assert_eq!(query.all("operand"), ["1", "2", "39"]);
        assert_eq!(query.first("operand"), Some("1"));
        assert_eq!(query.first("x"), Some(""));
        assert_eq!(query.first("flag"), Some(""));
        assert_eq!(query.first("a b"), Some("c d"));
        assert_eq!(query.first("missing"), None);
        assert_eq!(query.names(), ["operand", "x", "flag", "a b"]);
        let bad = request_with(&[("QUERY_STRING", "bad=%FF")]).query();
        assert!(matches!(
            bad,
            Err(CgiError::Form(FormError::NotUtf8 { .. }))
        ));
    }

    #[test]
    fn a_program_reads_a_posted_form_like_the_server() {
        let body = "user=James+%26+Nancy+Kirk&user2=&pets=dog&pets=cat and more";
        let length = "user=James+%26+Nancy+Kirk&user2=&pets=dog&pets=cat"
            .len()
            .to_string();
        let request = request_with(&[
            ("QUERY_STRING", "hi=john%20doe"),
            ("CONTENT_TYPE", "application/x-www-form-urlencoded"),
            ("CONTENT_LENGTH", &length),
        ]);
        let form = request
            .form(body.as_bytes(), &FormOptions::default())
            .unwrap();
        assert_eq!(form.names(), ["hi", "user", "user2", "pets"]);
        assert_eq!(form.first("user"), Some("James & Nancy Kirk"));
        assert_eq!(
            form.all("pets"),
            ["dog", "cat"],
            "CONTENT_LENGTH bounds the read"
        );
        let upload = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nhello\r\n--b--\r\n";
        let request = request_with(&[
            ("CONTENT_TYPE", "multipart/form-data; boundary=b"),
            ("CONTENT_LENGTH", &upload.len().to_string()),
        ]);
        let form = request
            .form(upload.as_bytes(), &FormOptions::default())
            .unwrap();
        let file = form.file("f").unwrap();
        assert_eq!((file.filename.as_str(), file.size), ("a.txt", 5));
        assert_eq!(file.read_to_vec(100).unwrap(), b"hello");
    }

    #[test]
    fn cookies_survive_garbage_around_them() {
        let request = request(&[(
            "HTTP_COOKIE",
            "junk; a<b=1; =empty-name; visits=\"41\";theme=dark ; visits=99",
        )]);
        assert_eq!(
            request.cookie("visits").as_deref(),
            Some("41"),
            "the first one wins"
        );
        assert_eq!(request.cookie("theme").as_deref(), Some("dark"));
        assert_eq!(request.cookie("a<b").as_deref(), Some("1"));
        assert_eq!(request.cookie("junk"), None);
        assert_eq!(request.cookies().len(), 4);
    }

    #[test]
    fn the_body_is_exactly_content_length_bytes() {
        let with_length = |length: &str| request(&[("CONTENT_LENGTH", length)]);
        let body = with_length("5")
            .read_body(&b"hello, and more"[..], 100)
            .unwrap();
        assert_eq!(body, b"hello");
        assert!(matches!(
            with_length("50").read_body(&b"short"[..], 100),
            Err(CgiError::ShortBody {
                expected: 50,
                received: 5
            })
        ));
        assert!(matches!(
            with_length("101").read_body(&b""[..], 100),
            Err(CgiError::BodyTooLarge {
                length: 101,
                limit: 100
            })
        ));
        for bad in ["-1", "+5", " 5", "5x", "99999999999999999999999"] {
            assert!(
                matches!(
                    with_length(bad).read_body(&b""[..], 100),
                    Err(CgiError::ContentLength(_))
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            with_length("").read_body(&b"ignored"[..], 100).unwrap(),
            b""
        );
    }

    #[test]
    fn a_response_is_a_header_block_an_empty_line_and_the_body() {
        let response = CgiResponse::html(200, "<p>hi</p>")
            .unwrap()
            .with_cookie(
                &SetCookie::new("visits", "3")
                    .max_age(31_536_000)
                    .path("/cgi-bin")
                    .http_only()
                    .same_site(SameSite::Lax),
            )
            .unwrap();
        let mut out = Vec::new();
        response.write_to(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Status: 200 OK\r\n\
             Content-Type: text/html; charset=utf-8\r\n\
             Set-Cookie: visits=3; HttpOnly; SameSite=Lax; Path=/cgi-bin; Max-Age=31536000\r\n\
             \r\n\
             <p>hi</p>"
        );
        let not_found = CgiResponse::text(404, "no").unwrap();
        assert!(not_found.head().starts_with("Status: 404 Not Found\r\n"));
    }

    #[test]
    fn no_line_break_can_reach_the_header_block() {
        let response = CgiResponse::new(200).unwrap();
        for value in ["a\r\nSet-Cookie: evil=1", "a\nb", "a\rb", "nul\0"] {
            assert!(
                matches!(
                    response.clone().with_header("X-Test", value),
                    Err(CgiError::Header(InvalidHeader::BadValue { .. }))
                ),
                "{value:?}"
            );
        }
        assert!(matches!(
            response.clone().with_header("X-Te st", "1"),
            Err(CgiError::Header(InvalidHeader::BadName(_)))
        ));
        for value in ["1\r\nX-Evil: 1", "a;b", "a b", "é"] {
            assert!(
                SetCookie::new("visits", value).to_header_value().is_err(),
                "{value:?}"
            );
        }
        assert!(SetCookie::new("a=b", "1").to_header_value().is_err());
        assert!(
            SetCookie::new("a", "1")
                .path("/x\r\nEvil: 1")
                .to_header_value()
                .is_err()
        );
    }

    #[test]
    fn the_server_owns_framing_and_the_builder_owns_status() {
        let response = CgiResponse::new(200).unwrap();
        for name in ["Content-Length", "Transfer-Encoding", "Connection"] {
            assert!(
                matches!(
                    response.clone().with_header(name, "1"),
                    Err(CgiError::Header(InvalidHeader::ManagedByServer(_)))
                ),
                "{name}"
            );
        }
        assert!(matches!(
            response.clone().with_header("status", "200 OK"),
            Err(CgiError::StatusAsHeader)
        ));
        assert!(matches!(
            CgiResponse::text(200, "x")
                .unwrap()
                .with_header("Content-Type", "text/html"),
            Err(CgiError::Duplicate(_))
        ));
        for status in [0, 100, 199, 600, 1000] {
            assert!(
                matches!(CgiResponse::new(status), Err(CgiError::Status(_))),
                "{status}"
            );
        }
    }

    #[test]
    fn a_body_needs_a_content_type() {
        let response = CgiResponse::new(200).unwrap().with_body("text");
        assert!(matches!(
            response.write_to(Vec::new()),
            Err(CgiError::MissingContentType)
        ));
        let redirect = CgiResponse::new(302)
            .unwrap()
            .with_header("Location", "http://example.com/")
            .unwrap();
        let mut out = Vec::new();
        redirect.write_to(&mut out).unwrap();
        assert_eq!(
            out,
            b"Status: 302 Found\r\nLocation: http://example.com/\r\n\r\n"
        );
    }

    #[test]
    fn same_site_none_comes_with_secure() {
        let cookie = SetCookie::new("a", "1").same_site(SameSite::None);
        assert_eq!(
            cookie.to_header_value().unwrap(),
            "a=1; SameSite=None; Secure"
        );
    }
}

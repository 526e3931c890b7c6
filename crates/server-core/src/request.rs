//! Parsing a request head: the request line and the header fields (RFC 9112 §2–§6).
//!
//! What it teaches: an HTTP/1.1 request is text with strict rules — one request line, field
//! lines, an empty line — and the *framing* of the body (how many bytes follow) is decided
//! entirely by the head. Chapter 2 ("HTTP") walks through [`parse_head`] line by line.
//!
//! The function is pure: it takes the bytes of one complete head (up to and including the empty
//! line) and returns a [`RequestHead`] or a [`RequestError`] that names the status to answer
//! with. Reading those bytes from a socket, with limits and timeouts, is `connection`'s job;
//! this split is what lets the unit tests and the fuzz target drive the parser with no network.
//! The field lines are parsed by the `httparse` crate (its strict default configuration); the
//! request line is parsed here by hand so that every mistake gets a message a learner can read.
//!
//! RFC sections implemented, and the choices made where the RFC leaves one:
//! - §2.2: a bare LF is accepted as a line terminator (a MAY); a CR not followed by LF is an
//!   error; empty lines before the request line are skipped (by `connection`, a SHOULD).
//! - §3: the request line is `method SP request-target SP HTTP-version` with single spaces
//!   only; a method that is not a token, or a target with spaces, control bytes or non-ASCII
//!   bytes, is 400. Origin-form (`/path?query`), absolute-form (`http://host/path`), the
//!   asterisk-form (`*`, for OPTIONS only) and authority-form (CONNECT only) are recognised.
//! - §3.2.2 and RFC 9110 §4.2: the authority of an absolute-form target is checked, not
//!   skipped over ([`check_absolute_form`]). Userinfo (`http://user@host/`) is 400: RFC 9110
//!   §4.2.4 says a sender MUST NOT generate it and a recipient SHOULD treat its presence as an
//!   error, since it is mostly used to disguise the real host. An empty host is 400 (§4.2.1: a
//!   recipient MUST reject it), and so is a port that is not digits (`http://host:x/`; RFC
//!   3986 §3.2.3, `port = *DIGIT`). Two programs that split a malformed authority differently
//!   disagree about which host a request is for — the kind of gap request smuggling and cache
//!   poisoning use.
//! - §2.3 and RFC 9110 §6.2: `HTTP/1.0` and `HTTP/1.1` are served; a later `HTTP/1.x` is
//!   answered as 1.1; a major version other than 1 (`HTTP/2.0` on this plain connection) is
//!   505; anything else in the version slot is 400.
//! - §5: field names are tokens; whitespace between the name and the colon is 400 (a MUST);
//!   obs-fold (a line starting with whitespace) is 400 (a MAY: we reject instead of unfolding);
//!   values may hold visible ASCII, spaces, tabs and obs-text, nothing else (NUL, CR, other
//!   controls → 400). Duplicate fields are kept, in order.
//! - §3.2: an HTTP/1.1 request without exactly one Host field is 400 (a MUST); HTTP/1.0 may
//!   omit it. The Host value must look like `host[:port]`.
//! - §6.1–§6.3: Content-Length must be digits; a list of identical values (`5, 5`) is accepted
//!   as the RFC permits, differing values are 400. Transfer-Encoding together with
//!   Content-Length is 400 (the RFC allows ignoring Content-Length, but rejecting closes the
//!   request-smuggling door), as is Transfer-Encoding in an HTTP/1.0 request. `chunked` must be
//!   the last and only-once coding (400 otherwise); any other coding (`gzip`, ...) is 501, the
//!   SHOULD of §6.1.
//! - RFC 9110 §10.1.1: `Expect: 100-continue` is honoured for HTTP/1.1 and ignored for 1.0;
//!   any other expectation is 417.
//! - RFC 9110 §15.6.2: a method the server has never heard of is 501; known methods that a
//!   handler does not support are the handler's business (405).
//!
//! Header values are kept as Rust `String`s decoded as ISO-8859-1 (Latin-1), byte for byte:
//! the same choice as Python's http.server and PEP 3333's "native strings", so no byte is
//! lost and [`Header::value_bytes`] gives back exactly what the client sent.

use std::fmt;

use crate::config::Limits;

/// The HTTP version of a request, after the RFC 9110 §6.2 rule (1.2 and later are read as 1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// HTTP/1.0: connections close after each response unless the client asks to keep them.
    Http10,
    /// HTTP/1.1: connections persist unless either side says `Connection: close`.
    Http11,
}

impl Version {
    /// The version as it appears on the wire, `HTTP/1.0` or `HTTP/1.1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One header field line, as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The field name with the client's capitalisation (compare with `eq_ignore_ascii_case`).
    pub name: String,
    /// The field value with surrounding spaces and tabs removed, decoded as Latin-1.
    pub value: String,
}

impl Header {
    /// The value's original bytes (the inverse of the Latin-1 decoding).
    pub fn value_bytes(&self) -> Vec<u8> {
        self.value.chars().map(|c| c as u32 as u8).collect()
    }
}

/// How the body of a request is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body at all.
    None,
    /// Exactly this many bytes follow the head.
    Length(u64),
    /// The body is sent in chunks, each announced by its size in hex; a zero-size chunk ends it.
    Chunked,
}

/// Everything the head of a request says, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// The method, e.g. `GET`; case-sensitive, so `get` is a different (unknown) method.
    pub method: String,
    /// The request target exactly as sent, e.g. `/docs/index.html?lang=en`.
    pub target: String,
    /// The protocol version.
    pub version: Version,
    /// Every header field, in the order received.
    pub headers: Vec<Header>,
    /// How the body is delimited.
    pub framing: BodyFraming,
    /// The client sent `Expect: 100-continue` and waits for a go-ahead before the body.
    pub expects_continue: bool,
    /// The client wants the connection kept open after this response.
    pub keep_alive: bool,
}

impl RequestHead {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// Every value of a header, in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The path part of the target, still percent-encoded: `/a%20b` for `/a%20b?x=1`.
    ///
    /// For the absolute form (`http://host/path?q`) the scheme and authority are removed;
    /// for `*` and authority-form targets the path is empty.
    pub fn path(&self) -> &str {
        let origin = origin_form(&self.target);
        match origin.find('?') {
            Some(q) => &origin[..q],
            None => origin,
        }
    }

    /// The query string after `?`, without the `?`; empty when there is none.
    pub fn query(&self) -> &str {
        let origin = origin_form(&self.target);
        origin.find('?').map_or("", |q| &origin[q + 1..])
    }

    /// The request line as it would be written: `GET / HTTP/1.1`.
    pub fn request_line(&self) -> String {
        format!("{} {} {}", self.method, self.target, self.version)
    }
}

/// The part of a target from its path on: strips `http://authority` from the absolute form.
fn origin_form(target: &str) -> &str {
    if target.starts_with('/') {
        return target;
    }
    // Compared as bytes: a hand-built head's target may have a multi-byte character there.
    let lower_starts = |prefix: &str| {
        target
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    for scheme in ["http://", "https://"] {
        if lower_starts(scheme) {
            let rest = &target[scheme.len()..];
            return match rest.find(['/', '?']) {
                Some(i) if rest[i..].starts_with('/') => &rest[i..],
                Some(i) => &rest[i..], // "http://host?q": path is empty, query kept
                None => "",
            };
        }
    }
    ""
}

/// Why a request head was refused, and with which status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The request line is longer than the limit (414).
    RequestLineTooLong {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The header section is larger than the limit (431).
    HeadersTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// More header fields than the limit (431).
    TooManyHeaders {
        /// The configured limit.
        limit: usize,
    },
    /// The request line breaks the grammar; the text says how (400).
    BadRequestLine(&'static str),
    /// A major version other than 1, such as `HTTP/2.0` (505).
    VersionNotSupported(String),
    /// A header field line breaks the grammar; the text says how (400).
    BadHeader(&'static str),
    /// Missing, duplicate or malformed Host (400).
    BadHost(&'static str),
    /// Content-Length or Transfer-Encoding make the body's length unknowable (400).
    BadFraming(&'static str),
    /// A transfer coding this server does not implement, such as gzip (501).
    UnsupportedTransferCoding(String),
    /// A well-formed method this server has never heard of (501).
    UnknownMethod(String),
    /// An `Expect` other than `100-continue` (417).
    UnsupportedExpectation,
    /// The declared or received body is larger than the limit (413).
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: u64,
    },
    /// The body's chunked encoding is broken; the text says how (400).
    BadChunk(&'static str),
    /// The client took too long to send its request (408).
    Timeout,
    /// The client closed its side before the request was complete (400).
    Incomplete,
}

impl RequestError {
    // ANCHOR: status
    /// The status code this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            RequestError::RequestLineTooLong { .. } => 414,
            RequestError::HeadersTooLarge { .. } | RequestError::TooManyHeaders { .. } => 431,
            RequestError::VersionNotSupported(_) => 505,
            RequestError::UnsupportedTransferCoding(_) | RequestError::UnknownMethod(_) => 501,
            RequestError::UnsupportedExpectation => 417,
            RequestError::BodyTooLarge { .. } => 413,
            RequestError::Timeout => 408,
            RequestError::BadRequestLine(_)
            | RequestError::BadHeader(_)
            | RequestError::BadHost(_)
            | RequestError::BadFraming(_)
            | RequestError::BadChunk(_)
            | RequestError::Incomplete => 400,
        }
    }
    // ANCHOR_END: status
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::RequestLineTooLong { limit } => {
                write!(f, "the request line is longer than {limit} bytes")
            }
            RequestError::HeadersTooLarge { limit } => {
                write!(f, "the header section is larger than {limit} bytes")
            }
            RequestError::TooManyHeaders { limit } => {
                write!(f, "the request has more than {limit} header fields")
            }
            RequestError::BadRequestLine(why) => write!(f, "bad request line: {why}"),
            RequestError::VersionNotSupported(version) => write!(
                f,
                "{version} is not spoken on this connection; this server speaks HTTP/1.0 and HTTP/1.1"
            ),
            RequestError::BadHeader(why) => write!(f, "bad header field: {why}"),
            RequestError::BadHost(why) => write!(f, "bad Host header: {why}"),
            RequestError::BadFraming(why) => write!(f, "cannot tell where the body ends: {why}"),
            RequestError::UnsupportedTransferCoding(coding) => {
                write!(
                    f,
                    "the transfer coding '{coding}' is not implemented by this server"
                )
            }
            RequestError::UnknownMethod(method) => {
                write!(f, "the method '{method}' is not implemented by this server")
            }
            RequestError::UnsupportedExpectation => {
                write!(f, "the only expectation this server meets is 100-continue")
            }
            RequestError::BodyTooLarge { limit } => {
                write!(f, "the request body is larger than {limit} bytes")
            }
            RequestError::BadChunk(why) => write!(f, "bad chunked body: {why}"),
            RequestError::Timeout => write!(f, "the request took too long to arrive"),
            RequestError::Incomplete => write!(f, "the request ended before it was complete"),
        }
    }
}

impl std::error::Error for RequestError {}

/// Methods this server knows (RFC 9110 §9 and RFC 5789's PATCH). Others get 501.
pub const KNOWN_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// A `tchar` of RFC 9110 §5.6.2: the characters allowed in methods, field names and codings.
pub fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// True when `text` is a non-empty token (RFC 9110 §5.6.2).
pub fn is_token(text: &[u8]) -> bool {
    !text.is_empty() && text.iter().all(|&b| is_tchar(b))
}

// ANCHOR: parse_head
/// Parses one complete request head: the request line, the field lines and the empty line.
///
/// `bytes` must end with the empty line (`\r\n\r\n` or `\n\n`); `connection` guarantees it.
pub fn parse_head(bytes: &[u8], limits: &Limits) -> Result<RequestHead, RequestError> {
    // 1. The request line: everything up to the first line feed.
    let line_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(RequestError::BadRequestLine(
            "the request line does not end",
        ))?;
    let line = strip_cr(&bytes[..line_end])?;
    if line.len() > limits.max_request_line {
        return Err(RequestError::RequestLineTooLong {
            limit: limits.max_request_line,
        });
    }
    let (method, target, version) = parse_request_line(line)?;

    // 2. The field lines, parsed by httparse with its strict defaults.
    let field_bytes = &bytes[line_end + 1..];
    if field_bytes.len() > limits.max_header_bytes {
        return Err(RequestError::HeadersTooLarge {
            limit: limits.max_header_bytes,
        });
    }
    let headers = parse_fields(field_bytes, limits.max_headers)?;

    // 3. What the fields mean for this request.
    let mut head = RequestHead {
        method,
        target,
        version,
        headers,
        framing: BodyFraming::None,
        expects_continue: false,
        keep_alive: false,
    };
    check_host(&head)?;
    head.framing = body_framing(&head)?;
    if let BodyFraming::Length(length) = head.framing {
        if length > limits.max_body {
            return Err(RequestError::BodyTooLarge {
                limit: limits.max_body,
            });
        }
    }
    if !KNOWN_METHODS.contains(&head.method.as_str()) {
        return Err(RequestError::UnknownMethod(head.method));
    }
    head.expects_continue = expects_continue(&head)?;
    head.keep_alive = wants_keep_alive(&head);
    Ok(head)
}
// ANCHOR_END: parse_head

/// Removes the CR of a CRLF line ending; a CR anywhere else in the line is an error.
fn strip_cr(line: &[u8]) -> Result<&[u8], RequestError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.contains(&b'\r') {
        return Err(RequestError::BadRequestLine(
            "a carriage return inside the line",
        ));
    }
    Ok(line)
}

// ANCHOR: request_line
/// Splits `GET /path HTTP/1.1` into its three parts and checks each one.
fn parse_request_line(line: &[u8]) -> Result<(String, String, Version), RequestError> {
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(RequestError::BadRequestLine(
            "expected exactly 'METHOD TARGET VERSION' separated by single spaces",
        ));
    };
    if !is_token(method) {
        return Err(RequestError::BadRequestLine("the method is not a token"));
    }
    if target.is_empty() || !target.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(RequestError::BadRequestLine(
            "the target is empty or has a space, a control byte or a non-ASCII byte",
        ));
    }
    let version = parse_version(version)?;
    // Only printable ASCII was accepted above, so these conversions cannot fail.
    let method = String::from_utf8_lossy(method).into_owned();
    let target = String::from_utf8_lossy(target).into_owned();
    check_target_form(&method, &target)?;
    Ok((method, target, version))
}
// ANCHOR_END: request_line

// ANCHOR: parse_version
/// `HTTP/1.1` → `Http11`; `HTTP/2.0` → 505; `HTTP/1.1x` or `http/1.1` → 400.
fn parse_version(version: &[u8]) -> Result<Version, RequestError> {
    let [b'H', b'T', b'T', b'P', b'/', major, b'.', minor] = version else {
        return Err(RequestError::BadRequestLine(
            "the version must look like HTTP/1.1",
        ));
    };
    if !major.is_ascii_digit() || !minor.is_ascii_digit() {
        return Err(RequestError::BadRequestLine(
            "the version must look like HTTP/1.1",
        ));
    }
    match (major, minor) {
        (b'1', b'0') => Ok(Version::Http10),
        (b'1', _) => Ok(Version::Http11),
        _ => Err(RequestError::VersionNotSupported(
            String::from_utf8_lossy(version).into_owned(),
        )),
    }
}
// ANCHOR_END: parse_version

/// RFC 9112 §3.2: which target forms go with which methods.
fn check_target_form(method: &str, target: &str) -> Result<(), RequestError> {
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return check_absolute_form(target);
    }
    let ok =
        target.starts_with('/') || (target == "*" && method == "OPTIONS") || method == "CONNECT";
    if ok {
        Ok(())
    } else {
        Err(RequestError::BadRequestLine(
            "the target must start with '/' (or be a full http:// URL)",
        ))
    }
}

// ANCHOR: absolute_form
/// RFC 9112 §3.2.2: an absolute-form target (`http://host:port/path?query`) whose authority
/// is `host[:port]` and nothing else — no userinfo (RFC 9110 §4.2.4), a host (§4.2.1), and a
/// port made of digits (RFC 3986 §3.2.3). `target` starts with `http://` or `https://`.
fn check_absolute_form(target: &str) -> Result<(), RequestError> {
    let after_scheme = &target[target.find("://").map_or(0, |i| i + 3)..];
    // Where `path()` will see the path begin: the authority is everything before it.
    let authority = after_scheme.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(RequestError::BadRequestLine(
            "the target's authority holds userinfo (user@host), which RFC 9110 §4.2.4 says to \
             treat as an error; send the host alone",
        ));
    }
    if !authority.bytes().all(is_host_byte) {
        return Err(RequestError::BadRequestLine(
            "the target's authority has a byte a host name cannot hold",
        ));
    }
    // The port follows the last `:`, unless that `:` is inside an IPv6 literal (`[::1]`).
    let (host, port) = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => {
            (&authority[..colon], &authority[colon + 1..])
        }
        _ => (authority, ""),
    };
    let is_ipv6_literal = host.len() > 2 && host.starts_with('[') && host.ends_with(']');
    if !is_ipv6_literal && (host.is_empty() || host.contains(['[', ']', ':'])) {
        return Err(RequestError::BadRequestLine(
            "the target's authority has no host, or a malformed one (try http://host:port/path)",
        ));
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RequestError::BadRequestLine(
            "the port in the target's authority is not a number",
        ));
    }
    Ok(())
}
// ANCHOR_END: absolute_form

/// Parses the field lines with httparse and copies them into owned [`Header`]s.
fn parse_fields(bytes: &[u8], max_headers: usize) -> Result<Vec<Header>, RequestError> {
    let mut slots = vec![httparse::EMPTY_HEADER; max_headers];
    let fields = match httparse::parse_headers(bytes, &mut slots) {
        Ok(httparse::Status::Complete((_, fields))) => fields,
        Ok(httparse::Status::Partial) => {
            return Err(RequestError::BadHeader("the header section does not end"));
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(RequestError::TooManyHeaders { limit: max_headers });
        }
        Err(httparse::Error::HeaderName) => {
            return Err(RequestError::BadHeader(
                "a field name is not a token, is followed by whitespace before the colon, \
                 or a line is folded (starts with whitespace)",
            ));
        }
        Err(httparse::Error::HeaderValue) => {
            return Err(RequestError::BadHeader(
                "a field value holds a control byte such as NUL or a bare CR",
            ));
        }
        Err(_) => return Err(RequestError::BadHeader("a field line is malformed")),
    };
    Ok(fields
        .iter()
        .map(|field| Header {
            name: field.name.to_string(),
            value: latin1(trim_ows(field.value)),
        })
        .collect())
}

/// Removes optional whitespace (spaces and tabs) around a field value.
pub(crate) fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

/// Decodes bytes as ISO-8859-1: every byte becomes the character with the same number.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

// ANCHOR: check_host
/// RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in 1.0, and a sane value.
fn check_host(head: &RequestHead) -> Result<(), RequestError> {
    let mut hosts = head.header_values("host");
    let first = hosts.next();
    if hosts.next().is_some() {
        return Err(RequestError::BadHost("more than one Host header"));
    }
    match first {
        None if head.version == Version::Http11 => Err(RequestError::BadHost(
            "HTTP/1.1 requests must carry a Host header",
        )),
        None => Ok(()),
        Some(host) if host.bytes().all(is_host_byte) => Ok(()),
        Some(_) => Err(RequestError::BadHost(
            "the value must look like host or host:port",
        )),
    }
}
// ANCHOR_END: check_host

/// Bytes allowed in `uri-host [ ":" port ]` (RFC 3986 §3.2.2, including IPv6 brackets).
fn is_host_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:[]".contains(&byte)
}

// ANCHOR: framing
/// RFC 9112 §6.3: decides how the body is delimited, refusing anything ambiguous.
fn body_framing(head: &RequestHead) -> Result<BodyFraming, RequestError> {
    let lengths: Vec<&str> = head.header_values("content-length").collect();
    let codings: Vec<&str> = head.header_values("transfer-encoding").collect();
    if !codings.is_empty() {
        if !lengths.is_empty() {
            return Err(RequestError::BadFraming(
                "both Content-Length and Transfer-Encoding are present",
            ));
        }
        if head.version == Version::Http10 {
            return Err(RequestError::BadFraming(
                "Transfer-Encoding is not allowed in HTTP/1.0",
            ));
        }
        return transfer_coding(&codings);
    }
    if lengths.is_empty() {
        return Ok(BodyFraming::None);
    }
    // Every value, and every item of a comma-separated value, must be the same number.
    let mut length = None;
    for item in lengths.iter().flat_map(|value| value.split(',')) {
        let item = item.trim_matches([' ', '\t']);
        if item.is_empty() || !item.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RequestError::BadFraming("Content-Length is not a number"));
        }
        let value: u64 = item
            .parse()
            .map_err(|_| RequestError::BadFraming("Content-Length is too large"))?;
        if length.is_some_and(|previous| previous != value) {
            return Err(RequestError::BadFraming(
                "several Content-Length values disagree",
            ));
        }
        length = Some(value);
    }
    Ok(length.map_or(BodyFraming::None, BodyFraming::Length))
}
// ANCHOR_END: framing

// ANCHOR: transfer_coding
/// RFC 9112 §6.1: `chunked` must be present once, last; other codings are not implemented.
fn transfer_coding(values: &[&str]) -> Result<BodyFraming, RequestError> {
    let codings: Vec<String> = values
        .iter()
        .flat_map(|value| value.split(','))
        .map(|item| item.trim_matches([' ', '\t']).to_ascii_lowercase())
        .collect();
    // A coding may carry parameters (`gzip;q=1` is not valid here, but `x;a=b` is grammatical).
    for coding in &codings {
        let name = coding.split(';').next().unwrap_or("").trim_end();
        if !is_token(name.as_bytes()) {
            return Err(RequestError::BadFraming(
                "Transfer-Encoding holds an empty or malformed coding",
            ));
        }
    }
    let chunked_count = codings.iter().filter(|c| c.as_str() == "chunked").count();
    let last_is_chunked = codings.last().is_some_and(|c| c == "chunked");
    // §6.3: without chunked last, where the body ends is unknowable — 400, even for `gzip`.
    if chunked_count != 1 || !last_is_chunked {
        return Err(RequestError::BadFraming(
            "chunked must be the last transfer coding, applied once",
        ));
    }
    if let Some(other) = codings.iter().find(|c| c.as_str() != "chunked") {
        return Err(RequestError::UnsupportedTransferCoding(other.clone()));
    }
    Ok(BodyFraming::Chunked)
}
// ANCHOR_END: transfer_coding

// ANCHOR: expect
/// RFC 9110 §10.1.1: `100-continue` is the only expectation; HTTP/1.0 clients cannot use it.
fn expects_continue(head: &RequestHead) -> Result<bool, RequestError> {
    let mut expects = false;
    for value in head.header_values("expect") {
        if value.eq_ignore_ascii_case("100-continue") {
            expects = true;
        } else {
            return Err(RequestError::UnsupportedExpectation);
        }
    }
    Ok(expects && head.version == Version::Http11 && head.framing != BodyFraming::None)
}
// ANCHOR_END: expect

// ANCHOR: keep_alive
/// RFC 9112 §9.3: persistence is the default in 1.1 and an opt-in in 1.0.
fn wants_keep_alive(head: &RequestHead) -> bool {
    let mut close = false;
    let mut keep_alive = false;
    for value in head.header_values("connection") {
        for option in value.split(',') {
            let option = option.trim_matches([' ', '\t']);
            close |= option.eq_ignore_ascii_case("close");
            keep_alive |= option.eq_ignore_ascii_case("keep-alive");
        }
    }
    match head.version {
        Version::Http11 => !close,
        Version::Http10 => keep_alive && !close,
    }
}
// ANCHOR_END: keep_alive

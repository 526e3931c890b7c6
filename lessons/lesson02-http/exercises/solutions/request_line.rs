//! Exercise `request_line`: take the first line of a request apart, strictly.
//!
//! Every HTTP/1.1 request starts with a line like `GET /search?q=rust HTTP/1.1`. A server
//! that is lenient with it opens the door to requests that it and a proxy in front of it read
//! differently, so the rules are strict. Chapter 2 (`book/src/ch02-http.md`) goes through
//! them with the server's own parser; here you write a smaller one.
//!
//! You write [`parse_request_line`]: the line, without its CRLF, becomes a [`RequestLine`]
//! or a [`RequestLineError`] saying what is wrong. The checks, in this order:
//!
//! 1. Shape (RFC 9112 §3): `method SP request-target SP HTTP-version`, separated by single
//!    spaces. Splitting the line at every space must give exactly three parts; so two spaces
//!    in a row, a space at either end, or a tab instead of a space is
//!    [`RequestLineError::Shape`].
//! 2. The method is a *token* (RFC 9110 §5.6.2, §9.1): one or more of the characters
//!    [`is_tchar`] accepts. Methods are case-sensitive, and a method nobody has defined is
//!    still well-formed: `get` and `BREW` pass here (the server answers them 501 later).
//! 3. The target (RFC 9112 §3.2) holds only visible ASCII, `!` to `~`: no control bytes, no
//!    spaces, no bytes above 127 (those must be percent-encoded). It starts with `/`
//!    (origin-form), or is exactly `*` with the method `OPTIONS` (asterisk-form, §3.2.4).
//!    The other forms, for proxies and `CONNECT`, are out of scope here and refused.
//! 4. The version (RFC 9112 §2.3) is exactly `HTTP/`, one digit, `.`, one digit:
//!    `http/1.1`, `HTTP/1.10` or `HTTP/+1.1` is [`RequestLineError::BadVersion`] (400). A
//!    well-formed version whose major digit is not 1, such as `HTTP/2.0`, is
//!    [`RequestLineError::VersionNotSupported`] instead: the server answers 505, because a
//!    client speaking HTTP/2 deserves to learn that the server does not.
//!
//! The target is then split at its first `?` into the path and the query (RFC 3986 §3.4),
//! neither of them decoded yet. `/a?` has an empty query, `Some("")`, while `/a` has none,
//! `None`: a redirect that keeps the query must keep that `?` too.

// ANCHOR: exercise
/// The three parts of a request line, borrowed from the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLine<'a> {
    /// The method, exactly as sent: `GET`.
    pub method: &'a str,
    /// The target up to its first `?`, still percent-encoded: `/search`; `*` for asterisk-form.
    pub path: &'a str,
    /// What follows the first `?` of the target, `Some("q=rust")`; `None` without a `?`.
    pub query: Option<&'a str>,
    /// The major and minor digits of the version: `(1, 1)` for `HTTP/1.1`.
    pub version: (u8, u8),
}

/// What is wrong with a request line, in the order the checks are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestLineError {
    /// Splitting at every space does not give exactly three parts.
    Shape,
    /// The method is empty or has a character that is not a `tchar`.
    BadMethod,
    /// The target is empty, holds a byte that is not visible ASCII, or has the wrong form.
    BadTarget,
    /// The version is not `HTTP/` digit `.` digit.
    BadVersion,
    /// A well-formed version with a major digit other than 1, such as `HTTP/2.0`.
    VersionNotSupported,
}

impl RequestLineError {
    /// The status code a server answers this error with.
    pub fn status(self) -> u16 {
        match self {
            RequestLineError::VersionNotSupported => 505,
            _ => 400,
        }
    }
}

/// True for the characters a token may hold (RFC 9110 §5.6.2): letters, digits and
/// ``!#$%&'*+-.^_`|~``.
pub fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Takes `GET /search?q=rust HTTP/1.1` apart, or says what is wrong with it.
pub fn parse_request_line(line: &str) -> Result<RequestLine<'_>, RequestLineError> {
    // ANCHOR: solution stub: todo!("split the line at single spaces, then check each part")
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(RequestLineError::Shape);
    };

    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(RequestLineError::BadMethod);
    }

    let visible_ascii = !target.is_empty() && target.bytes().all(|b| b.is_ascii_graphic());
    let known_form = target.starts_with('/') || (target == "*" && method == "OPTIONS");
    if !visible_ascii || !known_form {
        return Err(RequestLineError::BadTarget);
    }

    let version = match version.as_bytes() {
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            (major - b'0', minor - b'0')
        }
        _ => return Err(RequestLineError::BadVersion),
    };
    if version.0 != 1 {
        return Err(RequestLineError::VersionNotSupported);
    }

    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    Ok(RequestLine {
        method,
        path,
        query,
        version,
    })
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise

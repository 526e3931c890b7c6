//! Exercise `cgi_response`: read the header block a CGI script prints.
//!
//! A CGI script does not write an HTTP response. It prints *CGI* header fields, an empty line,
//! then the body (RFC 3875 §6), and the server builds the response from them — after checking
//! everything, because a script's output is not to be trusted. Chapter 3
//! (`book/src/ch03-cgi.md`) feeds broken scripts to the server's own reader; here you write a
//! smaller one.
//!
//! You write [`parse_cgi_headers`]: the script's whole output becomes a [`CgiHead`] — status,
//! fields for the response, body — or the [`CgiError`] that makes the server answer 502.
//!
//! 1. Lines end with LF, or CRLF (§6.2: drop the CR before the LF). The header block ends at
//!    the first empty line; everything after that line, exactly as printed, is the body.
//!    Output that never has an empty line is [`CgiError::NoHeaderEnd`]; output whose first
//!    line is empty has no header block at all, [`CgiError::EmptyHeaderBlock`].
//! 2. Each header line is `name: value`, split at its first `:`. A line without `:` is
//!    [`CgiError::MissingColon`]. The name must be one or more characters [`is_tchar`]
//!    accepts, so no space before the colon: else [`CgiError::BadName`]. The value is trimmed
//!    of spaces and tabs at both ends and may hold no other control character: a CR inside a
//!    value would let the script split the response ([`CgiError::BadValue`]). Errors carry the
//!    line's number, counted from 1.
//! 3. Names are case-insensitive. `Status`, `Content-Type` and `Location` may each appear
//!    once; a second one is [`CgiError::Repeated`].
//! 4. `Status` (§6.3.3) is three digits, optionally followed by a space and a reason phrase
//!    that is ignored: `404 Not Found` or `404`. It must be from 200 to 599 (a 1xx is not a
//!    final answer): otherwise [`CgiError::BadStatus`]. It is not a field of the response.
//! 5. Without a `Status`: a `Location` (§6.3.2) that starts with `/` is a *local redirect*,
//!    which the server must serve itself (§6.2.2, out of scope here):
//!    [`CgiError::LocalRedirect`]. Any other `Location` makes the status 302; no `Location`,
//!    200.
//! 6. A document needs a `Content-Type` (§6.3.1), unless a `Status` or a `Location` says what
//!    the response is (`Status: 204 No Content` needs none): else
//!    [`CgiError::MissingContentType`].
//!
//! Every field but `Status` goes to [`CgiHead::headers`], in the order printed and with its
//! name as printed: a script may send `Set-Cookie` several times, and each one counts.

// ANCHOR: exercise
/// What the server makes of a script's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgiHead {
    /// The status of the response: 200, the `Status` field's code, or 302 for a redirect.
    pub status: u16,
    /// Every field but `Status`, `(name, value)`, in order, the value trimmed.
    pub headers: Vec<(String, String)>,
    /// Everything after the empty line that ends the header block.
    pub body: String,
}

/// Why a script's output is refused; the client gets 502. Lines are counted from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CgiError {
    /// The output ends before the empty line that closes the header block.
    NoHeaderEnd,
    /// The first line is empty: there is no header block.
    EmptyHeaderBlock,
    /// A header line has no `:`.
    MissingColon {
        /// The line's number.
        line: usize,
    },
    /// A header name is empty or holds a character that is not a `tchar`.
    BadName {
        /// The line's number.
        line: usize,
    },
    /// A header value holds a control character other than tab.
    BadValue {
        /// The line's number.
        line: usize,
    },
    /// A second `Status`, `Content-Type` or `Location`.
    Repeated {
        /// The line's number of the second one.
        line: usize,
    },
    /// The `Status` is not three digits from 200 to 599, with an optional reason after a space.
    BadStatus,
    /// A `Location` that is a local path, without a `Status`: the server's job, not this one.
    LocalRedirect,
    /// No `Content-Type`, and no `Status` or `Location` either.
    MissingContentType,
}

/// True for the characters a token may hold (RFC 9110 §5.6.2): letters, digits and
/// ``!#$%&'*+-.^_`|~``.
pub fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Splits a script's output into its checked header block and its body.
pub fn parse_cgi_headers(output: &str) -> Result<CgiHead, CgiError> {
    todo!("read lines up to the first empty one, check each field, then decide the status")
}
// ANCHOR_END: exercise

//! Reading what a script prints: a header block, an empty line, then the body (RFC 3875 §6).
//!
//! What it teaches: a CGI script does not write an HTTP response. It writes *CGI* header
//! fields — `Content-Type`, `Status`, `Location` and ordinary fields — and the server turns
//! them into a response of its own. The server never trusts the script's bytes: everything is
//! checked before a byte reaches the client. Chapter 3 feeds broken scripts to
//! [`read_headers`] and shows each 502.
//!
//! The rules, and the choices made where RFC 3875 leaves one:
//! - §6.2, §6.3: header lines end with LF or CRLF; the block ends with an empty line. A line
//!   may be 8 KiB ([`MAX_LINE`]), the block 100 lines ([`MAX_LINES`]): a script that prints a
//!   body without a header would otherwise make the server buffer it all.
//! - Every line is `name: value`; a name must be a token (so no space before the colon and no
//!   folded lines); a value may hold no control character but tab — a CR in the middle of a
//!   value would let a script (or the client data it echoes) split the response. A value must
//!   be UTF-8: the core writes header values as UTF-8 text.
//! - No output at all, an empty block, or output that ends inside the block: 502.
//! - §6.3.3 `Status: 404 Not Found` sets the status; the reason phrase is optional here and
//!   replaced by the standard one (a script's reason is text we would rather not forward).
//!   A status outside 200–599 — 1xx would be an interim answer, not a response — is 502.
//! - §6.3.1 `Content-Type` is required for a document (§6.2.1) unless a `Status` or a
//!   `Location` says what the response is: `Status: 204 No Content` needs none.
//! - §6.3.2 `Location`: an absolute URL (`https://example.org/`) is a redirect for the
//!   client (§6.2.3 without a document, §6.2.4 with one), 302 unless the script gave a
//!   `Status`. A local path (`/x?y`)
//!   without a `Status` is a *local redirect*: the server answers as if the client had asked
//!   for that path with GET ([`ScriptReply::LocalRedirect`]; the host limits the hops). A
//!   local path with a `Status` goes to the client as it is (HTTP allows relative
//!   `Location`s). Anything else in a `Location` is 502.
//! - `Status`, `Location` and `Content-Type` may appear once each; a second one is 502.
//!   Other fields keep their order and may repeat: each `Set-Cookie` stays its own line.
//! - Fields that only the server may send ([`SERVER_MANAGED_HEADERS`]: `Content-Length`,
//!   `Transfer-Encoding`, `Connection` and the other hop-by-hop fields, `Date`, `Server`) are
//!   dropped: the server frames the body itself, chunked for HTTP/1.1, so a script's wrong
//!   `Content-Length` can never desynchronise the connection.

use std::fmt;
use std::io::{self, BufRead, Read};

use crate::request::{is_token, trim_ows};
use crate::response::{InvalidHeader, SERVER_MANAGED_HEADERS, is_valid_header_value};

/// Longest header line accepted from a script, without its line ending.
pub const MAX_LINE: usize = 8 * 1024;
/// Most header lines accepted from a script.
pub const MAX_LINES: usize = 100;

/// The header block of a script's output, checked and sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptHeaders {
    /// The code of the `Status` field, when the script sent one.
    pub status: Option<u16>,
    /// The `Location` field, when the script sent one.
    pub location: Option<String>,
    /// The `Content-Type` field, when the script sent one.
    pub content_type: Option<String>,
    /// Every other field, in order, without the ones the server manages.
    pub fields: Vec<(String, String)>,
}

/// What the server does with a script's header block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptReply {
    /// Send a response with this status and these header fields, then the script's body.
    Respond {
        /// The status code.
        status: u16,
        /// The fields, `Content-Type` and `Location` first when present.
        fields: Vec<(String, String)>,
    },
    /// Answer with what a GET of this local path would produce (RFC 3875 §6.2.2).
    LocalRedirect {
        /// The path and query, starting with `/`.
        location: String,
    },
}

/// Why a script's output was refused. The client gets 502; the log gets this message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputError {
    /// The script ended without printing anything.
    NoOutput,
    /// The first line is empty: there is no header block.
    EmptyHeaderBlock,
    /// The output ended before the empty line that closes the header block.
    UnterminatedHeaderBlock,
    /// A header line is longer than [`MAX_LINE`].
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// The header block has more than [`MAX_LINES`] lines.
    TooManyLines {
        /// The limit.
        limit: usize,
    },
    /// A header line has no `:`.
    NoColon {
        /// The line's number, from 1.
        line: usize,
    },
    /// A header name is empty or not a token (a space before the colon, a folded line).
    BadName {
        /// The line's number, from 1.
        line: usize,
    },
    /// A header value holds a control character such as CR, LF or NUL.
    ControlCharacter {
        /// The line's number, from 1.
        line: usize,
    },
    /// A header value is not UTF-8 text.
    NotUtf8 {
        /// The line's number, from 1.
        line: usize,
    },
    /// The `Status` value is not `NNN` or `NNN reason` with NNN from 200 to 599.
    BadStatus(String),
    /// `Status`, `Location` or `Content-Type` appears twice.
    Duplicate(&'static str),
    /// A document without `Content-Type` (and without `Status` or `Location`).
    NoContentType,
    /// The `Location` is neither an absolute URL nor a path starting with `/`.
    BadLocation(String),
    /// The core refused a header (it never should, after the checks above).
    InvalidHeader(InvalidHeader),
    /// Reading the output failed.
    Read(String),
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::NoOutput => f.write_str("the script printed nothing"),
            OutputError::EmptyHeaderBlock => f.write_str(
                "the script's output starts with an empty line; \
                 it must start with header lines such as Content-Type: text/plain",
            ),
            OutputError::UnterminatedHeaderBlock => f.write_str(
                "the script's output ended inside its header block \
                 (an empty line must follow the header lines)",
            ),
            OutputError::LineTooLong { limit } => {
                write!(
                    f,
                    "a header line of the script is longer than {limit} bytes"
                )
            }
            OutputError::TooManyLines { limit } => {
                write!(f, "the script printed more than {limit} header lines")
            }
            OutputError::NoColon { line } => write!(
                f,
                "header line {line} of the script has no ':' \
                 (did the script forget the empty line before its body?)"
            ),
            OutputError::BadName { line } => write!(
                f,
                "header line {line} of the script has an invalid name \
                 (a space before ':' or a line starting with a space?)"
            ),
            OutputError::ControlCharacter { line } => write!(
                f,
                "header line {line} of the script holds a control character such as a \
                 carriage return, which could split the response"
            ),
            OutputError::NotUtf8 { line } => {
                write!(f, "header line {line} of the script is not UTF-8 text")
            }
            OutputError::BadStatus(value) => write!(
                f,
                "the script's Status '{}' is not a code from 200 to 599 and a reason",
                value.escape_debug()
            ),
            OutputError::Duplicate(name) => write!(f, "the script sent {name} twice"),
            OutputError::NoContentType => f.write_str(
                "the script sent no Content-Type (and no Status or Location to say \
                 what else it answers)",
            ),
            OutputError::BadLocation(value) => write!(
                f,
                "the script's Location '{}' is neither an absolute URL nor a path starting with '/'",
                value.escape_debug()
            ),
            OutputError::InvalidHeader(err) => write!(f, "a header of the script: {err}"),
            OutputError::Read(err) => write!(f, "reading the script's output failed: {err}"),
        }
    }
}

impl std::error::Error for OutputError {}

// ANCHOR: read_headers
/// Reads and checks the header block; the reader is left at the first byte of the body.
pub fn read_headers(reader: &mut impl BufRead) -> Result<ScriptHeaders, OutputError> {
    let mut headers = ScriptHeaders::default();
    let mut line = Vec::new();
    for number in 1..=MAX_LINES + 1 {
        if !read_line(reader, &mut line)? {
            return Err(if number == 1 {
                OutputError::NoOutput
            } else {
                OutputError::UnterminatedHeaderBlock
            });
        }
        if line.is_empty() {
            return match number {
                1 => Err(OutputError::EmptyHeaderBlock),
                _ => Ok(headers),
            };
        }
        if number > MAX_LINES {
            break;
        }
        let (name, value) = split_field(&line, number)?;
        headers.add(name, value)?;
    }
    Err(OutputError::TooManyLines { limit: MAX_LINES })
}
// ANCHOR_END: read_headers

/// Reads one line into `line` without its LF or CRLF. Returns false at the end of the output
/// (before any byte of a line); a last line without LF is the end of the output, too early.
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> Result<bool, OutputError> {
    line.clear();
    // Room for the longest line, its CR and its LF; one byte more proves a line too long.
    let read = (&mut *reader)
        .take(MAX_LINE as u64 + 2)
        .read_until(b'\n', line)
        .map_err(|err| OutputError::Read(err.to_string()))?;
    if read == 0 {
        return Ok(false);
    }
    if line.pop() != Some(b'\n') {
        return Err(if read >= MAX_LINE + 2 {
            OutputError::LineTooLong { limit: MAX_LINE }
        } else {
            OutputError::UnterminatedHeaderBlock
        });
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.len() > MAX_LINE {
        return Err(OutputError::LineTooLong { limit: MAX_LINE });
    }
    Ok(true)
}

/// Splits `name: value`, checking both; the value loses its surrounding spaces and tabs.
fn split_field(line: &[u8], number: usize) -> Result<(String, String), OutputError> {
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or(OutputError::NoColon { line: number })?;
    let (name, value) = (&line[..colon], trim_ows(&line[colon + 1..]));
    if !is_token(name) {
        return Err(OutputError::BadName { line: number });
    }
    if value.iter().any(|&b| b != b'\t' && (b < 0x20 || b == 0x7f)) {
        return Err(OutputError::ControlCharacter { line: number });
    }
    let value = std::str::from_utf8(value).map_err(|_| OutputError::NotUtf8 { line: number })?;
    if !is_valid_header_value(value) {
        return Err(OutputError::ControlCharacter { line: number });
    }
    // A token is ASCII, so the name is valid UTF-8.
    let name = String::from_utf8_lossy(name).into_owned();
    Ok((name, value.to_string()))
}

impl ScriptHeaders {
    /// Files one field: the three CGI fields by name, server-managed ones dropped.
    fn add(&mut self, name: String, value: String) -> Result<(), OutputError> {
        if name.eq_ignore_ascii_case("status") {
            let status = parse_status(&value)?;
            return set_once(&mut self.status, status, "Status");
        }
        if name.eq_ignore_ascii_case("location") {
            check_location(&value)?;
            return set_once(&mut self.location, value, "Location");
        }
        if name.eq_ignore_ascii_case("content-type") {
            return set_once(&mut self.content_type, value, "Content-Type");
        }
        let managed = SERVER_MANAGED_HEADERS
            .iter()
            .any(|m| m.eq_ignore_ascii_case(&name));
        if !managed {
            self.fields.push((name, value));
        }
        Ok(())
    }
}

/// Stores a field that may appear only once.
fn set_once<T>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), OutputError> {
    if slot.is_some() {
        return Err(OutputError::Duplicate(name));
    }
    *slot = Some(value);
    Ok(())
}

// ANCHOR: parse_status
/// `404`, or `404 Not Found`: three digits from 200 to 599, then nothing or a space and text.
pub fn parse_status(value: &str) -> Result<u16, OutputError> {
    let bad = || OutputError::BadStatus(value.to_string());
    let (code, rest) = value.split_at_checked(3).ok_or_else(bad)?;
    if !code.bytes().all(|b| b.is_ascii_digit()) || !(rest.is_empty() || rest.starts_with(' ')) {
        return Err(bad());
    }
    let code: u16 = code.parse().map_err(|_| bad())?;
    if (200..=599).contains(&code) {
        Ok(code)
    } else {
        Err(bad())
    }
}
// ANCHOR_END: parse_status

/// A `Location` must be a local path (`/x`) or an absolute URL (`scheme:...`, RFC 3986 §3.1).
fn check_location(value: &str) -> Result<(), OutputError> {
    if value.starts_with('/') || is_absolute_url(value) {
        Ok(())
    } else {
        Err(OutputError::BadLocation(value.to_string()))
    }
}

/// `scheme ":" ...` where the scheme is a letter followed by letters, digits, `+`, `-`, `.`.
pub fn is_absolute_url(value: &str) -> bool {
    let Some((scheme, _)) = value.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

// ANCHOR: interpret
/// Decides what the response is, from a checked header block (RFC 3875 §6.2).
pub fn interpret(headers: ScriptHeaders) -> Result<ScriptReply, OutputError> {
    let ScriptHeaders {
        status,
        location,
        content_type,
        fields: rest,
    } = headers;
    if let (Some(location), None) = (&location, status) {
        if location.starts_with('/') {
            return Ok(ScriptReply::LocalRedirect {
                location: location.clone(),
            });
        }
    }
    let status = match (status, &location, &content_type) {
        (Some(status), _, _) => status,
        (None, Some(_), _) => 302,
        (None, None, Some(_)) => 200,
        (None, None, None) => return Err(OutputError::NoContentType),
    };
    let mut fields = Vec::with_capacity(rest.len() + 2);
    if let Some(content_type) = content_type {
        fields.push(("Content-Type".to_string(), content_type));
    }
    if let Some(location) = location {
        fields.push(("Location".to_string(), location));
    }
    fields.extend(rest);
    Ok(ScriptReply::Respond { status, fields })
}
// ANCHOR_END: interpret

/// Reads the header block from a reader that is not buffered yet; for tests and exercises.
pub fn parse_output(output: &[u8]) -> Result<(ScriptReply, Vec<u8>), OutputError> {
    let mut reader = io::BufReader::new(output);
    let reply = interpret(read_headers(&mut reader)?)?;
    let mut body = Vec::new();
    reader
        .read_to_end(&mut body)
        .map_err(|err| OutputError::Read(err.to_string()))?;
    Ok((reply, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn reply(output: &[u8]) -> Result<ScriptReply, OutputError> {
        parse_output(output).map(|(reply, _)| reply)
    }

    fn respond(status: u16, fields: &[(&str, &str)]) -> ScriptReply {
        ScriptReply::Respond {
            status,
            fields: fields
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_document_with_lf_or_crlf_lines() {
        for output in [
            &b"Content-Type: text/plain\n\nhello"[..],
            b"Content-Type: text/plain\r\n\r\nhello",
            b"Content-Type:text/plain  \r\n\nhello",
        ] {
            let (reply, body) = parse_output(output).unwrap();
            assert_eq!(reply, respond(200, &[("Content-Type", "text/plain")]));
            assert_eq!(body, b"hello");
        }
    }

    #[test]
    fn the_body_starts_right_after_the_empty_line() {
        let (_, body) = parse_output(b"Content-Type: a/b\n\n\nline: not a header\n").unwrap();
        assert_eq!(body, b"\nline: not a header\n");
    }

    #[test]
    fn status_sets_the_code_and_its_reason_is_optional() {
        assert_eq!(
            reply(b"Status: 404 Not Found\nContent-Type: text/html\n\n"),
            Ok(respond(404, &[("Content-Type", "text/html")]))
        );
        assert_eq!(
            reply(b"status: 201\nContent-Type: a/b\n\n"),
            Ok(respond(201, &[("Content-Type", "a/b")]))
        );
        // A Status alone needs no Content-Type.
        assert_eq!(reply(b"Status: 204 No Content\n\n"), Ok(respond(204, &[])));
    }

    #[test]
    fn invalid_statuses_are_refused() {
        for value in [
            "",
            "20",
            "2000",
            "abc",
            "200OK",
            "099",
            "100 Continue",
            "600 Nope",
            "-20",
        ] {
            assert_eq!(
                parse_status(value),
                Err(OutputError::BadStatus(value.into())),
                "{value:?}"
            );
        }
        assert_eq!(parse_status("599 x"), Ok(599));
        assert!(matches!(
            reply(b"Status: 1000\nContent-Type: a/b\n\n"),
            Err(OutputError::BadStatus(_))
        ));
    }

    #[test]
    fn an_absolute_location_redirects_the_client() {
        assert_eq!(
            reply(b"Location: https://example.org/x?y#z\n\n"),
            Ok(respond(302, &[("Location", "https://example.org/x?y#z")]))
        );
        assert_eq!(
            reply(b"Location: https://example.org/\nStatus: 301 Moved\nContent-Type: text/html\n\n<a>"),
            Ok(respond(
                301,
                &[("Content-Type", "text/html"), ("Location", "https://example.org/")]
            ))
        );
    }

    #[test]
    fn a_local_location_without_status_is_a_local_redirect() {
        assert_eq!(
            reply(b"Location: /cgi-bin/other?x=1\n\n"),
            Ok(ScriptReply::LocalRedirect {
                location: "/cgi-bin/other?x=1".into()
            })
        );
        // With a Status it goes to the client as it is.
        assert_eq!(
            reply(b"Status: 303 See Other\nLocation: /done\n\n"),
            Ok(respond(303, &[("Location", "/done")]))
        );
    }

    #[test]
    fn a_location_must_be_absolute_or_start_with_a_slash() {
        for location in [
            "relative/path",
            "example.org/x",
            "1http://x",
            ":x",
            "ht tp://x",
        ] {
            let output = format!("Location: {location}\n\n");
            assert_eq!(
                reply(output.as_bytes()),
                Err(OutputError::BadLocation(location.into())),
                "{location}"
            );
        }
        assert!(is_absolute_url("mailto:someone@example.org"));
    }

    #[test]
    fn a_document_needs_a_content_type() {
        assert_eq!(
            reply(b"X-Thing: 1\n\nbody"),
            Err(OutputError::NoContentType)
        );
    }

    #[test]
    fn no_output_or_no_header_block_is_refused() {
        assert_eq!(reply(b""), Err(OutputError::NoOutput));
        assert_eq!(reply(b"\nbody"), Err(OutputError::EmptyHeaderBlock));
        assert_eq!(reply(b"\r\nbody"), Err(OutputError::EmptyHeaderBlock));
        assert_eq!(
            reply(b"Content-Type: text/plain\n"),
            Err(OutputError::UnterminatedHeaderBlock)
        );
        assert_eq!(
            reply(b"Content-Type: text/plain"),
            Err(OutputError::UnterminatedHeaderBlock)
        );
    }

    #[test]
    fn malformed_lines_are_refused() {
        assert_eq!(
            reply(b"Content-Type: a/b\nhello world\n\n"),
            Err(OutputError::NoColon { line: 2 })
        );
        assert_eq!(
            reply(b"Content-Type : a/b\n\n"),
            Err(OutputError::BadName { line: 1 })
        );
        assert_eq!(reply(b": a/b\n\n"), Err(OutputError::BadName { line: 1 }));
        assert_eq!(
            reply(b"Content-Type: a/b\n folded: x\n\n"),
            Err(OutputError::BadName { line: 2 })
        );
        assert_eq!(
            reply(b"B\xc3\xa4d: 1\n\n"),
            Err(OutputError::BadName { line: 1 })
        );
    }

    #[test]
    fn control_characters_never_reach_the_client() {
        for output in [
            &b"Content-Type: a/b\nX-A: 1\rSet-Cookie: evil=1\n\n"[..],
            b"Content-Type: a/b\nX-A: 1\r\rSet-Cookie: evil=1\r\n\r\n",
            b"Content-Type: a/b\nX-A: nul\0\n\n",
            b"Content-Type: a/b\nX-A: esc\x1b[31m\n\n",
            b"Content-Type: a/b\nX-A: del\x7f\n\n",
        ] {
            assert_eq!(
                reply(output),
                Err(OutputError::ControlCharacter { line: 2 }),
                "{output:?}"
            );
        }
        // C1 controls, in UTF-8, are refused as well.
        assert_eq!(
            reply("Content-Type: a/b\nX-A: \u{85}\n\n".as_bytes()),
            Err(OutputError::ControlCharacter { line: 2 })
        );
        // A tab is fine.
        assert!(reply(b"Content-Type: a/b\nX-A: a\tb\n\n").is_ok());
    }

    #[test]
    fn values_must_be_utf8() {
        assert_eq!(
            reply(b"Content-Type: a/b\nX-A: caf\xe9\n\n"),
            Err(OutputError::NotUtf8 { line: 2 })
        );
        assert!(reply("Content-Type: a/b\nX-A: café\n\n".as_bytes()).is_ok());
    }

    #[test]
    fn the_cgi_fields_may_appear_once() {
        assert_eq!(
            reply(b"Content-Type: a/b\ncontent-type: c/d\n\n"),
            Err(OutputError::Duplicate("Content-Type"))
        );
        assert_eq!(
            reply(b"Status: 200\nStatus: 404\n\n"),
            Err(OutputError::Duplicate("Status"))
        );
        assert_eq!(
            reply(b"Location: /a\nLocation: /b\n\n"),
            Err(OutputError::Duplicate("Location"))
        );
    }

    #[test]
    fn set_cookie_lines_stay_separate_and_in_order() {
        assert_eq!(
            reply(b"Content-Type: a/b\nSet-Cookie: a=1\nX-B: 2\nSet-Cookie: c=3\n\n"),
            Ok(respond(
                200,
                &[
                    ("Content-Type", "a/b"),
                    ("Set-Cookie", "a=1"),
                    ("X-B", "2"),
                    ("Set-Cookie", "c=3")
                ]
            ))
        );
    }

    #[test]
    fn framing_and_hop_by_hop_fields_are_dropped() {
        let output = b"Content-Type: a/b\nContent-Length: 3\nTransfer-Encoding: chunked\n\
                       Connection: close\nKeep-Alive: 5\nUpgrade: h2c\nTE: trailers\n\
                       Trailer: X\nDate: yesterday\nServer: mine\nX-Kept: yes\n\nabcdef";
        let (reply, body) = parse_output(output).unwrap();
        assert_eq!(
            reply,
            respond(200, &[("Content-Type", "a/b"), ("X-Kept", "yes")])
        );
        assert_eq!(body, b"abcdef");
    }

    #[test]
    fn header_lines_are_limited_in_length_and_number() {
        let long = format!("Content-Type: a/b\nX-Long: {}\n\n", "x".repeat(MAX_LINE));
        assert_eq!(
            reply(long.as_bytes()),
            Err(OutputError::LineTooLong { limit: MAX_LINE })
        );
        let fits = format!(
            "X-Long: {}\r\nContent-Type: a/b\n\n",
            "x".repeat(MAX_LINE - 8)
        );
        assert!(reply(fits.as_bytes()).is_ok());
        let endless = "x".repeat(10 * MAX_LINE);
        assert_eq!(
            reply(endless.as_bytes()),
            Err(OutputError::LineTooLong { limit: MAX_LINE })
        );

        let mut many = String::from("Content-Type: a/b\n");
        for i in 1..MAX_LINES {
            many.push_str(&format!("X-{i}: {i}\n"));
        }
        assert!(reply(format!("{many}\n").as_bytes()).is_ok());
        many.push_str("X-Last: 1\n\n");
        assert_eq!(
            reply(many.as_bytes()),
            Err(OutputError::TooManyLines { limit: MAX_LINES })
        );
    }
}

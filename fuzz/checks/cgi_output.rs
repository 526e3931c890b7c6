//! The checks of the `cgi_output` fuzz target, shared by the fuzz target itself
//! (`fuzz/fuzz_targets/cgi_output.rs`) and by `cargo test`, which replays every input in
//! `fuzz/seeds/cgi_output/` through them (`crates/server-core/tests/fuzz_seeds.rs`).
//!
//! What the target checks: the CGI response parser (`cgi::output`) on arbitrary bytes as a script's
//! output.
//!
//! A CGI script is a program the server does not trust: whatever it prints, the parser may
//! not panic, hang or buffer without bound. Each input is parsed twice — in one piece with
//! `parse_output`, and through a `BufReader` of 7 bytes over a reader that hands out 3 bytes
//! at a time with `read_headers` and `interpret` — and both must give the same answer, so a
//! line split at any place reads the same. Then:
//!
//! - a refusal is an [`OutputError`] that the host answers with 502 (never the "should not
//!   happen" variants `InvalidHeader` and `Read`), with a message for the log;
//! - an accepted head is consistent: the body is exactly the bytes after the empty line; a
//!   `Respond` has a status in 200..=599, `Content-Type` and `Location` at most once and
//!   first, no server-managed field, and every field passes the core's own header check (so
//!   building the response can never fail); a `LocalRedirect` is a path starting with `/`;
//! - the answer survives a round trip: the reply written back as a canonical header block,
//!   with the same body, parses to the same reply and body (when that block is within the
//!   limits: it has a `Status` line and a space after each colon that the input may lack).

use std::io::{self, BufRead, BufReader, Read};

use server_core::Response;
use server_core::cgi::HostError;
use server_core::cgi::output::{
    MAX_LINE, MAX_LINES, OutputError, ScriptReply, interpret, is_absolute_url, parse_output,
    read_headers,
};
use server_core::response::{SERVER_MANAGED_HEADERS, validate_header};

/// Hands out the output `step` bytes at a time, as a pipe might.
struct Slices<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Slices<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// The same parse as `parse_output`, through a small buffer over small reads, checking the
/// header block before `interpret` sees it.
fn parse_in_slices(data: &[u8]) -> Result<(ScriptReply, Vec<u8>), OutputError> {
    let mut reader = BufReader::with_capacity(
        7,
        Slices {
            bytes: data,
            step: 3,
        },
    );
    let headers = read_headers(&mut reader)?;
    if let Some(status) = headers.status {
        assert!((200..=599).contains(&status), "Status {status} accepted");
    }
    if let Some(location) = &headers.location {
        assert!(!location.is_empty(), "an empty Location accepted");
    }
    for (name, _) in &headers.fields {
        for cgi_field in ["status", "location", "content-type"] {
            assert!(
                !name.eq_ignore_ascii_case(cgi_field),
                "{name} left among the fields"
            );
        }
    }
    let reply = interpret(headers)?;
    let mut body = Vec::new();
    reader.read_to_end(&mut body).expect("a slice never fails");
    assert!(reader.fill_buf().expect("a slice never fails").is_empty());
    Ok((reply, body))
}

/// A refusal: answered with 502, never one of the variants that cannot happen here.
fn check_refusal(error: &OutputError, data: &[u8]) {
    assert!(
        !matches!(error, OutputError::InvalidHeader(_) | OutputError::Read(_)),
        "{error:?} for b\"{}\"",
        data.escape_ascii()
    );
    assert!(!error.to_string().is_empty());
    let host_error = HostError::from(error.clone());
    assert_eq!(host_error.status(), 502, "{error:?}");
    assert_eq!(host_error.response().status(), 502, "{error:?}");
}

/// An accepted head: the body, the status, the fields and the response built from them.
fn check_reply(reply: &ScriptReply, body: &[u8], data: &[u8]) {
    // The body is what follows the empty line, byte for byte.
    assert!(data.ends_with(body));
    let head = &data[..data.len() - body.len()];
    assert!(
        head.ends_with(b"\n\n") || head.ends_with(b"\n\r\n"),
        "the head does not end with an empty line: b\"{}\"",
        head.escape_ascii()
    );
    // Within the limits: at most MAX_LINES field lines (plus the empty one) of MAX_LINE bytes.
    let lines: Vec<&[u8]> = head[..head.len() - 1].split(|&b| b == b'\n').collect();
    assert!(
        lines.len() <= MAX_LINES + 1,
        "{} lines accepted",
        lines.len()
    );
    for line in &lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(
            line.len() <= MAX_LINE,
            "a line of {} bytes accepted",
            line.len()
        );
    }

    match reply {
        ScriptReply::Respond { status, fields } => {
            assert!((200..=599).contains(status), "status {status}");
            let mut response = Response::new(*status);
            for (index, (name, value)) in fields.iter().enumerate() {
                validate_header(name, value)
                    .unwrap_or_else(|err| panic!("{name}: {value:?} accepted: {err}"));
                assert_eq!(value.trim_matches([' ', '\t']), value, "{name} not trimmed");
                assert!(
                    !SERVER_MANAGED_HEADERS
                        .iter()
                        .any(|m| m.eq_ignore_ascii_case(name)),
                    "the server-managed {name} passed through"
                );
                // Content-Type first, then Location, each once and spelled canonically.
                let position = match name.to_ascii_lowercase().as_str() {
                    "content-type" => Some(0),
                    "location" => Some(usize::from(fields[0].0 == "Content-Type")),
                    _ => None,
                };
                if let Some(position) = position {
                    assert_eq!(index, position, "{name} out of place in {fields:?}");
                    assert!(name == "Content-Type" || name == "Location", "{name}");
                }
                if name == "Location" {
                    assert!(
                        value.starts_with('/') || is_absolute_url(value),
                        "Location {value:?}"
                    );
                }
                response
                    .add_header(name, value.clone())
                    .unwrap_or_else(|err| panic!("the response refused {name}: {err}"));
            }
        }
        ScriptReply::LocalRedirect { location } => {
            assert!(location.starts_with('/'), "local redirect to {location:?}");
            assert!(!location.contains(['\r', '\n', '\0']));
        }
    }
}

/// The reply written back as a canonical header block (`Status` first, one `name: value`
/// line per field, CRLF endings), followed by the same body. `None` when that block would be
/// past the limits: the canonical form adds a `Status` line and a space after each colon.
fn canonical_output(reply: &ScriptReply, body: &[u8]) -> Option<Vec<u8>> {
    let lines = match reply {
        ScriptReply::Respond { status, fields } => std::iter::once(format!("Status: {status}"))
            .chain(
                fields
                    .iter()
                    .map(|(name, value)| format!("{name}: {value}")),
            )
            .collect(),
        ScriptReply::LocalRedirect { location } => vec![format!("Location: {location}")],
    };
    if lines.len() > MAX_LINES || lines.iter().any(|line| line.len() > MAX_LINE) {
        return None;
    }
    let mut output = Vec::new();
    for line in lines {
        output.extend_from_slice(line.as_bytes());
        output.extend_from_slice(b"\r\n");
    }
    output.extend_from_slice(b"\r\n");
    output.extend_from_slice(body);
    Some(output)
}

/// Checks one input: panics when the code under test misbehaves on it.
pub fn check(data: &[u8]) {
    let whole = parse_output(data);
    let sliced = parse_in_slices(data);
    assert_eq!(whole, sliced, "one piece and small reads disagree");
    match whole {
        Err(error) => check_refusal(&error, data),
        Ok((reply, body)) => {
            check_reply(&reply, &body, data);
            let Some(again) = canonical_output(&reply, &body) else {
                return;
            };
            assert_eq!(
                parse_output(&again),
                Ok((reply, body)),
                "the canonical form b\"{}\" parses differently",
                again.escape_ascii()
            );
        }
    }
}

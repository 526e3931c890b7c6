//! `--dump`: answer every request with what the parser understood (lessons 02 and 08).
//!
//! This is the Rust twin of the HTTP test handler in the course's Python notes: instead of
//! serving files it shows the request line split into method, path and version, and every
//! header field — the *result* of parsing, to set beside the raw bytes lesson 01 printed.
//! Over HTTPS (lesson 08) it first says what TLS negotiated — protocol, cipher suite, ALPN and
//! the name the client asked for — like the course's SSL server printing its cipher.
//! The same text is printed on the server's terminal.

use std::fmt::Write as _;
use std::io::Read;

use crate::{Request, RequestBody, Response};

/// How many body bytes the dump shows (it counts them all).
const SHOWN_BODY_BYTES: usize = 4096;

// ANCHOR: dump_request
/// Describes a parsed request as plain text.
pub fn dump_request(request: &Request, body: &mut RequestBody<'_>) -> Response {
    let mut text = String::new();
    let _ = writeln!(text, "Client address: {}", request.peer);
    let _ = writeln!(text, "Server address: {}", request.local);
    if let Some(tls) = &request.tls {
        let _ = writeln!(
            text,
            "Cipher: {} {} (ALPN: {}, SNI: {})",
            tls.cipher_suite,
            tls.protocol,
            tls.alpn.as_deref().unwrap_or("none"),
            tls.server_name.as_deref().unwrap_or("none")
        );
    }
    let _ = writeln!(text, "Request line: {}", request.request_line());
    let _ = writeln!(text, "Method: {}", request.method);
    let _ = writeln!(text, "Path: {}", request.path());
    let _ = writeln!(text, "Query: {}", request.query());
    let _ = writeln!(text, "Version: {}", request.version);
    let _ = writeln!(text, "Headers:");
    for header in &request.headers {
        let _ = writeln!(text, "  {}: {:?}", header.name, header.value);
    }

    // Read the body to its end, keeping only the first few KiB to show.
    let mut shown = Vec::new();
    let mut total = 0u64;
    let mut chunk = [0u8; 8192];
    loop {
        match body.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                total += n as u64;
                let room = SHOWN_BODY_BYTES.saturating_sub(shown.len());
                shown.extend_from_slice(&chunk[..n.min(room)]);
            }
            // A broken body is answered by the server itself (400, 408 or 413).
            Err(_) => return Response::text(400, "bad body"),
        }
    }
    let _ = writeln!(text, "Body: {total} bytes");
    if !shown.is_empty() {
        let _ = writeln!(text, "{}", String::from_utf8_lossy(&shown).escape_debug());
    }
    print!("{text}");
    Response::text(200, text)
}
// ANCHOR_END: dump_request

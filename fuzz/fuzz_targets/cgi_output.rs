//! Fuzz target: the CGI response parser (`cgi::output`) on arbitrary bytes as a script's
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
//!
//! The checks themselves are in `fuzz/checks/cgi_output.rs`, which `cargo test` also runs on
//! every input in `fuzz/seeds/cgi_output/`.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/cgi_output.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::check(data));

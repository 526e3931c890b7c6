//! Hosting a gateway application inside the HTTP/1.1 server: the WSGI *server* side.
//!
//! What it teaches: where lesson 03's CGI host builds an environment, starts a process and
//! parses what it prints, this host builds the *same* environment
//! ([`crate::cgi::env::meta_variables`]), calls a function, and turns what it returns into a
//! response. No process per request: that is the whole difference, and chapter 5 measures it.
//!
//! [`GatewayHost::handle`] reads top to bottom:
//! 1. the path is percent-decoded into `PATH_INFO` (400 if it is not UTF-8); `SCRIPT_NAME` is
//!    empty — the application is mounted at the root;
//! 2. a chunked body is counted first (kept in memory up to 64 KiB, else in an unnamed
//!    temporary file), so `CONTENT_LENGTH` is always known, exactly as for a CGI script;
//! 3. the environ is the CGI meta-variables plus `wsgi.url_scheme`, with the body as
//!    `input` and the server's log as `errors` (whole lines, in order with its other lines);
//! 4. the application is called; an error, a refused status or header, or a missing
//!    `start_response` is logged and answered with a 500 that shows no details;
//! 5. the response is framed: see the module documentation of [`crate::gateway`].
//!
//! A panic in the application is caught by the server loop (500, connection closed); a panic
//! while the body is being produced ends the body early and the connection with it.

use std::io::{self, Read};
use std::path::PathBuf;

use super::{Application, Chunks, Environ, GatewayError, StartResponse};
use crate::body::RequestBody;
use crate::cgi::CgiOptions;
use crate::cgi::env::{ScriptTarget, meta_variables};
use crate::cli::{self, ListenArgs, TuningArgs};
use crate::handler::{Handler, Request};
use crate::response::{Body, Response};
use crate::server::Server;

/// The 500 page's message: the details go to the log, never to the client.
const FAILED: &str = "The application failed; the details are in the server's log";

/// A [`Handler`] that runs a gateway [`Application`] for every request.
pub struct GatewayHost<A> {
    /// The application.
    app: A,
    /// The settings of the environ: `SERVER_SOFTWARE`, and no inherited variables.
    env_options: CgiOptions,
}

impl<A: Application> GatewayHost<A> {
    /// Hosts `app`; `server_software` is the environ's `SERVER_SOFTWARE`.
    pub fn new(app: A, server_software: &str) -> GatewayHost<A> {
        let env_options = CgiOptions {
            server_software: server_software.to_string(),
            // In-process: the server's own PATH or LANG mean nothing to the application.
            inherited: Vec::new(),
            ..CgiOptions::default()
        };
        GatewayHost { app, env_options }
    }

    // ANCHOR: environ_of
    /// The environ's variables for `request`: the CGI meta-variables, plus the URL scheme
    /// (`https` when the request came over TLS).
    pub fn variables(
        &self,
        request: &Request,
        path_info: String,
        content_length: Option<u64>,
    ) -> Vec<(String, Vec<u8>)> {
        let target = ScriptTarget {
            script_name: String::new(),
            script_file: PathBuf::new(),
            path_info: Some(path_info),
            path_translated: None,
        };
        let mut vars = meta_variables(request, &target, content_length, &self.env_options);
        vars.push(("wsgi.url_scheme".into(), request.scheme().into()));
        vars
    }
    // ANCHOR_END: environ_of
}

impl<A: Application> Handler for GatewayHost<A> {
    // ANCHOR: handle
    fn handle(&self, request: &Request, body: &mut RequestBody<'_>) -> Response {
        let Some(path_info) = decoded_path(request.path()) else {
            return Response::error_page(400, "The path is not UTF-8 once %-decoded");
        };
        let mut spooled;
        let (input, content_length): (&mut dyn Read, Option<u64>) = if body.is_chunked() {
            match crate::cgi::process::spool(body) {
                Ok((input, length)) => {
                    spooled = input.into_reader();
                    (&mut spooled, Some(length))
                }
                Err(_) => return Response::error_page(400, "The request body could not be read"),
            }
        } else {
            let length = body.declared_length();
            (body, length)
        };
        let vars = self.variables(request, path_info, content_length);
        let mut errors = crate::access_log::LogWriter::default();
        let mut environ = Environ::new(vars, input, &mut errors);
        let mut start_response = StartResponse::new();
        let outcome = self.app.call(&mut environ, &mut start_response);
        let failure = |why: &dyn std::fmt::Display| {
            eprintln!("gateway: {} {}: {why}", request.method, request.target);
            Response::error_page(500, FAILED)
        };
        let chunks = match outcome {
            Ok(chunks) => chunks,
            Err(error) => return failure(&error),
        };
        if let Some(refused) = start_response.refused() {
            return failure(refused);
        }
        match respond(&start_response, chunks) {
            Ok(response) => response,
            Err(why) => failure(&why),
        }
    }
    // ANCHOR_END: handle
}

// ANCHOR: serve
/// Serves `app` until Ctrl-C: binds the listening socket (or prints why it cannot, and
/// exits), prints the start-up line, and runs the HTTP/1.1 server with the app hosted
/// in-process. `package` names the lesson in messages; `software` is `SERVER_SOFTWARE`.
pub fn serve(
    app: impl Application,
    listen: &ListenArgs,
    tuning: &TuningArgs,
    package: &str,
    software: &str,
) {
    let listener = cli::bind(listen, package).unwrap_or_else(|e| cli::exit_with(e));
    let host = GatewayHost::new(app, software);
    cli::announce(&listener, "HTTP", "http");
    Server::new(listener, tuning.to_config(software), host).run_until_ctrl_c();
}
// ANCHOR_END: serve

/// Frames what the application gave: status, headers, body.
fn respond(start: &StartResponse, chunks: Chunks) -> Result<Response, String> {
    let status = start
        .status()
        .ok_or_else(|| GatewayError::NotStarted.to_string())?;
    let mut response = Response::new(status);
    let mut declared = None;
    for (name, value) in start.headers() {
        if name.eq_ignore_ascii_case("content-length") {
            declared = Some(value.parse::<u64>().map_err(|_| "a bad Content-Length")?);
        } else if name.eq_ignore_ascii_case("date") || name.eq_ignore_ascii_case("server") {
            // The server writes its own.
        } else {
            response
                .add_header(name, value.as_str())
                .map_err(|error| error.to_string())?;
        }
    }
    let body = frame(chunks, declared)?;
    Ok(response.with_body(body))
}

/// One chunk (or none) becomes a body of known length; more are streamed.
fn frame(mut chunks: Chunks, declared: Option<u64>) -> Result<Body, String> {
    let first = next_chunk(&mut chunks).map_err(|e| e.to_string())?;
    let second = match first {
        Some(_) => next_chunk(&mut chunks).map_err(|e| e.to_string())?,
        None => None,
    };
    match (first, second) {
        (first, None) => {
            let bytes = first.unwrap_or_default();
            if let Some(length) = declared
                && length != bytes.len() as u64
            {
                return Err(format!(
                    "Content-Length says {length} but the body has {} bytes",
                    bytes.len()
                ));
            }
            Ok(Body::Bytes(bytes))
        }
        (Some(first), Some(second)) => Ok(Body::Stream {
            reader: Box::new(ChunkReader {
                current: io::Cursor::new(first),
                waiting: Some(second),
                rest: chunks,
            }),
            len: declared,
        }),
        (None, Some(_)) => unreachable!("no second chunk is read without a first"),
    }
}

/// The next chunk, with a panic inside the application's iterator turned into an error.
fn next_chunk(chunks: &mut Chunks) -> io::Result<Option<Vec<u8>>> {
    crate::panics::catch(|| chunks.next()).map_err(|panic| {
        io::Error::other(format!(
            "the application failed while producing its body: {panic}"
        ))
    })
}

/// Reads the chunks one after another.
struct ChunkReader {
    /// The chunk being read.
    current: io::Cursor<Vec<u8>>,
    /// A chunk already taken from the iterator.
    waiting: Option<Vec<u8>>,
    /// The chunks not yet taken.
    rest: Chunks,
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // Bounded: each turn either returns or moves to the next chunk; empty chunks are skipped.
        loop {
            let n = self.current.read(out)?;
            if n > 0 || out.is_empty() {
                return Ok(n);
            }
            let next = match self.waiting.take() {
                Some(chunk) => Some(chunk),
                None => next_chunk(&mut self.rest)?,
            };
            match next {
                Some(chunk) => self.current = io::Cursor::new(chunk),
                None => return Ok(0),
            }
        }
    }
}

/// `/a%20b` → `/a b`; `None` when the decoded bytes are not UTF-8.
fn decoded_path(path: &str) -> Option<String> {
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()
        .map(|path| path.into_owned())
}

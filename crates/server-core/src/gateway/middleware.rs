//! Middleware: applications that wrap an application (PEP 3333's "middleware components").
//!
//! What it teaches: a middleware is a server to the application inside it and an
//! application to the server outside it. It can look at the environ before the inner
//! application does, change the response after, or catch what goes wrong — without the
//! application knowing. Wrapping is nesting values:
//! `AccessLog(AddHeader::new(ErrorCatcher(app), "X-Lesson", "05")?)`. Order matters: the
//! catcher's 500 page gets the header only because the header is added outside the catcher.
//! Chapter 5 builds this stack for lesson 05.
//!
//! - [`AccessLog`] writes one line per request to `wsgi.errors`: method, path, status, time.
//! - [`AddHeader`] adds a header to every response that was started.
//! - [`ErrorCatcher`] turns an error, a refused header or a panic inside the application into
//!   a 500 whose page says nothing about the cause; the cause goes to `wsgi.errors`. Details
//!   of a failure (file paths, queries, stack traces) help an attacker more than a visitor.

use std::time::Instant;

use super::{AppError, Application, Chunks, Environ, GatewayError, StartResponse, body};

// ANCHOR: access_log
/// Logs every request: `[access] GET /hello -> 200 in 0.1 ms`.
pub struct AccessLog<A>(pub A);

impl<A: Application> Application for AccessLog<A> {
    fn call(
        &self,
        environ: &mut Environ<'_>,
        start_response: &mut StartResponse,
    ) -> Result<Chunks, AppError> {
        let started = Instant::now();
        let outcome = self.0.call(environ, start_response);
        let status = match (&outcome, start_response.status()) {
            (Err(_), _) => "error".to_string(),
            (Ok(_), Some(code)) => code.to_string(),
            (Ok(_), None) => "-".to_string(),
        };
        let line = format!(
            "[access] {} {} -> {status} in {:.1} ms",
            environ.method(),
            environ.path_info().escape_debug(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        let _ = writeln!(environ.errors, "{line}");
        outcome
    }
}
// ANCHOR_END: access_log

/// Adds `name: value` to every response the inner application starts.
pub struct AddHeader<A> {
    /// The wrapped application.
    inner: A,
    /// The header's name, checked.
    name: String,
    /// The header's value, checked.
    value: String,
}

impl<A: Application> AddHeader<A> {
    /// Wraps `inner`; the header is checked now, so a bad one is found at start-up.
    pub fn new(inner: A, name: &str, value: &str) -> Result<AddHeader<A>, GatewayError> {
        super::check_header(name, value)?;
        Ok(AddHeader {
            inner,
            name: name.to_string(),
            value: value.to_string(),
        })
    }
}

impl<A: Application> Application for AddHeader<A> {
    fn call(
        &self,
        environ: &mut Environ<'_>,
        start_response: &mut StartResponse,
    ) -> Result<Chunks, AppError> {
        let chunks = self.inner.call(environ, start_response)?;
        if start_response.status().is_some() {
            start_response.add_header(&self.name, &self.value)?;
        }
        Ok(chunks)
    }
}

// ANCHOR: error_catcher
/// Answers 500, with a page that hides the cause, when the inner application fails.
pub struct ErrorCatcher<A>(pub A);

impl<A: Application> Application for ErrorCatcher<A> {
    fn call(
        &self,
        environ: &mut Environ<'_>,
        start_response: &mut StartResponse,
    ) -> Result<Chunks, AppError> {
        let outcome = crate::panics::catch(|| self.0.call(environ, start_response));
        let cause = match outcome {
            Ok(Ok(chunks)) => match start_response.refused() {
                None => return Ok(chunks),
                Some(refused) => refused.to_string(),
            },
            Ok(Err(error)) => error.to_string(),
            Err(panic) => panic.to_string(),
        };
        let line = format!(
            "[error] {} {}: {}",
            environ.method(),
            environ.path_info().escape_debug(),
            cause.escape_debug()
        );
        let _ = writeln!(environ.errors, "{line}");
        start_response.restart(
            "500 Internal Server Error",
            [("Content-Type", "text/html; charset=utf-8")],
        )?;
        let page = crate::html::error_page(
            500,
            "Something went wrong on our side; the details are in the server's log",
        );
        Ok(body(page))
    }
}
// ANCHOR_END: error_catcher

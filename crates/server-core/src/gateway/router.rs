//! Dispatch: choosing the code that answers a path (the course's `resolve_path`).
//!
//! What it teaches: one application serves many pages by looking at `PATH_INFO`. A
//! [`Router`] is an ordered list of (regular expression, handler) pairs; the first pattern
//! that matches the path wins, and the parts the pattern *captured* — `(id\d+)` in
//! `^book/(id\d+)$` — become the handler's arguments. Chapter 6 uses it for the book list,
//! chapter 7 for the calculator.
//!
//! Choices made here:
//! - Patterns are matched against the path without its leading `/`s, anchored at the start
//!   like Python's `re.match`; write `$` to anchor the end (`^book/(id\d+)$` does not match
//!   `book/id3/`). Patterns use the `regex` crate's syntax, which has no look-around or
//!   back-references and always runs in time linear in the path's length.
//! - No pattern matches → 404. A handler says what went wrong with a [`RouteError`]:
//!   `NotFound` → 404 (an unknown book id), `BadRequest` → 400 (a divisor of zero), and
//!   `Internal` → 500, whose page hides the cause (it goes to `wsgi.errors`).
//! - Error pages are HTML by default; [`Router::with_error_page`] changes their form (the
//!   calculator answers in plain text).

use std::fmt;

use regex::Regex;

use super::{AppError, Application, Chunks, Environ, StartResponse, body};
use crate::response::reason_phrase;

/// What a route handler answers: a status, a content type, headers and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: String,
    /// More headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A 200 `text/html; charset=utf-8` reply. The caller escapes what it puts in.
    pub fn html(page: impl Into<String>) -> Reply {
        Reply::with_type("text/html; charset=utf-8", page.into().into_bytes())
    }

    /// A 200 `text/plain; charset=utf-8` reply.
    pub fn text(text: impl Into<String>) -> Reply {
        Reply::with_type("text/plain; charset=utf-8", text.into().into_bytes())
    }

    /// A 200 reply of any type.
    pub fn with_type(content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            content_type: content_type.to_string(),
            headers: Vec::new(),
            body,
        }
    }

    /// The same reply with another status.
    pub fn with_status(mut self, status: u16) -> Reply {
        self.status = status;
        self
    }

    /// The same reply with one more header (checked when the reply is sent).
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Starts the response with this reply's status and headers and returns its body.
    pub fn send(self, start_response: &mut StartResponse) -> Result<Chunks, AppError> {
        let status = format!("{} {}", self.status, reason_phrase(self.status));
        let mut headers = vec![("Content-Type".to_string(), self.content_type)];
        headers.extend(self.headers);
        start_response.start(&status, headers)?;
        Ok(body(self.body))
    }
}

/// Why a handler did not answer with a page.
#[derive(Debug)]
pub enum RouteError {
    /// The thing asked for does not exist: 404.
    NotFound,
    /// The request is wrong, and the text says how: 400.
    BadRequest(String),
    /// Something failed on our side: 500, with the cause only in the log.
    Internal(AppError),
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::NotFound => f.write_str("not found"),
            RouteError::BadRequest(why) => write!(f, "bad request: {why}"),
            RouteError::Internal(error) => write!(f, "internal error: {error}"),
        }
    }
}

impl From<AppError> for RouteError {
    fn from(error: AppError) -> Self {
        RouteError::Internal(error)
    }
}

/// A handler of one route: called with the captured parts of the path.
pub trait RouteHandler: Send + Sync + 'static {
    /// Answers a request whose path matched, with `args` the pattern's captures in order.
    fn handle(&self, args: &[&str], environ: &mut Environ<'_>) -> Result<Reply, RouteError>;
}

impl<F> RouteHandler for F
where
    F: Fn(&[&str], &mut Environ<'_>) -> Result<Reply, RouteError> + Send + Sync + 'static,
{
    fn handle(&self, args: &[&str], environ: &mut Environ<'_>) -> Result<Reply, RouteError> {
        self(args, environ)
    }
}

/// One pattern and the handler it leads to.
struct Route {
    /// The pattern as written, for messages.
    source: String,
    /// The compiled pattern, anchored at the start.
    pattern: Regex,
    /// What answers.
    handler: Box<dyn RouteHandler>,
}

/// How error pages look: a status and a message in, a reply out.
pub type ErrorPage = fn(u16, &str) -> Reply;

/// An application that dispatches on `PATH_INFO` to the first route whose pattern matches.
pub struct Router {
    /// The routes, in the order they are tried.
    routes: Vec<Route>,
    /// Makes the 400, 404 and 500 pages.
    error_page: ErrorPage,
}

impl Default for Router {
    fn default() -> Self {
        Router::new()
    }
}

/// The default error page: HTML, like the server's own.
fn html_error_page(status: u16, message: &str) -> Reply {
    Reply::html(crate::html::error_page(status, message)).with_status(status)
}

impl Router {
    /// A router with no routes (every path is a 404).
    pub fn new() -> Router {
        Router {
            routes: Vec::new(),
            error_page: html_error_page,
        }
    }

    /// Adds a route tried after the earlier ones; fails if `pattern` is not a valid regex.
    pub fn route(
        mut self,
        pattern: &str,
        handler: impl RouteHandler,
    ) -> Result<Router, regex::Error> {
        let anchored = Regex::new(&format!("^(?:{pattern})"))?;
        self.routes.push(Route {
            source: pattern.to_string(),
            pattern: anchored,
            handler: Box::new(handler),
        });
        Ok(self)
    }

    /// Uses `error_page` for the 400, 404 and 500 replies.
    pub fn with_error_page(mut self, error_page: ErrorPage) -> Router {
        self.error_page = error_page;
        self
    }

    // ANCHOR: resolve
    /// The handler for `path` and the parts its pattern captured (`""` for a group that
    /// took no part), or `None` when no pattern matches — `resolve_path` in the course.
    pub fn resolve<'r, 'p>(
        &'r self,
        path: &'p str,
    ) -> Option<(&'r dyn RouteHandler, Vec<&'p str>)> {
        let path = path.trim_start_matches('/');
        self.routes.iter().find_map(|route| {
            let captures = route.pattern.captures(path)?;
            // `^(?:...)` anchors every well-formed pattern; this also holds for one with an
            // unbalanced `)`, such as `x)|(y`, whose second branch the `^` would not reach.
            if captures.get(0).is_none_or(|whole| whole.start() != 0) {
                return None;
            }
            let args = captures
                .iter()
                .skip(1)
                .map(|group| group.map_or("", |group| group.as_str()))
                .collect();
            Some((route.handler.as_ref(), args))
        })
    }
    // ANCHOR_END: resolve

    /// The patterns, in order (for a home page or a test).
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|route| route.source.as_str())
    }
}

// ANCHOR: dispatch
impl Application for Router {
    fn call(
        &self,
        environ: &mut Environ<'_>,
        start_response: &mut StartResponse,
    ) -> Result<Chunks, AppError> {
        let path = environ.path_info().to_string();
        let reply = match self.resolve(&path) {
            None => (self.error_page)(404, &format!("Nothing here answers {path}")),
            Some((handler, args)) => match handler.handle(&args, environ) {
                Ok(reply) => reply,
                Err(RouteError::NotFound) => {
                    (self.error_page)(404, &format!("There is nothing at {path}"))
                }
                Err(RouteError::BadRequest(why)) => (self.error_page)(400, &why),
                Err(RouteError::Internal(error)) => {
                    let _ = writeln!(environ.errors, "[error] {path:?}: {error}");
                    (self.error_page)(500, "Something went wrong on our side")
                }
            },
        };
        reply.send(start_response)
    }
}
// ANCHOR_END: dispatch

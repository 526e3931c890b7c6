//! Lesson 05's application: the course's environment page, and dispatch and middleware.
//!
//! - `/` (and any path no other route claims) is the environment page: the values of the
//!   course's exercise (server name and port, client address, method, path...) read from the
//!   environ, each escaped, then every variable. Compare it with lesson 03's `cgi-bin/env`:
//!   the same variables, built by the same function — only the delivery differs.
//! - `/hello` and `/hello/NAME` greet, through the [`Router`].
//! - `/boom` panics on purpose: the error catcher answers 500 and hides why.
//! - `/echo-header?value=TEXT` sends `TEXT` back in an `X-Echo` header. It is there to be
//!   attacked: `value=a%0D%0ASet-Cookie:%20x=1` asks for a header line of the client's own,
//!   `start_response` refuses it, and the client gets a 500 instead.
//! - Every response passes through three middleware: an access log (to the server's
//!   standard error), one that adds `X-Lesson: 05`, and an error catcher (innermost, so the
//!   500 pages it makes pass through the other two as well).

use server_core::form::{Form, FormOptions};
use server_core::gateway::{
    AccessLog, AddHeader, Application, Environ, ErrorCatcher, Reply, RouteError, Router,
};
use server_core::html::escape;

// ANCHOR: application
/// The whole application: the router inside its middleware.
pub fn application() -> impl Application {
    let router = Router::new()
        .route(r"hello/?$", |_: &[&str], _: &mut Environ<'_>| {
            greet("world")
        })
        .and_then(|router| router.route(r"hello/([^/]+)$", hello_name))
        .and_then(|router| router.route(r"boom$", boom))
        .and_then(|router| router.route(r"echo-header$", echo_header))
        .and_then(|router| router.route(r".*", environment_page))
        .expect("the route patterns are valid");
    // The header is added outside the error catcher, so its 500 pages carry it too.
    let caught = ErrorCatcher(router);
    AccessLog(AddHeader::new(caught, "X-Lesson", "05").expect("a valid header"))
}
// ANCHOR_END: application

/// `/hello/NAME`.
fn hello_name(args: &[&str], _: &mut Environ<'_>) -> Result<Reply, RouteError> {
    greet(args[0])
}

/// A small page greeting `name` (escaped: it comes from the URL).
fn greet(name: &str) -> Result<Reply, RouteError> {
    Ok(Reply::html(page(
        "Hello",
        &format!("<h1>Hello, {}!</h1>", escape(name)),
    )))
}

/// `/boom`: a handler that panics, to show the error catcher at work.
fn boom(_: &[&str], _: &mut Environ<'_>) -> Result<Reply, RouteError> {
    panic!("the boom page always fails (this text is logged, never shown)")
}

// ANCHOR: echo_header
/// `/echo-header?value=TEXT`: `TEXT`, decoded, in an `X-Echo` header — if it is a valid
/// header value. A line break in it makes `start_response` refuse the reply (500).
fn echo_header(_: &[&str], environ: &mut Environ<'_>) -> Result<Reply, RouteError> {
    let query = environ.get("QUERY_STRING").unwrap_or("");
    let form = Form::from_query(query, &FormOptions::default())
        .map_err(|error| RouteError::BadRequest(error.to_string()))?;
    let value = form.first("value").unwrap_or("");
    Ok(Reply::text("Look at the X-Echo header.\n").with_header("X-Echo", value))
}
// ANCHOR_END: echo_header

// The page's two tables are this chapter's exercise, `environ_page`: the lesson runs its
// reference solution, as lessons 06 and 07 run theirs.
#[path = "../exercises/solutions/environ_page.rs"]
pub mod environ_page;

// ANCHOR: environment_page
/// The environment page: the course's fields, then every variable, all escaped
/// ([`environ_page::environ_tables`]).
fn environment_page(_: &[&str], environ: &mut Environ<'_>) -> Result<Reply, RouteError> {
    let variables: Vec<(&str, &str)> = environ.vars().collect();
    let html = format!(
        "<h1>The environment of this request</h1>\n{}",
        environ_page::environ_tables(&variables)
    );
    Ok(Reply::html(page("Environment", &html)))
}
// ANCHOR_END: environment_page

/// The page around every body.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n</head>\n<body>\n{body}<p><a href=\"/\">The environment</a> \
         · <a href=\"/hello\">hello</a> · <a href=\"/hello/you\">hello/you</a> · \
         <a href=\"/boom\">boom</a> · <a href=\"/echo-header?value=hi\">echo-header</a></p>\n\
         </body>\n</html>\n"
    )
}

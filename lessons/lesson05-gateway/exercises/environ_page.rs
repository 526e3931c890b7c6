//! Exercise `environ_page`: the course's in-class exercise III — lesson 03's environment
//! page again, this time for a gateway (WSGI) application.
//!
//! A CGI script reads its request from its process environment; a gateway application is a
//! function the server calls with the same variables in a map, the *environ*, plus a few of
//! its own (`wsgi.url_scheme`). The course's exercise fills a page with nine of them; the
//! finished page is lesson 05's `/` (`src/lib.rs`) and `wsgi/environ.py`, and the same
//! exercise in Python, for you to fill in, is `wsgi/exercises/environ_page.py`. Here you write
//! the page's tables as a pure function of the environ's variables;
//! `examples/environ_page.rs` is the gateway server that calls it for every request
//! (`cargo run -p lesson05-gateway --example environ_page -- 8005`), so that
//! `cargo run -p homework -- check lesson05 --url http://127.0.0.1:8005/` checks your page
//! over HTTP.
//!
//! You write [`environ_tables`], which gives:
//!
//! ```text
//! <table>
//! <tr><th>Server name</th><td>VALUE</td></tr>
//! ...one row for each entry of SHOWN, in its order...
//! </table>
//! <h2>Every variable</h2>
//! <table>
//! <tr><th>NAME</th><td>VALUE</td></tr>
//! ...one row per variable, sorted by name...
//! </table>
//! ```
//!
//! - one line per row, heading or tag, each ending in `\n`;
//! - the first table shows, for each `(label, key)` of [`SHOWN`], the variable `key`; a key
//!   that is missing, or whose value is empty, shows `<i>(not set)</i>` instead;
//! - the second table shows every variable, sorted by name byte by byte (`SERVER_PORT`
//!   before `wsgi.url_scheme`), whatever order they came in;
//! - every name and value is HTML-escaped with [`escape`], in both tables: all of them can
//!   come from the request. The labels and `<i>(not set)</i>` are the page's own.
//!
//! The names of an environ are unique.

use server_core::html::escape;

// ANCHOR: exercise
/// The labels of the course's exercise, each with the environ key it shows.
pub const SHOWN: &[(&str, &str)] = &[
    ("Server name", "SERVER_NAME"),
    ("Server port", "SERVER_PORT"),
    ("Client address", "REMOTE_ADDR"),
    ("Method", "REQUEST_METHOD"),
    ("Path", "PATH_INFO"),
    ("Query string", "QUERY_STRING"),
    ("Protocol", "SERVER_PROTOCOL"),
    ("Host header", "HTTP_HOST"),
    ("URL scheme", "wsgi.url_scheme"),
];

/// What a row shows for a variable that is missing or empty.
pub const NOT_SET: &str = "<i>(not set)</i>";

/// The two tables of the environment page for the environ's `variables` `(name, value)`.
pub fn environ_tables(variables: &[(&str, &str)]) -> String {
    todo!("one row per entry of SHOWN, then the heading, then every variable sorted by name")
}
// ANCHOR_END: exercise

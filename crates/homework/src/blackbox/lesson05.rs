//! Lesson 05's black-box checks: the course's environment page, served by a gateway (WSGI)
//! application.
//!
//! Start the server with `cargo run -p lesson05-gateway -- 8005`, or the Python original with
//! `python3 wsgi/environ.py 8005`; both pass. What the checks rely on (the lesson's contract):
//!
//! - `GET /` and `GET /some/path?x=1&y=<b>` answer `200` with an HTML page (the environment
//!   page answers every path that has no page of its own);
//! - the page shows, each in a table row as `<tr><th>LABEL</th><td>VALUE</td></tr>`, nine
//!   values of the environ: `Server name` (`SERVER_NAME`), `Server port`, `Client address`
//!   (`REMOTE_ADDR`), `Method`, `Path` (`PATH_INFO`, percent-decoded), `Query string`,
//!   `Protocol`, `Host header` (`HTTP_HOST`) and `URL scheme` (`wsgi.url_scheme`), each
//!   HTML-escaped; a value that is missing or empty shows `(not set)`;
//! - then a heading `Every variable` and a table of every variable of the environ, sorted by
//!   name.
//!
//! The values are the ones *this* request gives, so each is known: the port of the URL
//! checked, the address this checker connects from, the `Host` header it sends, the URL's
//! scheme (`https` when the page is checked over TLS, as lesson 08 serves it). The server
//! name is left free (`wsgiref` writes the machine's name, the Rust lesson the address it
//! listens on), as is everything else on the page: its title, its styling, what else it says.

use super::client::{Response, Target};
use super::failure::Failure;
use super::lesson03::{decode_entities, element_texts, table_value};
use super::page::{escaped, is_escaped};
use super::{Check, Group, Passed, name_of};
use crate::catalog::Lesson;

/// The query of the second page: a `&` and markup, sent raw as a browser's address bar would.
const QUERY: &str = "x=1&y=<b>";
/// A path whose decoded form holds every character that must be escaped, percent-encoded.
const MARKUP_PATH: &str = "/%3Cb%3Emarkup%3C/b%3E%22%27%26";
/// What [`MARKUP_PATH`] is once decoded: `PATH_INFO`.
const MARKUP_PATH_DECODED: &str = "/<b>markup</b>\"'&";
/// What a page shows for a value that is missing or empty.
const NOT_SET: &str = "(not set)";

/// The checks of lesson 05, grouped by what they are about.
pub fn groups(_lesson: &Lesson, target: &Target) -> Vec<Group> {
    vec![
        Group {
            name: "environment page",
            hint: Some(
                "Read each value from the environ the server passes in (SERVER_PORT, \
                 REMOTE_ADDR, REQUEST_METHOD, PATH_INFO, QUERY_STRING, SERVER_PROTOCOL, \
                 HTTP_HOST, wsgi.url_scheme...) and show it in a row of the table, the label \
                 in the first cell and the value in the next. A value that is missing or \
                 empty shows (not set).",
            ),
            checks: vec![
                page_check(target, "/", None),
                page_check(target, "/some/path", Some(QUERY)),
            ],
        },
        Group {
            name: "every variable",
            hint: Some(
                "After the nine rows, a heading `Every variable` and one more table: every \
                 variable of the environ whose value is text, one row each, sorted by name.",
            ),
            checks: vec![every_variable_check(target)],
        },
        Group {
            name: "escaping",
            hint: Some(
                "Every value comes from the request, so every value is escaped on its way into \
                 the page: & < > \" ' become &amp; &lt; &gt; &quot; &#x27; (html.escape in \
                 Python, server_core::html::escape here). PATH_INFO is the path once \
                 percent-decoded: %3C arrives as <.",
            ),
            checks: vec![markup_path_check(target)],
        },
    ]
}

/// The environment page of `GET path[?query]`: the nine rows with this request's values.
fn page_check(target: &Target, path: &'static str, query: Option<&'static str>) -> Check {
    let sent_path = match query {
        Some(query) => format!("{path}?{query}"),
        None => path.to_string(),
    };
    let request = target.simple("GET", &sent_path);
    let (port, host) = (target.port.to_string(), target.authority());
    let expected_path = target.path(path);
    let scheme = target.scheme.name();
    Check::custom(name_of(&request), move |server| {
        let response = server.exchange(&request)?;
        let client = server
            .local_address()
            .map(|address| address.ip().to_string());
        expect_page(&response)?;
        let rows: [(&str, &str, Option<&str>); 9] = [
            ("Server name", "SERVER_NAME", None),
            ("Server port", "SERVER_PORT", Some(&port)),
            ("Client address", "REMOTE_ADDR", client.as_deref()),
            ("Method", "REQUEST_METHOD", Some("GET")),
            ("Path", "PATH_INFO", Some(&expected_path)),
            (
                "Query string",
                "QUERY_STRING",
                Some(query.unwrap_or(NOT_SET)),
            ),
            ("Protocol", "SERVER_PROTOCOL", Some("HTTP/1.1")),
            ("Host header", "HTTP_HOST", Some(&host)),
            ("URL scheme", "wsgi.url_scheme", Some(scheme)),
        ];
        for (label, key, expected) in rows {
            match expected {
                Some(expected) => expect_row(&response, label, key, expected)?,
                None => expect_row_set(&response, label, key)?,
            }
        }
        Ok(Passed::Yes)
    })
}

/// The second table: every variable, sorted, escaped.
fn every_variable_check(target: &Target) -> Check {
    let request = target.simple("GET", &format!("/some/path?{QUERY}"));
    let expected_path = target.path("/some/path");
    let port = target.port.to_string();
    let scheme = target.scheme.name();
    let name = format!("{} (every variable)", name_of(&request));
    Check::custom(name, move |server| {
        let response = server.exchange(&request)?;
        expect_page(&response)?;
        let mut texts = element_texts(&String::from_utf8_lossy(&response.body));
        let Some(heading) = texts.iter().position(|text| text == "Every variable") else {
            return Err(Failure::comparing(
                "after the nine rows, the page must have a heading `Every variable` before \
                 the table of every variable",
                "<h2>Every variable</h2>",
                "no element holding just that text",
            ));
        };
        // From the heading on: the nine rows are before it.
        let texts = texts.split_off(heading);
        let expected = [
            ("PATH_INFO", expected_path.as_str()),
            ("QUERY_STRING", QUERY),
            ("REQUEST_METHOD", "GET"),
            ("SERVER_PORT", port.as_str()),
            ("wsgi.url_scheme", scheme),
        ];
        for (key, value) in expected {
            let at = texts.iter().position(|text| text == key);
            let raw = at.and_then(|at| texts.get(at + 1)).cloned();
            expect_value(raw, key, key, value)
                .map_err(|failure| failure.in_context("in the table of every variable"))?;
        }
        let keys: Vec<&str> = expected.iter().map(|(key, _)| *key).collect();
        let mut listed: Vec<(usize, &str)> = keys
            .iter()
            .filter_map(|key| Some((texts.iter().position(|text| text == key)?, *key)))
            .collect();
        listed.sort_unstable();
        let order: Vec<&str> = listed.into_iter().map(|(_, key)| key).collect();
        if order != keys {
            return Err(Failure::comparing(
                "the table of every variable must be sorted by name (as Python's sorted() \
                 sorts text: capitals before small letters)",
                keys.join(", "),
                order.join(", "),
            ));
        }
        Ok(Passed::Yes)
    })
}

/// A path holding markup and quotes: shown as text.
fn markup_path_check(target: &Target) -> Check {
    let request = target.simple("GET", MARKUP_PATH);
    let expected_path = target.path(MARKUP_PATH_DECODED);
    Check::exchange(request, move |response| {
        expect_page(response)?;
        if super::client::find(&response.body, b"<b>markup").is_some() {
            return Err(Failure::comparing(
                "the path comes from the request and must be HTML-escaped, or the request \
                 writes markup into the page: & < > \" ' become &amp; &lt; &gt; &quot; &#x27;",
                escaped(&expected_path),
                "the markup <b>markup</b> itself, unescaped",
            ));
        }
        expect_row(response, "Path", "PATH_INFO", &expected_path)
    })
}

/// The answer is a 200 HTML page.
fn expect_page(response: &Response) -> Result<(), Failure> {
    response.expect_status(200)?;
    response.expect_media_type("text/html")
}

/// The row `label` shows `expected` (the environ's `key`), escaped.
fn expect_row(response: &Response, label: &str, key: &str, expected: &str) -> Result<(), Failure> {
    expect_value(table_value(&response.body, label), label, key, expected)
}

/// `raw`, the value found for `label` (if any), shows `expected`, escaped.
fn expect_value(
    raw: Option<String>,
    label: &str,
    key: &str,
    expected: &str,
) -> Result<(), Failure> {
    let raw = raw.ok_or_else(|| missing_row(label, key))?;
    let shown = decode_entities(&raw);
    if shown != expected {
        let why = if expected == NOT_SET {
            format!("the row {label:?} must show (not set): the environ's {key} is empty")
        } else {
            format!("the row {label:?} must show the environ's {key} for this request")
        };
        return Err(Failure::comparing(why, expected, shown));
    }
    if !is_escaped(&raw) {
        return Err(Failure::comparing(
            format!(
                "the value of {label:?} comes from the request and must be HTML-escaped: & < > \
                 \" ' become &amp; &lt; &gt; &quot; &#x27;"
            ),
            escaped(expected),
            raw,
        ));
    }
    Ok(())
}

/// The row `label` shows a value (the environ's `key`), whatever it is.
fn expect_row_set(response: &Response, label: &str, key: &str) -> Result<(), Failure> {
    let raw = table_value(&response.body, label).ok_or_else(|| missing_row(label, key))?;
    let shown = decode_entities(&raw);
    if shown.is_empty() || shown == NOT_SET {
        return Err(Failure::comparing(
            format!("the row {label:?} must show the environ's {key}, which is always set"),
            format!("the value of {key}"),
            shown,
        ));
    }
    Ok(())
}

/// The failure for a page without a row `label`.
fn missing_row(label: &str, key: &str) -> Failure {
    Failure::comparing(
        format!("the page must have a row {label:?} showing the environ's {key}"),
        format!("<tr><th>{label}</th><td>...</td></tr>"),
        "no element holding just that label",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blackbox::client::Framing;

    fn page(body: &str) -> Response {
        Response {
            version: "HTTP/1.1".to_string(),
            status: 200,
            reason: "OK".to_string(),
            headers: vec![(
                "content-type".to_string(),
                "text/html; charset=utf-8".to_string(),
            )],
            body: body.as_bytes().to_vec(),
            framing: Framing::UntilClose,
        }
    }

    #[test]
    fn a_row_shows_its_value_escaped() {
        let good = page("<table><tr><th>Query string</th><td>x=1&amp;y=&lt;b&gt;</td></tr>");
        assert_eq!(
            expect_row(&good, "Query string", "QUERY_STRING", QUERY),
            Ok(())
        );
        let bare = page("<tr><th>Query string</th><td>x=1&y=&lt;b&gt;</td></tr>");
        let failure = expect_row(&bare, "Query string", "QUERY_STRING", QUERY).unwrap_err();
        assert!(failure.message.contains("HTML-escaped"), "{failure:?}");
        assert_eq!(failure.expected.as_deref(), Some("x=1&amp;y=&lt;b&gt;"));
        let raw = page("<tr><th>Query string</th><td>x=1&y=<b></td></tr>");
        let failure = expect_row(&raw, "Query string", "QUERY_STRING", QUERY).unwrap_err();
        assert_eq!(failure.got.as_deref(), Some("x=1&y="), "{failure:?}");
    }

    #[test]
    fn not_set_is_read_through_its_markup() {
        let empty = page("<tr><th>Query string</th><td><i>(not set)</i></td></tr>");
        assert_eq!(
            expect_row(&empty, "Query string", "QUERY_STRING", NOT_SET),
            Ok(())
        );
        let blank = page("<tr><th>Query string</th><td></td></tr><tr><th>Protocol</th>");
        let failure = expect_row(&blank, "Query string", "QUERY_STRING", NOT_SET).unwrap_err();
        assert!(failure.message.contains("(not set)"), "{failure:?}");
        let failure = expect_row_set(&empty, "Query string", "QUERY_STRING").unwrap_err();
        assert!(failure.message.contains("always set"), "{failure:?}");
    }

    #[test]
    fn a_missing_row_is_named() {
        let failure = expect_row(&page("<p>nothing</p>"), "Path", "PATH_INFO", "/").unwrap_err();
        assert!(failure.message.contains("row \"Path\""), "{failure:?}");
        assert!(failure.message.contains("PATH_INFO"), "{failure:?}");
    }
}

//! Lesson 02's black-box checks: a static file server like `python3 -m http.server`.
//!
//! The server must be serving the fixture directory `crates/homework/fixtures/lesson02/`:
//!
//! ```text
//! hello.txt            known text (the checks include the file, so they always agree)
//! docs/index.html      a directory with an index page
//! files/a b.txt        a name that must be percent-encoded in a link
//! files/x&y.txt        a name that must be HTML-escaped in a listing
//! files/sub/           a directory inside a listing (it holds nested.txt)
//! ```
//!
//! and `crates/homework/fixtures/outside-the-root.txt` lies *next to* that directory, so that a
//! server with a path traversal hole hands it out when asked for `/../outside-the-root.txt`.
//!
//! Every check holds for any correct server; where the RFCs leave a choice, each allowed
//! answer passes. The checks were run against both `lesson02-http` and Python's
//! `http.server` (3.11). One check fails for Python, which is wrong there: see
//! [`version_check`].

use super::client::{Framing, Response, Target, find};
use super::failure::Failure;
use super::{Check, Group, Passed, exercise_hint, name_of};
use crate::catalog::Lesson;

/// `hello.txt` of the fixture, byte for byte.
const HELLO: &[u8] = include_bytes!("../../fixtures/lesson02/hello.txt");
/// `docs/index.html` of the fixture.
const DOCS_INDEX: &[u8] = include_bytes!("../../fixtures/lesson02/docs/index.html");
/// `files/a b.txt` of the fixture.
const A_B: &[u8] = include_bytes!("../../fixtures/lesson02/files/a b.txt");
/// The first words of the file outside the served directory: seeing them means a leak.
const OUTSIDE_MARKER: &str = "OUTSIDE THE SERVED DIRECTORY";

/// The checks of lesson 02, grouped by what they are about.
pub fn groups(lesson: &Lesson, target: &Target) -> Vec<Group> {
    vec![
        Group {
            name: "files",
            hint: Some(
                "Map the URL path to a file under the served directory and answer with its \
                 bytes, their exact count in Content-Length, and a Content-Type guessed from \
                 the name. HEAD is GET without the body. Send Last-Modified, and answer 304 \
                 when If-Modified-Since is not older than the file.",
            ),
            checks: file_checks(target),
        },
        Group {
            name: "directories",
            hint: Some(
                "A directory asked for without its trailing / is redirected (301) to the same \
                 path with the / and the query kept, so relative links inside it work; with \
                 the /, it is answered with its index.html when it has one.",
            ),
            checks: directory_checks(target),
        },
        Group {
            name: "listing",
            hint: exercise_hint(lesson, "listing_entry"),
            checks: vec![listing_check(target)],
        },
        Group {
            name: "safe paths",
            hint: exercise_hint(lesson, "safe_path"),
            checks: traversal_checks(target),
        },
        Group {
            name: "request line",
            hint: exercise_hint(lesson, "request_line"),
            checks: request_line_checks(target),
        },
        Group {
            name: "connections",
            hint: Some(
                "In HTTP/1.1 a connection stays open after a response unless either side says \
                 Connection: close. Read the next request from the same connection, and give \
                 every response a Content-Length so the client knows where it ends.",
            ),
            checks: vec![keep_alive_check(target)],
        },
    ]
}

/// Files: body, length, type, HEAD, 404, percent-decoding, and If-Modified-Since.
fn file_checks(target: &Target) -> Vec<Check> {
    let hello = target.simple("GET", "/hello.txt");
    let older_date = "Sat, 01 Jan 2000 00:00:00 GMT";
    vec![
        Check::exchange(hello.clone(), |response| {
            // A 404 here most often means the server serves another directory: say so.
            response.expect_status_in(
                |status| status == 200,
                "200",
                "wrong status code. These checks need the fixture files: is the server \
                 serving crates/homework/fixtures/lesson02? (cargo run -p lesson02-http -- \
                 8002 -d crates/homework/fixtures/lesson02)",
            )?;
            response.expect_body(HELLO)?;
            response.expect_content_length(HELLO.len())?;
            response.expect_media_type("text/plain")
        }),
        // The same headers as GET, no body: `exchange` fails the check if body bytes follow.
        Check::exchange(target.simple("HEAD", "/hello.txt"), |response| {
            response.expect_status(200)?;
            response.expect_content_length(HELLO.len())
        }),
        // `%20` in the path is a space in the file name.
        Check::exchange(target.simple("GET", "/files/a%20b.txt"), |response| {
            response.expect_status(200)?;
            response.expect_body(A_B)
        }),
        Check::exchange(target.simple("GET", "/no-such-file.txt"), |response| {
            response.expect_status(404)
        }),
        {
            let hello = hello.clone();
            let target = target.clone();
            Check::custom(
                format!(
                    "GET {} (If-Modified-Since: its own Last-Modified)",
                    target.path("/hello.txt")
                ),
                move |server| {
                    let context = "the first request, which asks for the file's Last-Modified";
                    let first = server
                        .exchange(&hello)
                        .map_err(|failure| failure.in_context(context))?;
                    first
                        .expect_status(200)
                        .map_err(|failure| failure.in_context(context))?;
                    let last_modified = first
                        .expect_header(
                            "last-modified",
                            "a file server says when each file last changed, so that a client \
                             can ask with If-Modified-Since whether its copy is still current",
                        )?
                        .to_string();
                    let second = server.exchange(&if_modified_since(&target, &last_modified))?;
                    // A 304 has no body; `exchange` fails the check if body bytes follow.
                    second.expect_status(304)?;
                    Ok(Passed::Yes)
                },
            )
        },
        Check::exchange(if_modified_since(target, older_date), |response| {
            response.expect_status(200)?;
            response.expect_body(HELLO)
        })
        .noting(&format!("If-Modified-Since: {older_date}")),
    ]
}

/// `GET /hello.txt` asking whether the file changed since `date`.
fn if_modified_since(target: &Target, date: &str) -> Vec<u8> {
    target.request(
        &format!("GET {} HTTP/1.1", target.path("/hello.txt")),
        &[("If-Modified-Since", date), ("Connection", "close")],
        b"",
    )
}

/// Directories: the redirect to the trailing slash, and the index page.
fn directory_checks(target: &Target) -> Vec<Check> {
    let redirects_to = |ending: &'static str| {
        move |response: &Response| {
            response.expect_status_in(
                |status| status == 301 || status == 308,
                "301 (or 308)",
                "a directory asked for without its trailing / is redirected permanently",
            )?;
            let location = response.expect_header(
                "location",
                "a redirect says where to go in its Location header",
            )?;
            if location.ends_with(ending) {
                return Ok(());
            }
            Err(Failure::comparing(
                "the Location must be the same path with a / added (and the query kept)",
                format!("a Location ending in {ending}"),
                location,
            ))
        }
    };
    vec![
        Check::exchange(target.simple("GET", "/files"), redirects_to("/files/")),
        // Python's http.server keeps the query too.
        Check::exchange(
            target.simple("GET", "/files?sort=name"),
            redirects_to("/files/?sort=name"),
        ),
        Check::exchange(target.simple("GET", "/docs/"), |response| {
            response.expect_status(200)?;
            response.expect_media_type("text/html")?;
            response.expect_body(DOCS_INDEX).map_err(|failure| {
                failure.in_context("a directory holding index.html is answered with that file")
            })
        }),
    ]
}

/// The listing of `/files/`: every entry linked (percent-encoded, directories with a `/`) and
/// named (HTML-escaped).
///
/// A link passes when, with `&amp;` read as `&` and percent-escapes decoded, it leads to the
/// entry — relative (`a%20b.txt`) or absolute (`/files/a%20b.txt`) — and holds no raw space.
/// The visible names must be escaped: `x&amp;y.txt` present, a raw `x&y.txt` nowhere.
fn listing_check(target: &Target) -> Check {
    let directory = target.path("/files/");
    Check::exchange(target.simple("GET", "/files/"), move |response| {
        response.expect_status(200)?;
        response.expect_media_type("text/html")?;
        let body = String::from_utf8_lossy(&response.body);
        let links = hrefs(&body);
        for entry in ["a b.txt", "x&y.txt", "sub/"] {
            let leads_to_entry = |href: &&String| {
                let decoded = percent_decode(&href.replace("&amp;", "&"));
                !href.contains(' ')
                    && (decoded == entry || decoded == format!("{directory}{entry}"))
            };
            if !links.iter().any(|href| leads_to_entry(&href)) {
                let encoded = entry.replace(' ', "%20").replace('&', "%26");
                return Err(Failure::comparing(
                    format!(
                        "the listing needs a link to {entry:?}, percent-encoded{}",
                        if entry.ends_with('/') {
                            ", with a trailing / because it is a directory"
                        } else {
                            ""
                        }
                    ),
                    format!("href=\"{encoded}\""),
                    format!("the links found: {links:?}"),
                ));
            }
        }
        if !body.contains("x&amp;y.txt") || body.contains("x&y.txt") {
            return Err(Failure::comparing(
                "a name shown in HTML must be escaped: & becomes &amp;",
                "x&amp;y.txt, and no raw x&y.txt",
                if body.contains("x&y.txt") {
                    "a raw x&y.txt in the page"
                } else {
                    "no x&amp;y.txt in the page"
                },
            ));
        }
        Ok(())
    })
}

/// Requests that climb out of the served directory, spelled three ways.
///
/// After removing dot-segments (RFC 3986 §5.2.4) every one of them names
/// `/outside-the-root.txt`, which does not exist inside the fixture, so no correct server
/// answers 200. Allowed: 400, 403, 404, or a redirect (to the cleaned-up path, say).
fn traversal_checks(target: &Target) -> Vec<Check> {
    [
        "/../outside-the-root.txt",
        "/%2e%2e/outside-the-root.txt",
        "/files/..%2f..%2foutside-the-root.txt",
    ]
    .into_iter()
    .map(|path| {
        let request = target.simple("GET", path);
        Check::custom(name_of(&request), move |server| {
            let response = server.exchange(&request);
            // Looked for in every byte received, so that a leak is reported as a leak even
            // when the response around it is broken too.
            if find(server.received(), OUTSIDE_MARKER.as_bytes()).is_some() {
                return Err(Failure::new(
                    "the server sent a file from outside the directory it serves: anyone can \
                     read any file the server can. Refuse every path that climbs out with ..",
                ));
            }
            response?.expect_status_in(
                |status| matches!(status, 300..=399 | 400 | 403 | 404),
                "400, 403, 404 or a redirect",
                "a path that climbs out of the served directory must not be served",
            )?;
            Ok(Passed::Yes)
        })
    })
    .collect()
}

/// Broken and unusual request lines.
fn request_line_checks(target: &Target) -> Vec<Check> {
    vec![
        // An unencoded space splits the line into four parts. RFC 9112 §3.2: answer 400, or
        // 301 to the target with the space encoded; never serve the file as if nothing was
        // wrong (an invalid line may be crafted to slip past a filter).
        Check::exchange(
            target.request(
                &format!("GET {} HTTP/1.1", target.path("/files/a b.txt")),
                &[("Connection", "close")],
                b"",
            ),
            |response| {
                if response.status == 301
                    && response
                        .header("location")
                        .is_some_and(|location| location.ends_with("/files/a%20b.txt"))
                {
                    return Ok(());
                }
                response.expect_status(400).map_err(|failure| {
                    failure.in_context("a request line must be exactly METHOD SP TARGET SP VERSION")
                })
            },
        ),
        // RFC 9110 §9.1: a method the server does not recognise is 501.
        Check::exchange(target.simple("BREW", "/"), |response| {
            response.expect_status(501)
        }),
        version_check(target),
        // HTTP/1.0 has no Host header and must still be served.
        Check::exchange(
            format!("GET {} HTTP/1.0\r\n\r\n", target.path("/hello.txt")).into_bytes(),
            |response| {
                response.expect_status(200)?;
                response.expect_body(HELLO)
            },
        ),
    ]
}

/// `GET / HTTP/2.0` must be answered `505 HTTP Version Not Supported` (RFC 9110 §15.6.6):
/// the request is HTTP/1.x framing with a major version the server does not speak.
///
/// **Python's `http.server` fails this check**, and is wrong: it picks 505 ("Invalid HTTP
/// version (2.0)") but, having not accepted the request's version, answers the way HTTP/0.9
/// did — the HTML error page alone, with no status line and no headers. An HTTP/1.x client
/// cannot read a status from that (curl says "Received HTTP/0.9 when not allowed"). Python
/// answers a request line whose last word is not a version (`GET / HTTP/1.1 extra`) the same
/// way, which is why the malformed-line check sends `GET /files/a b.txt HTTP/1.1`, which
/// Python answers with a proper `400`.
fn version_check(target: &Target) -> Check {
    Check::exchange(
        target.request(
            &format!("GET {} HTTP/2.0", target.path("/")),
            &[("Connection", "close")],
            b"",
        ),
        |response| response.expect_status(505),
    )
}

/// Two requests on one connection, both answered — when the server keeps connections open.
///
/// HTTP/1.1 connections are persistent unless a side says `Connection: close` (RFC 9112
/// §9.3). A server that answers `HTTP/1.0`, or says `Connection: close`, closes after each
/// response, which is allowed: then the check is skipped and passes with a note. Python's
/// `http.server` speaks HTTP/1.0 unless told otherwise, so it is skipped there.
fn keep_alive_check(target: &Target) -> Check {
    let first = target.request(
        &format!("GET {} HTTP/1.1", target.path("/hello.txt")),
        &[],
        b"",
    );
    let second = target.simple("GET", "/docs/");
    let name = format!(
        "GET {}, then GET {} on the same connection",
        target.path("/hello.txt"),
        target.path("/docs/")
    );
    Check::custom(name, move |server| {
        let mut connection = server.connect()?;
        connection.send(&first)?;
        let context = "the first request";
        let response = connection
            .read_response(false)
            .map_err(|failure| failure.in_context(context))?;
        response
            .expect_status(200)
            .and_then(|()| response.expect_body(HELLO))
            .map_err(|failure| failure.in_context(context))?;
        if response.version != "HTTP/1.1" {
            return Ok(Passed::Skipped(format!(
                "skipped: the server answered {}, whose connections close after each response \
                 (Python's http.server does this unless its protocol_version is HTTP/1.1)",
                response.version
            )));
        }
        if response.has_token("connection", "close") {
            return Ok(Passed::Skipped(
                "skipped: the server answers with Connection: close, so it serves one request \
                 per connection (allowed, but slower for the client)"
                    .to_string(),
            ));
        }
        if response.framing == Framing::UntilClose {
            return Err(Failure::new(
                "the first response has neither Content-Length nor chunked encoding, so its end \
                 is the end of the connection, yet it did not say Connection: close",
            ));
        }
        let context = "the second request on the same connection (the first response was \
                       HTTP/1.1 without Connection: close, so the connection must stay open)";
        connection
            .send(&second)
            .map_err(|failure| failure.in_context(context))?;
        let response = connection
            .read_response(false)
            .map_err(|failure| failure.in_context(context))?;
        response
            .expect_status(200)
            .and_then(|()| response.expect_body(DOCS_INDEX))
            .map_err(|failure| failure.in_context(context))?;
        Ok(Passed::Yes)
    })
}

/// The `href` values of an HTML page, in order (quoted with `"` or `'`, or unquoted).
fn hrefs(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("href") {
        let mut rest = html[from + at + 4..].trim_start();
        from += at + 4;
        let Some(after_equals) = rest.strip_prefix('=') else {
            continue;
        };
        rest = after_equals.trim_start();
        let value = match rest.chars().next() {
            Some(quote @ ('"' | '\'')) => rest[1..].split(quote).next().unwrap_or(""),
            _ => rest
                .split(|c: char| c.is_ascii_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        };
        found.push(value.to_string());
    }
    found
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut position = 0;
    while position < bytes.len() {
        let hex = bytes
            .get(position + 1..position + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[position], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                position += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                position += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_however_they_are_quoted() {
        let page = r#"<a href="a%20b.txt">a</a> <A HREF='sub/'>s</A> <a href=x%26y.txt>x</a>"#;
        assert_eq!(hrefs(page), ["a%20b.txt", "sub/", "x%26y.txt"]);
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("a%20b.txt"), "a b.txt");
        assert_eq!(percent_decode("x%26y%2Etxt"), "x&y.txt");
        assert_eq!(percent_decode("100%.txt%z"), "100%.txt%z");
    }

    #[test]
    fn the_fixture_is_what_the_checks_expect() {
        assert!(HELLO.starts_with(b"Hello from the lesson02 fixture."));
        assert!(String::from_utf8_lossy(DOCS_INDEX).contains("<html"));
        let outside = include_str!("../../fixtures/outside-the-root.txt");
        assert!(outside.starts_with(OUTSIDE_MARKER));
    }
}

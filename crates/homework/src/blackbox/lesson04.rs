//! Lesson 04's black-box checks: a server that decodes forms, uploads and cookies and shows
//! what it understood, like the course's `cgi.FieldStorage` handler and the course's JSON handler.
//!
//! Start the server with `cargo run -p lesson04-forms -- 8004`. What the checks rely on:
//!
//! - `GET /` is an HTML page with two forms: the vote form (`method="post"`,
//!   `action="/foo/bar?hi=john%20doe"`, fields `user`, `user2`, `vote`, `pets`, `comments`,
//!   with `vote=Y`, `pets=dog` and `pets=cat` chosen at the start, so that pressing its button
//!   sends the course's body) and the upload form (`enctype="multipart/form-data"`, a file input
//!   named `myfile`).
//! - Any other request is answered with a `text/plain` print-out of the request. After a line
//!   `Form:` come the fields, one line per name with the list of all its values, written as
//!   Python writes a list of strings: `pets ['dog', 'cat']`, `quote ["O'Brien"]`. When files
//!   were uploaded, a `Files:` section follows with one line per file:
//!   `myfile 'text1' 35 bytes sha256 <hex> ...`.
//! - The same information as JSON (`path`, `query_data`, `post_data`, `form_data`, `cookies`,
//!   as the course builds it) when the request says `Accept: application/json` or its path
//!   starts with `/json/`, which is then left out of `path`.
//! - A malformed form is answered `400 Bad Request`, and the server goes on serving.
//!
//! What may differ between correct servers passes: the order of the names in `Form:` (Python's
//! `FieldStorage` lists them in no set order), what else the print-out shows, how the HTML is
//! written, and whether a name given both in the URL and in the body lists the URL's values
//! first (this workbench) or last (Python's `FieldStorage`). JSON is compared as JSON, not as
//! text.

use serde_json::{Value, json};

use super::client::{Response, Target};
use super::display;
use super::failure::Failure;
use super::lesson03::decode_entities;
use super::{Check, Group, Passed, exercise_hint, name_of};
use crate::catalog::Lesson;

/// The boundary of the course's upload.
const SEED_BOUNDARY: &str = "---------------------------9849436581144108930470211272";
/// The file of the course's upload, `text1`.
const SEED_FILE: &[u8] = b"This is a test.\nIt is only a test.\n";
/// The SHA-256 of [`SEED_FILE`] (`printf 'This is a test.\nIt is only a test.\n' | sha256sum`).
const SEED_FILE_SHA256: &str = "19811408248c655422aa08aed46d59d3ec66e282f711c61afce26c06722847d0";
/// The SHA-256 of the 256 byte values 0 to 255 in order
/// (`python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))' | sha256sum`).
const ALL_BYTES_SHA256: &str = "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880";
/// The body the course's vote form sends when its button is pressed without changing anything.
const VOTE_BODY: &str = "user=James+%26+Nancy+Kirk&user2=&vote=Y&pets=dog&pets=cat&comments=";
/// The boundary of the other multipart bodies, the one of RFC 7578's examples.
const BOUNDARY: &str = "AaB03x";

/// The checks of lesson 04, grouped by what they are about.
pub fn groups(lesson: &Lesson, target: &Target) -> Vec<Group> {
    vec![
        Group {
            name: "form pages",
            hint: Some(
                "GET / answers with an HTML page holding both forms of the course. A form sends \
                 its fields to its action with its method; enctype=\"multipart/form-data\" is \
                 what lets a form send files. The radio buttons and checkboxes that are \
                 `checked` in the page are what pressing the button sends, and a submit button \
                 with a name would add a field of its own.",
            ),
            checks: page_checks(target),
        },
        Group {
            name: "query strings",
            hint: exercise_hint(lesson, "query_pairs"),
            checks: query_checks(target),
        },
        Group {
            name: "urlencoded forms",
            hint: Some(
                "A POST body with Content-Type application/x-www-form-urlencoded (parameters \
                 such as charset may follow) is decoded exactly like a query string, and the \
                 fields of the URL's query count too: one form, whatever the method. Read \
                 exactly Content-Length bytes of body.",
            ),
            checks: urlencoded_checks(target),
        },
        Group {
            name: "uploads",
            hint: exercise_hint(lesson, "multipart_parts"),
            checks: upload_checks(target),
        },
        Group {
            name: "JSON view",
            hint: Some(
                "With Accept: application/json, or under /json/, answer with one JSON object: \
                 the path without its query (and without /json), query_data and form_data as \
                 objects of name to last value, post_data as the body's text, and cookies as \
                 an object of name to value read from the Cookie header.",
            ),
            checks: json_checks(target),
        },
        Group {
            name: "malformed forms",
            hint: Some(
                "A multipart body that breaks the format (no boundary parameter, no closing \
                 boundary, a part without the empty line after its headers) is the client's \
                 error: answer 400 Bad Request, never a crash or a hang, and keep serving.",
            ),
            checks: malformed_checks(target),
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// The checks.

/// `GET /`: the two forms.
fn page_checks(target: &Target) -> Vec<Check> {
    vec![
        Check::exchange(target.simple("GET", "/"), expect_vote_form).noting("the vote form"),
        Check::exchange(target.simple("GET", "/"), expect_upload_form).noting("the upload form"),
    ]
}

/// Query strings, and the request lines of the print-out.
fn query_checks(target: &Target) -> Vec<Check> {
    let seed = target.simple("GET", "/foo?x=42&y=10");
    let request_line = format!(
        "requestline: GET {} HTTP/1.1",
        target.path("/foo?x=42&y=10")
    );
    let path_line = format!("path: {}", target.path("/foo?x=42&y=10"));
    let host_line = format!("host: '{}'", target.authority());
    vec![
        Check::exchange(seed.clone(), |response| {
            expect_form(response, &["x ['42']", "y ['10']"])
        }),
        Check::exchange(seed, move |response| {
            response.expect_status(200)?;
            let expected = [
                request_line.as_str(),
                "command: GET",
                path_line.as_str(),
                "request_version: HTTP/1.1",
                "Headers:",
                host_line.as_str(),
            ];
            expect_lines(response, &expected)
        })
        .noting("the request in the print-out"),
        Check::exchange(
            target.simple("GET", "/foo?q=caf%C3%A9+au+lait&q=th%C3%A9&empty="),
            |response| expect_form(response, &["q ['café au lait', 'thé']", "empty ['']"]),
        ),
        Check::exchange(
            target.simple(
                "GET",
                "/foo?quote=O%27Brien&both=%27%22&crlf=a%0D%0Ab&back=a%5Cb",
            ),
            |response| {
                expect_form(
                    response,
                    &[
                        "quote [\"O'Brien\"]",
                        "both ['\\'\"']",
                        "crlf ['a\\r\\nb']",
                        "back ['a\\\\b']",
                    ],
                )
            },
        ),
    ]
}

/// Urlencoded POST bodies, with the URL's query.
fn urlencoded_checks(target: &Target) -> Vec<Check> {
    let urlencoded = "application/x-www-form-urlencoded";
    vec![
        Check::exchange(
            post(
                target,
                "/foo/bar?hi=john%20doe",
                urlencoded,
                VOTE_BODY.as_bytes(),
            ),
            |response| {
                expect_form(
                    response,
                    &[
                        "hi ['john doe']",
                        "user ['James & Nancy Kirk']",
                        "user2 ['']",
                        "vote ['Y']",
                        "pets ['dog', 'cat']",
                        "comments ['']",
                    ],
                )
            },
        )
        .noting("the course's vote form"),
        Check::exchange(
            post(target, "/foo/bar?a=0", urlencoded, b"a=1&a=2"),
            |response| {
                expect_form_one_of(response, &[&["a ['0', '1', '2']"], &["a ['1', '2', '0']"]])
            },
        )
        .noting("a=1&a=2 in the body"),
        Check::exchange(
            post(
                target,
                "/foo",
                "application/x-www-form-urlencoded; charset=UTF-8",
                b"name=%C3%A9l%C3%A8ve",
            ),
            |response| expect_form(response, &["name ['élève']"]),
        )
        .noting("Content-Type with a charset"),
    ]
}

/// Multipart uploads: the course's, binary bytes, two files in one field.
fn upload_checks(target: &Target) -> Vec<Check> {
    let all_bytes: Vec<u8> = (0..=255u8).collect();
    let seed = post(
        target,
        "/foo/bar",
        &format!("multipart/form-data; boundary={SEED_BOUNDARY}"),
        &seed_upload_body(),
    );
    let binary = post(
        target,
        "/foo/bar",
        &format!("multipart/form-data; boundary=\"{BOUNDARY}\""),
        &multipart_body(
            BOUNDARY,
            &[
                Field::text("note", "every byte value"),
                Field::file("myfile", "bytes.bin", &all_bytes),
            ],
        ),
    );
    let two_files = post(
        target,
        "/foo/bar",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        &multipart_body(
            BOUNDARY,
            &[
                Field::file("myfile", "text1", SEED_FILE),
                Field::file("myfile", "bytes.bin", &all_bytes),
            ],
        ),
    );
    vec![
        Check::exchange(seed, |response| {
            expect_file(
                response,
                "myfile",
                "text1",
                SEED_FILE.len(),
                SEED_FILE_SHA256,
            )
        })
        .noting("the course's upload of text1"),
        Check::exchange(binary, |response| {
            expect_file(response, "myfile", "bytes.bin", 256, ALL_BYTES_SHA256)?;
            expect_form_contains(response, "note ['every byte value']")
        })
        .noting("every byte value, and a text field; the boundary in quotes"),
        Check::exchange(two_files, |response| {
            expect_file(
                response,
                "myfile",
                "text1",
                SEED_FILE.len(),
                SEED_FILE_SHA256,
            )?;
            expect_file(response, "myfile", "bytes.bin", 256, ALL_BYTES_SHA256)
        })
        .noting("two files in one field"),
    ]
}

/// The JSON view: the course's example, the `/json/` prefix, cookies.
fn json_checks(target: &Target) -> Vec<Check> {
    let seed_request = |path: &str, accept_json: bool| {
        let mut headers = vec![
            ("Cookie", "session=d7f2cf106764;eu_cookie_consent=true"),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Connection", "close"),
        ];
        if accept_json {
            headers.insert(1, ("Accept", "application/json"));
        }
        target.request(
            &format!("POST {} HTTP/1.1", target.path(path)),
            &headers,
            b"username=jdoe&password=s3cret",
        )
    };
    let seed_object = json!({
        "path": target.path("/login"),
        "query_data": {"failed": "true", "lang": "en"},
        "post_data": "username=jdoe&password=s3cret",
        "form_data": {"username": "jdoe", "password": "s3cret"},
        "cookies": {"session": "d7f2cf106764", "eu_cookie_consent": "true"},
    });
    let cookies_object = json!({
        "path": target.path("/prefs"),
        "query_data": {"q": "b"},
        "post_data": "",
        "form_data": {},
        "cookies": {"theme": "dark", "visits": "3"},
    });
    let expected = seed_object.clone();
    vec![
        Check::exchange(
            seed_request("/login?failed=true&lang=en", true),
            move |response| expect_json(response, &expected),
        )
        .noting("the course's example, Accept: application/json"),
        Check::exchange(
            seed_request("/json/login?failed=true&lang=en", false),
            move |response| expect_json(response, &seed_object),
        )
        .noting("the course's example under /json/"),
        Check::exchange(
            target.request(
                &format!("GET {} HTTP/1.1", target.path("/json/prefs?q=a&q=b")),
                &[("Cookie", "theme=dark; visits=3"), ("Connection", "close")],
                b"",
            ),
            move |response| expect_json(response, &cookies_object),
        )
        .noting("Cookie: theme=dark; visits=3"),
    ]
}

/// Malformed multipart bodies: 400, and the server still serves.
fn malformed_checks(target: &Target) -> Vec<Check> {
    let unclosed = post(
        target,
        "/foo/bar",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        b"--AaB03x\r\n\
          Content-Disposition: form-data; name=\"a\"\r\n\
          \r\n\
          the body stops before its closing boundary\r\n",
    );
    let after = target.simple("GET", "/foo?after=1");
    let name = format!(
        "{} (no closing boundary), then {} on a new connection",
        name_of(&unclosed),
        name_of(&after)
    );
    let refused = |why: &'static str| {
        move |response: &Response| {
            response
                .expect_status(400)
                .map_err(|failure| failure.in_context(why))
        }
    };
    vec![
        Check::custom(name, move |server| {
            let context = "the upload without its closing boundary";
            let response = server
                .exchange(&unclosed)
                .map_err(|failure| failure.in_context(context))?;
            response.expect_status(400).map_err(|failure| {
                failure.in_context(
                    "a multipart body that ends before its closing boundary may have been cut \
                     off: it is malformed",
                )
            })?;
            let context = "the request after it, on a new connection";
            let response = server
                .exchange(&after)
                .map_err(|failure| failure.in_context(context))?;
            expect_form(&response, &["after ['1']"])
                .map_err(|failure| failure.in_context(context))?;
            Ok(Passed::Yes)
        }),
        Check::exchange(
            post(
                target,
                "/foo/bar",
                "multipart/form-data",
                b"--AaB03x\r\n\r\n1\r\n--AaB03x--\r\n",
            ),
            refused("a multipart Content-Type without its boundary parameter cannot be split"),
        )
        .noting("multipart without a boundary"),
        Check::exchange(
            post(
                target,
                "/foo/bar",
                &format!("multipart/form-data; boundary={BOUNDARY}"),
                b"--AaB03x\r\n\
                  Content-Disposition: form-data; name=\"a\"\r\n\
                  no empty line after the headers\r\n\
                  --AaB03x--\r\n",
            ),
            refused(
                "a part's header fields end with an empty line; without it the part is malformed",
            ),
        )
        .noting("a part without the empty line after its headers"),
    ]
}

// ---------------------------------------------------------------------------------------------
// Requests.

/// `POST path` with a body of type `content_type`, asking the server to close afterwards.
fn post(target: &Target, path: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    target.request(
        &format!("POST {} HTTP/1.1", target.path(path)),
        &[("Content-Type", content_type), ("Connection", "close")],
        body,
    )
}

/// The course's upload body, byte for byte (264 bytes, as its Content-Length says).
fn seed_upload_body() -> Vec<u8> {
    multipart_body(SEED_BOUNDARY, &[Field::file("myfile", "text1", SEED_FILE)])
}

/// One field of a multipart body the checks send.
struct Field<'a> {
    /// The field's name.
    name: &'a str,
    /// The file name, for a file.
    filename: Option<&'a str>,
    /// The value, or the file's bytes.
    content: &'a [u8],
}

impl<'a> Field<'a> {
    /// A text field.
    fn text(name: &'a str, value: &'a str) -> Field<'a> {
        Field {
            name,
            filename: None,
            content: value.as_bytes(),
        }
    }

    /// A file, sent as `application/octet-stream` as browsers send unknown files.
    fn file(name: &'a str, filename: &'a str, content: &'a [u8]) -> Field<'a> {
        Field {
            name,
            filename: Some(filename),
            content,
        }
    }
}

/// A `multipart/form-data` body (RFC 7578) holding `fields`, as a browser writes it.
fn multipart_body(boundary: &str, fields: &[Field]) -> Vec<u8> {
    let mut body = Vec::new();
    for field in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let head = match field.filename {
            Some(filename) => format!(
                "Content-Disposition: form-data; name=\"{}\"; filename=\"{filename}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n",
                field.name
            ),
            None => format!(
                "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                field.name
            ),
        };
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(field.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

// ---------------------------------------------------------------------------------------------
// The print-out.

/// How the `Form:` section is written, for messages.
const FORM_FORMAT: &str = "after a line `Form:`, one line per field name with the list of all \
    its values, as Python prints a list of strings: pets ['dog', 'cat'] (the order of the \
    names does not matter)";

/// The lines of the print-out's section `title` (`Form:`): the lines after the line `title`
/// up to the next heading (a line ending in `:` without a `[`, such as `Files:`), each
/// without a trailing CR, the empty ones left out. `None` when there is no line `title`.
fn section(body: &str, title: &str) -> Option<Vec<String>> {
    let is_heading = |line: &&str| line.ends_with(':') && !line.contains('[');
    let mut lines = body.lines().map(|line| line.trim_end_matches('\r'));
    lines.by_ref().find(|line| line.trim_end() == title)?;
    Some(
        lines
            .take_while(|line| !is_heading(line))
            .filter(|line| !line.trim().is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// The response is the print-out: a `200` in `text/plain`. Returns its body as text.
fn printout(response: &Response) -> Result<String, Failure> {
    response.expect_status(200)?;
    response.expect_media_type("text/plain")?;
    Ok(String::from_utf8_lossy(&response.body).into_owned())
}

/// The `Form:` section of the print-out holds exactly the lines `expected`, in any order.
fn expect_form(response: &Response, expected: &[&str]) -> Result<(), Failure> {
    expect_form_one_of(response, &[expected])
}

/// The `Form:` section holds exactly the lines of one of `alternatives`, in any order.
fn expect_form_one_of(response: &Response, alternatives: &[&[&str]]) -> Result<(), Failure> {
    let body = printout(response)?;
    let Some(lines) = section(&body, "Form:") else {
        return Err(Failure::comparing(
            format!("the print-out has no line `Form:`: {FORM_FORMAT}"),
            format!("Form:\n{}", alternatives[0].join("\n")),
            body,
        ));
    };
    let sorted = |lines: &[&str]| {
        let mut sorted: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
        sorted.sort();
        sorted
    };
    let mut got = lines.clone();
    got.sort();
    if alternatives
        .iter()
        .any(|alternative| sorted(alternative) == got)
    {
        return Ok(());
    }
    let expected = alternatives[0];
    let message = match expected
        .iter()
        .find(|line| !lines.iter().any(|got| got == *line))
    {
        Some(missing) => format!("the line `{missing}` is missing after `Form:`; {FORM_FORMAT}"),
        None => match lines.iter().find(|line| !expected.contains(&line.as_str())) {
            Some(extra) => format!(
                "the line `{extra}` should not be there: each name appears once, with all its \
                 values; {FORM_FORMAT}"
            ),
            None => format!("a line appears twice after `Form:`; {FORM_FORMAT}"),
        },
    };
    Err(Failure::comparing(
        message,
        expected.join("\n"),
        lines.join("\n"),
    ))
}

/// The `Form:` section holds the line `expected`, among others.
fn expect_form_contains(response: &Response, expected: &str) -> Result<(), Failure> {
    let body = printout(response)?;
    let lines = section(&body, "Form:").unwrap_or_default();
    if lines.iter().any(|line| line == expected) {
        return Ok(());
    }
    Err(Failure::comparing(
        format!("the line `{expected}` is missing after `Form:`; {FORM_FORMAT}"),
        expected,
        lines.join("\n"),
    ))
}

/// The print-out holds each of the lines `expected`, anywhere.
fn expect_lines(response: &Response, expected: &[&str]) -> Result<(), Failure> {
    let body = printout(response)?;
    let lines: Vec<&str> = body
        .lines()
        .map(|line| line.trim_end_matches('\r'))
        .collect();
    match expected.iter().find(|line| !lines.contains(line)) {
        None => Ok(()),
        Some(missing) => Err(Failure::comparing(
            format!(
                "the print-out must show the request as the server read it, with the line \
                 `{missing}` (header names in lower case, values in quotes)"
            ),
            expected.join("\n"),
            body,
        )),
    }
}

/// The `Files:` section shows the upload of `filename` in the field `field`: its size and its
/// SHA-256, `myfile 'text1' 35 bytes sha256 <64 hex digits> ...`.
fn expect_file(
    response: &Response,
    field: &str,
    filename: &str,
    size: usize,
    sha256: &str,
) -> Result<(), Failure> {
    let body = printout(response)?;
    let expected = format!("{field} '{filename}' {size} bytes sha256 {sha256}");
    let why = "after a line `Files:`, each uploaded file has a line with its field, its file \
               name, its size in bytes and its SHA-256 in hex; the size and hash show whether \
               the server kept exactly the bytes that were sent";
    let Some(lines) = section(&body, "Files:") else {
        return Err(Failure::comparing(
            format!("the print-out has no line `Files:`: {why}"),
            expected,
            body,
        ));
    };
    let lower = expected.to_ascii_lowercase();
    if lines
        .iter()
        .any(|line| line.to_ascii_lowercase().starts_with(&lower))
    {
        return Ok(());
    }
    let same_file = format!("{field} '{filename}' ");
    let got = match lines.iter().find(|line| line.starts_with(&same_file)) {
        Some(line) => line.clone(),
        None => lines.join("\n"),
    };
    Err(Failure::comparing(
        format!("no line for the file {filename:?} with the right size and hash: {why}"),
        format!("{expected} ..."),
        got,
    ))
}

// ---------------------------------------------------------------------------------------------
// The HTML page.

/// A tag of an HTML page: its name in lower case, `/form` for an end tag, and its attributes,
/// names in lower case, values with character references decoded (`None` for an attribute
/// written without a value, such as `checked`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tag {
    /// `form`, `input`, `/form`...
    name: String,
    /// `(name, value)`, in order.
    attributes: Vec<(String, Option<String>)>,
}

impl Tag {
    /// The value of attribute `name` (lower case): `Some("")` for one without a value.
    pub(super) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(attribute, _)| attribute == name)
            .map(|(_, value)| value.as_deref().unwrap_or(""))
    }

    /// True when the attribute `name` is there, with or without a value.
    fn has(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    /// The attribute `name`, in lower case, or `default` when it is missing.
    fn lower(&self, name: &str, default: &str) -> String {
        self.attribute(name).unwrap_or(default).to_ascii_lowercase()
    }

    /// The tag as it could be written, for messages: `<input type="radio" name="vote">`.
    fn shown(&self) -> String {
        let mut text = format!("<{}", self.name);
        for (name, value) in &self.attributes {
            match value {
                Some(value) => text.push_str(&format!(" {name}=\"{value}\"")),
                None => text.push_str(&format!(" {name}")),
            }
        }
        text.push('>');
        text
    }

    /// True for a control that submits its form when pressed.
    fn submits(&self) -> bool {
        match self.name.as_str() {
            "input" => matches!(self.lower("type", "text").as_str(), "submit" | "image"),
            "button" => self.lower("type", "submit") == "submit",
            _ => false,
        }
    }
}

/// The tags of `html`, in order; comments, the doctype and text are skipped.
pub(super) fn tags(html: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let mut rest = html;
    // Each turn consumes at least the `<` it found.
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let end_tag = rest.starts_with('/');
        let name_start = usize::from(end_tag);
        let name_length = rest[name_start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len() - name_start);
        if name_length == 0 {
            continue;
        }
        let name = rest[name_start..name_start + name_length].to_ascii_lowercase();
        rest = &rest[name_start + name_length..];
        let mut attributes = Vec::new();
        // Each turn consumes at least one character, or ends the tag.
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
            if rest.is_empty() {
                break;
            }
            if let Some(after) = rest.strip_prefix('>') {
                rest = after;
                break;
            }
            let name_end = rest
                .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
                .unwrap_or(rest.len());
            if name_end == 0 {
                // A stray `=`.
                rest = &rest[1..];
                continue;
            }
            let attribute = rest[..name_end].to_ascii_lowercase();
            rest = rest[name_end..].trim_start();
            let value = match rest.strip_prefix('=') {
                None => None,
                Some(after) => {
                    let after = after.trim_start();
                    let (value, remaining) = match after.chars().next() {
                        Some(quote @ ('"' | '\'')) => {
                            let inside = &after[1..];
                            match inside.find(quote) {
                                Some(end) => (&inside[..end], &inside[end + 1..]),
                                None => (inside, ""),
                            }
                        }
                        _ => {
                            let end = after
                                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                                .unwrap_or(after.len());
                            after.split_at(end)
                        }
                    };
                    rest = remaining;
                    Some(decode_entities(value))
                }
            };
            attributes.push((attribute, value));
        }
        let name = if end_tag { format!("/{name}") } else { name };
        found.push(Tag { name, attributes });
    }
    found
}

/// A form of the page: its `<form>` tag and the controls inside it.
#[derive(Debug, Clone)]
struct Form {
    /// The `<form>` tag.
    tag: Tag,
    /// The `input`, `textarea`, `select` and `button` tags inside it, in order.
    controls: Vec<Tag>,
}

impl Form {
    /// The controls named `name`.
    fn named(&self, name: &str) -> Vec<&Tag> {
        self.controls
            .iter()
            .filter(|control| control.attribute("name") == Some(name))
            .collect()
    }
}

/// The forms of a page, with their controls.
fn forms(tags: &[Tag]) -> Vec<Form> {
    let mut forms: Vec<Form> = Vec::new();
    let mut open = false;
    for tag in tags {
        match tag.name.as_str() {
            "form" => {
                forms.push(Form {
                    tag: tag.clone(),
                    controls: Vec::new(),
                });
                open = true;
            }
            "/form" => open = false,
            "input" | "textarea" | "select" | "button" if open => {
                if let Some(form) = forms.last_mut() {
                    form.controls.push(tag.clone());
                }
            }
            _ => {}
        }
    }
    forms
}

/// The page of `GET /`: a `200` HTML page; returns its forms.
fn page_forms(response: &Response) -> Result<Vec<Form>, Failure> {
    response.expect_status(200)?;
    response.expect_media_type("text/html")?;
    Ok(forms(&tags(&String::from_utf8_lossy(&response.body))))
}

/// The `<form>` tags of a page, for messages.
fn shown_forms(forms: &[Form]) -> String {
    if forms.is_empty() {
        return "no <form> in the page".to_string();
    }
    forms
        .iter()
        .map(|form| form.tag.shown())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The form posts: its method is `post`, in any case.
fn expect_post(form: &Form) -> Result<(), Failure> {
    if form.tag.lower("method", "get") == "post" {
        return Ok(());
    }
    Err(Failure::comparing(
        "the form must send its fields in the body of a POST: method=\"post\" (without it, a \
         form is sent as a GET, in the URL's query)",
        "method=\"post\"",
        form.tag.shown(),
    ))
}

/// The form has a button that submits it, without a name.
fn expect_submit(form: &Form) -> Result<(), Failure> {
    let submits: Vec<&Tag> = form.controls.iter().filter(|tag| tag.submits()).collect();
    if submits.is_empty() {
        return Err(Failure::comparing(
            "the form needs a button that sends it",
            "<input type=\"submit\" value=\"OK\">",
            format!("the controls: {}", shown_tags(&form.controls)),
        ));
    }
    if let Some(named) = submits.iter().find(|tag| tag.has("name")) {
        return Err(Failure::comparing(
            "the form's button must have no name: a named button is sent as one more field, and \
             the body is no longer the one the course shows",
            "<input type=\"submit\" value=\"OK\">",
            named.shown(),
        ));
    }
    Ok(())
}

/// Tags for messages, one per line.
fn shown_tags(tags: &[Tag]) -> String {
    tags.iter().map(Tag::shown).collect::<Vec<_>>().join("\n")
}

/// The vote form of the course: pressing its button sends the course's body.
fn expect_vote_form(response: &Response) -> Result<(), Failure> {
    let forms = page_forms(response)?;
    let action = "/foo/bar?hi=john%20doe";
    let Some(form) = forms.iter().find(|form| {
        form.tag
            .attribute("action")
            .is_some_and(|value| value.ends_with(&action[1..]))
    }) else {
        return Err(Failure::comparing(
            format!("the page needs the course's vote form, which posts to {action}"),
            format!("<form method=\"post\" action=\"{action}\">"),
            shown_forms(&forms),
        ));
    };
    expect_post(form)?;
    let encoding = form
        .tag
        .lower("enctype", "application/x-www-form-urlencoded");
    if encoding != "application/x-www-form-urlencoded" {
        return Err(Failure::comparing(
            "the vote form sends its fields urlencoded, the default encoding: leave out enctype",
            "no enctype (or application/x-www-form-urlencoded)",
            form.tag.shown(),
        ));
    }
    for name in ["user", "user2", "vote", "pets", "comments"] {
        if form.named(name).is_empty() {
            return Err(Failure::comparing(
                format!("the vote form needs a field named {name:?}"),
                format!("a control with name=\"{name}\""),
                format!("the controls: {}", shown_tags(&form.controls)),
            ));
        }
    }
    let chosen = |name: &str| -> Vec<String> {
        form.named(name)
            .into_iter()
            .filter(|tag| tag.has("checked"))
            .map(|tag| tag.attribute("value").unwrap_or("on").to_string())
            .collect()
    };
    for (name, expected) in [("vote", &["Y"][..]), ("pets", &["dog", "cat"][..])] {
        let got = chosen(name);
        if got != expected {
            return Err(Failure::comparing(
                format!(
                    "the {name} buttons that are checked when the page opens must be {expected:?}, \
                     so that pressing the form's button sends the course's body"
                ),
                format!("checked: {expected:?}"),
                format!(
                    "checked: {got:?}, in: {}",
                    shown_tags(&form.named(name).into_iter().cloned().collect::<Vec<_>>())
                ),
            ));
        }
    }
    expect_submit(form)
}

/// The upload form of the course: a multipart POST with a file input named `myfile`.
fn expect_upload_form(response: &Response) -> Result<(), Failure> {
    let forms = page_forms(response)?;
    let Some(form) = forms
        .iter()
        .find(|form| form.tag.lower("enctype", "") == "multipart/form-data")
    else {
        return Err(Failure::comparing(
            "the page needs an upload form: only a form with enctype=\"multipart/form-data\" \
             sends the files chosen in it",
            "<form method=\"post\" action=\"/foo/bar\" enctype=\"multipart/form-data\">",
            shown_forms(&forms),
        ));
    };
    expect_post(form)?;
    let action = form.tag.attribute("action").unwrap_or("");
    if !action.ends_with("foo/bar") {
        return Err(Failure::comparing(
            "the upload form posts to /foo/bar",
            "action=\"/foo/bar\"",
            form.tag.shown(),
        ));
    }
    let file_input = form
        .named("myfile")
        .into_iter()
        .any(|tag| tag.name == "input" && tag.lower("type", "text") == "file");
    if !file_input {
        return Err(Failure::comparing(
            "the upload form needs a file input named myfile",
            "<input type=\"file\" name=\"myfile\" multiple>",
            format!("the controls: {}", shown_tags(&form.controls)),
        ));
    }
    expect_submit(form)
}

// ---------------------------------------------------------------------------------------------
// JSON.

/// The response is JSON equal to `expected` (compared as JSON values, so spacing and the
/// order of members do not matter).
fn expect_json(response: &Response, expected: &Value) -> Result<(), Failure> {
    response.expect_status(200)?;
    response.expect_media_type("application/json")?;
    let pretty = |value: &Value| serde_json::to_string_pretty(value).unwrap_or_default();
    let got: Value = serde_json::from_slice(&response.body).map_err(|error| {
        Failure::comparing(
            format!("the body must be JSON, but it does not parse: {error}"),
            pretty(expected),
            display::escape(&response.body),
        )
    })?;
    if got == *expected {
        return Ok(());
    }
    Err(Failure::comparing(
        json_difference(expected, &got),
        pretty(expected),
        pretty(&got),
    ))
}

/// What differs first between two JSON objects, in words.
fn json_difference(expected: &Value, got: &Value) -> String {
    let (Some(expected), Some(got)) = (expected.as_object(), got.as_object()) else {
        return "the body must be one JSON object".to_string();
    };
    for (name, value) in expected {
        match got.get(name) {
            None => return format!("the JSON object has no member {name:?}"),
            Some(other) if other != value => {
                return format!("the member {name:?} must be {value}, not {other}");
            }
            Some(_) => {}
        }
    }
    match got.keys().find(|name| !expected.contains_key(*name)) {
        Some(extra) => format!(
            "the JSON object has a member {extra:?} it should not have here (\"files\" only when \
             files were uploaded)"
        ),
        None => "the JSON differs".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blackbox::client::Framing;

    fn response(status: u16, content_type: &str, body: &[u8]) -> Response {
        Response {
            version: "HTTP/1.1".to_string(),
            status,
            reason: "Reason".to_string(),
            headers: vec![("content-type".to_string(), content_type.to_string())],
            body: body.to_vec(),
            framing: Framing::UntilClose,
        }
    }

    fn text(body: &str) -> Response {
        response(200, "text/plain; charset=utf-8", body.as_bytes())
    }

    const PRINTOUT: &str = "Client address: 127.0.0.1:51090\r\n\
        requestline: POST /foo/bar?hi=john%20doe HTTP/1.1\r\n\
        Headers:\r\n\
        host: 'localhost:8000'\r\n\
        Form:\r\n\
        hi ['john doe']\r\n\
        pets ['dog', 'cat']\r\n\
        myfile [<file 'text1'>]\r\n\
        Files:\r\n\
        myfile 'text1' 35 bytes sha256 19811408248C655422aa08aed46d59d3ec66e282f711c61afce26c06722847d0 saved as 'text1-2'\r\n\
        \r\n";

    #[test]
    fn sections_end_at_the_next_heading() {
        assert_eq!(
            section(PRINTOUT, "Form:").unwrap(),
            [
                "hi ['john doe']",
                "pets ['dog', 'cat']",
                "myfile [<file 'text1'>]"
            ]
        );
        assert_eq!(section(PRINTOUT, "Files:").unwrap().len(), 1);
        assert_eq!(section("Form:\n", "Form:").unwrap(), Vec::<String>::new());
        assert_eq!(section("no form", "Form:"), None);
    }

    #[test]
    fn form_lines_are_compared_in_any_order() {
        let answer = text("Form:\ny ['10']\nx ['42']\n");
        assert!(expect_form(&answer, &["x ['42']", "y ['10']"]).is_ok());

        let failure = expect_form(&answer, &["x ['42']", "y ['11']"]).unwrap_err();
        assert!(
            failure.message.contains("`y ['11']` is missing"),
            "{failure:?}"
        );
        let failure = expect_form(&answer, &["x ['42']"]).unwrap_err();
        assert!(
            failure.message.contains("`y ['10']` should not be there"),
            "{failure:?}"
        );
        let twice = text("Form:\nx ['42']\nx ['42']\n");
        let failure = expect_form(&twice, &["x ['42']"]).unwrap_err();
        assert!(failure.message.contains("twice"), "{failure:?}");
        let failure = expect_form(&text("x ['42']"), &["x ['42']"]).unwrap_err();
        assert!(failure.message.contains("no line `Form:`"), "{failure:?}");
        let html = response(200, "text/html", b"Form:\nx ['42']\n");
        assert!(expect_form(&html, &["x ['42']"]).is_err());
    }

    #[test]
    fn either_merge_order_of_url_and_body_passes() {
        let alternatives: &[&[&str]] = &[&["a ['0', '1', '2']"], &["a ['1', '2', '0']"]];
        for body in ["Form:\na ['0', '1', '2']", "Form:\na ['1', '2', '0']"] {
            assert!(
                expect_form_one_of(&text(body), alternatives).is_ok(),
                "{body}"
            );
        }
        assert!(expect_form_one_of(&text("Form:\na ['0']"), alternatives).is_err());
    }

    #[test]
    fn a_file_line_needs_the_right_size_and_hash_in_any_case() {
        let printout = text(PRINTOUT);
        assert!(expect_file(&printout, "myfile", "text1", 35, SEED_FILE_SHA256).is_ok());
        let failure = expect_file(&printout, "myfile", "text1", 36, SEED_FILE_SHA256).unwrap_err();
        assert!(failure.got.unwrap().starts_with("myfile 'text1' 35 bytes"));
        let failure =
            expect_file(&printout, "myfile", "bytes.bin", 256, ALL_BYTES_SHA256).unwrap_err();
        assert!(failure.message.contains("\"bytes.bin\""), "{failure:?}");
        let failure =
            expect_file(&text("Form:\n"), "myfile", "text1", 35, SEED_FILE_SHA256).unwrap_err();
        assert!(failure.message.contains("no line `Files:`"), "{failure:?}");
    }

    #[test]
    fn request_lines_are_found_anywhere() {
        let printout = text(PRINTOUT);
        assert!(expect_lines(&printout, &["Headers:", "host: 'localhost:8000'"]).is_ok());
        let failure = expect_lines(&printout, &["command: POST"]).unwrap_err();
        assert!(failure.message.contains("`command: POST`"), "{failure:?}");
    }

    #[test]
    fn the_seed_upload_is_the_seed_s_264_bytes() {
        let body = seed_upload_body();
        assert_eq!(body.len(), 264);
        assert!(body.starts_with(format!("--{SEED_BOUNDARY}\r\n").as_bytes()));
        assert!(body.ends_with(format!("\r\n--{SEED_BOUNDARY}--\r\n").as_bytes()));
    }

    #[test]
    fn tags_and_attributes_are_read_however_they_are_written() {
        let page = "<!DOCTYPE html><!-- <form action=x> --><FORM Method=POST \
                    action='/foo/bar?hi=john%20doe&amp;x=1'>\n<input type=radio name=vote \
                    value=Y checked/><textarea name=\"comments\"></textarea></form>< not a tag";
        let found = tags(page);
        let names: Vec<&str> = found.iter().map(|tag| tag.name.as_str()).collect();
        assert_eq!(names, ["form", "input", "textarea", "/textarea", "/form"]);
        assert_eq!(found[0].attribute("method"), Some("POST"));
        assert_eq!(
            found[0].attribute("action"),
            Some("/foo/bar?hi=john%20doe&x=1")
        );
        assert_eq!(found[1].attribute("value"), Some("Y"));
        assert_eq!(found[1].attribute("checked"), Some(""));
        assert!(found[1].has("checked"));
        assert_eq!(found[2].attribute("name"), Some("comments"));
    }

    /// The course's two forms, written plainly.
    const PAGE: &str = r#"<!DOCTYPE html>
<html><body>
<form method="post" action="/foo/bar?hi=john%20doe">
  <input type="text" name="user"> <input name="user2">
  <input type="radio" name="vote" value="Y" checked> <input type="radio" name="vote" value="N">
  <input type="checkbox" name="pets" value="dog" checked>
  <input type="checkbox" name="pets" value="cat" checked>
  <input type="checkbox" name="pets" value="fish">
  <textarea name="comments"></textarea>
  <input type="submit" value="OK">
</form>
<form method="post" action="/foo/bar" enctype="multipart/form-data">
  <input type="file" name="myfile" multiple> <button>OK</button>
</form>
</body></html>"#;

    fn page(html: &str) -> Response {
        response(200, "text/html; charset=utf-8", html.as_bytes())
    }

    #[test]
    fn seed_002_s_forms_pass() {
        assert_eq!(expect_vote_form(&page(PAGE)), Ok(()));
        assert_eq!(expect_upload_form(&page(PAGE)), Ok(()));
    }

    #[test]
    fn forms_that_would_send_another_body_fail() {
        let cases = [
            (
                PAGE.replace("method=\"post\" action=\"/foo/bar?", "action=\"/foo/bar?"),
                "POST",
            ),
            (
                PAGE.replace("value=\"cat\" checked", "value=\"cat\""),
                "pets",
            ),
            (
                PAGE.replace("name=\"user2\"", "name=\"user_2\""),
                "\"user2\"",
            ),
            (
                PAGE.replace("type=\"submit\"", "type=\"submit\" name=\"ok\""),
                "no name",
            ),
            (
                PAGE.replace(
                    "?hi=john%20doe\">",
                    "?hi=john%20doe\" enctype=\"text/plain\">",
                ),
                "urlencoded",
            ),
        ];
        for (html, says) in cases {
            let failure = expect_vote_form(&page(&html)).unwrap_err();
            assert!(failure.message.contains(says), "{says}: {failure:?}");
        }
        let no_multipart = PAGE.replace(" enctype=\"multipart/form-data\"", "");
        let failure = expect_upload_form(&page(&no_multipart)).unwrap_err();
        assert!(failure.message.contains("multipart"), "{failure:?}");
        let no_file = PAGE.replace("type=\"file\" ", "");
        let failure = expect_upload_form(&page(&no_file)).unwrap_err();
        assert!(failure.message.contains("file input"), "{failure:?}");
    }

    #[test]
    fn json_is_compared_as_json_and_the_difference_is_named() {
        let expected = json!({"path": "/login", "cookies": {"a": "1"}});
        let spaced = response(
            200,
            "application/json",
            b"{ \"cookies\" : {\"a\":\"1\"}, \"path\": \"/login\" }",
        );
        assert_eq!(expect_json(&spaced, &expected), Ok(()));
        let wrong = response(
            200,
            "application/json",
            b"{\"path\": \"/json/login\", \"cookies\": {\"a\": \"1\"}}",
        );
        let failure = expect_json(&wrong, &expected).unwrap_err();
        assert!(failure.message.contains("\"path\""), "{failure:?}");
        let extra = response(
            200,
            "application/json",
            b"{\"path\": \"/login\", \"cookies\": {\"a\": \"1\"}, \"files\": []}",
        );
        let failure = expect_json(&extra, &expected).unwrap_err();
        assert!(failure.message.contains("\"files\""), "{failure:?}");
        let broken = response(200, "application/json", b"{\"path\": ");
        let failure = expect_json(&broken, &expected).unwrap_err();
        assert!(failure.message.contains("does not parse"), "{failure:?}");
        let plain = response(200, "text/plain", b"{}");
        assert!(expect_json(&plain, &expected).is_err());
    }

    #[test]
    fn multipart_bodies_are_written_as_browsers_write_them() {
        let body = multipart_body(
            "B",
            &[
                Field::text("note", "hi"),
                Field::file("f", "a.txt", b"x\r\n"),
            ],
        );
        assert_eq!(
            body,
            b"--B\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n\
              --B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\
              Content-Type: application/octet-stream\r\n\r\nx\r\n\r\n--B--\r\n"
        );
    }
}

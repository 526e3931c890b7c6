//! Lesson 04's form server, end to end: the real `lesson04-forms` binary on a loopback port,
//! saving uploads into a temporary folder, asked with `ureq` where a real client is the point
//! and with raw bytes on a `TcpStream` where every byte of the request matters (seed 002's
//! exact browser requests, malformed multipart bodies, chunked uploads, pipelining).
//!
//! What is proven here (issue 5):
//! - `/` serves the course's two forms, and what a browser would send by pressing OK on the
//!   first one is exactly seed 002's urlencoded body;
//! - seed 002's three submissions (a query string, the urlencoded form, the `text1` upload)
//!   give the expected `Form:` print-out, laid out line by line like the course's handler;
//! - seed 001's curl example gives seed 001's JSON object (by `Accept` and by a `/json` path),
//!   and a JSON body gets JSON back without an Accept header;
//! - a multi-megabyte binary upload, with a Content-Length or chunked, comes back with its
//!   SHA-256 and is saved byte for byte;
//! - every limit (`--max-parts`, `--max-field-size`, `--max-file-size`, `--max-body`) is a 413
//!   exactly one byte (or one field) past it, and malformed multipart bodies and invalid UTF-8
//!   are 400s — and the server goes on serving, on the same connection when it could read the
//!   whole body;
//! - cookies make the round trip (a Cookie header with several pairs in JSON; the `user`
//!   cookie the server sets, sends back and deletes);
//! - uploaded file names are made safe and unique — also when uploads with one name race —
//!   nothing is written outside the upload folder, and an upload cut short leaves nothing;
//! - (issue 15) hundreds of parts with one name are all saved, each under its own name, even
//!   with ten thousand numbered copies in the folder; 600 file parts fit in a limit of 256
//!   open files, because each part's temporary file is closed when the part ends; the
//!   temporary files of unfinished uploads are removed at start and at a clean shutdown;
//!   saved names lose invisible format characters (U+202E...), and a file name that is not
//!   UTF-8 still makes a file;
//! - pipelined posts on one connection are all answered in order.
//!
//! Every server gets its own temporary tree (see [`Forms::start`]). Every wait is bounded by a
//! deadline; no test sleeps for a fixed time.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use end_to_end::Conn;
use end_to_end::{RawResponse, ServerProcess, TempDir, agent, parse_responses};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// How long one exchange may take before the test fails.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// Seed 002's urlencoded form body, as Firefox sent it after "OK" was pressed.
const SEED_FORM_BODY: &str = "user=James+%26+Nancy+Kirk&user2=&vote=Y&pets=dog&pets=cat&comments=";
/// The `Form:` lines the course's handler printed for it, with the query string's `hi` first.
const SEED_FORM_LINES: &str = "hi ['john doe']\n\
                               user ['James & Nancy Kirk']\n\
                               user2 ['']\n\
                               vote ['Y']\n\
                               pets ['dog', 'cat']\n\
                               comments ['']\n";
/// Seed 002's upload: the boundary Firefox chose and the file `text1`.
const SEED_BOUNDARY: &str = "---------------------------9849436581144108930470211272";
const TEXT1: &[u8] = b"This is a test.\nIt is only a test.\n";
/// The head lines seed 002's Firefox sent before its own Content-Type and Content-Length.
const FIREFOX_HEAD: [(&str, &str); 6] = [
    ("Host", "localhost:8000"),
    (
        "User-Agent",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.6; rv:11.0) Gecko/20100101 Firefox/11.0",
    ),
    (
        "Accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ),
    ("Accept-Language", "en-us,en;q=0.5"),
    ("Accept-Encoding", "gzip, deflate"),
    ("Connection", "keep-alive"),
];

// ---------------------------------------------------------------------------------------
// The fixture
// ---------------------------------------------------------------------------------------

/// `lesson04-forms` running in a temporary tree, saving uploads into `site/inbox/uploads`.
struct Forms {
    server: ServerProcess,
    /// The temporary tree (canonical); the server runs here.
    root: PathBuf,
    /// The upload folder (canonical), two levels below `site/`.
    uploads: PathBuf,
    /// Kept last so the server is stopped before its tree is removed.
    _temp: TempDir,
}

impl Forms {
    /// Starts `lesson04-forms 0 --upload-dir site/inbox/uploads FLAGS...` in a new temporary
    /// tree. The upload folder does not exist yet (unless a test made it): the server must
    /// create it, and announce its absolute path after the start-up line.
    fn start(label: &str, flags: &[&str]) -> Forms {
        Forms::start_in(Forms::tree(label), flags, None)
    }

    /// A new temporary tree for a server, to prepare before [`Forms::start_in`].
    fn tree(label: &str) -> TempDir {
        TempDir::new(&format!("lesson04-forms-{label}"))
    }

    /// Like [`Forms::start`], in a tree made by [`Forms::tree`] (where a test may have put
    /// files first), and with the server's open-file limit lowered to `max_descriptors` when
    /// given: the server is started by `sh -c 'ulimit -n N && exec SERVER ARGS...'` (a
    /// `setrlimit` before `exec` in Rust would need `unsafe`, which the workspace forbids).
    fn start_in(temp: TempDir, flags: &[&str], max_descriptors: Option<u32>) -> Forms {
        let root = temp.path().canonicalize().expect("the temp dir exists");
        let mut args = vec!["0", "--upload-dir", "site/inbox/uploads"];
        args.extend_from_slice(flags);
        let binary = end_to_end::binary("lesson04-forms");
        let mut command = match max_descriptors {
            None => Command::new(binary),
            Some(limit) => {
                let mut shell = Command::new("sh");
                shell
                    .arg("-c")
                    .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
                    .arg(binary);
                shell
            }
        };
        command.args(&args).current_dir(&root);
        let server = end_to_end::start_command("lesson04-forms", command);
        let uploads = root.join("site/inbox/uploads");
        server.wait_for_stdout(
            &format!("Uploads are saved in {}\n", uploads.display()),
            IO_TIMEOUT,
        );
        assert!(uploads.is_dir(), "the server did not create {uploads:?}");
        Forms {
            server,
            root,
            uploads,
            _temp: temp,
        }
    }

    /// A new raw connection.
    fn connect(&self) -> Conn {
        Conn::new(self.server.connect())
    }

    /// Sends one request (it should end the connection: `Connection: close`, or a client
    /// that half-closes) and parses its one answer.
    fn raw(&self, request: &[u8]) -> RawResponse {
        let mut conn = self.connect();
        conn.send(request);
        conn.shutdown_write();
        let bytes = conn.rest_until_close();
        let mut responses = parse_responses(&bytes);
        assert_eq!(
            responses.len(),
            1,
            "expected one response to {:?}, got {:?}; the server's stderr:\n{}",
            shorten(request),
            String::from_utf8_lossy(&bytes),
            self.server.stderr()
        );
        responses.remove(0)
    }

    /// The names of the files in the upload folder, sorted.
    fn saved(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.uploads)
            .expect("the upload folder is readable")
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The bytes of a saved file.
    fn saved_bytes(&self, name: &str) -> Vec<u8> {
        fs::read(self.uploads.join(name))
            .unwrap_or_else(|e| panic!("cannot read the saved file {name:?}: {e}"))
    }

    /// A request that must be answered with the print-out of its form: checks the status
    /// and returns the `Form:` lines.
    fn form_lines(&self, conn: &mut Conn, request: &[u8]) -> String {
        conn.send(request);
        let response = conn.response(false);
        assert_status(&response, 200, &String::from_utf8_lossy(&shorten(request)));
        form_block(&response.text()).to_string()
    }

    /// Proves that `conn` still serves: an urlencoded POST answered with its form.
    fn still_serves(&self, conn: &mut Conn, after: &str) {
        let request = post(
            "/after",
            "application/x-www-form-urlencoded",
            b"next=1",
            false,
        );
        conn.send(&request);
        let response = conn.response(false);
        assert_eq!(
            (response.status, form_block(&response.text())),
            (200, "next ['1']\n"),
            "the request after {after} on the same connection; the server's stderr:\n{}",
            self.server.stderr()
        );
    }

    /// Proves that the server still serves, on a new connection.
    fn still_serves_new_connection(&self, after: &str) {
        let mut conn = self.connect();
        self.still_serves(&mut conn, after);
    }
}

// ---------------------------------------------------------------------------------------
// Requests, responses and bodies
// ---------------------------------------------------------------------------------------

/// A request with a body and a Content-Length; `Connection: close` when `close`.
fn post(target: &str, content_type: &str, body: &[u8], close: bool) -> Vec<u8> {
    let close = if close { "Connection: close\r\n" } else { "" };
    let mut request = format!(
        "POST {target} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n{close}\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

/// A GET with `extra` header lines; `Connection: close` when `close`.
fn get(target: &str, extra: &str, close: bool) -> Vec<u8> {
    let close = if close { "Connection: close\r\n" } else { "" };
    format!("GET {target} HTTP/1.1\r\nHost: test\r\n{extra}{close}\r\n").into_bytes()
}

/// A multipart Content-Type for `boundary`.
fn multipart_type(boundary: &str) -> String {
    format!("multipart/form-data; boundary={boundary}")
}

/// One part of a multipart body: its header lines (each ending in CRLF) and its bytes.
struct Part<'a> {
    headers: String,
    data: &'a [u8],
}

/// A text field.
fn text_part<'a>(name: &str, value: &'a [u8]) -> Part<'a> {
    Part {
        headers: format!("Content-Disposition: form-data; name=\"{name}\"\r\n"),
        data: value,
    }
}

/// A file, as a browser sends it.
fn file_part<'a>(name: &str, filename: &str, data: &'a [u8]) -> Part<'a> {
    Part {
        headers: format!(
            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
             Content-Type: application/octet-stream\r\n"
        ),
        data,
    }
}

/// A whole multipart body: every part after its delimiter, then the closing delimiter.
fn multipart(boundary: &str, parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n{}\r\n", part.headers).as_bytes());
        body.extend_from_slice(part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

/// Seed 002's upload request, byte for byte: Firefox's head and the `text1` part.
fn seed_upload_request() -> Vec<u8> {
    let body = multipart(SEED_BOUNDARY, &[file_part("myfile", "text1", TEXT1)]);
    assert_eq!(body.len(), 264, "seed 002 announced Content-Length: 264");
    let mut request = String::from("POST /foo/bar HTTP/1.1\r\n");
    for (name, value) in FIREFOX_HEAD {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Type: {}\r\nContent-Length: {}\r\n\r\n",
        multipart_type(SEED_BOUNDARY),
        body.len()
    ));
    let mut request = request.into_bytes();
    request.extend_from_slice(&body);
    request
}

/// The text after the `Form:` line, up to the `Files:` section (if any).
fn form_block(text: &str) -> &str {
    let start = text
        .find("\nForm:\n")
        .unwrap_or_else(|| panic!("no `Form:` line in the print-out:\n{text}"))
        + "\nForm:\n".len();
    let rest = &text[start..];
    match rest.find("Files:\n") {
        Some(end) if end == 0 || rest[..end].ends_with('\n') => &rest[..end],
        _ => rest,
    }
}

/// The lines of the `Files:` section.
fn file_lines(text: &str) -> Vec<&str> {
    match text.find("\nFiles:\n") {
        Some(start) => text[start + "\nFiles:\n".len()..].lines().collect(),
        None => Vec::new(),
    }
}

/// The `Files:` line the server prints for a saved file.
fn saved_line(field: &str, filename_repr: &str, data: &[u8], saved_as: &str) -> String {
    format!(
        "{field} {filename_repr} {} bytes sha256 {} saved as '{saved_as}'",
        data.len(),
        sha256_hex(data)
    )
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Asserts a status, showing the response when it differs.
fn assert_status(response: &RawResponse, status: u16, what: &str) {
    assert_eq!(
        response.status,
        status,
        "{what}: the response was {:?} with the body:\n{}",
        response.headers,
        response.text()
    );
}

/// An error response: the status, an HTML page, and `reason` in its message.
fn assert_error(response: &RawResponse, status: u16, reason: &str, what: &str) {
    assert_status(response, status, what);
    let page = unescape(&response.text());
    assert!(
        response
            .header("content-type")
            .is_some_and(|v| v.starts_with("text/html")),
        "{what}: the error page is not HTML: {:?}",
        response.headers
    );
    assert!(
        page.contains(reason),
        "{what}: the error page does not say {reason:?}:\n{page}"
    );
}

/// The first bytes of a request, for failure messages.
fn shorten(bytes: &[u8]) -> Vec<u8> {
    bytes[..bytes.len().min(300)].to_vec()
}

/// `len` pseudo-random bytes from a xorshift64 generator seeded with `seed`.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// Every regular file under `dir`, recursively (bounded in depth and count).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![(dir.to_path_buf(), 0)];
    while let Some((dir, depth)) = todo.pop() {
        assert!(
            depth < 16 && found.len() < 10_000,
            "too deep or too many files"
        );
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let kind = fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_dir() {
                todo.push((path, depth + 1));
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Undoes the HTML escapes the server's pages use.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

// ---------------------------------------------------------------------------------------
// A tiny HTML reader: enough to find the forms and their controls, in any attribute order
// ---------------------------------------------------------------------------------------

/// One start or end tag.
#[derive(Debug, Clone)]
struct Tag {
    /// Lower case; `/form` for an end tag.
    name: String,
    /// Attributes in order, names in lower case, values unescaped (`None`: no value).
    attrs: Vec<(String, Option<String>)>,
    /// Where the tag ends (the byte after `>`).
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref().unwrap_or(""))
    }

    fn has(&self, name: &str) -> bool {
        self.attrs.iter().any(|(n, _)| n == name)
    }
}

/// The tags of `html`, in order; comments and `<!DOCTYPE>` are skipped.
fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        let mut p = i + offset + 1;
        if bytes.get(p) == Some(&b'!') {
            i = p + bytes[p..]
                .iter()
                .position(|&b| b == b'>')
                .unwrap_or(bytes.len() - p);
            continue;
        }
        let name_start = p;
        while p < bytes.len() && !bytes[p].is_ascii_whitespace() && bytes[p] != b'>' {
            p += 1;
        }
        let name = html[name_start..p]
            .trim_end_matches('/')
            .to_ascii_lowercase();
        let mut attrs = Vec::new();
        // Each round consumes at least one byte.
        while p < bytes.len() && bytes[p] != b'>' {
            if bytes[p].is_ascii_whitespace() || bytes[p] == b'/' {
                p += 1;
                continue;
            }
            let start = p;
            while p < bytes.len() && !b" \t\r\n=>".contains(&bytes[p]) {
                p += 1;
            }
            let attr = html[start..p].to_ascii_lowercase();
            let mut value = None;
            if bytes.get(p) == Some(&b'=') {
                p += 1;
                let quote = bytes[p];
                if quote == b'"' || quote == b'\'' {
                    let end = p + 1 + bytes[p + 1..].iter().position(|&b| b == quote).unwrap();
                    value = Some(unescape(&html[p + 1..end]));
                    p = end + 1;
                } else {
                    let start = p;
                    while p < bytes.len() && !bytes[p].is_ascii_whitespace() && bytes[p] != b'>' {
                        p += 1;
                    }
                    value = Some(unescape(&html[start..p]));
                }
            }
            attrs.push((attr, value));
        }
        i = (p + 1).min(bytes.len());
        tags.push(Tag {
            name,
            attrs,
            end: i,
        });
    }
    tags
}

/// A form: its own tag and its controls (`input`, `textarea`, `select`, `button`), with a
/// textarea's text.
#[derive(Debug)]
struct HtmlForm {
    tag: Tag,
    controls: Vec<(Tag, String)>,
}

impl HtmlForm {
    fn control(&self, tag: &str, name: &str, value: Option<&str>) -> &Tag {
        self.controls
            .iter()
            .map(|(control, _)| control)
            .find(|c| {
                c.name == tag
                    && c.attr("name") == Some(name)
                    && value.is_none_or(|v| c.attr("value") == Some(v))
            })
            .unwrap_or_else(|| panic!("no <{tag} name={name:?} value={value:?}> in {self:#?}"))
    }

    /// What a browser sends when this form is submitted as it is (HTML's "constructing the
    /// entry list", for the control types used here), urlencoded.
    fn default_submission(&self) -> String {
        let mut pairs = Vec::new();
        for (control, text) in &self.controls {
            let Some(name) = control.attr("name") else {
                continue;
            };
            if control.has("disabled") {
                continue;
            }
            let value = match (
                control.name.as_str(),
                control.attr("type").unwrap_or("text"),
            ) {
                ("textarea", _) => text.clone(),
                ("input", "checkbox" | "radio") if control.has("checked") => {
                    control.attr("value").unwrap_or("on").to_string()
                }
                (
                    "input",
                    "checkbox" | "radio" | "submit" | "reset" | "button" | "image" | "file",
                ) => {
                    continue;
                }
                ("input", _) => control.attr("value").unwrap_or("").to_string(),
                _ => panic!("a control this reader does not know: {control:?}"),
            };
            pairs.push(format!("{}={}", urlencode(name), urlencode(&value)));
        }
        pairs.join("&")
    }
}

/// The `<form>`s of a page.
fn forms_of(html: &str) -> Vec<HtmlForm> {
    let mut forms: Vec<HtmlForm> = Vec::new();
    let mut open = false;
    for tag in tags(html) {
        match tag.name.as_str() {
            "form" => {
                assert!(!open, "a form inside a form");
                open = true;
                forms.push(HtmlForm {
                    tag,
                    controls: Vec::new(),
                });
            }
            "/form" => open = false,
            "input" | "textarea" | "select" | "button" if open => {
                let text = if tag.name == "textarea" {
                    let rest = &html[tag.end..];
                    let end = rest.find("</textarea").expect("a closed textarea");
                    unescape(&rest[..end])
                } else {
                    String::new()
                };
                forms.last_mut().unwrap().controls.push((tag, text));
            }
            _ => {}
        }
    }
    assert!(!open, "an unclosed form");
    forms
}

/// The `application/x-www-form-urlencoded` serializer of the URL standard.
fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for &byte in text.as_bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(byte as char);
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The forms page
// ---------------------------------------------------------------------------------------

#[test]
fn the_page_at_root_serves_both_forms_of_the_course() {
    let forms = Forms::start("page", &[]);
    let mut response = agent().get(&forms.server.url("/")).call().unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = response.body_mut().read_to_string().unwrap();
    let found = forms_of(&html);
    assert_eq!(found.len(), 2, "two forms on the page:\n{html}");

    // Form 1: urlencoded (no enctype), posted to seed 002's address.
    let first = &found[0];
    assert_eq!(
        first
            .tag
            .attr("method")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("post")
    );
    assert_eq!(first.tag.attr("action"), Some("/foo/bar?hi=john%20doe"));
    assert_eq!(first.tag.attr("enctype"), None, "{:?}", first.tag);
    assert_eq!(
        first.control("input", "user", None).attr("type"),
        Some("text")
    );
    assert_eq!(
        first.control("input", "user2", None).attr("type"),
        Some("text")
    );
    for (value, checked) in [("Y", true), ("N", false)] {
        let radio = first.control("input", "vote", Some(value));
        assert_eq!(radio.attr("type"), Some("radio"));
        assert_eq!(radio.has("checked"), checked, "vote {value}");
    }
    for (value, checked) in [("dog", true), ("cat", true), ("fish", false)] {
        let checkbox = first.control("input", "pets", Some(value));
        assert_eq!(checkbox.attr("type"), Some("checkbox"));
        assert_eq!(checkbox.has("checked"), checked, "pets {value}");
    }
    first.control("textarea", "comments", None);
    let submit = first
        .controls
        .iter()
        .find(|(c, _)| c.attr("type") == Some("submit"))
        .expect("a submit button");
    assert_eq!(submit.0.attr("value"), Some("OK"));
    // Pressing OK sends exactly what Firefox sent in seed 002.
    assert_eq!(first.default_submission(), SEED_FORM_BODY);

    // Form 2: multipart, with a file input taking several files.
    let second = &found[1];
    assert_eq!(
        second
            .tag
            .attr("method")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("post")
    );
    assert_eq!(second.tag.attr("action"), Some("/foo/bar"));
    assert_eq!(second.tag.attr("enctype"), Some("multipart/form-data"));
    let file = second.control("input", "myfile", None);
    assert_eq!(file.attr("type"), Some("file"));
    assert!(file.has("multiple"), "{file:?}");
    assert!(
        second
            .controls
            .iter()
            .any(|(c, _)| c.attr("type") == Some("submit") && c.attr("value") == Some("OK")),
        "{second:?}"
    );

    // HEAD gives the same head without the body.
    let mut conn = forms.connect();
    conn.send(b"HEAD / HTTP/1.1\r\nHost: test\r\n\r\n");
    let head = conn.response(true);
    assert_status(&head, 200, "HEAD /");
    assert_eq!(
        head.header("content-length"),
        Some(html.len().to_string().as_str())
    );
    // Nothing followed the head: the next answer on the connection is the next request's.
    forms.still_serves(&mut conn, "HEAD /");

    // Any other method at `/` is answered with the print-out, not the page.
    let response = forms.raw(&post(
        "/",
        "application/x-www-form-urlencoded",
        b"a=1",
        true,
    ));
    assert_status(&response, 200, "POST /");
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(response.text().contains("\nrequestline: POST / HTTP/1.1\n"));
    assert_eq!(form_block(&response.text()), "a ['1']\n");
}

// ---------------------------------------------------------------------------------------
// Seed 002: the print-out
// ---------------------------------------------------------------------------------------

#[test]
fn seed_002_query_string_prints_x_then_y() {
    let forms = Forms::start("query", &[]);
    let mut response = agent()
        .get(&forms.server.url("/foo?x=42&y=10"))
        .call()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/plain; charset=utf-8"
    );
    let text = response.body_mut().read_to_string().unwrap();
    assert!(
        text.contains("\nrequestline: GET /foo?x=42&y=10 HTTP/1.1\n"),
        "{text}"
    );
    assert!(text.contains("\npath: /foo?x=42&y=10\n"), "{text}");
    assert_eq!(form_block(&text), "x ['42']\ny ['10']\n");
    assert!(file_lines(&text).is_empty(), "{text}");

    // The rules of a query string: repeats in order, blanks kept (also without `=`), `+`
    // and %20 are spaces, %XX are UTF-8 bytes, a stray % is kept, empty pieces are skipped.
    let mut conn = forms.connect();
    let lines = forms.form_lines(
        &mut conn,
        &get(
            "/q?a=1&flag&a=&&b=x+y%20z&c=caf%C3%A9&d=100%&a=3",
            "",
            false,
        ),
    );
    assert_eq!(
        lines,
        "a ['1', '', '3']\nflag ['']\nb ['x y z']\nc ['café']\nd ['100%']\n"
    );
    // Python's repr: double quotes when the value holds a single quote, escapes for
    // backslashes and control characters.
    let lines = forms.form_lines(
        &mut conn,
        &get(
            "/q?q=it%27s&both=%27%22&bs=a%5Cb&nl=a%0Ab%09c%01",
            "",
            false,
        ),
    );
    assert_eq!(
        lines,
        "q [\"it's\"]\nboth ['\\'\"']\nbs ['a\\\\b']\nnl ['a\\nb\\tc\\x01']\n"
    );
    // A name is printed as it is, unless it holds a control character: then as a repr, so a
    // newline in a name cannot forge a line of the print-out.
    let lines = forms.form_lines(&mut conn, &get("/q?evil%0Apets=x&na%C3%AFve=1", "", false));
    assert_eq!(lines, "'evil\\npets' ['x']\nna\u{ef}ve ['1']\n");
    // No form at all: `Form:` followed by nothing.
    let lines = forms.form_lines(&mut conn, &get("/nothing", "", false));
    assert_eq!(lines, "");
}

#[test]
fn seed_002_form_post_gives_the_whole_print_out_layout() {
    let forms = Forms::start("layout", &[]);
    let mut request = String::from("POST /foo/bar?hi=john%20doe HTTP/1.1\r\n");
    for (name, value) in FIREFOX_HEAD {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("X-Quote: it's \"quoted\" \\ and\ttabbed\r\n");
    request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    request.push_str(&format!("Content-Length: {}\r\n\r\n", SEED_FORM_BODY.len()));
    request.push_str(SEED_FORM_BODY);
    assert_eq!(
        SEED_FORM_BODY.len(),
        67,
        "seed 002 announced Content-Length: 67"
    );

    let mut conn = forms.connect();
    let client = conn.stream.local_addr().unwrap();
    conn.send(request.as_bytes());
    let response = conn.response(false);
    assert_status(&response, 200, "seed 002's form");
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let expected = format!(
        "Client address: {client}\n\
         Server address: {server}\n\
         requestline: POST /foo/bar?hi=john%20doe HTTP/1.1\n\
         command: POST\n\
         path: /foo/bar?hi=john%20doe\n\
         request_version: HTTP/1.1\n\
         Headers:\n\
         host: 'localhost:8000'\n\
         user-agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.6; rv:11.0) Gecko/20100101 Firefox/11.0'\n\
         accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'\n\
         accept-language: 'en-us,en;q=0.5'\n\
         accept-encoding: 'gzip, deflate'\n\
         connection: 'keep-alive'\n\
         x-quote: 'it\\'s \"quoted\" \\\\ and\\ttabbed'\n\
         content-type: 'application/x-www-form-urlencoded'\n\
         content-length: '67'\n\
         Form:\n\
         {SEED_FORM_LINES}",
        server = forms.server.addr,
    );
    assert_eq!(response.text(), expected);
    // The same print-out appears on the server's terminal.
    forms.server.wait_for_stdout(&expected, IO_TIMEOUT);
    // Keep-alive was asked for: the connection goes on.
    forms.still_serves(&mut conn, "seed 002's form");
}

#[test]
fn seed_002_upload_is_saved_with_its_size_and_sha256() {
    let forms = Forms::start("seed-upload", &[]);
    let mut conn = forms.connect();
    let client = conn.stream.local_addr().unwrap();
    conn.send(&seed_upload_request());
    let response = conn.response(false);
    assert_status(&response, 200, "seed 002's upload");
    let mut expected = format!(
        "Client address: {client}\n\
         Server address: {server}\n\
         requestline: POST /foo/bar HTTP/1.1\n\
         command: POST\n\
         path: /foo/bar\n\
         request_version: HTTP/1.1\n\
         Headers:\n",
        server = forms.server.addr,
    );
    for (name, value) in FIREFOX_HEAD {
        expected.push_str(&format!("{}: '{value}'\n", name.to_ascii_lowercase()));
    }
    expected.push_str(&format!(
        "content-type: 'multipart/form-data; boundary={SEED_BOUNDARY}'\n\
         content-length: '264'\n\
         Form:\n\
         myfile [<file 'text1'>]\n\
         Files:\n\
         {}\n",
        saved_line("myfile", "'text1'", TEXT1, "text1")
    ));
    assert_eq!(response.text(), expected);
    assert_eq!(TEXT1.len(), 35);
    assert_eq!(forms.saved(), ["text1"]);
    assert_eq!(forms.saved_bytes("text1"), TEXT1);

    // The same upload again, as JSON: never overwritten, saved as `text1-` and six
    // hexadecimal digits.
    let mut request = seed_upload_request();
    let at = request.windows(8).position(|w| w == b"/foo/bar").unwrap();
    request.splice(at..at, b"/json".iter().copied());
    conn.send(&request);
    let response = conn.response(false);
    assert_status(&response, 200, "seed 002's upload, as JSON");
    assert_eq!(response.header("content-type"), Some("application/json"));
    let mut view: Value = serde_json::from_slice(&response.body).unwrap();
    let saved_as = view["files"][0]["saved_as"].take();
    let saved_as = saved_as.as_str().unwrap_or_default();
    assert!(
        is_renamed_copy_of(saved_as, "text1"),
        "saved as {saved_as:?}"
    );
    assert_eq!(
        view,
        json!({
            "path": "/foo/bar",
            "query_data": {},
            "post_data": null,
            "form_data": {},
            "cookies": {},
            "files": [{
                "field": "myfile",
                "filename": "text1",
                "size": 35,
                "sha256": sha256_hex(TEXT1),
                "content_type": "application/octet-stream",
                "saved_as": null,
            }],
        })
    );
    assert_eq!(forms.saved(), ["text1", saved_as]);
    assert_eq!(forms.saved_bytes(saved_as), TEXT1);
    forms.still_serves(&mut conn, "two uploads");
}

#[test]
fn a_file_input_left_empty_is_listed_and_not_saved() {
    let forms = Forms::start("empty-file", &[]);
    let body = multipart(
        "XyZ",
        &[
            text_part("note", b"no file chosen"),
            file_part("myfile", "", b""),
        ],
    );
    let response = forms.raw(&post("/foo/bar", &multipart_type("XyZ"), &body, true));
    assert_status(&response, 200, "an empty file input");
    let text = response.text();
    assert_eq!(
        form_block(&text),
        "note ['no file chosen']\nmyfile [<file ''>]\n"
    );
    assert_eq!(
        file_lines(&text),
        [format!(
            "myfile '' 0 bytes sha256 {} not saved (empty file name)",
            sha256_hex(b"")
        )]
    );
    assert_eq!(forms.saved(), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// Seed 001: JSON
// ---------------------------------------------------------------------------------------

#[test]
fn seed_001_json_example_by_accept_and_by_json_path() {
    let forms = Forms::start("json", &[]);
    let seed = json!({
        "path": "/login",
        "query_data": {"failed": "true", "lang": "en"},
        "post_data": "username=jdoe&password=s3cret",
        "form_data": {"username": "jdoe", "password": "s3cret"},
        "cookies": {"session": "d7f2cf106764", "eu_cookie_consent": "true"},
    });
    let ask = |path: &str, accept: Option<&str>| {
        let mut request = agent()
            .post(&forms.server.url(path))
            .header("Cookie", "session=d7f2cf106764;eu_cookie_consent=true")
            .header("Content-Type", "application/x-www-form-urlencoded");
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        let mut response = request.send("username=jdoe&password=s3cret").unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        (content_type, response.body_mut().read_to_string().unwrap())
    };
    for (path, accept) in [
        ("/login?failed=true&lang=en", Some("application/json")),
        ("/json/login?failed=true&lang=en", None),
        (
            "/login?failed=true&lang=en",
            Some("text/html;q=0.9, application/json;q=0.5"),
        ),
    ] {
        let (content_type, body) = ask(path, accept);
        assert_eq!(content_type, "application/json", "{path} {accept:?}");
        let view: Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("not JSON ({e}) for {path}: {body}"));
        assert_eq!(view, seed, "{path} {accept:?}");
    }
    // Not asked for: the text print-out.
    for accept in [Some("*/*"), Some("text/html"), None] {
        let (content_type, body) = ask("/login?failed=true&lang=en", accept);
        assert_eq!(content_type, "text/plain; charset=utf-8", "{accept:?}");
        assert!(body.contains("\nForm:\nfailed ['true']\n"), "{body}");
    }
}

#[test]
fn json_refused_with_a_zero_quality_gives_the_print_out() {
    let forms = Forms::start("json-q0", &[]);
    let mut conn = forms.connect();
    // RFC 9110 §12.4.2: a weight of 0 means "not acceptable"; `q=` is matched without
    // regard to case (an ABNF literal, and parameter names are case-insensitive, §5.6.6).
    for accept in [
        "application/json;q=0",
        "text/html, application/json;q=0.000",
        "application/json ; q=0",
        "application/json;Q=0",
    ] {
        conn.send(&get(
            "/login?failed=true",
            &format!("Accept: {accept}\r\n"),
            false,
        ));
        let response = conn.response(false);
        assert_status(&response, 200, accept);
        assert_eq!(
            response.header("content-type"),
            Some("text/plain; charset=utf-8"),
            "Accept: {accept}"
        );
        assert_eq!(
            form_block(&response.text()),
            "failed ['true']\n",
            "{accept}"
        );
    }
}

#[test]
fn a_json_body_gets_json_back_without_an_accept_header() {
    // Seed 001's `curl -s -X POST '.../login?failed=true&lang=en' -H 'Cookie: ...' ... | jq`,
    // with the body sent as JSON: the answer must be JSON for `jq`, with no Accept header.
    let forms = Forms::start("json-body", &[]);
    let body = br#"{"username": "jdoe", "password": "s3cret"}"#;
    let seed = json!({
        "path": "/login",
        "query_data": {"failed": "true", "lang": "en"},
        "post_data": String::from_utf8_lossy(body),
        "form_data": {},
        "cookies": {"session": "d7f2cf106764", "eu_cookie_consent": "true"},
    });
    let ask = |content_type: &str, accept: Option<&str>| {
        let accept = accept
            .map(|a| format!("Accept: {a}\r\n"))
            .unwrap_or_default();
        let mut request = format!(
            "POST /login?failed=true&lang=en HTTP/1.1\r\nHost: test\r\n\
             Cookie: session=d7f2cf106764;eu_cookie_consent=true\r\n{accept}\
             Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        forms.raw(&request)
    };
    for (content_type, accept) in [
        ("application/json", None),
        ("application/json", Some("*/*")),
        ("Application/JSON; charset=utf-8", None),
        ("application/json", Some("text/html")),
    ] {
        let what = format!("{content_type} {accept:?}");
        let response = ask(content_type, accept);
        assert_status(&response, 200, &what);
        assert_eq!(
            response.header("content-type"),
            Some("application/json"),
            "{what}"
        );
        let view: Value = serde_json::from_slice(&response.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}) for {what}: {}", response.text()));
        assert_eq!(view, seed, "{what}");
    }
    // A client that refuses JSON outright still gets the print-out, whatever it sent.
    let response = ask("application/json", Some("text/plain, application/json;q=0"));
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    // Not JSON: `application/jsonx` is another type.
    let response = ask("application/jsonx", None);
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

#[test]
fn json_view_keeps_the_last_value_of_a_name_and_strips_the_json_prefix() {
    let forms = Forms::start("json-dict", &[]);
    let mut conn = forms.connect();
    let cases: [(&[u8], Value); 3] = [
        (
            &post(
                "/json?a=1&a=2&blank=",
                "application/x-www-form-urlencoded",
                b"pets=dog&pets=cat&user2=",
                false,
            ),
            json!({
                "path": "/",
                "query_data": {"a": "2", "blank": ""},
                "post_data": "pets=dog&pets=cat&user2=",
                "form_data": {"pets": "cat", "user2": ""},
                "cookies": {},
            }),
        ),
        (
            &get("/json/", "", false),
            json!({
                "path": "/",
                "query_data": {},
                "post_data": "",
                "form_data": {},
                "cookies": {},
            }),
        ),
        (
            // Not a form: the body is kept as text, the form holds the query alone.
            &post("/json/api/v1?x=1", "text/plain", b"just text", false),
            json!({
                "path": "/api/v1",
                "query_data": {"x": "1"},
                "post_data": "just text",
                "form_data": {},
                "cookies": {},
            }),
        ),
    ];
    for (request, expected) in cases {
        conn.send(request);
        let response = conn.response(false);
        assert_status(&response, 200, &String::from_utf8_lossy(request));
        let view: Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(view, expected, "{}", String::from_utf8_lossy(request));
    }
    // `/jsonx` is not the JSON prefix.
    let response = forms.raw(&get("/jsonx?a=1", "", true));
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

// ---------------------------------------------------------------------------------------
// Large binary uploads
// ---------------------------------------------------------------------------------------

/// 8 MiB of noise holding a near-boundary (`\r\n--` and most of the boundary) in its middle.
fn big_file(boundary: &str) -> Vec<u8> {
    let mut data = noise(8 * 1024 * 1024, 0x5eed_0004);
    let trap = format!("\r\n--{}", &boundary[..boundary.len() - 1]);
    let middle = data.len() / 2;
    data[middle..middle + trap.len()].copy_from_slice(trap.as_bytes());
    data
}

#[test]
fn a_multi_megabyte_binary_upload_comes_back_with_its_sha256() {
    let forms = Forms::start("big", &[]);
    let boundary = "----BigUploadBoundary7MA4YWxkTrZu0gW";
    let data = big_file(boundary);
    let body = multipart(
        boundary,
        &[
            text_part("note", b"eight mebibytes"),
            file_part("myfile", "noise.bin", &data),
        ],
    );
    let mut response = agent()
        .post(&forms.server.url("/upload?id=7"))
        .header("Content-Type", &multipart_type(boundary))
        .header("Accept", "application/json")
        .send(&body[..])
        .unwrap();
    assert_eq!(response.status(), 200);
    let view: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(
        view,
        json!({
            "path": "/upload",
            "query_data": {"id": "7"},
            "post_data": null,
            "form_data": {"note": "eight mebibytes"},
            "cookies": {},
            "files": [{
                "field": "myfile",
                "filename": "noise.bin",
                "size": data.len(),
                "sha256": sha256_hex(&data),
                "content_type": "application/octet-stream",
                "saved_as": "noise.bin",
            }],
        })
    );
    assert_eq!(forms.saved(), ["noise.bin"]);
    assert!(
        forms.saved_bytes("noise.bin") == data,
        "the saved file differs"
    );
}

#[test]
fn a_chunked_binary_upload_after_100_continue_comes_back_with_its_sha256() {
    let forms = Forms::start("chunked", &[]);
    let boundary = "chunked-boundary-1234567890";
    let data = big_file(boundary);
    let body = multipart(boundary, &[file_part("myfile", "noise.bin", &data)]);

    let mut conn = forms.connect();
    conn.send(
        format!(
            "POST /foo/bar HTTP/1.1\r\nHost: test\r\nContent-Type: {}\r\n\
             Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
            multipart_type(boundary)
        )
        .as_bytes(),
    );
    // As curl does for a large body: wait for the server's go-ahead first.
    let interim = conn.response(false);
    assert_status(&interim, 100, "Expect: 100-continue");
    // Uneven chunks, some cutting through the part headers and the closing boundary.
    let sizes = [1, 10, 4093, 65_536, 100_003, 7, 1 << 20];
    let mut sent = 0;
    for size in sizes.iter().cycle().take(body.len()) {
        if sent == body.len() {
            break;
        }
        let end = (sent + size).min(body.len());
        let mut chunk = format!("{:x}\r\n", end - sent).into_bytes();
        chunk.extend_from_slice(&body[sent..end]);
        chunk.extend_from_slice(b"\r\n");
        conn.send(&chunk);
        sent = end;
    }
    conn.send(b"0\r\n\r\n");
    let response = conn.response(false);
    assert_status(&response, 200, "a chunked upload");
    let text = response.text();
    assert!(!text.contains("content-length:"), "{text}");
    assert!(text.contains("\ntransfer-encoding: 'chunked'\n"), "{text}");
    assert_eq!(form_block(&text), "myfile [<file 'noise.bin'>]\n");
    assert_eq!(
        file_lines(&text),
        [saved_line("myfile", "'noise.bin'", &data, "noise.bin")]
    );
    assert!(
        forms.saved_bytes("noise.bin") == data,
        "the saved file differs"
    );
    forms.still_serves(&mut conn, "a chunked upload");
}

// ---------------------------------------------------------------------------------------
// Limits: 413, one past each
// ---------------------------------------------------------------------------------------

/// Sends `request` on `conn`, expects `status` with an error page naming `reason`, then
/// another request on the same connection (the server read, or skipped, the whole small body).
fn refused_then_serves(forms: &Forms, conn: &mut Conn, request: &[u8], status: u16, reason: &str) {
    let what = String::from_utf8_lossy(&shorten(request)).into_owned();
    refused_then_serves_labeled(forms, conn, &what, request, status, reason);
}

/// [`refused_then_serves`], with `what` naming the case in failure messages.
fn refused_then_serves_labeled(
    forms: &Forms,
    conn: &mut Conn,
    what: &str,
    request: &[u8],
    status: u16,
    reason: &str,
) {
    conn.send(request);
    let response = conn.response(false);
    assert_error(&response, status, reason, what);
    assert_ne!(response.header("connection"), Some("close"), "{what}");
    forms.still_serves(conn, what);
}

#[test]
fn more_fields_than_max_parts_is_413() {
    let forms = Forms::start("max-parts", &["--max-parts", "5"]);
    let mut conn = forms.connect();
    let urlencoded = "application/x-www-form-urlencoded";
    let lines = forms.form_lines(
        &mut conn,
        &post("/p", urlencoded, b"a=1&b=2&c=3&d=4&e=5", false),
    );
    assert_eq!(lines, "a ['1']\nb ['2']\nc ['3']\nd ['4']\ne ['5']\n");
    let reason = "the form has more than 5 fields";
    refused_then_serves(
        &forms,
        &mut conn,
        &post("/p", urlencoded, b"a=1&b=2&c=3&d=4&e=5&f=6", false),
        413,
        reason,
    );
    // The query string counts too: 3 + 3 fields.
    refused_then_serves(
        &forms,
        &mut conn,
        &post("/p?a=1&b=2&c=3", urlencoded, b"d=4&e=5&f=6", false),
        413,
        reason,
    );
    refused_then_serves(
        &forms,
        &mut conn,
        &get("/p?a=1&a=2&a=3&a=4&a=5&a=6", "", false),
        413,
        reason,
    );

    let five: Vec<Part<'_>> = (0..5).map(|_| text_part("t", b"v")).collect();
    let body = multipart("b0undary", &five);
    let lines = forms.form_lines(
        &mut conn,
        &post("/p", &multipart_type("b0undary"), &body, false),
    );
    assert_eq!(lines, "t ['v', 'v', 'v', 'v', 'v']\n");
    let mut six = five;
    six.push(file_part("f", "one-too-many.txt", b"x"));
    let body = multipart("b0undary", &six);
    refused_then_serves(
        &forms,
        &mut conn,
        &post("/p", &multipart_type("b0undary"), &body, false),
        413,
        reason,
    );
    assert_eq!(
        forms.saved(),
        Vec::<String>::new(),
        "a refused form saves nothing"
    );
}

#[test]
fn a_field_over_max_field_size_is_413() {
    let forms = Forms::start("max-field", &["--max-field-size", "100"]);
    let mut conn = forms.connect();
    let urlencoded = "application/x-www-form-urlencoded";
    let reason = "is larger than the limit of 100 bytes";

    let at_limit = format!("v={}", "x".repeat(100));
    let lines = forms.form_lines(
        &mut conn,
        &post("/f", urlencoded, at_limit.as_bytes(), false),
    );
    assert_eq!(lines, format!("v ['{}']\n", "x".repeat(100)));
    let over = format!("v={}", "x".repeat(101));
    refused_then_serves(
        &forms,
        &mut conn,
        &post("/f", urlencoded, over.as_bytes(), false),
        413,
        reason,
    );
    // The limit is on the decoded value: 33 euro signs are 99 bytes (297 encoded), 34 are 102.
    let euros = |n: usize| format!("v={}", "%E2%82%AC".repeat(n));
    let lines = forms.form_lines(
        &mut conn,
        &post("/f", urlencoded, euros(33).as_bytes(), false),
    );
    assert_eq!(lines, format!("v ['{}']\n", "€".repeat(33)));
    refused_then_serves(
        &forms,
        &mut conn,
        &post("/f", urlencoded, euros(34).as_bytes(), false),
        413,
        reason,
    );
    // In the query string too.
    refused_then_serves(
        &forms,
        &mut conn,
        &get(&format!("/f?{over}"), "", false),
        413,
        reason,
    );

    // A multipart text field.
    let x100 = "x".repeat(100);
    let body = multipart("bnd", &[text_part("v", x100.as_bytes())]);
    let lines = forms.form_lines(&mut conn, &post("/f", &multipart_type("bnd"), &body, false));
    assert_eq!(lines, format!("v ['{x100}']\n"));
    let x101 = "x".repeat(101);
    let body = multipart("bnd", &[text_part("v", x101.as_bytes())]);
    refused_then_serves(
        &forms,
        &mut conn,
        &post("/f", &multipart_type("bnd"), &body, false),
        413,
        reason,
    );
    // Files are not text fields: a 1000-byte file passes.
    let data = noise(1000, 7);
    let body = multipart("bnd", &[file_part("myfile", "kilo.bin", &data)]);
    forms.form_lines(&mut conn, &post("/f", &multipart_type("bnd"), &body, false));
    assert_eq!(forms.saved_bytes("kilo.bin"), data);
}

#[test]
fn a_file_over_max_file_size_is_413_and_not_saved() {
    let forms = Forms::start("max-file", &["--max-file-size", "1000"]);
    let mut conn = forms.connect();
    let at_limit = noise(1000, 1);
    let body = multipart("bnd", &[file_part("myfile", "at-limit.bin", &at_limit)]);
    conn.send(&post("/u", &multipart_type("bnd"), &body, false));
    let response = conn.response(false);
    assert_status(&response, 200, "a file at the limit");
    assert_eq!(
        file_lines(&response.text()),
        [saved_line(
            "myfile",
            "'at-limit.bin'",
            &at_limit,
            "at-limit.bin"
        )]
    );

    let over = noise(1001, 2);
    let body = multipart(
        "bnd",
        &[
            file_part("myfile", "small.bin", b"fine"),
            file_part("myfile", "over.bin", &over),
        ],
    );
    refused_then_serves(
        &forms,
        &mut conn,
        &post("/u", &multipart_type("bnd"), &body, false),
        413,
        "is larger than the limit of 1000 bytes",
    );
    // Only the first upload is in the folder: no part of the refused form, no temporary file.
    assert_eq!(forms.saved(), ["at-limit.bin"]);
    assert_eq!(forms.saved_bytes("at-limit.bin"), at_limit);
}

#[test]
fn a_body_over_max_body_is_413_and_the_server_goes_on() {
    let forms = Forms::start("max-body", &["--max-body", "100000"]);
    let urlencoded = "application/x-www-form-urlencoded";

    // Exactly the limit is accepted.
    let body = format!("v={}", "y".repeat(100_000 - 2));
    let mut conn = forms.connect();
    let lines = forms.form_lines(&mut conn, &post("/b", urlencoded, body.as_bytes(), false));
    assert_eq!(lines, format!("v ['{}']\n", "y".repeat(100_000 - 2)));

    // One byte more, declared: refused from the head alone, before any body byte is sent,
    // and the connection closes (the body that would follow cannot be told from a request).
    let mut conn = forms.connect();
    conn.send(
        format!(
            "POST /b HTTP/1.1\r\nHost: test\r\nContent-Type: {urlencoded}\r\n\
             Content-Length: 100001\r\n\r\n"
        )
        .as_bytes(),
    );
    let response = conn.response(false);
    assert_error(&response, 413, "100000", "a declared body over --max-body");
    conn.assert_closed("a declared body over --max-body");
    forms.still_serves_new_connection("a declared body over --max-body");

    // A chunked multipart body that grows past the limit.
    let data = noise(150_000, 3);
    let body = multipart("bnd", &[file_part("myfile", "too-big.bin", &data)]);
    let mut request = format!(
        "POST /b HTTP/1.1\r\nHost: test\r\nContent-Type: {}\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        multipart_type("bnd"),
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    request.extend_from_slice(b"\r\n0\r\n\r\n");
    let mut conn = forms.connect();
    conn.send(&request);
    let response = conn.response(false);
    assert_error(&response, 413, "100000", "a chunked body over --max-body");
    forms.still_serves_new_connection("a chunked body over --max-body");
    assert_eq!(forms.saved(), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// Malformed bodies: 400
// ---------------------------------------------------------------------------------------

#[test]
fn malformed_multipart_is_400_and_the_server_goes_on() {
    let forms = Forms::start("malformed", &[]);
    let good = multipart("B", &[text_part("a", b"1")]);
    let seventy = "7".repeat(70);
    let seventy_one = "7".repeat(71);

    // Well-formed variants first: a boundary of 70 characters (RFC 2046's maximum), a quoted
    // boundary, and a media type and parameter name in any case (RFC 9110 §8.3.1).
    let mut conn = forms.connect();
    let accepted = [
        (
            multipart_type(&seventy),
            multipart(&seventy, &[text_part("a", b"1")]),
        ),
        (
            "multipart/form-data; boundary=\"B\"".to_string(),
            good.clone(),
        ),
        ("Multipart/Form-Data; BOUNDARY=B".to_string(), good.clone()),
    ];
    for (content_type, body) in accepted {
        let lines = forms.form_lines(&mut conn, &post("/m", &content_type, &body, false));
        assert_eq!(lines, "a ['1']\n", "{content_type}");
    }

    let mut missing_close = good.clone();
    missing_close.truncate(missing_close.len() - "--B--\r\n".len());
    let no_disposition = b"--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--\r\n".to_vec();
    let no_name = b"--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--\r\n".to_vec();
    let huge_header = format!(
        "--B\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Filler: {}\r\n\r\nx\r\n--B--\r\n",
        "h".repeat(64 * 1024)
    )
    .into_bytes();
    let no_first_boundary = format!("{}\r\n", "p".repeat(64 * 1024)).into_bytes();
    let no_complete_header = "no complete part header within 16384 bytes";
    let bad_boundary = "is not 1 to 70 letters, digits or";
    // What is wrong, the Content-Type, the body, and the reason the error page must give.
    let cases: [(&str, String, Vec<u8>, &str); 8] = [
        (
            "a body without its closing boundary",
            multipart_type("B"),
            missing_close,
            "the body ends before the closing boundary",
        ),
        (
            "no boundary parameter",
            "multipart/form-data".to_string(),
            good.clone(),
            "the Content-Type has no boundary parameter",
        ),
        (
            "an empty boundary",
            "multipart/form-data; boundary=".to_string(),
            good.clone(),
            bad_boundary,
        ),
        (
            "a 71-character boundary",
            multipart_type(&seventy_one),
            multipart(&seventy_one, &[text_part("a", b"1")]),
            bad_boundary,
        ),
        (
            "a part without Content-Disposition",
            multipart_type("B"),
            no_disposition,
            "a part has no Content-Disposition with a name",
        ),
        (
            "a part whose Content-Disposition has no name",
            multipart_type("B"),
            no_name,
            "a part has no Content-Disposition with a name",
        ),
        (
            "a 64 KiB part header",
            multipart_type("B"),
            huge_header,
            no_complete_header,
        ),
        (
            "64 KiB of preamble and no boundary",
            multipart_type("B"),
            no_first_boundary,
            no_complete_header,
        ),
    ];
    for (what, content_type, body, reason) in cases {
        // Each on its own connection, which must go on: every body here is small enough for
        // the server to read to its end.
        let mut conn = forms.connect();
        let request = post("/m", &content_type, &body, false);
        refused_then_serves_labeled(&forms, &mut conn, what, &request, 400, reason);
    }
    assert_eq!(forms.saved(), Vec::<String>::new());
}

#[test]
fn invalid_utf8_in_a_form_value_is_400() {
    let forms = Forms::start("utf8", &[]);
    let mut conn = forms.connect();
    let urlencoded = "application/x-www-form-urlencoded";
    let reason = "is not valid UTF-8";
    refused_then_serves(
        &forms,
        &mut conn,
        &post("/u", urlencoded, b"ok=1&name=%FF%FE", false),
        400,
        "\"name\" is not valid UTF-8",
    );
    refused_then_serves(
        &forms,
        &mut conn,
        &post("/u", urlencoded, b"raw=\xff", false),
        400,
        reason,
    );
    refused_then_serves(
        &forms,
        &mut conn,
        &get("/u?q=%C3%28", "", false),
        400,
        "\"q\" is not valid UTF-8",
    );
    let body = multipart("B", &[text_part("bin", b"\xc3\x28 not text")]);
    refused_then_serves(
        &forms,
        &mut conn,
        &post("/u", &multipart_type("B"), &body, false),
        400,
        "\"bin\" is not valid UTF-8",
    );
    // The same bytes in a *file* are fine: files are bytes, never decoded.
    let body = multipart("B", &[file_part("bin", "bytes.bin", b"\xc3\x28 not text")]);
    let lines = forms.form_lines(&mut conn, &post("/u", &multipart_type("B"), &body, false));
    assert_eq!(lines, "bin [<file 'bytes.bin'>]\n");
    assert_eq!(forms.saved_bytes("bytes.bin"), b"\xc3\x28 not text");
}

// ---------------------------------------------------------------------------------------
// Cookies
// ---------------------------------------------------------------------------------------

/// A `Set-Cookie` value split into its `name=value` and its attributes (sorted: browsers do
/// not care about their order).
fn set_cookie_parts(value: &str) -> (String, Vec<String>) {
    let mut pieces = value.split(';').map(|piece| piece.trim().to_string());
    let pair = pieces.next().unwrap_or_default();
    let mut attributes: Vec<String> = pieces.collect();
    attributes.sort();
    (pair, attributes)
}

#[test]
fn cookies_make_the_round_trip() {
    let forms = Forms::start("cookies", &[]);
    let mut conn = forms.connect();

    // Several pairs in one header (with and without spaces, a quoted value, a repeated name
    // whose first value wins) and a second Cookie line: all in the JSON view.
    conn.send(&get(
        "/json/who",
        "Cookie: session=d7f2cf106764;eu_cookie_consent=true; theme=\"dark\"; session=other\r\n\
         Cookie: lang=en\r\n",
        false,
    ));
    let response = conn.response(false);
    assert_status(&response, 200, "cookies in JSON");
    let view: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(
        view["cookies"],
        json!({"session": "d7f2cf106764", "eu_cookie_consent": "true", "theme": "dark", "lang": "en"})
    );

    // Posting seed 002's form remembers the user in a cookie...
    conn.send(&post(
        "/foo/bar?hi=john%20doe",
        "application/x-www-form-urlencoded",
        SEED_FORM_BODY.as_bytes(),
        false,
    ));
    let response = conn.response(false);
    assert_status(&response, 200, "seed 002's form");
    assert_eq!(form_block(&response.text()), SEED_FORM_LINES);
    let set_cookie = response.header("set-cookie").expect("a Set-Cookie header");
    let (pair, attributes) = set_cookie_parts(set_cookie);
    assert_eq!(pair, "user=James%20%26%20Nancy%20Kirk");
    assert_eq!(
        attributes,
        ["HttpOnly", "Max-Age=86400", "Path=/", "SameSite=Lax"]
    );

    // ...which the browser sends back: the page greets the user, the JSON view shows it.
    conn.send(&get("/", &format!("Cookie: {pair}\r\n"), false));
    let page = conn.response(false);
    assert_status(&page, 200, "the page with the cookie");
    assert!(
        page.text().contains("<b>James &amp; Nancy Kirk</b>"),
        "the page does not greet the user:\n{}",
        page.text()
    );
    conn.send(&get("/json/", &format!("Cookie: {pair}\r\n"), false));
    let view: Value = serde_json::from_slice(&conn.response(false).body).unwrap();
    assert_eq!(
        view["cookies"],
        json!({"user": "James%20%26%20Nancy%20Kirk"})
    );

    // A blank user sets no cookie.
    conn.send(&post(
        "/x",
        "application/x-www-form-urlencoded",
        b"user=&user2=x",
        false,
    ));
    let response = conn.response(false);
    assert_status(&response, 200, "a blank user");
    assert_eq!(response.header("set-cookie"), None);

    // /forget deletes it: an empty value that expires at once, on the same path.
    conn.send(&get("/forget", &format!("Cookie: {pair}\r\n"), false));
    let response = conn.response(false);
    assert_status(&response, 303, "/forget");
    assert_eq!(response.header("location"), Some("/"));
    let (pair, attributes) = set_cookie_parts(response.header("set-cookie").expect("Set-Cookie"));
    assert_eq!(pair, "user=");
    assert_eq!(attributes, ["Max-Age=0", "Path=/"]);
    // Without the cookie, the page no longer greets anyone.
    conn.send(&get("/", "", true));
    let page = conn.response(false);
    assert!(!page.text().contains("<b>James"), "{}", page.text());
}

// ---------------------------------------------------------------------------------------
// File names
// ---------------------------------------------------------------------------------------

#[test]
fn upload_file_names_are_made_safe_and_unique() {
    let forms = Forms::start("names", &[]);
    let long = format!("{}.txt", "a".repeat(300));
    let long_saved = format!("{}.txt", "a".repeat(196));
    // The name a client sends, the bytes, and the name the file must be saved under (a name
    // already taken gets `-` and six hexadecimal digits: `RENAMED` stands for them here).
    let files: [(&str, &[u8], &str); 13] = [
        ("../../escape.txt", b"tried to climb out", "escape.txt"),
        ("/etc/passwd", b"not the real one", "passwd"),
        ("..\\..\\win.txt", b"backslashes", "win.txt"),
        (".hidden", b"no hidden files", "hidden"),
        ("..", b"nothing left", "upload"),
        ("a:b*c?.txt", b"special characters", "a_b_c_.txt"),
        (
            "r\u{e9}sum\u{e9}.pdf",
            b"UTF-8 is kept",
            "r\u{e9}sum\u{e9}.pdf",
        ),
        (&long, b"cut to 200 bytes, extension kept", &long_saved),
        ("twin", b"first twin", "twin"),
        ("twin", b"second twin", "twin-RENAMED"),
        ("photo.jpg", b"first photo", "photo.jpg"),
        ("photo.jpg", b"second photo", "photo-RENAMED.jpg"),
        ("photo.jpg", b"third photo", "photo-RENAMED.jpg"),
    ];
    let parts: Vec<Part<'_>> = files
        .iter()
        .map(|(filename, data, _)| file_part("myfile", filename, data))
        .collect();
    let body = multipart("names", &parts);
    let response = forms.raw(&post("/foo/bar", &multipart_type("names"), &body, true));
    assert_status(&response, 200, "the tricky names");
    let text = response.text();
    let lines = file_lines(&text);
    assert_eq!(lines.len(), files.len(), "{text}");
    let mut saved_names = Vec::new();
    for (line, (filename, data, expected)) in lines.iter().zip(files) {
        let (digest, saved_as) = saved_digest_and_name(line);
        let plain = expected.replace("-RENAMED", "");
        if expected.contains("-RENAMED") {
            assert!(is_renamed_copy_of(saved_as, &plain), "{filename:?}: {line}");
        } else {
            assert_eq!(saved_as, expected, "{filename:?}: {line}");
        }
        assert!(
            line.ends_with(&format!(
                " {} bytes sha256 {digest} saved as '{saved_as}'",
                data.len()
            )) && digest == sha256_hex(data),
            "{filename:?}: {line}"
        );
        saved_names.push((saved_as.to_string(), data.to_vec()));
    }
    assert!(
        lines[0].starts_with("myfile '../../escape.txt' "),
        "the client's name is shown as sent: {}",
        lines[0]
    );
    assert_ne!(
        saved_names[11].0, saved_names[12].0,
        "two photos, two names"
    );

    // A later upload with a name already taken.
    let body = multipart("names", &[file_part("myfile", "twin", b"third twin")]);
    let response = forms.raw(&post("/foo/bar", &multipart_type("names"), &body, true));
    let text = response.text();
    let lines = file_lines(&text);
    assert_eq!(lines.len(), 1, "{text}");
    let (_, third_twin) = saved_digest_and_name(lines[0]);
    assert!(is_renamed_copy_of(third_twin, "twin"), "{text}");
    assert_eq!(
        lines,
        [saved_line("myfile", "'twin'", b"third twin", third_twin)]
    );
    saved_names.push((third_twin.to_string(), b"third twin".to_vec()));

    let mut expected: Vec<String> = saved_names.iter().map(|(name, _)| name.clone()).collect();
    expected.sort();
    assert_eq!(forms.saved(), expected);
    for (saved_as, data) in &saved_names {
        assert_eq!(&forms.saved_bytes(saved_as), data, "{saved_as}");
    }
    // Nothing was written anywhere else in the tree the server runs in.
    let outside: Vec<PathBuf> = files_under(&forms.root)
        .into_iter()
        .filter(|path| !path.starts_with(&forms.uploads))
        .collect();
    assert_eq!(outside, Vec::<PathBuf>::new());
}

#[test]
fn many_parts_with_one_name_are_all_saved_even_past_ten_thousand_copies() {
    let forms = Forms::start("many", &[]);
    // Every name the first numbering scheme tried before it gave up (issue 15): `many.txt`,
    // then `many-2.txt` up to `many-10000.txt`.
    fs::write(forms.uploads.join("many.txt"), b"taken").unwrap();
    for n in 2..=10_000 {
        fs::write(forms.uploads.join(format!("many-{n}.txt")), b"taken").unwrap();
    }
    const PARTS: usize = 300;
    let contents: Vec<Vec<u8>> = (0..PARTS)
        .map(|n| format!("part {n}\n").into_bytes())
        .collect();
    let parts: Vec<Part<'_>> = contents
        .iter()
        .map(|data| file_part("myfile", "many.txt", data))
        .collect();
    let body = multipart("many", &parts);
    let response = forms.raw(&post("/foo/bar", &multipart_type("many"), &body, true));
    assert_status(&response, 200, "300 parts called many.txt");
    let text = response.text();
    let lines = file_lines(&text);
    assert_eq!(lines.len(), PARTS, "{text}");
    let mut names = std::collections::BTreeSet::new();
    for (line, data) in lines.iter().zip(&contents) {
        let (digest, saved_as) = saved_digest_and_name(line);
        assert!(is_renamed_copy_of(saved_as, "many.txt"), "{line}");
        assert_eq!(digest, sha256_hex(data), "{line}");
        assert_eq!(&forms.saved_bytes(saved_as), data, "{saved_as}");
        assert!(names.insert(saved_as.to_string()), "{saved_as} given twice");
    }
    assert_eq!(
        forms.saved().len(),
        10_000 + PARTS,
        "one new file per part, and no temporary file left"
    );
}

#[test]
fn six_hundred_file_parts_fit_in_a_limit_of_256_open_files() {
    const MAX_DESCRIPTORS: u32 = 256;
    const PARTS: usize = 600;
    let forms = Forms::start_in(Forms::tree("descriptors"), &[], Some(MAX_DESCRIPTORS));
    let limits = fs::read_to_string(format!("/proc/{}/limits", forms.server.pid())).unwrap();
    assert!(
        limits.lines().any(|line| line.starts_with("Max open files")
            && line.split_whitespace().nth(3) == Some("256")),
        "the server runs with at most {MAX_DESCRIPTORS} open files:\n{limits}"
    );
    // Each part's temporary file must be closed when the part ends: holding them all open
    // until the request ends would need more descriptors than the server has.
    let contents: Vec<Vec<u8>> = (0..PARTS)
        .map(|n| format!("part {n}\n").into_bytes())
        .collect();
    let names: Vec<String> = (0..PARTS).map(|n| format!("part-{n}.txt")).collect();
    let parts: Vec<Part<'_>> = names
        .iter()
        .zip(&contents)
        .map(|(name, data)| file_part("myfile", name, data))
        .collect();
    let body = multipart("fds", &parts);
    let response = forms.raw(&post("/foo/bar", &multipart_type("fds"), &body, true));
    assert_status(
        &response,
        200,
        "600 file parts under a 256-descriptor limit",
    );
    let text = response.text();
    let lines = file_lines(&text);
    assert_eq!(lines.len(), PARTS, "{text}");
    for ((line, name), data) in lines.iter().zip(&names).zip(&contents) {
        assert_eq!(
            saved_digest_and_name(line),
            (sha256_hex(data).as_str(), name.as_str())
        );
        assert_eq!(&forms.saved_bytes(name), data, "{name}");
    }
    assert_eq!(forms.saved().len(), PARTS, "no temporary file left");
    forms.still_serves_new_connection("600 file parts");
}

/// The digest and the saved name of a `Files:` line
/// (`myfile 'twin' 11 bytes sha256 DIGEST saved as 'twin-3f9a1c'`); panics if it was not saved.
fn saved_digest_and_name(line: &str) -> (&str, &str) {
    let (before, name) = line
        .split_once(" saved as '")
        .and_then(|(before, rest)| Some((before, rest.strip_suffix('\'')?)))
        .unwrap_or_else(|| panic!("not saved: {line}"));
    let digest = before.rsplit(' ').next().unwrap_or_default();
    (digest, name)
}

/// True if `saved` is `plain` with `-` and six hexadecimal digits before its extension:
/// `photo.jpg` → `photo-3f9a1c.jpg`, `twin` → `twin-3f9a1c`.
fn is_renamed_copy_of(saved: &str, plain: &str) -> bool {
    let (stem, extension) = match plain.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, format!(".{extension}")),
        _ => (plain, String::new()),
    };
    saved
        .strip_prefix(stem)
        .and_then(|rest| rest.strip_suffix(extension.as_str()))
        .and_then(|middle| middle.strip_prefix('-'))
        .is_some_and(|suffix| suffix.len() == 6 && suffix.chars().all(|c| c.is_ascii_hexdigit()))
}

// ---------------------------------------------------------------------------------------
// Keep-alive and pipelining
// ---------------------------------------------------------------------------------------

#[test]
fn pipelined_posts_on_one_connection_are_all_answered_in_order() {
    let forms = Forms::start("pipeline", &[]);
    let urlencoded = "application/x-www-form-urlencoded";
    let mut requests = post("/first", urlencoded, b"pets=dog&pets=cat", false);
    requests.extend(post(
        "/foo/bar?hi=john%20doe",
        urlencoded,
        SEED_FORM_BODY.as_bytes(),
        false,
    ));
    requests.extend(get("/third?x=42&y=10", "", true));
    let mut conn = forms.connect();
    conn.send(&requests);
    let bytes = conn.rest_until_close();
    let responses = parse_responses(&bytes);
    let seen: Vec<(u16, String, String)> = responses
        .iter()
        .map(|r| {
            let text = r.text();
            let line = text
                .lines()
                .find(|l| l.starts_with("requestline: "))
                .unwrap_or("")
                .to_string();
            (r.status, line, form_block(&text).to_string())
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                200,
                "requestline: POST /first HTTP/1.1".to_string(),
                "pets ['dog', 'cat']\n".to_string()
            ),
            (
                200,
                "requestline: POST /foo/bar?hi=john%20doe HTTP/1.1".to_string(),
                SEED_FORM_LINES.to_string()
            ),
            (
                200,
                "requestline: GET /third?x=42&y=10 HTTP/1.1".to_string(),
                "x ['42']\ny ['10']\n".to_string()
            ),
        ]
    );
}

#[test]
fn concurrent_uploads_with_one_name_never_overwrite_each_other() {
    let forms = Forms::start("race", &[]);
    const WRITERS: usize = 6;
    let contents: Vec<Vec<u8>> = (0..WRITERS)
        .map(|n| noise(200_000 + n, 100 + n as u64))
        .collect();
    let start = std::sync::Barrier::new(WRITERS);
    let saved_as: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = contents
            .iter()
            .map(|data| {
                let (forms, start) = (&forms, &start);
                scope.spawn(move || {
                    let body = multipart("race", &[file_part("myfile", "same.txt", data)]);
                    let request = post("/foo/bar", &multipart_type("race"), &body, true);
                    start.wait();
                    let response = forms.raw(&request);
                    assert_status(&response, 200, "a concurrent upload");
                    let text = response.text();
                    let line = file_lines(&text).first().copied().unwrap_or("").to_string();
                    let name = line
                        .split_once(" saved as '")
                        .and_then(|(_, rest)| rest.strip_suffix('\''))
                        .unwrap_or_else(|| panic!("not saved: {text}"));
                    assert!(line.contains(&sha256_hex(data)), "{line}");
                    name.to_string()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut names = saved_as.clone();
    names.sort();
    names.dedup();
    assert_eq!(
        names.len(),
        WRITERS,
        "each upload got its own name: {saved_as:?}"
    );
    assert!(names.contains(&"same.txt".to_string()), "{names:?}");
    assert!(
        names
            .iter()
            .all(|name| name == "same.txt" || is_renamed_copy_of(name, "same.txt")),
        "{names:?}"
    );
    assert_eq!(forms.saved(), names);
    // Each file holds the bytes of the upload that was told its name.
    for (name, data) in saved_as.iter().zip(&contents) {
        assert!(forms.saved_bytes(name) == *data, "{name} holds other bytes");
    }
}

#[test]
fn an_upload_cut_short_leaves_no_file_behind() {
    let forms = Forms::start("cut", &[]);
    let data = noise(2 * 1024 * 1024, 9);
    let body = multipart("cut", &[file_part("myfile", "cut.bin", &data)]);
    let request = post("/cut", &multipart_type("cut"), &body, false);
    let half = request.len() / 2;
    let mut conn = forms.connect();
    conn.send(&request[..half]);
    // The file is being received: its temporary file exists (in the upload folder, where
    // the server keeps them so that saving is a link).
    let deadline = Instant::now() + IO_TIMEOUT;
    while forms.saved().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no temporary file appeared in the upload folder"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // The client goes away mid-body: the server logs a refusal and removes what it wrote.
    drop(conn);
    forms
        .server
        .wait_for_stderr("\"POST /cut HTTP/1.1\" 400", IO_TIMEOUT);
    let deadline = Instant::now() + IO_TIMEOUT;
    while !forms.saved().is_empty() {
        assert!(
            Instant::now() < deadline,
            "files left in the upload folder: {:?}",
            forms.saved()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    forms.still_serves_new_connection("an upload cut short");
}

#[test]
fn temporary_files_left_by_an_earlier_run_are_removed_at_start() {
    let tree = Forms::tree("leftovers");
    let uploads = tree.path().join("site/inbox/uploads");
    fs::create_dir_all(&uploads).unwrap();
    // What a server killed in the middle of an upload leaves, and a file it had saved.
    fs::write(uploads.join(".upload-abc123"), b"half an upload").unwrap();
    fs::write(uploads.join("notes.txt"), b"saved earlier").unwrap();
    let forms = Forms::start_in(tree, &[], None);
    // The server listens: the leftover is gone, the saved file is not, and the log says so.
    assert_eq!(forms.saved(), ["notes.txt"]);
    assert_eq!(forms.saved_bytes("notes.txt"), b"saved earlier");
    forms.server.wait_for_stderr(
        "at start: removed 1 temporary file (.upload-*) of unfinished uploads",
        IO_TIMEOUT,
    );
}

#[test]
fn an_upload_still_arriving_at_shutdown_leaves_no_temporary_file() {
    // A body timeout longer than the shutdown grace period: the upload is still arriving
    // when the server gives up waiting for it and exits.
    let mut forms = Forms::start("shutdown", &["--body-timeout", "300"]);
    let data = noise(2 * 1024 * 1024, 15);
    let body = multipart("stop", &[file_part("myfile", "stop.bin", &data)]);
    let request = post("/stop", &multipart_type("stop"), &body, false);
    let mut conn = forms.connect();
    conn.send(&request[..request.len() / 2]);
    let deadline = Instant::now() + IO_TIMEOUT;
    while forms.saved().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no temporary file appeared in the upload folder"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    forms.server.interrupt();
    let status = forms.server.wait_exit(Duration::from_secs(60));
    assert!(
        status.is_some_and(|status| status.success()),
        "the server did not exit cleanly after Ctrl-C: {status:?}; its stderr:\n{}",
        forms.server.stderr()
    );
    assert_eq!(
        forms.saved(),
        Vec::<String>::new(),
        "left in the upload folder"
    );
    forms.server.wait_for_stderr(
        "at shutdown: removed 1 temporary file (.upload-*) of unfinished uploads",
        IO_TIMEOUT,
    );
    drop(conn);
}

#[test]
fn file_names_lose_format_characters_and_a_name_not_in_utf8_is_still_a_file() {
    let forms = Forms::start("unicode-names", &[]);
    // U+202E RIGHT-TO-LEFT OVERRIDE shows the rest of the name backwards: `ünïcödé`, U+202E,
    // `gnp.exe` looks like `ünïcödéexe.png`. And `caf\xe9` is "café" in Latin-1, not UTF-8.
    let files: [(&[u8], &[u8]); 2] = [
        (
            "ünïcödé\u{202E}gnp.exe".as_bytes(),
            b"a program, not a picture",
        ),
        (b"caf\xe9 menu.txt", b"a name in Latin-1"),
    ];
    let mut body = Vec::new();
    for (filename, data) in files {
        body.extend_from_slice(
            b"--names\r\nContent-Disposition: form-data; name=\"myfile\"; filename=\"",
        );
        body.extend_from_slice(filename);
        body.extend_from_slice(b"\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--names--\r\n");
    let response = forms.raw(&post("/foo/bar", &multipart_type("names"), &body, true));
    assert_status(&response, 200, "odd file names");
    let text = response.text();
    // The client's names are shown as Python's repr shows them: the override escaped, the
    // byte that is not UTF-8 as U+FFFD. The saved names have no override.
    assert_eq!(
        file_lines(&text),
        [
            saved_line(
                "myfile",
                "'ünïcödé\\u202egnp.exe'",
                files[0].1,
                "ünïcödégnp.exe"
            ),
            saved_line(
                "myfile",
                "'caf\u{FFFD} menu.txt'",
                files[1].1,
                "caf\u{FFFD} menu.txt"
            ),
        ],
        "{text}"
    );
    assert_eq!(forms.saved(), ["caf\u{FFFD} menu.txt", "ünïcödégnp.exe"]);
    assert_eq!(forms.saved_bytes("ünïcödégnp.exe"), files[0].1);
    assert_eq!(forms.saved_bytes("caf\u{FFFD} menu.txt"), files[1].1);
}

//! Lesson 02's static file server, end to end: the real `lesson02-http` binary serving a
//! temporary directory, asked with `ureq` where a real client is the point and with raw bytes
//! on a `TcpStream` where a client library might normalise or hide what is being tested
//! (`..` in paths, `//` prefixes, the absence of a body after HEAD or 304).
//!
//! Every test builds its own tree (see [`Site::new`]) with the course's private/public layout:
//! the server serves `public/`, and `public/secret.txt` is a symbolic link to
//! `../private/secret.txt`, which must never be served. The tests use Unix symbolic links.
#![cfg(unix)]

use std::ffi::OsStr;
use std::fs::{self, File};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use end_to_end::{RawResponse, ServerProcess, TempDir, agent, parse_responses, raw_exchange};
use pretty_assertions::assert_eq;

/// The content of the private file that no request may ever see.
const SECRET: &str = "top secret: the private key\n";
/// The content of `public/hello.txt`.
const HELLO: &str = "Hello, world!\n";
/// The content of `public/docs/index.html`.
const DOCS_INDEX: &str = "<!DOCTYPE html>\n<title>Docs</title>\n<h1>Docs</h1>\n";
/// A modification time with a well-known HTTP date (RFC 9110's example date).
const KNOWN_DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
const KNOWN_DATE_SECS: u64 = 784_111_777;

/// A temporary tree and the server serving its `public/` directory.
struct Site {
    server: ServerProcess,
    public: PathBuf,
    /// Kept last so the server is stopped before its directory is removed.
    _temp: TempDir,
}

impl Site {
    /// Builds this tree and starts `lesson02-http 0 -d public` in its parent:
    ///
    /// ```text
    /// private/secret.txt
    /// public/hello.txt                      (modified at KNOWN_DATE)
    /// public/inside.txt -> hello.txt        (a link that stays inside)
    /// public/secret.txt -> ../private/secret.txt
    /// public/docs/index.html, public/docs/guide.txt
    /// public/list/{A.txt, b.txt, a b&<c>.txt, sub/}
    /// public/list/link.txt -> b.txt
    /// public/list/out.txt -> ../../private/secret.txt
    /// public/evil.example/dir/
    /// ```
    fn new(label: &str) -> Site {
        let temp = TempDir::new(&format!("lesson02-static-{label}"));
        let root = temp.path();
        let public = root.join("public");
        write(&root.join("private/secret.txt"), SECRET);
        write(&public.join("hello.txt"), HELLO);
        set_mtime(&public.join("hello.txt"), KNOWN_DATE_SECS);
        symlink("hello.txt", public.join("inside.txt")).unwrap();
        symlink("../private/secret.txt", public.join("secret.txt")).unwrap();
        write(&public.join("docs/index.html"), DOCS_INDEX);
        write(&public.join("docs/guide.txt"), "a guide\n");
        write(&public.join("list/A.txt"), "capital a\n");
        write(&public.join("list/b.txt"), "bee\n");
        write(&public.join("list/a b&<c>.txt"), "odd name\n");
        fs::create_dir_all(public.join("list/sub")).unwrap();
        symlink("b.txt", public.join("list/link.txt")).unwrap();
        symlink("../../private/secret.txt", public.join("list/out.txt")).unwrap();
        fs::create_dir_all(public.join("evil.example/dir")).unwrap();

        let server = end_to_end::start_in("lesson02-http", &["0", "-d", "public"], root);
        Site {
            server,
            public,
            _temp: temp,
        }
    }

    /// Sends one raw request (it should say `Connection: close`) and parses the one answer.
    fn raw(&self, request: &str) -> RawResponse {
        let bytes = raw_exchange(self.server.addr, request.as_bytes());
        let mut responses = parse_responses(&bytes);
        assert_eq!(
            responses.len(),
            1,
            "expected one response to {request:?}, got:\n{}",
            String::from_utf8_lossy(&bytes)
        );
        responses.remove(0)
    }

    /// Like [`Site::raw`], also returning the raw bytes (to see what follows the head).
    fn raw_bytes(&self, request: &str) -> (RawResponse, Vec<u8>) {
        let bytes = raw_exchange(self.server.addr, request.as_bytes());
        let response = parse_responses(&bytes)
            .into_iter()
            .next()
            .expect("a response");
        (response, bytes)
    }

    /// A GET through ureq: status, selected headers and body.
    fn get(&self, path: &str) -> Fetched {
        let mut response = agent()
            .get(&self.server.url(path))
            .call()
            .unwrap_or_else(|e| panic!("GET {path} failed: {e}"));
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        let fetched_headers = Headers {
            content_type: header("content-type"),
            content_length: header("content-length"),
            last_modified: header("last-modified"),
            location: header("location"),
        };
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .unwrap();
        Fetched {
            status,
            headers: fetched_headers,
            body,
        }
    }
}

/// What a ureq GET returned, reduced to what these tests compare.
#[derive(Debug)]
struct Fetched {
    status: u16,
    headers: Headers,
    body: Vec<u8>,
}

/// The response headers these tests check, each `None` when absent.
#[derive(Debug, PartialEq, Eq)]
struct Headers {
    content_type: Option<String>,
    content_length: Option<String>,
    last_modified: Option<String>,
    location: Option<String>,
}

impl Fetched {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A request head with `Host` and `Connection: close`, plus `extra` header lines.
fn request(method: &str, target: &str, extra: &str) -> String {
    format!("{method} {target} HTTP/1.1\r\nHost: test\r\n{extra}Connection: close\r\n\r\n")
}

fn write(path: &Path, content: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

fn set_mtime(path: &Path, secs: u64) {
    let file = File::options().write(true).open(path).unwrap();
    file.set_modified(UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap();
}

/// Everything after the first empty line of a raw response.
fn after_head(bytes: &[u8]) -> &[u8] {
    let end = end_to_end::find(bytes, b"\r\n\r\n").expect("a complete head");
    &bytes[end + 4..]
}

/// The headers of a raw response without `Date`, which changes from second to second.
fn without_date(response: &RawResponse) -> Vec<(String, String)> {
    response
        .headers
        .iter()
        .filter(|(name, _)| name != "date")
        .cloned()
        .collect()
}

#[test]
fn get_serves_a_file_with_its_type_length_and_date() {
    let site = Site::new("get");
    let fetched = site.get("/hello.txt");
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.text(), HELLO);
    assert_eq!(
        fetched.headers,
        Headers {
            content_type: Some("text/plain".into()),
            content_length: Some(HELLO.len().to_string()),
            last_modified: Some(KNOWN_DATE.into()),
            location: None,
        }
    );
}

#[test]
fn head_sends_the_same_headers_and_no_body() {
    let site = Site::new("head");
    let (get, _) = site.raw_bytes(&request("GET", "/hello.txt", ""));
    let (head, bytes) = site.raw_bytes(&request("HEAD", "/hello.txt", ""));
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("14"));
    assert_eq!(without_date(&head), without_date(&get));
    assert_eq!(after_head(&bytes), b"", "HEAD must not send a body");
}

#[test]
fn if_modified_since_answers_304_without_a_body() {
    let site = Site::new("ims");
    let ims = format!("If-Modified-Since: {KNOWN_DATE}\r\n");
    let (response, bytes) = site.raw_bytes(&request("GET", "/hello.txt", &ims));
    assert_eq!(response.status, 304);
    assert_eq!(response.header("last-modified"), Some(KNOWN_DATE));
    assert_eq!(response.header("content-length"), None);
    assert_eq!(after_head(&bytes), b"", "a 304 has no body");

    // A date one second before the modification: the file has changed since.
    let older = "If-Modified-Since: Sun, 06 Nov 1994 08:49:36 GMT\r\n";
    let response = site.raw(&request("GET", "/hello.txt", older));
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), HELLO);

    // A date that does not parse is ignored.
    let garbage = "If-Modified-Since: last Tuesday\r\n";
    assert_eq!(site.raw(&request("GET", "/hello.txt", garbage)).status, 200);
}

#[test]
fn if_modified_since_is_ignored_when_if_none_match_is_present() {
    let site = Site::new("inm");
    let both = format!("If-Modified-Since: {KNOWN_DATE}\r\nIf-None-Match: \"abc\"\r\n");
    let response = site.raw(&request("GET", "/hello.txt", &both));
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), HELLO);
}

#[test]
fn a_directory_without_its_slash_redirects_keeping_the_query() {
    let site = Site::new("redirect");
    let fetched = site.get("/docs?lang=en&x=1");
    assert_eq!(fetched.status, 301);
    assert_eq!(
        fetched.headers.location.as_deref(),
        Some("/docs/?lang=en&x=1")
    );
    assert_eq!(fetched.headers.content_length.as_deref(), Some("0"));

    let fetched = site.get("/list");
    assert_eq!(fetched.status, 301);
    assert_eq!(fetched.headers.location.as_deref(), Some("/list/"));
}

#[test]
fn a_double_slash_redirect_stays_on_this_host() {
    let site = Site::new("cve-2021-28861");
    let response = site.raw(&request("GET", "//evil.example/dir", ""));
    assert_eq!(response.status, 301);
    assert_eq!(response.header("location"), Some("/evil.example/dir/"));

    let response = site.raw(&request("GET", "///evil.example/dir?q=1", ""));
    assert_eq!(response.status, 301);
    assert_eq!(response.header("location"), Some("/evil.example/dir/?q=1"));

    // A backslash is never part of a served name, so this one is not even redirected.
    let response = site.raw(&request("GET", "/\\evil.example/dir", ""));
    assert_eq!(response.status, 404);
    assert_eq!(response.header("location"), None);
}

#[test]
fn a_directory_with_index_html_serves_it() {
    let site = Site::new("index");
    let fetched = site.get("/docs/");
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.text(), DOCS_INDEX);
    assert_eq!(fetched.headers.content_type.as_deref(), Some("text/html"));
}

#[test]
fn a_directory_listing_is_sorted_escaped_and_encoded() {
    let site = Site::new("listing");
    let fetched = site.get("/list/");
    assert_eq!(fetched.status, 200);
    assert_eq!(
        fetched.headers.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    let expected = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
        <title>Directory listing for /list/</title>\n</head>\n<body>\n\
        <h1>Directory listing for /list/</h1>\n<hr>\n<ul>\n\
        <li><a href=\"a%20b%26%3Cc%3E.txt\">a b&amp;&lt;c&gt;.txt</a></li>\n\
        <li><a href=\"A.txt\">A.txt</a></li>\n\
        <li><a href=\"b.txt\">b.txt</a></li>\n\
        <li><a href=\"link.txt\">link.txt@</a></li>\n\
        <li><a href=\"sub/\">sub/</a></li>\n\
        </ul>\n<hr>\n</body>\n</html>\n";
    assert_eq!(fetched.text(), expected);

    // The encoded link leads to the file.
    let odd = site.get("/list/a%20b%26%3Cc%3E.txt");
    assert_eq!(odd.status, 200);
    assert_eq!(odd.text(), "odd name\n");

    // The root listing hides the link that leaves the directory.
    let root = site.get("/").text();
    assert!(
        root.contains("<li><a href=\"inside.txt\">inside.txt@</a></li>"),
        "{root}"
    );
    assert!(!root.contains("secret"), "{root}");
}

#[test]
fn listings_mark_links_like_python_and_serve_names_that_are_not_utf8() {
    let site = Site::new("names");
    let names = site.public.join("names");
    fs::create_dir_all(names.join("dir")).unwrap();
    write(&names.join("plain.txt"), "plain\n");
    // The byte 0xFF alone is not UTF-8: a name a Unix file system holds, as Python serves it.
    fs::write(names.join(OsStr::from_bytes(b"\xff.txt")), "not utf-8\n").unwrap();
    symlink("plain.txt", names.join("file-link")).unwrap();
    symlink("dir", names.join("dir-link")).unwrap();
    symlink("../../private/secret.txt", names.join("out-link")).unwrap();

    let listing = site.raw(&request("GET", "/names/", ""));
    assert_eq!(listing.status, 200);
    let text = listing.text();
    let items: Vec<&str> = text.lines().filter(|l| l.starts_with("<li>")).collect();
    assert_eq!(
        items,
        [
            "<li><a href=\"dir/\">dir/</a></li>",
            // A link to a directory: `@` in the text (Python's marker), `/` in the link.
            "<li><a href=\"dir-link/\">dir-link@</a></li>",
            "<li><a href=\"file-link\">file-link@</a></li>",
            "<li><a href=\"plain.txt\">plain.txt</a></li>",
            // The name's bytes in the link, a readable replacement in the text.
            "<li><a href=\"%FF.txt\">\u{fffd}.txt</a></li>",
        ],
        "{text}"
    );

    // The links lead where they say, in either case of hex digit.
    for target in ["/names/%FF.txt", "/names/%ff.txt"] {
        let file = site.raw(&request("GET", target, ""));
        assert_eq!(file.status, 200, "{target}");
        assert_eq!(file.text(), "not utf-8\n", "{target}");
    }
    assert_eq!(
        site.raw(&request("GET", "/names/file-link", "")).text(),
        "plain\n"
    );
    assert_eq!(
        site.raw(&request("GET", "/names/dir-link/", "")).status,
        200
    );
    // A link that leads out is still refused when followed (and is not listed).
    let out = site.raw(&request("GET", "/names/out-link", ""));
    assert_eq!(out.status, 404);
    assert!(!out.text().contains("top secret"));
    // Bytes that are not UTF-8 change nothing about `..`.
    assert_eq!(
        site.raw(&request("GET", "/names/%FF/../../private/secret.txt", ""))
            .status,
        404
    );
}

#[test]
fn missing_files_are_404() {
    let site = Site::new("missing");
    for path in ["/nope.txt", "/docs/nope/", "/hello.txt/", "/sub%2fnope"] {
        let fetched = site.get(path);
        assert_eq!(fetched.status, 404, "{path}");
        assert_eq!(
            fetched.headers.content_type.as_deref(),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert!(
            fetched.text().contains("<p>Message: File not found.</p>"),
            "{path}: {}",
            fetched.text()
        );
    }
}

#[test]
fn every_traversal_spelling_is_404() {
    let site = Site::new("traversal");
    let targets = [
        "/../private/secret.txt",
        "/..",
        "/%2e%2e/private/secret.txt",
        "/%2E%2e/private/secret.txt",
        "/docs/..%2f..%2fprivate/secret.txt",
        "/%2e%2e%2fprivate%2fsecret.txt",
        "/docs/../../private/secret.txt",
        "//../private/secret.txt",
        "/./../private/secret.txt",
        "/..%5cprivate%5csecret.txt",
        "/%2E%2e%5cprivate%5csecret.txt",
        "/..\\private\\secret.txt",
        "/hello.txt%00.html",
        "/%c0%ae%c0%ae/private/secret.txt",
        "http://test/../private/secret.txt",
    ];
    for target in targets {
        let response = site.raw(&request("GET", target, ""));
        assert_eq!(response.status, 404, "{target}");
        assert!(!response.text().contains("top secret"), "{target}");
        assert!(response.text().contains("File not found"), "{target}");
    }
    // Encoding an ordinary name is fine: this is not a traversal.
    let response = site.raw(&request("GET", "/%68ello.txt", ""));
    assert_eq!(response.status, 200);
}

#[test]
fn a_link_inside_works_and_a_link_out_is_404() {
    let site = Site::new("symlinks");
    let inside = site.get("/inside.txt");
    assert_eq!(inside.status, 200);
    assert_eq!(inside.text(), HELLO);
    let link = site.get("/list/link.txt");
    assert_eq!(link.status, 200);
    assert_eq!(link.text(), "bee\n");

    for path in ["/secret.txt", "/list/out.txt"] {
        let fetched = site.get(path);
        assert_eq!(fetched.status, 404, "{path}");
        assert!(!fetched.text().contains("top secret"), "{path}");
    }
}

#[test]
fn other_methods_get_405_with_allow() {
    let site = Site::new("methods");
    let cases = [
        ("POST", "/hello.txt", "Content-Length: 5\r\n", "hello"),
        ("PUT", "/hello.txt", "Content-Length: 3\r\n", "new"),
        ("DELETE", "/hello.txt", "", ""),
        ("OPTIONS", "*", "", ""),
        ("PATCH", "/hello.txt", "Content-Length: 1\r\n", "x"),
        ("TRACE", "/", "", ""),
        ("CONNECT", "test:80", "", ""),
    ];
    for (method, target, headers, body) in cases {
        let raw = request(method, target, headers) + body;
        let response = site.raw(&raw);
        assert_eq!(response.status, 405, "{method}");
        assert_eq!(response.header("allow"), Some("GET, HEAD"), "{method}");
        assert!(
            response.text().contains("Error code: 405"),
            "{method}: {}",
            response.text()
        );
    }
    assert_eq!(
        fs::read_to_string(site.public.join("hello.txt")).unwrap(),
        HELLO
    );
}

#[test]
fn a_get_body_is_ignored_and_the_connection_reused() {
    let site = Site::new("get-body");
    let two = "GET /hello.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello\
               GET /list/b.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    let bytes = raw_exchange(site.server.addr, two.as_bytes());
    let responses = parse_responses(&bytes);
    let summary: Vec<(u16, String)> = responses.iter().map(|r| (r.status, r.text())).collect();
    assert_eq!(
        summary,
        [(200, HELLO.to_string()), (200, "bee\n".to_string())]
    );
}

#[test]
fn a_large_file_downloads_byte_exact() {
    let site = Site::new("large");
    let size = 20 * 1024 * 1024;
    let content = pseudo_random_bytes(size);
    fs::write(site.public.join("big.bin"), &content).unwrap();

    let fetched = site.get("/big.bin");
    assert_eq!(fetched.status, 200);
    assert_eq!(
        fetched.headers.content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(fetched.headers.content_length, Some(size.to_string()));
    assert_eq!(fetched.body.len(), size);
    // Not assert_eq!: a 20 MiB diff would bury the message.
    let first_difference = fetched.body.iter().zip(&content).position(|(a, b)| a != b);
    assert!(
        first_difference.is_none(),
        "bytes differ from offset {first_difference:?}"
    );

    let (head, bytes) = site.raw_bytes(&request("HEAD", "/big.bin", ""));
    assert_eq!(
        head.header("content-length"),
        Some(size.to_string().as_str())
    );
    assert_eq!(after_head(&bytes), b"");
}

/// Deterministic bytes that no compression or pattern could fake (xorshift64).
fn pseudo_random_bytes(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
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

//! Lesson 06's book list, end to end: the real `lesson06-books` binary on a loopback port,
//! with the repository's book database (`wsgi/books.json`, which the tests read too) or with
//! a database written by a test into a temporary folder (`--books FILE`).
//!
//! What is proven here (issue 6, lesson 06):
//! - `/` lists every book of the database, in id order, each title a link to `/book/ID`;
//! - every `/book/ID` page shows the title, ISBN, publisher and author, escaped, with a link
//!   back to the list; every page is one whole HTML document from the shared template;
//! - an unknown id, a trailing slash, an empty id and any other path are 404 pages saying
//!   `Not Found` (with the path escaped);
//! - a record missing a field is a 500 on *its* page only: the page says
//!   `Internal Server Error` and nothing of the cause, the server's log names it, and every
//!   other page still works;
//! - a title with `<script>` and `&` is text on both pages;
//! - a database that cannot be read (malformed, of the wrong shape, missing) stops the server
//!   at start with exit code 1 and one plain sentence on stderr — no backtrace, no panic.
//!
//! Every wait is bounded by a deadline; no test sleeps for a fixed time.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use end_to_end::{RawResponse, ServerProcess, TempDir, agent, parse_responses, raw_exchange};
use pretty_assertions::assert_eq;
use serde_json::Value;

/// How long one wait for the log, or one run to its exit, may take before the test fails.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// A book database with a record missing its ISBN (`id2`), a title full of markup (`id10`,
/// which must come after `id2`: ids are in number order) and one complete, plain record.
const FAULTY_BOOKS: &str = r#"{
  "id10": {
    "title": "<script>alert('x')</script> & \"Friends\"",
    "isbn": "<isbn>",
    "publisher": "Smith & Sons",
    "author": "A <b>bold</b> author"
  },
  "id2": {
    "title": "A book without an ISBN",
    "publisher": "Nobody",
    "author": "No One"
  },
  "id1": {
    "title": "A plain book",
    "isbn": "1234567890",
    "publisher": "Plain Press",
    "author": "Jane Plain"
  }
}"#;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// `lesson06-books 0` with the repository's database.
fn bookshelf() -> ServerProcess {
    end_to_end::start("lesson06-books", &["0"])
}

/// `lesson06-books 0 --books FILE`.
fn bookshelf_with(books: &Path) -> ServerProcess {
    end_to_end::start("lesson06-books", &["0", "--books", books.to_str().unwrap()])
}

/// Writes `text` as `books.json` in a new temporary folder.
fn books_file(label: &str, text: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(&format!("lesson06-{label}"));
    let path = dir.path().join("books.json");
    fs::write(&path, text).expect("the book database is written");
    (dir, path)
}

/// The repository's book database, as the tests read it: id → field → value.
fn repository_books() -> Vec<(String, BTreeMap<String, String>)> {
    let path = end_to_end::workspace_root().join("wsgi/books.json");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).expect("wsgi/books.json is JSON");
    let mut books: Vec<(String, BTreeMap<String, String>)> = json
        .as_object()
        .expect("an object of ids")
        .iter()
        .map(|(id, fields)| {
            let fields = fields
                .as_object()
                .expect("each book is an object")
                .iter()
                .map(|(name, value)| (name.clone(), value.as_str().unwrap().to_string()))
                .collect();
            (id.clone(), fields)
        })
        .collect();
    books.sort_by_key(|(id, _)| id.trim_start_matches("id").parse::<u64>().unwrap());
    books
}

/// One GET that ends the connection, answered in full.
fn get(server: &ServerProcess, target: &str) -> RawResponse {
    let request = format!("GET {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    let bytes = raw_exchange(server.addr, request.as_bytes());
    let mut responses = parse_responses(&bytes);
    assert_eq!(
        responses.len(),
        1,
        "expected one response to {target}, got {:?}; the server's stderr:\n{}",
        String::from_utf8_lossy(&bytes),
        server.stderr()
    );
    responses.remove(0)
}

/// A GET answered with this status and an HTML page from the shared template; its text.
fn page(server: &ServerProcess, target: &str, status: u16) -> String {
    let response = get(server, target);
    assert_eq!(
        response.status,
        status,
        "{target}: {:?}\n{}",
        response.headers,
        response.text()
    );
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8"),
        "{target}"
    );
    let html = response.text();
    assert!(
        html.starts_with(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        ),
        "{target}: not the shared template:\n{html}"
    );
    assert!(html.ends_with("</body>\n</html>\n"), "{target}:\n{html}");
    html
}

/// What `server_core::html::escape` (and Python's `html.escape`) make of `text`.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// The detail page's expected title, heading, rows and back link for one book.
fn assert_detail_page(html: &str, id: &str, book: &BTreeMap<String, String>) {
    let title = escaped(&book["title"]);
    let expected_body = format!(
        "<h1>{title}</h1>\n<table>\n\
         <tr><th>Title</th><td>{title}</td></tr>\n\
         <tr><th>ISBN</th><td>{}</td></tr>\n\
         <tr><th>Publisher</th><td>{}</td></tr>\n\
         <tr><th>Author</th><td>{}</td></tr>\n\
         </table>\n<p><a href=\"/\">Back to the list</a></p>\n",
        escaped(&book["isbn"]),
        escaped(&book["publisher"]),
        escaped(&book["author"]),
    );
    assert!(
        html.contains(&format!("<title>{title}</title>")),
        "{id}: the page title:\n{html}"
    );
    assert!(
        html.contains(&expected_body),
        "{id}: expected\n{expected_body}\nin:\n{html}"
    );
}

/// Asserts a 404 page for `target`, with the path (escaped) in its message.
fn assert_not_found(server: &ServerProcess, target: &str) {
    let html = page(server, target, 404);
    assert!(
        html.contains("<h1>Not Found</h1>"),
        "{target}: no Not Found heading:\n{html}"
    );
    assert!(
        html.contains("<title>Not Found</title>"),
        "{target}:\n{html}"
    );
    assert!(
        html.contains("<a href=\"/\">Back to the list</a>"),
        "{target}: no way back:\n{html}"
    );
}

// ---------------------------------------------------------------------------------------
// The pages of the repository's database
// ---------------------------------------------------------------------------------------

#[test]
fn the_list_links_every_book_in_id_order() {
    let server = bookshelf();
    let books = repository_books();
    assert_eq!(books.len(), 5, "wsgi/books.json holds id1..id5");
    let html = page(&server, "/", 200);
    let items: String = books
        .iter()
        .map(|(id, book)| {
            format!(
                "<li><a href=\"/book/{id}\">{}</a></li>\n",
                escaped(&book["title"])
            )
        })
        .collect();
    let expected = format!("<h1>My Bookshelf</h1>\n<ul>\n{items}</ul>\n");
    assert!(
        html.contains(&expected),
        "expected\n{expected}\nin:\n{html}"
    );
    assert!(html.contains("<title>My Bookshelf</title>"), "{html}");
    // Through a real client too.
    let mut response = agent().get(&server.url("/")).call().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body_mut().read_to_string().unwrap(), html);
}

#[test]
fn every_book_has_a_page_with_its_fields_and_a_link_back() {
    let server = bookshelf();
    let books = repository_books();
    for (id, book) in &books {
        let html = page(&server, &format!("/book/{id}"), 200);
        assert_detail_page(&html, id, book);
    }
    // id4's publisher is O'Reilly Media: the quote is escaped.
    let html = page(&server, "/book/id4", 200);
    assert!(
        html.contains("<tr><th>Publisher</th><td>O&#x27;Reilly Media</td></tr>"),
        "{html}"
    );
    // Every link of the list leads to one of these pages.
    let list = page(&server, "/", 200);
    let links: Vec<&str> = list
        .split("<a href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert_eq!(
        links,
        books
            .iter()
            .map(|(id, _)| format!("/book/{id}"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn unknown_ids_trailing_slashes_and_other_paths_are_404_pages() {
    let server = bookshelf();
    for target in [
        "/book/id73",
        "/book/id3/",
        "/sponge/damp",
        "/book/",
        "/book",
        "/book/id",
        "/book/ID3",
        "/book/id3x",
        "/book/id3/extra",
        "/index.html",
        "/book/id0",
    ] {
        assert_not_found(&server, target);
    }
    // A path with markup is a 404 whose message shows it as text.
    let html = page(&server, "/<script>alert(1)</script>", 404);
    assert!(html.contains("<h1>Not Found</h1>"), "{html}");
    assert!(
        !html.contains("<script>"),
        "markup from the path on the 404 page:\n{html}"
    );
    assert!(html.contains("&lt;script&gt;"), "{html}");
    // A 404 keeps nothing broken: the list is still served.
    page(&server, "/", 200);
}

// ---------------------------------------------------------------------------------------
// A faulty database
// ---------------------------------------------------------------------------------------

#[test]
fn a_record_missing_a_field_is_a_500_that_hides_the_cause_which_the_log_names() {
    let (_dir, path) = books_file("missing-isbn", FAULTY_BOOKS);
    let server = bookshelf_with(&path);
    let html = page(&server, "/book/id2", 500);
    assert!(
        html.contains("<h1>Internal Server Error</h1>"),
        "not an error page:\n{html}"
    );
    assert!(
        html.contains("<title>Internal Server Error</title>"),
        "{html}"
    );
    for detail in ["isbn", "ISBN", "id2", "has no", "without"] {
        assert!(
            !html.contains(detail),
            "the 500 page shows {detail:?}:\n{html}"
        );
    }
    let log = server.wait_for_stderr("book id2 has no isbn", IO_TIMEOUT);
    assert!(
        log.contains("\"/book/id2\": book id2 has no isbn"),
        "the log names the path and the cause:\n{log}"
    );
    // Every other page still works.
    let list = page(&server, "/", 200);
    assert!(
        list.contains("<li><a href=\"/book/id2\">A book without an ISBN</a></li>"),
        "{list}"
    );
    let plain = page(&server, "/book/id1", 200);
    assert!(
        plain.contains("<tr><th>ISBN</th><td>1234567890</td></tr>"),
        "{plain}"
    );
    assert_not_found(&server, "/book/id3");
}

#[test]
fn a_title_with_markup_is_text_on_the_list_and_on_its_page() {
    let (_dir, path) = books_file("markup", FAULTY_BOOKS);
    let server = bookshelf_with(&path);
    let list = page(&server, "/", 200);
    let title = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Friends&quot;";
    // In id order: id1, id2, then id10 (by number, not as text).
    let expected = format!(
        "<ul>\n<li><a href=\"/book/id1\">A plain book</a></li>\n\
         <li><a href=\"/book/id2\">A book without an ISBN</a></li>\n\
         <li><a href=\"/book/id10\">{title}</a></li>\n</ul>\n"
    );
    assert!(
        list.contains(&expected),
        "expected\n{expected}\nin:\n{list}"
    );
    let detail = page(&server, "/book/id10", 200);
    assert!(
        detail.contains(&format!("<title>{title}</title>")),
        "{detail}"
    );
    assert!(detail.contains(&format!("<h1>{title}</h1>")), "{detail}");
    for row in [
        format!("<tr><th>Title</th><td>{title}</td></tr>"),
        "<tr><th>ISBN</th><td>&lt;isbn&gt;</td></tr>".to_string(),
        "<tr><th>Publisher</th><td>Smith &amp; Sons</td></tr>".to_string(),
        "<tr><th>Author</th><td>A &lt;b&gt;bold&lt;/b&gt; author</td></tr>".to_string(),
    ] {
        assert!(detail.contains(&row), "no {row:?} in:\n{detail}");
    }
    for html in [&list, &detail] {
        for raw in ["<script", "<b>", "<isbn>", "Smith & Sons"] {
            assert!(!html.contains(raw), "{raw:?} unescaped in:\n{html}");
        }
    }
}

/// Runs `lesson06-books 0 --books FILE` to its end, with backtraces asked for (so that a
/// panic would show one).
fn run_with_books(books: &Path) -> end_to_end::Finished {
    let mut command = Command::new(end_to_end::binary("lesson06-books"));
    command
        .args(["0", "--books", books.to_str().unwrap()])
        .current_dir(end_to_end::workspace_root())
        .env("RUST_BACKTRACE", "1");
    end_to_end::run_command(command, IO_TIMEOUT)
}

/// Exit code 1, nothing on stdout (no start-up line), one sentence on stderr naming the file.
fn assert_refused_at_start(finished: &end_to_end::Finished, books: &Path, what: &str) {
    assert_eq!(
        finished.status.code(),
        Some(1),
        "{what}: the exit status; stderr:\n{}",
        finished.stderr
    );
    assert_eq!(finished.stdout, "", "{what}: the server announced itself");
    let lines: Vec<&str> = finished.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{what}: one line on stderr, got:\n{}",
        finished.stderr
    );
    let line = lines[0];
    let expected_start = format!("error: cannot load the books from {}: ", books.display());
    assert!(
        line.starts_with(&expected_start),
        "{what}: expected {expected_start:?}..., got {line:?}"
    );
    assert!(line.ends_with('.'), "{what}: not a sentence: {line:?}");
    for noise in ["panicked", "backtrace", "RUST_BACKTRACE", "thread '"] {
        assert!(!line.contains(noise), "{what}: {noise:?} in {line:?}");
    }
}

#[test]
fn a_malformed_books_file_stops_the_server_with_one_plain_sentence() {
    let cases = [
        ("malformed", "{\"id1\": {\"title\": \"unfinished\"", "EOF"),
        ("not-json", "title,isbn\nA,1\n", "not a book database"),
        ("a-list", "[1, 2, 3]", "not a book database"),
        (
            "record-not-object",
            "{\"id1\": \"just a title\"}",
            "not a book database",
        ),
    ];
    for (label, text, hint) in cases {
        let (_dir, path) = books_file(label, text);
        let finished = run_with_books(&path);
        assert_refused_at_start(&finished, &path, label);
        assert!(
            finished.stderr.contains(hint),
            "{label}: {hint:?} not in {:?}",
            finished.stderr
        );
    }
}

#[test]
fn a_missing_books_file_stops_the_server_with_one_plain_sentence() {
    let dir = TempDir::new("lesson06-missing");
    let path = dir.path().join("no-such-books.json");
    let finished = run_with_books(&path);
    assert_refused_at_start(&finished, &path, "a missing file");
    // A folder is not a database either.
    let finished = run_with_books(dir.path());
    assert_refused_at_start(&finished, dir.path(), "a folder");
}

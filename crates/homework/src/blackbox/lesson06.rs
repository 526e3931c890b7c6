//! Lesson 06's black-box checks: the course's book list, one application with several pages.
//!
//! Start the server with `cargo run -p lesson06-books -- 8006`, or the Python original with
//! `python3 wsgi/bookapp.py 8006`; both pass. Both read the book database `wsgi/books.json`,
//! and so do these checks (it is compiled into the checker), so the pages are known:
//!
//! - `GET /` answers an HTML page headed `My Bookshelf` that links every book's title to
//!   `/book/<id>`, in id order (`id1`, `id2`, ... `id10`);
//! - `GET /book/<id>` answers the book's page: the title in an `<h1>`, a table whose rows show
//!   `Title`, `ISBN`, `Publisher` and `Author` (label, then value, each value HTML-escaped:
//!   `O'Reilly Media` is sent as `O&#x27;Reilly Media` or `O&#39;Reilly Media`), and a link
//!   `Back to the list` to `/`;
//! - an unknown id (`/book/id73`), a trailing slash (`/book/id3/`) and any other path
//!   (`/sponge/damp`) answer `404` with an HTML page that says `Not Found`;
//! - every page is a whole HTML document, starting with `<!DOCTYPE html>`.
//!
//! How the HTML is written is free: other links on the list page, white space, attributes,
//! the page titles. The `500` of a failing handler cannot be provoked from outside, so it is
//! left to the lesson's own tests.

use serde_json::Value;

use super::client::{Response, Target};
use super::failure::Failure;
use super::lesson03::{decode_entities, table_value};
use super::page::{Link, element_text, escaped, has_doctype, is_escaped, links};
use super::{Check, Group, exercise_hint};
use crate::catalog::Lesson;

/// The book database both applications serve.
const BOOKS_JSON: &str = include_str!("../../../../wsgi/books.json");

/// The heading of the list page.
const SHELF: &str = "My Bookshelf";
/// The text of the link from a book's page back to the list.
const BACK: &str = "Back to the list";

/// One record of the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    /// `id3`.
    pub id: String,
    /// The four fields, in the order of the page: title, ISBN, publisher, author.
    pub fields: [String; 4],
}

impl Book {
    /// The title.
    pub fn title(&self) -> &str {
        &self.fields[0]
    }
}

/// The labels of a book's rows, in the order of [`Book::fields`], with their JSON names.
const FIELDS: [(&str, &str); 4] = [
    ("Title", "title"),
    ("ISBN", "isbn"),
    ("Publisher", "publisher"),
    ("Author", "author"),
];

/// The books of `wsgi/books.json`, in id order (`id2` before `id10`).
pub fn books() -> Result<Vec<Book>, String> {
    parse_books(BOOKS_JSON)
}

/// The books of a database like `wsgi/books.json`, in id order.
fn parse_books(json: &str) -> Result<Vec<Book>, String> {
    let records: serde_json::Map<String, Value> = serde_json::from_str(json)
        .map_err(|error| format!("wsgi/books.json is not a JSON object: {error}"))?;
    let mut books = Vec::new();
    for (id, record) in records {
        let field = |name: &str| {
            record[name]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("book {id} of wsgi/books.json has no text {name}"))
        };
        let fields = [
            field(FIELDS[0].1)?,
            field(FIELDS[1].1)?,
            field(FIELDS[2].1)?,
            field(FIELDS[3].1)?,
        ];
        books.push(Book { id, fields });
    }
    books.sort_by_key(|book| id_order(&book.id));
    Ok(books)
}

/// `id10` after `id9`: by the number after the letters, then by the text.
fn id_order(id: &str) -> (u64, String) {
    let digits: String = id.chars().filter(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), id.to_string())
}

/// The checks of lesson 06, grouped by page.
pub fn groups(lesson: &Lesson, target: &Target) -> Vec<Group> {
    let books = match books() {
        Ok(books) => books,
        Err(problem) => {
            let check = Check::custom("reading wsgi/books.json", move |_| {
                Err(Failure::new(problem.clone()))
            });
            return vec![Group {
                name: "book database",
                hint: None,
                checks: vec![check],
            }];
        }
    };
    vec![
        Group {
            name: "book list",
            hint: Some(
                "GET / is the list: a heading My Bookshelf, then one link per book, <a \
                 href=\"/book/ID\">TITLE</a>, in id order (id2 before id10), each title \
                 escaped. The router sends the empty path (after its leading /) here.",
            ),
            checks: vec![list_check(target, &books)],
        },
        Group {
            name: "book pages",
            hint: exercise_hint(lesson, "book_detail"),
            checks: books
                .iter()
                .map(|book| detail_check(target, book.clone()))
                .collect(),
        },
        Group {
            name: "not found",
            hint: Some(
                "A path no route matches, and an id the database does not know, are requests \
                 for something that does not exist: 404 Not Found, as an HTML page that says \
                 so. Route patterns match the whole path: ^book/(id\\d+)$ leaves out \
                 /book/id3/.",
            ),
            checks: ["/book/id73", "/book/id3/", "/sponge/damp"]
                .into_iter()
                .map(|path| not_found_check(target, path))
                .collect(),
        },
    ]
}

/// `GET /`: every title, linked to its page, in order.
fn list_check(target: &Target, books: &[Book]) -> Check {
    let expected: Vec<Link> = books
        .iter()
        .map(|book| Link {
            href: target.path(&format!("/book/{}", book.id)),
            text: book.title().to_string(),
        })
        .collect();
    let book_prefix = target.path("/book/");
    Check::exchange(target.simple("GET", "/"), move |response| {
        expect_html_page(response, 200)?;
        let body = String::from_utf8_lossy(&response.body);
        expect_heading(&body, SHELF)?;
        let found: Vec<Link> = links(&body)
            .into_iter()
            .filter(|link| link.href.starts_with(&book_prefix))
            .collect();
        if found != expected {
            return Err(Failure::comparing(
                "the list must link every book's title to its page, in id order",
                shown_links(&expected),
                shown_links(&found),
            ));
        }
        Ok(())
    })
}

/// `GET /book/<id>`: the book's fields, escaped, and the way back.
fn detail_check(target: &Target, book: Book) -> Check {
    let request = target.simple("GET", &format!("/book/{}", book.id));
    let back = target.path("/");
    Check::exchange(request, move |response| {
        expect_html_page(response, 200)?;
        let body = String::from_utf8_lossy(&response.body);
        expect_heading(&body, book.title())?;
        for ((label, _), value) in FIELDS.iter().zip(&book.fields) {
            expect_field(response, label, value)?;
        }
        let links = links(&body);
        if !links
            .iter()
            .any(|link| link.href == back && link.text == BACK)
        {
            return Err(Failure::comparing(
                "the page must link back to the list",
                format!("<a href=\"{back}\">{BACK}</a>"),
                format!("the links {}", shown_links(&links)),
            ));
        }
        Ok(())
    })
}

/// A path that names no page: 404.
fn not_found_check(target: &Target, path: &str) -> Check {
    Check::exchange(target.simple("GET", path), |response| {
        expect_html_page(response, 404)?;
        response.expect_body_contains("Not Found")
    })
}

/// The status is `status`, and the body a whole HTML page.
fn expect_html_page(response: &Response, status: u16) -> Result<(), Failure> {
    response.expect_status(status)?;
    response.expect_media_type("text/html")?;
    if !has_doctype(&String::from_utf8_lossy(&response.body)) {
        return Err(Failure::comparing(
            "every page comes from the one template, a whole HTML document: it starts with \
             the doctype",
            "<!DOCTYPE html>\n<html ...",
            String::from_utf8_lossy(&response.body[..response.body.len().min(40)]),
        ));
    }
    Ok(())
}

/// The page's `<h1>` is `expected`.
fn expect_heading(body: &str, expected: &str) -> Result<(), Failure> {
    let heading = element_text(body, "h1");
    if heading.as_deref() == Some(expected) {
        return Ok(());
    }
    Err(Failure::comparing(
        "wrong heading: the page's <h1> names what it shows",
        format!("<h1>{}</h1>", escaped(expected)),
        heading.map_or_else(|| "no <h1>".to_string(), |text| format!("<h1>{text}</h1>")),
    ))
}

/// The row `label` shows `expected`, escaped.
fn expect_field(response: &Response, label: &str, expected: &str) -> Result<(), Failure> {
    let Some(raw) = table_value(&response.body, label) else {
        return Err(Failure::comparing(
            format!("the page must have a row {label:?}: its label, then its value"),
            format!("<tr><th>{label}</th><td>{}</td></tr>", escaped(expected)),
            "no element holding just that label",
        ));
    };
    let shown = decode_entities(&raw);
    if shown != expected {
        return Err(Failure::comparing(
            format!(
                "the row {label:?} must show the book's {}",
                label.to_lowercase()
            ),
            expected,
            shown,
        ));
    }
    if !is_escaped(&raw) {
        return Err(Failure::comparing(
            format!(
                "the {label} comes from the database and must be HTML-escaped: & < > \" ' \
                 become &amp; &lt; &gt; &quot; &#x27;"
            ),
            escaped(expected),
            raw,
        ));
    }
    Ok(())
}

/// Links for messages, one per line: `/book/id1 → CherryPy Essentials...`.
fn shown_links(links: &[Link]) -> String {
    if links.is_empty() {
        return "no links".to_string();
    }
    links
        .iter()
        .map(|link| format!("{} → {}", link.href, link.text))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_s_five_books_are_read_in_id_order() {
        let books = books().unwrap();
        let ids: Vec<&str> = books.iter().map(|book| book.id.as_str()).collect();
        assert_eq!(ids, ["id1", "id2", "id3", "id4", "id5"]);
        assert_eq!(books[3].title(), "Python Cookbook");
        assert_eq!(books[3].fields[2], "O'Reilly Media");
    }

    #[test]
    fn ids_sort_by_number_and_a_broken_database_is_named() {
        let json = r#"{"id10": {"title": "T10", "isbn": "i", "publisher": "p", "author": "a"},
                       "id9": {"title": "T9", "isbn": "i", "publisher": "p", "author": "a"}}"#;
        let ids: Vec<String> = parse_books(json)
            .unwrap()
            .into_iter()
            .map(|book| book.id)
            .collect();
        assert_eq!(ids, ["id9", "id10"]);
        let missing = r#"{"id1": {"title": "T", "isbn": "i", "publisher": "p"}}"#;
        assert_eq!(
            parse_books(missing),
            Err("book id1 of wsgi/books.json has no text author".to_string())
        );
        assert!(parse_books("[]").unwrap_err().contains("not a JSON object"));
    }

    fn page(status: u16, body: &str) -> Response {
        Response {
            version: "HTTP/1.0".to_string(),
            status,
            reason: "Reason".to_string(),
            headers: vec![("content-type".to_string(), "text/html".to_string())],
            body: body.as_bytes().to_vec(),
            framing: crate::blackbox::client::Framing::UntilClose,
        }
    }

    #[test]
    fn a_field_must_be_shown_escaped() {
        let good = page(
            200,
            "<tr><th>Publisher</th><td>O&#39;Reilly Media</td></tr>",
        );
        assert_eq!(expect_field(&good, "Publisher", "O'Reilly Media"), Ok(()));
        let raw = page(200, "<tr><th>Publisher</th><td>O'Reilly Media</td></tr>");
        let failure = expect_field(&raw, "Publisher", "O'Reilly Media").unwrap_err();
        assert!(failure.message.contains("HTML-escaped"), "{failure:?}");
        let wrong = page(200, "<dt>Publisher:</dt><dd>Apress</dd>");
        let failure = expect_field(&wrong, "Publisher", "O'Reilly Media").unwrap_err();
        assert_eq!(failure.got.as_deref(), Some("Apress"));
        let failure = expect_field(&page(200, ""), "ISBN", "1").unwrap_err();
        assert!(failure.message.contains("row \"ISBN\""), "{failure:?}");
    }

    #[test]
    fn a_page_needs_its_doctype_and_heading() {
        assert_eq!(
            expect_html_page(&page(404, "<!doctype html><p>Not Found"), 404),
            Ok(())
        );
        let failure = expect_html_page(&page(200, "<html><p>x"), 200).unwrap_err();
        assert!(failure.message.contains("doctype"), "{failure:?}");
        assert_eq!(
            expect_heading("<h1>My <b>Bookshelf</b></h1>", SHELF),
            Ok(())
        );
        let failure = expect_heading("<h2>My Bookshelf</h2>", SHELF).unwrap_err();
        assert_eq!(failure.got.as_deref(), Some("no <h1>"));
    }
}

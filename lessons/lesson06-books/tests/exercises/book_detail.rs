//! Checks of the `book_detail` exercise: one book's page, escaped, in the shared template.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/book_detail.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/book_detail.rs"
)]
#[allow(unused_variables, unused_imports, dead_code)]
mod code;

use code::book_detail;
use lesson06_books::bookdb::BookDb;
use lesson06_books::template::page;
use server_core::gateway::RouteError;

/// A small book database: two books of the course, one whose every field needs escaping
/// (and has a field the page does not show), and records with a field missing.
const BOOKS: &str = r#"{
  "id3": {
    "title": "Foundations of Python Network Programming",
    "isbn": "1590593715",
    "publisher": "Apress",
    "author": "John Goerzen"
  },
  "id4": {
    "title": "Python Cookbook",
    "isbn": "0596007973",
    "publisher": "O'Reilly Media",
    "author": "Alex Martelli, Anna Ravenscroft and David Ascher"
  },
  "id6": {
    "title": "Rock & Roll <Live>",
    "isbn": "\"978\"",
    "publisher": "Tom &amp; Jerry's",
    "author": "<script>alert('x')</script>",
    "year": "2005"
  },
  "id8": {"title": "A number for an ISBN", "isbn": 12345, "publisher": "P", "author": "A"},
  "id9": {"title": "No ISBN", "publisher": "P", "author": "A"},
  "id12": {"isbn": "1", "publisher": "P", "author": "A"},
  "id13": {"title": "No author", "isbn": "1", "publisher": "P"}
}"#;

fn db() -> BookDb {
    BookDb::from_json(BOOKS).expect("the test's book database is valid JSON")
}

/// `book_detail`'s answer, with the error written out (a `RouteError` cannot be compared).
fn outcome(id: &str) -> Result<String, String> {
    book_detail(&db(), id).map_err(|error| match error {
        RouteError::NotFound => "NotFound".to_string(),
        RouteError::BadRequest(why) => format!("BadRequest({why:?})"),
        RouteError::Internal(why) => format!("Internal({why:?})"),
    })
}

/// The page of a book that must have one.
#[track_caller]
fn page_of(id: &str) -> String {
    match outcome(id) {
        Ok(page) => page,
        Err(error) => {
            assert_eq!(
                Err(error),
                Ok("the book's page".to_string()),
                "book_detail(db, {id:?})"
            );
            unreachable!("the assertion above fails")
        }
    }
}

/// Every table row of a page, `<tr>` to `</tr>`, in order.
fn rows(page: &str) -> Vec<&str> {
    page.match_indices("<tr>")
        .filter_map(|(at, _)| page[at..].find("</tr>").map(|end| &page[at..at + end + 5]))
        .collect()
}

/// The text between the first `open` and the `close` after it.
fn between<'a>(page: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = page.find(open)? + open.len();
    let end = page[start..].find(close)?;
    Some(&page[start..start + end])
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson06"]
fn a_book_s_page_shows_its_four_fields_in_order() {
    assert_eq!(
        rows(&page_of("id3")),
        [
            "<tr><th>Title</th><td>Foundations of Python Network Programming</td></tr>",
            "<tr><th>ISBN</th><td>1590593715</td></tr>",
            "<tr><th>Publisher</th><td>Apress</td></tr>",
            "<tr><th>Author</th><td>John Goerzen</td></tr>",
        ],
        "the table rows of book_detail(db, \"id3\")"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson06"]
fn the_title_is_the_heading() {
    assert_eq!(
        between(&page_of("id3"), "<h1>", "</h1>"),
        Some("Foundations of Python Network Programming"),
        "the <h1> of book_detail(db, \"id3\")"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson06"]
fn the_page_links_back_to_the_list() {
    assert_eq!(
        page_of("id3")
            .matches(r#"<a href="/">Back to the list</a>"#)
            .count(),
        1,
        "how many times book_detail(db, \"id3\") holds <a href=\"/\">Back to the list</a>"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson06"]
fn every_value_from_the_database_is_escaped_once() {
    let page = page_of("id6");
    assert_eq!(
        rows(&page),
        [
            "<tr><th>Title</th><td>Rock &amp; Roll &lt;Live&gt;</td></tr>",
            "<tr><th>ISBN</th><td>&quot;978&quot;</td></tr>",
            "<tr><th>Publisher</th><td>Tom &amp;amp; Jerry&#x27;s</td></tr>",
            "<tr><th>Author</th><td>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</td></tr>",
        ],
        "the table rows of book_detail(db, \"id6\"), whose every field holds & < > \" or '"
    );
    assert_eq!(
        between(&page, "<h1>", "</h1>"),
        Some("Rock &amp; Roll &lt;Live&gt;"),
        "the <h1> of book_detail(db, \"id6\")"
    );
    assert_eq!(
        (
            page.contains("<Live>"),
            page.contains("<script>"),
            page.contains("2005")
        ),
        (false, false, false),
        "(does book_detail(db, \"id6\") hold <Live>, <script>, the record's year 2005?) — \
         markup from the database shows as text, and only the four fields are shown"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson06"]
fn the_page_is_the_shared_template_titled_with_the_book() {
    for (id, title) in [("id4", "Python Cookbook"), ("id6", "Rock & Roll <Live>")] {
        let got = page_of(id);
        let marker = "\u{1}the body\u{1}";
        let template = page(title, marker);
        let (head, tail) = template
            .split_once(marker)
            .expect("the template keeps its body");
        assert_eq!(
            got.get(..head.len()),
            Some(head),
            "the start of book_detail(db, {id:?}): page() with the book's title, {title:?}"
        );
        assert_eq!(
            got.get(got.len().saturating_sub(tail.len())..),
            Some(tail),
            "the end of book_detail(db, {id:?}): page()'s"
        );
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson06"]
fn an_id_that_names_no_book_is_not_found() {
    for id in ["id73", "", "ID3", "id03", "id3/", "book/id3"] {
        assert_eq!(
            outcome(id),
            Err("NotFound".to_string()),
            "book_detail(db, {id:?})"
        );
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson06"]
fn a_record_missing_a_field_is_an_internal_error_naming_the_book_and_the_field() {
    for (id, field) in [
        ("id9", "isbn"),
        ("id8", "isbn"),
        ("id12", "title"),
        ("id13", "author"),
    ] {
        let got = outcome(id);
        let said = match &got {
            Err(error) => (
                error.split('(').next().unwrap_or(""),
                error.contains(id),
                error.contains(field),
            ),
            Ok(_) => ("a page", false, false),
        };
        assert_eq!(
            said,
            ("Internal", true, true),
            "book_detail(db, {id:?}), whose record has no text {field:?}: (the error, does \
             its message name {id}, does it name {field}?) — it gave {got:?}"
        );
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson06"]
fn a_broken_record_leaves_the_other_books_alone() {
    assert_eq!(
        rows(&page_of("id4")),
        [
            "<tr><th>Title</th><td>Python Cookbook</td></tr>",
            "<tr><th>ISBN</th><td>0596007973</td></tr>",
            "<tr><th>Publisher</th><td>O&#x27;Reilly Media</td></tr>",
            "<tr><th>Author</th><td>Alex Martelli, Anna Ravenscroft and David Ascher</td></tr>",
        ],
        "the table rows of book_detail(db, \"id4\")"
    );
}

//! Exercise `book_detail`: the page of one book.
//!
//! The book list links every title to `/book/<id>`; the router calls this function with the
//! id it captured from the path. Chapter 6 (`book/src/ch06-books.md`) shows the whole
//! application around it.
//!
//! You write [`book_detail`]:
//!
//! 1. Find the book with [`BookDb::title_info`]. An id that names no book is
//!    [`RouteError::NotFound`]: the router answers 404, the right code for "no such thing"
//!    (a 500 would blame the server, a 400 the form of the request).
//! 2. The page shows the title in an `<h1>`, then a table with one row per field, in this
//!    order: `<tr><th>Title</th><td>…</td></tr>`, then `ISBN`, `Publisher` and `Author`
//!    (fields `title`, `isbn`, `publisher`, `author`), and a link back:
//!    `<a href="/">Back to the list</a>`.
//! 3. Every value from the database is escaped with [`escape`]: a title like
//!    `Rock & Roll <Live>` must show as text, not as markup.
//! 4. A record missing one of the four fields is a fault in *our* data, not in the request:
//!    [`RouteError::Internal`] with a message naming the book and the field (the router
//!    answers 500 and logs the message).
//! 5. The whole page goes through [`page`], the shared template, with the book's title as
//!    the page title.

// ANCHOR: exercise
use lesson06_books::bookdb::BookDb;
use lesson06_books::template::page;
use server_core::gateway::RouteError;
use server_core::html::escape;

/// The fields of the detail page, with their labels, in order.
pub const FIELDS: &[(&str, &str)] = &[
    ("Title", "title"),
    ("ISBN", "isbn"),
    ("Publisher", "publisher"),
    ("Author", "author"),
];

/// The HTML page of book `book_id`.
pub fn book_detail(db: &BookDb, book_id: &str) -> Result<String, RouteError> {
    todo!("find the book, build its table with escaped values, wrap it in page()")
}
// ANCHOR_END: exercise

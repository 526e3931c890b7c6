//! Lesson 06: the course's book list — one application, several pages.
//!
//! - [`bookdb`] loads the book database (`wsgi/books.json`) once, at start.
//! - [`template`] is the one HTML page every response is poured into, with escaping.
//! - [`book_detail`] renders one book: the exercise's reference solution, used as it is.
//! - [`application`] dispatches with a [`Router`], as the course's `resolve_path` does:
//!   `/` lists the books, `/book/<id>` shows one; an unknown id or any other path is a 404,
//!   a failure (a record missing a field) a 500 whose cause goes to the log.

// The exercise's solution names this crate by its name, which works both here and in the
// exercise tests, where the file is compiled into another crate.
extern crate self as lesson06_books;

pub mod bookdb;
pub mod template;

#[path = "../exercises/solutions/book_detail.rs"]
pub mod book_detail;

use std::sync::Arc;

use server_core::gateway::{Application, Environ, Reply, RouteError, Router};
use server_core::html::escape;

use bookdb::BookDb;

// ANCHOR: application
/// The book application: two routes on one shared database.
pub fn application(db: BookDb) -> impl Application {
    let db = Arc::new(db);
    let for_list = Arc::clone(&db);
    Router::new()
        .route(r"$", move |_: &[&str], _: &mut Environ<'_>| {
            books(&for_list)
        })
        .and_then(|router| {
            router.route(
                r"book/(id\d+)$",
                move |args: &[&str], _: &mut Environ<'_>| {
                    book_detail::book_detail(&db, args[0]).map(Reply::html)
                },
            )
        })
        .expect("the route patterns are valid")
        .with_error_page(error_page)
}
// ANCHOR_END: application

// ANCHOR: books
/// `/`: every title, each a link to its page.
fn books(db: &BookDb) -> Result<Reply, RouteError> {
    let mut items = String::new();
    for (id, title) in db.titles()? {
        items.push_str(&format!(
            "<li><a href=\"/book/{}\">{}</a></li>\n",
            escape(id),
            escape(title)
        ));
    }
    let body = format!("<h1>My Bookshelf</h1>\n<ul>\n{items}</ul>\n");
    Ok(Reply::html(template::page("My Bookshelf", &body)))
}
// ANCHOR_END: books

/// 404 and 500 pages in the shared template.
fn error_page(status: u16, message: &str) -> Reply {
    let reason = server_core::response::reason_phrase(status);
    let body = format!(
        "<h1>{}</h1>\n<p>{}</p>\n<p><a href=\"/\">Back to the list</a></p>\n",
        escape(&reason),
        escape(message)
    );
    Reply::html(template::page(&reason, &body)).with_status(status)
}

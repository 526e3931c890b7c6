//! The book database: a small JSON file loaded once, at start.
//!
//! The file maps each id (`id1`, `id2`...) to a record of text fields — `title`, `isbn`,
//! `publisher`, `author` — and is shared with the Python version of the application
//! (`wsgi/books.json`, read by `wsgi/bookdb.py`). Records are kept as they are, not checked
//! against a schema at start: a record missing a field makes *its* page fail with a 500 while
//! every other page works, which is what chapter 6 uses to show error handling.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use server_core::gateway::RouteError;

/// One book: its fields by name.
pub type Book = BTreeMap<String, String>;

/// Every book, by id.
#[derive(Debug, Clone, Default)]
pub struct BookDb {
    /// The books, in id order (`id2` before `id10`).
    books: Vec<(String, Book)>,
}

impl BookDb {
    /// Reads the database from a JSON file.
    pub fn load(path: &Path) -> io::Result<BookDb> {
        let text = fs::read_to_string(path)?;
        BookDb::from_json(&text).map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
    }

    /// Reads the database from JSON text: an object of ids, each an object of text fields.
    pub fn from_json(text: &str) -> Result<BookDb, String> {
        let records: BTreeMap<String, BTreeMap<String, serde_json::Value>> =
            serde_json::from_str(text).map_err(|error| format!("not a book database: {error}"))?;
        let mut books: Vec<(String, Book)> = records
            .into_iter()
            .map(|(id, fields)| {
                let fields = fields
                    .into_iter()
                    .filter_map(|(name, value)| Some((name, value.as_str()?.to_string())))
                    .collect();
                (id, fields)
            })
            .collect();
        books.sort_by_key(|(id, _)| id_order(id));
        Ok(BookDb { books })
    }

    /// Every id with its title, in id order; a record without a title is an internal error.
    pub fn titles(&self) -> Result<Vec<(&str, &str)>, RouteError> {
        self.books
            .iter()
            .map(|(id, book)| match book.get("title") {
                Some(title) => Ok((id.as_str(), title.as_str())),
                None => Err(RouteError::Internal(
                    format!("book {id} has no title").into(),
                )),
            })
            .collect()
    }

    /// One book by id.
    pub fn title_info(&self, id: &str) -> Option<&Book> {
        self.books
            .iter()
            .find(|(candidate, _)| candidate == id)
            .map(|(_, book)| book)
    }
}

/// Sorts `id2` before `id10`: by the number after the letters, then by the text.
fn id_order(id: &str) -> (u64, String) {
    let digits: String = id.chars().filter(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), id.to_string())
}

//! Lesson 06: the course's book list, a multi-page application on the gateway of lesson 05.
//!
//! The application (`lib.rs`) dispatches with `server_core::gateway::Router`; the book
//! database is `wsgi/books.json`, the file the Python version of this application reads too.
//! This file only wires the command line to it.

use std::path::PathBuf;

use clap::Parser;
use lesson06_books::bookdb::BookDb;
use server_core::cli::{self, ListenArgs, StartupError, TuningArgs};
use server_core::gateway;

/// Where the book database is, wherever the server is started from.
const BOOKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../wsgi/books.json");

/// Serve the book list: / lists the books, /book/ID shows one.
#[derive(Parser)]
#[command(version, about, after_help = cli::SHARING_HELP)]
struct Args {
    #[command(flatten)]
    listen: ListenArgs,

    // No `default_value = BOOKS`: `--help` would show this machine's absolute build path.
    /// The book database (JSON: ids mapped to title, isbn, publisher and author; default:
    /// the workspace's wsgi/books.json, the file the Python version reads).
    #[arg(long, value_name = "FILE")]
    books: Option<PathBuf>,

    #[command(flatten)]
    tuning: TuningArgs,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let books = args.books.unwrap_or_else(|| PathBuf::from(BOOKS));
    let db = BookDb::load(&books).unwrap_or_else(|error| {
        cli::exit_with(StartupError::Other {
            context: format!("cannot load the books from {}", books.display()),
            source: error,
        })
    });
    let software = concat!("lesson06-books/", env!("CARGO_PKG_VERSION"));
    let app = lesson06_books::application(db);
    gateway::serve(
        app,
        &args.listen,
        &args.tuning,
        env!("CARGO_PKG_NAME"),
        software,
    );
}
// ANCHOR_END: main

//! Homework checks of lesson 06: one module per exercise in `lessons/lesson06-books/exercises/`.
//!
//! Every test is ignored by default, so `cargo test --workspace` stays green while the
//! exercises are still stubs. Run them with `cargo run -p homework -- check lesson06`, which
//! explains each failure and gives a hint; `cargo test -p lesson06-books --test exercises --
//! --include-ignored` runs them directly, and `--features reference` runs them against the
//! reference solutions in `exercises/solutions/`.

#[path = "exercises/book_detail.rs"]
mod book_detail;

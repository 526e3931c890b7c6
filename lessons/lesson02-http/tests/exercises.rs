//! Homework checks of lesson 02: one module per exercise in `lessons/lesson02-http/exercises/`.
//!
//! Every test is ignored by default, so `cargo test --workspace` stays green while the
//! exercises are still stubs. Run them with `cargo run -p homework -- check lesson02`, which
//! explains each failure and gives a hint; `cargo test -p lesson02-http --test exercises --
//! --include-ignored` runs them directly, and `--features reference` runs them against the
//! reference solutions in `exercises/solutions/`.

#[path = "exercises/listing_entry.rs"]
mod listing_entry;
#[path = "exercises/request_line.rs"]
mod request_line;
#[path = "exercises/safe_path.rs"]
mod safe_path;

//! Homework checks of lesson 04: one module per exercise in `lessons/lesson04-forms/exercises/`.
//!
//! Every test is ignored by default, so `cargo test --workspace` stays green while the
//! exercises are still stubs. Run them with `cargo run -p homework -- check lesson04`, which
//! explains each failure and gives a hint; `cargo test -p lesson04-forms --test exercises --
//! --include-ignored` runs them directly, and `--features reference` runs them against the
//! reference solutions in `exercises/solutions/`.

#[path = "exercises/cookie_pairs.rs"]
mod cookie_pairs;
#[path = "exercises/multipart_parts.rs"]
mod multipart_parts;
#[path = "exercises/query_pairs.rs"]
mod query_pairs;

//! Homework checks of lesson 07: one module per exercise in
//! `lessons/lesson07-calculator/exercises/`.
//!
//! Every test is ignored by default, so `cargo test --workspace` stays green while the
//! exercises are still stubs. Run them with `cargo run -p homework -- check lesson07`, which
//! explains each failure and gives a hint; `cargo test -p lesson07-calculator --test exercises
//! -- --include-ignored` runs them directly, and `--features reference` runs them against the
//! reference solutions in `exercises/solutions/`.

#[path = "exercises/calculate.rs"]
mod calculate;

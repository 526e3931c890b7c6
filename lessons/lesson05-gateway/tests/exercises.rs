//! Homework checks of lesson 05: one module per exercise in `lessons/lesson05-gateway/exercises/`.
//!
//! Every test is ignored by default, so `cargo test --workspace` stays green while the
//! exercises are still stubs. Run them with `cargo run -p homework -- check lesson05`, which
//! explains each failure and gives a hint; `cargo test -p lesson05-gateway --test exercises --
//! --include-ignored` runs them directly, and `--features reference` runs them against the
//! reference solutions in `exercises/solutions/`.

#[path = "exercises/resolve_path.rs"]
mod resolve_path;

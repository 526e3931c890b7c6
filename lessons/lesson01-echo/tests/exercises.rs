//! Homework checks of lesson 01: one module per exercise in `lessons/lesson01-echo/exercises/`.
//!
//! Every test is ignored by default, so `cargo test --workspace` stays green while the
//! exercises are still stubs. Run them with `cargo run -p homework -- check lesson01`, which
//! explains each failure and gives a hint; `cargo test -p lesson01-echo --test exercises --
//! --include-ignored` runs them directly, and `--features reference` runs them against the
//! reference solutions in `exercises/solutions/`.

#[path = "exercises/head_end.rs"]
mod head_end;
#[path = "exercises/hello_response.rs"]
mod hello_response;

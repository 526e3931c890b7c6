//! Homework checks of lesson 08: one module per exercise in `lessons/lesson08-tls/exercises/`.
//!
//! Every test is ignored by default, so `cargo test --workspace` stays green while the
//! exercises are still stubs. Run them with `cargo run -p homework -- check lesson08`, which
//! explains each failure and gives a hint; `cargo test -p lesson08-tls --test exercises --
//! --include-ignored` runs them directly, and `--features reference` runs them against the
//! reference solutions in `exercises/solutions/`.

#[path = "exercises/server_config.rs"]
mod server_config;

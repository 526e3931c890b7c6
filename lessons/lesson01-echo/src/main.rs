//! Lesson 01 (being written).
fn main() {}

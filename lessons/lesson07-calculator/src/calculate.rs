//! The arithmetic of the calculator: the `calculate` exercise's reference solution.

#[path = "../exercises/solutions/calculate.rs"]
mod solution;

pub use solution::*;

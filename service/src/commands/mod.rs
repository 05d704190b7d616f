//! The commands, one module per statement.

pub mod rollup;
pub mod solvency;

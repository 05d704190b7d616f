//! The commands, one module per statement.

pub mod bench;
pub mod rollup;
pub mod solvency;

//! The commands, one module per statement.

pub mod rollup;

//! The commands, one module per statement.

pub mod client;
pub mod rollup;
pub mod serve;

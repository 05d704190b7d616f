//! The commands, one module per statement.

pub mod bench;
pub mod client;
pub mod export;
pub mod rollup;
pub mod serve;
pub mod solvency;

//! The commands, one module per statement.

pub mod bench;
pub mod bench_solvency;
pub mod client;
pub mod export;
pub mod rollup;
pub mod serve;
pub mod setup;
pub mod solvency;

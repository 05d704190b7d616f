//! The commands, one module per statement.

pub mod backend;
pub mod bench;
pub mod bench_solvency;
pub mod client;
pub mod export;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod load;
pub mod rollup;
pub mod serve;
pub mod setup;
pub mod solvency;
pub mod worker;

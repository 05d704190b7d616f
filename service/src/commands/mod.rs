//! The commands, one module per statement.

pub mod bench;
pub mod client;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod rollup;
pub mod serve;
pub mod solvency;

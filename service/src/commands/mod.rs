//! The commands, one module per statement.

pub mod bench;
pub mod client;
pub mod load;
pub mod rollup;
pub mod serve;
pub mod solvency;
pub mod worker;

//! bulwark's criterion benches and side-by-side comparison runs against arkworks and halo2.
//!
//! [`msm_comparison`] times every MSM engine on the same inputs in one process and returns
//! [`Row`]s (time, speed-up over arkworks, peak extra memory) for `bulwark bench msm` to print;
//! `benches/msm.rs` is the criterion version of the same comparison.

mod inputs;
mod memory;
mod msm;

pub use inputs::{MsmInputs, halo2_g1_bases, halo2_scalars, random_bases, random_scalars};
pub use memory::PeakMemory;
pub use msm::{
    ARKWORKS, ComparisonError, Group, HALO2CURVES, PIPPENGER, PIPPENGER_PRECOMPUTED, Row,
    msm_comparison,
};

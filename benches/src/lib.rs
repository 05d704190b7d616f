//! bulwark's criterion benches and side-by-side comparison runs against arkworks and halo2.
//!
//! [`msm_comparison`] times every MSM engine on the same inputs in one process and returns
//! [`Row`]s (time, speed-up over arkworks, peak extra memory) for `bulwark bench msm` to print;
//! `benches/msm.rs` is the criterion version of the same comparison. [`prove_comparison`] does
//! the same for whole Groth16 proofs of the rollup circuit (`bulwark bench prove`).

mod cpu;
mod inputs;
mod memory;
mod msm;
mod prove;

pub use cpu::{process_cpu_time, timed};
pub use inputs::{MsmInputs, halo2_g1_bases, halo2_scalars, random_bases, random_scalars};
pub use memory::PeakMemory;
pub use msm::{
    ARKWORKS, ComparisonError, Group, HALO2CURVES, PIPPENGER, PIPPENGER_GLV, PIPPENGER_PRECOMPUTED,
    Row, msm_comparison,
};
pub use prove::{
    ARK_GROTH16_NO_MSM, ARK_GROTH16_PROVE, BULWARK_PROVE, BULWARK_PROVE_ARKWORKS_MSM,
    ProveComparisonError, ProveRow, prove_comparison,
};

//! bulwark's criterion benches and side-by-side comparison runs against arkworks and halo2.
//!
//! [`msm_comparison`] times every MSM engine on the same inputs in one process and returns
//! [`Row`]s (time, speed-up over arkworks, peak extra memory) for `bulwark bench msm` to print;
//! `benches/msm.rs` is the criterion version of the same comparison. [`prove_comparison`] does
//! the same for whole Groth16 proofs of the rollup circuit (`bulwark bench prove`).
//! [`backend_comparison`] proves one rollup witness with Groth16 and with PLONK/KZG (`bulwark
//! bench backends`). [`solvency_end_to_end`] measures a whole solvency proof of a synthetic book (`bulwark
//! bench solvency`, `benches/solvency.rs`).

mod backends;
mod cpu;
mod inputs;
mod memory;
mod msm;
mod prove;
mod solvency;

pub use backends::{BackendComparison, BackendComparisonError, RollupBackends, backend_comparison};
pub use cpu::{process_cpu_time, timed};
pub use inputs::{MsmInputs, halo2_g1_bases, halo2_scalars, random_bases, random_scalars};
pub use memory::PeakMemory;
pub use msm::{
    ARKWORKS, ComparisonError, Group, HALO2CURVES, PIPPENGER, PIPPENGER_GLV, PIPPENGER_PORTABLE,
    PIPPENGER_PRECOMPUTED, PIPPENGER_SCALAR, Row, msm_comparison,
};
pub use prove::{
    ARK_GROTH16_NO_MSM, ARK_GROTH16_PROVE, BULWARK_PROVE, BULWARK_PROVE_ARKWORKS_MSM,
    ProveComparisonError, ProveRow, prove_comparison,
};
pub use solvency::{
    PROJECTED_LOG_USERS, SolvencyBenchError, SolvencyConfig, SolvencyKeys, SolvencyRow,
    solvency_end_to_end, synthetic_book,
};

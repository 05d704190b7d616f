//! bulwark's GPU multi-scalar multiplication over BN254 G1, on wgpu compute shaders (WGSL).
//! It knows curve points and scalars, nothing of circuits or proofs.
//!
//! - [`GpuMsm`]: open a device ([`GpuError::NoAdapter`] if none), [`GpuMsm::upload_bases`] once,
//!   then [`GpuMsm::msm`] per scalar vector. Inputs below [`MsmConfig::min_len`] get
//!   [`GpuError::BelowThreshold`]; [`GpuError::use_cpu`] tells a caller to route to the CPU.
//! - [`gpu_info`]: adapter, features, limits and a self-test against arkworks.
//!
//! Field arithmetic ([`FieldPath`]) uses 32-bit limbs with widening `u64` products where the
//! adapter offers `SHADER_INT64`, and 16-bit limbs in `u32` (no 64-bit integers) elsewhere;
//! [`MsmConfig::field`] or the `BULWARK_GPU_FIELD` environment variable (`16`, `32`) forces one.
//! Kernels are in `src/shaders/`; the BN254 constants are generated from ark-bn254 at run time.

mod device;
mod encode;
mod error;
mod field;
mod info;
mod msm;
mod plan;
mod shaders;

#[cfg(test)]
mod kat;

pub use device::GpuInfo;
pub use error::GpuError;
pub use field::{FIELD_PATH_ENV, FieldPath};
pub use info::{GpuReport, SELF_TEST_POINTS, gpu_info};
pub use msm::{GpuMsm, MsmConfig, ResidentBases};
pub use wgpu;

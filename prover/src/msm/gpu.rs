//! The GPU engine (cargo feature `gpu`): G1 MSMs on a wgpu device through `bulwark-gpu`, with
//! a CPU engine for G2, for inputs below a size threshold, and when no adapter exists.

use std::sync::Arc;

use ark_bn254::{Fr, G1Affine, G1Projective, g1, g2};
use ark_ec::short_weierstrass::{Affine, Projective};

pub use bulwark_gpu::{FieldPath, GpuError, GpuReport, MsmConfig as GpuConfig, gpu_info};

use super::{DefaultMsmEngine, MsmEngine, MsmError, check_lengths};

/// An [`MsmEngine`] that runs G1 MSMs on the GPU with bases resident on the device (uploaded
/// once by [`MsmEngine::prepare`], so a proving key's queries cross the bus once and each proof
/// sends only scalars), and everything else on the CPU engine `Cpu`:
///
/// - G2 (the GPU kernels are G1 only);
/// - prepared sets shorter than [`GpuMsm::min_len`];
/// - every MSM when no adapter could be opened (the engine then is `Cpu` with a log line);
/// - an MSM whose GPU run fails (logged as a warning; the answer is still exact).
///
/// Each fallback is logged with `tracing`, saying why.
///
/// Clones share the device.
#[derive(Clone)]
pub struct GpuMsm<Cpu = DefaultMsmEngine> {
    device: Option<Arc<bulwark_gpu::GpuMsm>>,
    cpu: Cpu,
    min_len: usize,
}

impl<Cpu> std::fmt::Debug for GpuMsm<Cpu> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuMsm")
            .field(
                "adapter",
                &self.device.as_ref().map(|d| d.info().adapter.name.clone()),
            )
            .field("field", &self.device.as_ref().map(|d| d.field()))
            .field("min_len", &self.min_len)
            .finish_non_exhaustive()
    }
}

impl GpuMsm {
    /// Opens the best adapter with our CPU engine as fallback; with no usable adapter the
    /// engine runs everything on the CPU and logs why.
    pub fn new() -> Self {
        Self::with_cpu(DefaultMsmEngine::default(), GpuConfig::default())
    }
}

impl Default for GpuMsm {
    fn default() -> Self {
        Self::new()
    }
}

impl<Cpu> GpuMsm<Cpu> {
    /// Opens the best adapter with `config`; on failure (no adapter, a forced field path the
    /// adapter lacks, a kernel that does not compile) logs the reason and runs on `cpu` alone.
    pub fn with_cpu(cpu: Cpu, config: GpuConfig) -> Self {
        let min_len = config.min_len;
        match Self::try_with_cpu(cpu, config) {
            Ok(engine) => engine,
            Err((cpu, e)) => {
                tracing::warn!("GPU MSM unavailable, using the CPU engine: {e}");
                Self {
                    device: None,
                    cpu,
                    min_len,
                }
            }
        }
    }

    /// Like [`GpuMsm::with_cpu`] but returns the error (and `cpu`) instead of falling back.
    pub fn try_with_cpu(cpu: Cpu, config: GpuConfig) -> Result<Self, (Cpu, GpuError)> {
        let min_len = config.min_len;
        // The device answers every size it is given; the threshold is applied here.
        let device_config = GpuConfig {
            min_len: 0,
            ..config
        };
        match bulwark_gpu::GpuMsm::with_config(device_config) {
            Ok(device) => {
                tracing::info!(
                    adapter = %device.info().adapter.name,
                    field = %device.field(),
                    min_len,
                    "GPU MSM engine ready"
                );
                Ok(Self {
                    device: Some(Arc::new(device)),
                    cpu,
                    min_len,
                })
            }
            Err(e) => Err((cpu, e)),
        }
    }

    /// Sets the size threshold: prepared G1 sets shorter than `min_len` stay on the CPU.
    pub fn with_min_len(mut self, min_len: usize) -> Self {
        self.min_len = min_len;
        self
    }

    /// The size threshold (see [`GpuMsm::with_min_len`]).
    pub fn min_len(&self) -> usize {
        self.min_len
    }

    /// The device engine, `None` when the engine runs on the CPU alone.
    pub fn device(&self) -> Option<&bulwark_gpu::GpuMsm> {
        self.device.as_deref()
    }
}

/// G1 bases prepared by [`GpuMsm`]: resident on the device, or in the CPU engine's layout.
pub enum GpuBases<B> {
    /// On the device; the host copy serves the CPU if a GPU run fails.
    Device {
        /// The device copy.
        resident: bulwark_gpu::ResidentBases,
        /// The affine points, for the CPU fallback.
        host: Vec<G1Affine>,
    },
    /// Prepared by the CPU engine (below the threshold, or no device).
    Cpu(B),
}

impl<B> GpuBases<B> {
    /// True when the bases are resident on the device.
    pub fn on_device(&self) -> bool {
        matches!(self, Self::Device { .. })
    }
}

impl<Cpu: MsmEngine<g1::Config>> MsmEngine<g1::Config> for GpuMsm<Cpu> {
    type Bases = GpuBases<Cpu::Bases>;

    fn prepare(&self, bases: Vec<G1Affine>) -> Self::Bases {
        let Some(device) = &self.device else {
            return GpuBases::Cpu(self.cpu.prepare(bases));
        };
        if bases.len() < self.min_len {
            tracing::info!(
                len = bases.len(),
                min_len = self.min_len,
                "G1 MSM below the GPU threshold: CPU engine"
            );
            return GpuBases::Cpu(self.cpu.prepare(bases));
        }
        match device.upload_bases(&bases) {
            Ok(resident) => GpuBases::Device {
                resident,
                host: bases,
            },
            Err(e) => {
                tracing::warn!(len = bases.len(), "GPU upload failed, CPU engine: {e}");
                GpuBases::Cpu(self.cpu.prepare(bases))
            }
        }
    }

    fn len(&self, bases: &Self::Bases) -> usize {
        match bases {
            GpuBases::Device { resident, .. } => resident.len(),
            GpuBases::Cpu(b) => self.cpu.len(b),
        }
    }

    fn msm(&self, bases: &Self::Bases, scalars: &[Fr]) -> Result<G1Projective, MsmError> {
        let (resident, host) = match bases {
            GpuBases::Cpu(b) => return self.cpu.msm(b, scalars),
            GpuBases::Device { resident, host } => (resident, host),
        };
        check_lengths(resident.len(), scalars.len())?;
        // Device bases come only from an engine with a device; `None` cannot happen.
        match self.device.as_ref().map(|d| d.msm(resident, scalars)) {
            Some(Ok(sum)) => Ok(sum),
            Some(Err(e)) => {
                tracing::warn!(len = scalars.len(), "GPU MSM failed, CPU engine: {e}");
                self.cpu.msm_unprepared(host, scalars)
            }
            None => self.cpu.msm_unprepared(host, scalars),
        }
    }
}

impl<Cpu: MsmEngine<g2::Config>> MsmEngine<g2::Config> for GpuMsm<Cpu> {
    type Bases = Cpu::Bases;

    fn prepare(&self, bases: Vec<Affine<g2::Config>>) -> Self::Bases {
        self.cpu.prepare(bases)
    }

    fn len(&self, bases: &Self::Bases) -> usize {
        self.cpu.len(bases)
    }

    fn msm(&self, bases: &Self::Bases, scalars: &[Fr]) -> Result<Projective<g2::Config>, MsmError> {
        self.cpu.msm(bases, scalars)
    }
}

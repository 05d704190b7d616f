//! Typed errors of the GPU engine.

/// Why the GPU engine did not produce a result.
///
/// [`GpuError::NoAdapter`] and [`GpuError::BelowThreshold`] are not failures but routing answers:
/// the caller should run the MSM on the CPU ([`GpuError::use_cpu`] says so).
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    /// No wgpu adapter (Vulkan, Metal, DX12) is available on this machine.
    #[error("no GPU adapter: {0}")]
    NoAdapter(String),
    /// The adapter refused to open a device with its own advertised limits.
    #[error("could not open a device on adapter {adapter}: {message}")]
    RequestDevice {
        /// Adapter name.
        adapter: String,
        /// wgpu's explanation.
        message: String,
    },
    /// A forced [`crate::FieldPath`] needs a device feature the adapter does not offer.
    #[error("the {path} field path needs {feature}, which this adapter does not offer")]
    MissingFeature {
        /// The path asked for.
        path: crate::FieldPath,
        /// The missing wgpu feature.
        feature: &'static str,
    },
    /// A field path name other than `16` or `32` (from the option or `BULWARK_GPU_FIELD`).
    #[error("unknown GPU field path {0:?}: expected 16 or 32 (limb width in bits)")]
    BadFieldPath(String),
    /// The input is too small for the GPU to beat the CPU.
    #[error("MSM of {len} points is below the GPU threshold of {min} points; use the CPU")]
    BelowThreshold {
        /// Number of scalars asked for.
        len: usize,
        /// The engine's threshold ([`crate::MsmConfig::min_len`]).
        min: usize,
    },
    /// More scalars than resident bases.
    #[error("{scalars} scalars for {bases} resident bases")]
    LengthMismatch {
        /// Number of scalars.
        scalars: usize,
        /// Number of resident bases.
        bases: usize,
    },
    /// wgpu reported an error (validation, out of memory, internal) while doing `what`.
    #[error("wgpu error while {what}: {message}")]
    Wgpu {
        /// The operation, e.g. "compiling kernel scatter".
        what: String,
        /// wgpu's message.
        message: String,
    },
    /// Reading a result buffer back failed.
    #[error("GPU readback failed: {0}")]
    Readback(String),
    /// The GPU returned a value that is not a valid field element or curve point.
    #[error("GPU returned an invalid {0}; the driver or kernel is faulty")]
    Corrupt(&'static str),
    /// The self-test MSM disagreed with arkworks.
    #[error("GPU self-test failed: the {len}-point MSM differs from arkworks")]
    SelfTest {
        /// Number of points in the self-test.
        len: usize,
    },
}

impl GpuError {
    /// True when the answer is "run this on the CPU" (no adapter, or input below threshold),
    /// as opposed to a fault of the GPU path.
    pub fn use_cpu(&self) -> bool {
        matches!(self, Self::NoAdapter(_) | Self::BelowThreshold { .. })
    }
}

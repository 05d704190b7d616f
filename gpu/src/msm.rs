//! The GPU MSM engine: resident bases, per-call scalars, one submission per call.

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ff::AdditiveGroup;
use ark_ff::Zero;

use crate::device::{Gpu, GpuInfo};
use crate::encode::{self, AFFINE_WORDS, SCALAR_WORDS, XYZZ_WORDS};
use crate::plan::{Plan, SEGMENT, WORKGROUP};
use crate::shaders::Kernel;
use crate::{FieldPath, GpuError};

/// Tuning of [`GpuMsm`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsmConfig {
    /// Inputs shorter than this get [`GpuError::BelowThreshold`]: the CPU is faster there.
    pub min_len: usize,
    /// Upper bound in bytes on one storage binding, on top of the device's own limit. Inputs
    /// whose per-chunk buffers (at most 256 bytes per point) would exceed it are split into
    /// chunks, each with its own bindings. Lower it to exercise the splitting on small inputs.
    pub max_binding_bytes: u64,
    /// Window width in bits (4..=16); `None` picks one from the chunk size.
    pub window_bits: Option<u32>,
    /// Field arithmetic; `None` resolves with [`FieldPath::resolve`] (the `BULWARK_GPU_FIELD`
    /// environment variable, else the fastest path the adapter offers).
    pub field: Option<FieldPath>,
}

impl Default for MsmConfig {
    fn default() -> Self {
        Self {
            min_len: 1 << 14,
            max_binding_bytes: u64::MAX,
            window_bits: None,
            field: None,
        }
    }
}

/// Bases uploaded once and kept on the device, split in chunks that each fit one storage binding.
/// Only valid with the [`GpuMsm`] that uploaded them.
pub struct ResidentBases {
    chunks: Vec<wgpu::Buffer>,
    chunk_points: usize,
    len: usize,
}

impl ResidentBases {
    /// Number of bases.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no bases were uploaded.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of device buffers the bases are split across, one storage binding each.
    pub fn bindings(&self) -> usize {
        self.chunks.len()
    }
}

struct Pipelines {
    histogram: wgpu::ComputePipeline,
    scan: wgpu::ComputePipeline,
    scatter: wgpu::ComputePipeline,
    accumulate_bases: wgpu::ComputePipeline,
    accumulate_partials: wgpu::ComputePipeline,
    reduce: wgpu::ComputePipeline,
    window_sum: wgpu::ComputePipeline,
}

/// Multi-scalar multiplication over BN254 G1 on a wgpu device.
///
/// Pipeline per chunk, all in one command buffer: signed-window digits, a counting sort of the
/// digits by bucket (histogram, scan, scatter), a segmented bucket accumulation whose per-thread
/// work is bounded whatever the digit distribution, a grouped running-sum bucket reduction and a
/// per-window sum. The host reads one point per window and combines windows and chunks.
pub struct GpuMsm {
    gpu: Gpu,
    field: FieldPath,
    pipelines: Pipelines,
    config: MsmConfig,
}

impl Pipelines {
    /// Compiles every kernel of the pipeline on `field`.
    fn compile(gpu: &Gpu, field: FieldPath) -> Result<Self, GpuError> {
        let compile = |k: Kernel| gpu.kernel(k, field);
        Ok(Self {
            histogram: compile(Kernel::Histogram)?,
            scan: compile(Kernel::Scan)?,
            scatter: compile(Kernel::Scatter)?,
            accumulate_bases: compile(Kernel::AccumulateBases)?,
            accumulate_partials: compile(Kernel::AccumulatePartials)?,
            reduce: compile(Kernel::Reduce)?,
            window_sum: compile(Kernel::WindowSum)?,
        })
    }
}

impl GpuMsm {
    /// Opens the best adapter with the default [`MsmConfig`]; [`GpuError::NoAdapter`] if none.
    pub fn new() -> Result<Self, GpuError> {
        Self::with_config(MsmConfig::default())
    }

    /// Opens the best adapter, resolves the field path and compiles the kernels.
    pub fn with_config(config: MsmConfig) -> Result<Self, GpuError> {
        let gpu = Gpu::request()?;
        let field = FieldPath::resolve(config.field, gpu.info.features)?;
        let pipelines = Pipelines::compile(&gpu, field)?;
        Ok(Self {
            gpu,
            field,
            pipelines,
            config,
        })
    }

    /// The field arithmetic the kernels use.
    pub fn field(&self) -> FieldPath {
        self.field
    }

    /// Adapter, features and limits.
    pub fn info(&self) -> &GpuInfo {
        &self.gpu.info
    }

    /// Replaces the configuration, recompiling the kernels when the field path changes; bases
    /// already uploaded keep their chunking.
    pub fn set_config(&mut self, config: MsmConfig) -> Result<(), GpuError> {
        let field = FieldPath::resolve(config.field, self.gpu.info.features)?;
        if field != self.field {
            self.pipelines = Pipelines::compile(&self.gpu, field)?;
            self.field = field;
        }
        self.config = config;
        Ok(())
    }

    /// The configuration in use.
    pub fn config(&self) -> &MsmConfig {
        &self.config
    }

    /// Most points per chunk: every per-chunk buffer (up to 256 bytes per point with 4-bit
    /// windows) fits one storage binding, and one thread per point fits one dispatch.
    fn chunk_points(&self) -> usize {
        let limits = &self.gpu.info.limits;
        let binding = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size)
            .min(self.config.max_binding_bytes);
        let by_memory = usize::try_from(binding / 256).unwrap_or(usize::MAX);
        let by_dispatch = limits.max_compute_workgroups_per_dimension as usize * WORKGROUP as usize;
        by_memory.min(by_dispatch).max(1)
    }

    /// Uploads `bases` once; later MSMs send only scalars.
    pub fn upload_bases(&self, bases: &[G1Affine]) -> Result<ResidentBases, GpuError> {
        let chunk_points = self.chunk_points();
        let chunks = self.gpu.scoped("uploading bases", || {
            bases
                .chunks(chunk_points)
                .map(|chunk| {
                    let mut words = Vec::with_capacity(chunk.len() * AFFINE_WORDS);
                    chunk
                        .iter()
                        .for_each(|p| encode::push_affine(&mut words, p));
                    self.gpu.storage_init("bases", &words)
                })
                .collect()
        })?;
        Ok(ResidentBases {
            chunks,
            chunk_points,
            len: bases.len(),
        })
    }

    /// `sum_i scalars[i] * bases[i]` over the first `scalars.len()` resident bases.
    ///
    /// Returns [`GpuError::BelowThreshold`] for inputs shorter than [`MsmConfig::min_len`].
    pub fn msm(&self, bases: &ResidentBases, scalars: &[Fr]) -> Result<G1Projective, GpuError> {
        if scalars.len() < self.config.min_len {
            return Err(GpuError::BelowThreshold {
                len: scalars.len(),
                min: self.config.min_len,
            });
        }
        self.msm_any_size(bases, scalars)
    }

    /// [`GpuMsm::msm`] without the size threshold.
    pub(crate) fn msm_any_size(
        &self,
        bases: &ResidentBases,
        scalars: &[Fr],
    ) -> Result<G1Projective, GpuError> {
        if scalars.len() > bases.len {
            return Err(GpuError::LengthMismatch {
                scalars: scalars.len(),
                bases: bases.len,
            });
        }
        if scalars.is_empty() {
            return Ok(G1Projective::zero());
        }
        let chunk_points = u32::try_from(bases.chunk_points.min(scalars.len())).map_err(|_| {
            GpuError::LengthMismatch {
                scalars: scalars.len(),
                bases: bases.len,
            }
        })?;
        let plan = Plan::new(chunk_points, self.config.window_bits);
        let chunks: Vec<&[Fr]> = scalars.chunks(bases.chunk_points).collect();
        let words = self.gpu.scoped("running the MSM", || {
            self.run(&plan, &bases.chunks, &chunks)
        })??;
        let mut total = G1Projective::zero();
        for chunk in words.chunks(plan.windows as usize * XYZZ_WORDS) {
            let mut acc = G1Projective::zero();
            for window in chunk.chunks(XYZZ_WORDS).rev() {
                for _ in 0..plan.c {
                    acc = acc.double();
                }
                acc += encode::read_xyzz(window)?;
            }
            total += acc;
        }
        Ok(total)
    }

    /// Encodes every chunk's passes into one command buffer and reads back the window sums.
    fn run(
        &self,
        plan: &Plan,
        bases: &[wgpu::Buffer],
        scalars: &[&[Fr]],
    ) -> Result<Vec<u32>, GpuError> {
        let gpu = &self.gpu;
        let p = &self.pipelines;
        let limbs = self.field.limbs();
        let keys = plan.keys() as usize;
        let max_entries = plan.levels[0] as usize;
        let even_out = plan
            .levels
            .iter()
            .skip(1)
            .step_by(2)
            .max()
            .copied()
            .unwrap_or(1) as usize;
        let odd_out = plan
            .levels
            .iter()
            .skip(2)
            .step_by(2)
            .max()
            .copied()
            .unwrap_or(1) as usize;
        let counts = gpu.storage("counts", keys);
        let offsets = gpu.storage("offsets", keys);
        let total = gpu.storage("total", 1);
        let sorted_keys = gpu.storage("sorted_keys", max_entries);
        let sorted_vals = gpu.storage("sorted_vals", max_entries);
        let part_keys = [
            gpu.storage("partial_keys_a", even_out),
            gpu.storage("partial_keys_b", odd_out),
        ];
        let part_points = [
            gpu.storage("partial_points_a", even_out * XYZZ_WORDS),
            gpu.storage("partial_points_b", odd_out * XYZZ_WORDS),
        ];
        let bucket_sums = gpu.storage("bucket_sums", keys * XYZZ_WORDS);
        let group_sums = gpu.storage(
            "group_sums",
            2 * (plan.windows * plan.groups()) as usize * XYZZ_WORDS,
        );
        let window_words = scalars.len() * plan.windows as usize * XYZZ_WORDS;
        let window_sums = gpu.storage("window_sums", window_words);

        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("msm") });
        for (chunk, (scalars, bases)) in scalars.iter().zip(bases).enumerate() {
            let n = scalars.len() as u32;
            let mut words = Vec::with_capacity(scalars.len() * SCALAR_WORDS);
            scalars
                .iter()
                .for_each(|s| encode::push_scalar(&mut words, s));
            let scalar_buf = gpu.storage_init("scalars", &words);
            let digit_params =
                gpu.uniform("digit_params", &[n, plan.c, plan.windows, plan.buckets]);
            encoder.clear_buffer(&counts, 0, None);
            encoder.clear_buffer(&bucket_sums, 0, None);
            let mut dispatch = |pipeline: &wgpu::ComputePipeline,
                                buffers: &[&wgpu::Buffer],
                                threads: u32| {
                let group = gpu.bind(pipeline, buffers);
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, &group, &[]);
                pass.dispatch_workgroups(threads.div_ceil(WORKGROUP), 1, 1);
            };
            dispatch(&p.histogram, &[&digit_params, &scalar_buf, &counts], n);
            let scan_params = gpu.uniform("scan_params", &[plan.keys()]);
            dispatch(&p.scan, &[&scan_params, &counts, &offsets, &total], 1);
            dispatch(
                &p.scatter,
                &[
                    &digit_params,
                    &scalar_buf,
                    &offsets,
                    &sorted_keys,
                    &sorted_vals,
                ],
                n,
            );
            for (i, &len) in plan.levels.iter().enumerate() {
                let threads = plan.level_threads(i);
                let last = i + 1 == plan.levels.len();
                let seg = if last { len.max(1) } else { SEGMENT };
                let params = gpu.uniform("accumulate_params", &[len, seg, u32::from(last), limbs]);
                let out = i % 2;
                if i == 0 {
                    let buffers = [
                        &params,
                        &sorted_keys,
                        &part_keys[out],
                        &part_points[out],
                        &bucket_sums,
                        &total,
                        &sorted_vals,
                        bases,
                    ];
                    dispatch(&p.accumulate_bases, &buffers, threads);
                } else {
                    let input = 1 - out;
                    let buffers = [
                        &params,
                        &part_keys[input],
                        &part_keys[out],
                        &part_points[out],
                        &bucket_sums,
                        &part_points[input],
                    ];
                    dispatch(&p.accumulate_partials, &buffers, threads);
                }
            }
            let groups = plan.groups();
            let reduce_params = gpu.uniform(
                "reduce_params",
                &[plan.windows, plan.buckets, groups, plan.group_size, limbs],
            );
            dispatch(
                &p.reduce,
                &[&reduce_params, &bucket_sums, &group_sums],
                plan.windows * groups,
            );
            let offset = chunk as u32 * plan.windows;
            let window_params = gpu.uniform(
                "window_params",
                &[
                    plan.windows,
                    groups,
                    offset,
                    plan.group_size.trailing_zeros(),
                    limbs,
                ],
            );
            dispatch(
                &p.window_sum,
                &[&window_params, &group_sums, &window_sums],
                plan.windows,
            );
        }
        gpu.read_words(encoder, &window_sums, window_words)
    }
}

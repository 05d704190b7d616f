//! Adapter and device acquisition, buffers, error scopes and readback.

use std::fmt;
use std::sync::mpsc;

use wgpu::util::DeviceExt;

use crate::{FieldPath, GpuError};

/// What the engine runs on: the adapter, the features it offers and the limits the device was
/// opened with (the adapter's own maxima, not wgpu's defaults).
#[derive(Clone, Debug)]
pub struct GpuInfo {
    /// Adapter name, vendor, driver and backend.
    pub adapter: wgpu::AdapterInfo,
    /// Features the adapter offers (e.g. `SHADER_INT64`, `SUBGROUP`).
    pub features: wgpu::Features,
    /// Limits the device was opened with.
    pub limits: wgpu::Limits,
}

impl fmt::Display for GpuInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.adapter;
        writeln!(
            f,
            "adapter: {} ({:?}, {:?})",
            a.name, a.device_type, a.backend
        )?;
        writeln!(f, "driver: {} {}", a.driver, a.driver_info)?;
        writeln!(f, "vendor/device: {:#06x}/{:#06x}", a.vendor, a.device)?;
        let wanted = [
            ("SHADER_INT64", wgpu::Features::SHADER_INT64),
            ("SUBGROUP", wgpu::Features::SUBGROUP),
            ("TIMESTAMP_QUERY", wgpu::Features::TIMESTAMP_QUERY),
        ];
        for (name, feature) in wanted {
            writeln!(f, "feature {name}: {}", self.features.contains(feature))?;
        }
        let l = &self.limits;
        writeln!(
            f,
            "max_storage_buffer_binding_size: {}",
            l.max_storage_buffer_binding_size
        )?;
        writeln!(f, "max_buffer_size: {}", l.max_buffer_size)?;
        writeln!(
            f,
            "max_compute_workgroups_per_dimension: {}",
            l.max_compute_workgroups_per_dimension
        )?;
        write!(
            f,
            "max_compute_invocations_per_workgroup: {}",
            l.max_compute_invocations_per_workgroup
        )
    }
}

/// An open device and its queue.
pub(crate) struct Gpu {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    pub(crate) info: GpuInfo,
}

impl Gpu {
    /// The highest-performance adapter wgpu finds (backends from `WGPU_BACKEND`, default all),
    /// opened with the adapter's own limits so large storage bindings are allowed.
    pub(crate) fn request() -> Result<Self, GpuError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        };
        let adapter = pollster::block_on(instance.request_adapter(&options))
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let adapter_info = adapter.get_info();
        // Every feature a field path can use, where offered; the engine picks its path after.
        let wanted = FieldPath::ALL
            .iter()
            .fold(wgpu::Features::empty(), |f, p| f | p.required_features());
        let desc = wgpu::DeviceDescriptor {
            label: Some("bulwark-gpu"),
            required_features: adapter.features() & wanted,
            required_limits: adapter.limits(),
            ..Default::default()
        };
        let (device, queue) = pollster::block_on(adapter.request_device(&desc)).map_err(|e| {
            GpuError::RequestDevice {
                adapter: adapter_info.name.clone(),
                message: e.to_string(),
            }
        })?;
        let info = GpuInfo {
            adapter: adapter_info,
            features: adapter.features(),
            limits: device.limits(),
        };
        Ok(Self {
            device,
            queue,
            info,
        })
    }

    /// Runs `f` inside validation, out-of-memory and internal error scopes, so that wgpu errors
    /// come back as [`GpuError::Wgpu`] instead of reaching the uncaptured-error handler.
    pub(crate) fn scoped<T>(&self, what: &str, f: impl FnOnce() -> T) -> Result<T, GpuError> {
        let internal = self.device.push_error_scope(wgpu::ErrorFilter::Internal);
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let value = f();
        let errors = [
            pollster::block_on(validation.pop()),
            pollster::block_on(oom.pop()),
            pollster::block_on(internal.pop()),
        ];
        match errors.into_iter().flatten().next() {
            Some(e) => Err(GpuError::Wgpu {
                what: what.to_owned(),
                message: e.to_string(),
            }),
            None => Ok(value),
        }
    }

    /// A compute pipeline for the `main` entry point of `source`, layout derived from the shader.
    pub(crate) fn pipeline(
        &self,
        label: &str,
        source: &str,
    ) -> Result<wgpu::ComputePipeline, GpuError> {
        self.scoped(&format!("compiling kernel {label}"), || {
            let module = self
                .device
                .create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(label),
                    source: wgpu::ShaderSource::Wgsl(source.into()),
                });
            self.device
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(label),
                    layout: None,
                    module: &module,
                    entry_point: Some("main"),
                    compilation_options: Default::default(),
                    cache: None,
                })
        })
    }

    /// True on CPU adapters (lavapipe, llvmpipe): kernels are built with rolled limb loops.
    pub(crate) fn is_cpu(&self) -> bool {
        self.info.adapter.device_type == wgpu::DeviceType::Cpu
    }

    /// The pipeline of `kernel` on `field`, built for this adapter.
    pub(crate) fn kernel(
        &self,
        kernel: crate::shaders::Kernel,
        field: FieldPath,
    ) -> Result<wgpu::ComputePipeline, GpuError> {
        self.pipeline(kernel.name(), &kernel.source(self.is_cpu(), field))
    }

    /// A storage buffer holding `words`.
    pub(crate) fn storage_init(&self, label: &str, words: &[u32]) -> wgpu::Buffer {
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::cast_slice(words),
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
            })
    }

    /// An uninitialised (zeroed by wgpu) storage buffer of `words` u32s (at least one).
    pub(crate) fn storage(&self, label: &str, words: usize) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: 4 * words.max(1) as u64,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// A uniform buffer holding `words` (a kernel's parameter struct).
    pub(crate) fn uniform(&self, label: &str, words: &[u32]) -> wgpu::Buffer {
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::cast_slice(words),
                usage: wgpu::BufferUsages::UNIFORM,
            })
    }

    /// A bind group for group 0 of `pipeline`, buffer `i` at binding `i`.
    pub(crate) fn bind(
        &self,
        pipeline: &wgpu::ComputePipeline,
        buffers: &[&wgpu::Buffer],
    ) -> wgpu::BindGroup {
        let entries: Vec<wgpu::BindGroupEntry<'_>> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: b.as_entire_binding(),
            })
            .collect();
        self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        })
    }

    /// Copies `words` u32s out of `buffer` after everything submitted so far, and waits.
    pub(crate) fn read_words(
        &self,
        mut encoder: wgpu::CommandEncoder,
        buffer: &wgpu::Buffer,
        words: usize,
    ) -> Result<Vec<u32>, GpuError> {
        let size = 4 * words as u64;
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, size);
        self.queue.submit([encoder.finish()]);
        let (tx, rx) = mpsc::channel();
        staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            // The receiver outlives the poll below; a send error cannot happen.
            let _ = tx.send(r);
        });
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        rx.recv()
            .map_err(|e| GpuError::Readback(e.to_string()))?
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        let view = staging
            .slice(..)
            .get_mapped_range()
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        let out = bytemuck::cast_slice::<u8, u32>(&view).to_vec();
        drop(view);
        staging.unmap();
        Ok(out)
    }
}

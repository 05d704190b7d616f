//! A bounded cache of resident base sets, so bases that repeat across calls (a proving key's
//! queries, prepared again for every proof) cross the bus once.
//!
//! Sets are found by content: a fingerprint of the length and 64 sampled points picks the
//! candidates, and a full comparison with the cached host copy decides, so a hit is never a
//! different set. Entries are kept in least-recently-used order; inserting one evicts from the
//! old end until the cached device bytes fit the limit. A set larger than the limit is
//! uploaded but not cached. An evicted set stays on the device while a caller still holds it.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

use ark_bn254::G1Affine;

use crate::encode::AFFINE_WORDS;
use crate::{GpuError, GpuMsm, ResidentBases};

/// Device bytes one resident point takes.
const POINT_BYTES: u64 = AFFINE_WORDS as u64 * 4;

/// Points sampled for the fingerprint.
const SAMPLES: usize = 64;

/// The default device-memory budget of a [`ResidentCache`]: 8 GiB.
pub const DEFAULT_RESIDENT_LIMIT: u64 = 8 << 30;

/// Bases resident on the device with their host copy (for comparisons and CPU fallbacks).
pub struct SharedBases {
    device: ResidentBases,
    host: Vec<G1Affine>,
}

/// An upload that failed: the points (handed back for a CPU fallback) and why.
pub type UploadFailure = (Vec<G1Affine>, GpuError);

impl SharedBases {
    /// Uploads `bases` to `gpu`, uncached.
    pub fn upload(gpu: &GpuMsm, bases: Vec<G1Affine>) -> Result<Arc<Self>, UploadFailure> {
        match gpu.upload_bases(&bases) {
            Ok(device) => Ok(Arc::new(Self {
                device,
                host: bases,
            })),
            Err(e) => Err((bases, e)),
        }
    }

    /// The device copy, for [`GpuMsm::msm`].
    pub fn device(&self) -> &ResidentBases {
        &self.device
    }

    /// The points.
    pub fn host(&self) -> &[G1Affine] {
        &self.host
    }

    /// Device bytes the set occupies.
    pub fn device_bytes(&self) -> u64 {
        self.host.len() as u64 * POINT_BYTES
    }
}

/// Counters of a [`ResidentCache`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResidentStats {
    /// Sets uploaded (misses, including sets too large to cache).
    pub uploads: u64,
    /// Requests answered from the cache.
    pub hits: u64,
    /// Sets evicted to stay within the limit.
    pub evictions: u64,
    /// Sets cached now.
    pub entries: usize,
    /// Device bytes of the cached sets.
    pub bytes: u64,
}

struct Entry {
    fingerprint: u64,
    bases: Arc<SharedBases>,
}

#[derive(Default)]
struct State {
    /// Least recently used first.
    entries: Vec<Entry>,
    stats: ResidentStats,
}

/// Resident base sets of one [`GpuMsm`], bounded in device bytes (see the module docs). Use
/// one cache per device: a set uploaded by one device is not valid on another.
pub struct ResidentCache {
    limit: u64,
    state: Mutex<State>,
}

impl std::fmt::Debug for ResidentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResidentCache")
            .field("limit", &self.limit)
            .field("stats", &self.stats())
            .finish()
    }
}

impl Default for ResidentCache {
    fn default() -> Self {
        Self::new(DEFAULT_RESIDENT_LIMIT)
    }
}

fn fingerprint(bases: &[G1Affine]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bases.len().hash(&mut h);
    let step = bases.len().div_ceil(SAMPLES).max(1);
    for p in bases.iter().step_by(step) {
        p.hash(&mut h);
    }
    h.finish()
}

impl ResidentCache {
    /// An empty cache holding at most `limit_bytes` of device memory.
    pub fn new(limit_bytes: u64) -> Self {
        Self {
            limit: limit_bytes,
            state: Mutex::default(),
        }
    }

    /// The device-memory budget in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The counters so far.
    pub fn stats(&self) -> ResidentStats {
        self.lock().stats
    }

    /// The resident copy of `bases` on `gpu`: the cached one when the same points were
    /// uploaded before (and not evicted), else a fresh upload, cached when it fits. A failed
    /// upload hands the points back.
    pub fn get_or_upload(
        &self,
        gpu: &GpuMsm,
        bases: Vec<G1Affine>,
    ) -> Result<Arc<SharedBases>, UploadFailure> {
        let fp = fingerprint(&bases);
        {
            let mut state = self.lock();
            let found = state
                .entries
                .iter()
                .position(|e| e.fingerprint == fp && e.bases.host == bases);
            if let Some(i) = found {
                let entry = state.entries.remove(i);
                let shared = entry.bases.clone();
                state.entries.push(entry);
                state.stats.hits += 1;
                return Ok(shared);
            }
        }
        // Uploads run outside the lock; two racing misses of one set upload it twice and the
        // second insert replaces nothing (both entries are equal; the older ages out first).
        let shared = SharedBases::upload(gpu, bases)?;
        let size = shared.device_bytes();
        let mut state = self.lock();
        state.stats.uploads += 1;
        if size <= self.limit {
            while state.stats.bytes + size > self.limit && !state.entries.is_empty() {
                let old = state.entries.remove(0);
                state.stats.bytes -= old.bases.device_bytes();
                state.stats.evictions += 1;
            }
            state.entries.push(Entry {
                fingerprint: fp,
                bases: shared.clone(),
            });
            state.stats.bytes += size;
        }
        state.stats.entries = state.entries.len();
        Ok(shared)
    }
}

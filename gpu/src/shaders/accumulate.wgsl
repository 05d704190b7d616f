// Bucket accumulation as a segmented reduction whose cost per thread is bounded whatever the
// digit distribution: thread t sums entries [t * seg, (t + 1) * seg) of a list sorted by bucket
// key. A run of one key that starts and ends inside the segment is a whole bucket and is written
// to `bucket_sums`; the first and the last run may continue in the neighbours, so they go to
// `out` slots 2t and 2t + 1 (NO_KEY when unused), a list again sorted by key which the next level
// reduces the same way. At the final level one thread covers the whole list and every run is whole.
// Skewed scalars (every digit in one bucket) cost seg additions per thread per level.

struct AccParams {
    len: u32,
    seg: u32,
    final_level: u32,
    limbs: u32,
}

const NO_KEY: u32 = 0xffffffffu;

@group(0) @binding(0) var<uniform> ap: AccParams;
@group(0) @binding(1) var<storage, read> in_keys: array<u32>;
@group(0) @binding(2) var<storage, read_write> out_keys: array<u32>;
@group(0) @binding(3) var<storage, read_write> out_points: array<u32>;
@group(0) @binding(4) var<storage, read_write> bucket_sums: array<u32>;

fn store_xyzz_at(idx: u32, p: Xyzz, to_buckets: bool) {
    var x = fp_to_words(p.x);
    var y = fp_to_words(p.y);
    var zz = fp_to_words(p.zz);
    var zzz = fp_to_words(p.zzz);
    for (var k = 0u; k < 8u; k++) {
        if (to_buckets) {
            bucket_sums[idx * 32u + k] = x[k];
            bucket_sums[idx * 32u + 8u + k] = y[k];
            bucket_sums[idx * 32u + 16u + k] = zz[k];
            bucket_sums[idx * 32u + 24u + k] = zzz[k];
        } else {
            out_points[idx * 32u + k] = x[k];
            out_points[idx * 32u + 8u + k] = y[k];
            out_points[idx * 32u + 16u + k] = zz[k];
            out_points[idx * 32u + 24u + k] = zzz[k];
        }
    }
}

// A run ended: whole runs go to their bucket, a segment's first run to slot 2t.
fn emit(t: u32, first: bool, key: u32, acc: Xyzz) {
    if (first && ap.final_level == 0u) {
        out_keys[2u * t] = key;
        store_xyzz_at(2u * t, acc, false);
    } else {
        store_xyzz_at(key, acc, true);
    }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    limbs = limb_count(ap.limbs);
    let t = gid.x;
    if (t >= (ap.len + ap.seg - 1u) / ap.seg) {
        return;
    }
    let start = t * ap.seg;
    let end = min(start + ap.seg, entry_count());
    var key = NO_KEY;
    var acc = xyzz_identity();
    var runs = 0u;
    for (var pos = start; pos < end; pos++) {
        let k = in_keys[pos];
        if (k == NO_KEY) {
            continue;
        }
        if (k != key) {
            if (key != NO_KEY) {
                emit(t, runs == 0u, key, acc);
                runs += 1u;
            }
            key = k;
            acc = xyzz_identity();
        }
        acc = add_entry(acc, pos);
    }
    if (ap.final_level == 1u) {
        if (key != NO_KEY) {
            store_xyzz_at(key, acc, true);
        }
        return;
    }
    if (key == NO_KEY) {
        out_keys[2u * t] = NO_KEY;
        out_keys[2u * t + 1u] = NO_KEY;
    } else if (runs == 0u) {
        out_keys[2u * t] = key;
        store_xyzz_at(2u * t, acc, false);
        out_keys[2u * t + 1u] = NO_KEY;
    } else {
        out_keys[2u * t + 1u] = key;
        store_xyzz_at(2u * t + 1u, acc, false);
    }
}

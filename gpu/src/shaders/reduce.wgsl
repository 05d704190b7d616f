// Bucket reduction: window w's sum is sum_b (b + 1) * S[w][b]. Thread (w, g) takes buckets
// [g * gs, (g + 1) * gs) with the running-sum trick, giving sum_j (j + 1) S_j over its group,
// and adds (g * gs) * (sum_j S_j) so that the groups' results add up to the window sum.

struct ReduceParams {
    windows: u32,
    buckets: u32,
    groups: u32,
    group_size: u32,
}

@group(0) @binding(0) var<uniform> rp: ReduceParams;
@group(0) @binding(1) var<storage, read> bucket_sums: array<u32>;
@group(0) @binding(2) var<storage, read_write> group_sums: array<u32>;

fn load_bucket(idx: u32) -> Xyzz {
    var w: array<array<u32, 8>, 4>;
    for (var c = 0u; c < 4u; c++) {
        for (var k = 0u; k < 8u; k++) {
            w[c][k] = bucket_sums[idx * 32u + c * 8u + k];
        }
    }
    return Xyzz(fp_from_words(w[0]), fp_from_words(w[1]), fp_from_words(w[2]), fp_from_words(w[3]));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let t = gid.x;
    if (t >= rp.windows * rp.groups) {
        return;
    }
    let w = t / rp.groups;
    let g = t % rp.groups;
    let first = w * rp.buckets + g * rp.group_size;
    var running = xyzz_identity();
    var acc = xyzz_identity();
    for (var j = rp.group_size; j > 0u; j--) {
        running = xyzz_add(running, load_bucket(first + j - 1u));
        acc = xyzz_add(acc, running);
    }
    acc = xyzz_add(acc, xyzz_mul_small(running, g * rp.group_size));
    var out = array<array<u32, 8>, 4>(fp_to_words(acc.x), fp_to_words(acc.y), fp_to_words(acc.zz), fp_to_words(acc.zzz));
    for (var c = 0u; c < 4u; c++) {
        for (var k = 0u; k < 8u; k++) {
            group_sums[t * 32u + c * 8u + k] = out[c][k];
        }
    }
}

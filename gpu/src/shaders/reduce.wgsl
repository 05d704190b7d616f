// Bucket reduction, step 1: window w's sum is sum_b (b + 1) * S[w][b]. Thread (w, g) takes the
// buckets [g * gs, (g + 1) * gs) and computes, with the running-sum trick, the group sum
// running_g = sum_j S_j and the weighted sum acc_g = sum_j (j + 1) S_j; the window sum is then
// sum_g acc_g + gs * sum_g g * running_g (see window_sum.wgsl).

struct ReduceParams {
    windows: u32,
    buckets: u32,
    groups: u32,
    group_size: u32,
    limbs: u32,
}

@group(0) @binding(0) var<uniform> rp: ReduceParams;
@group(0) @binding(1) var<storage, read> bucket_sums: array<u32>;
// Per group: acc_g then running_g.
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

fn store_group(idx: u32, p: Xyzz) {
    var w = array<array<u32, 8>, 4>(fp_to_words(p.x), fp_to_words(p.y), fp_to_words(p.zz), fp_to_words(p.zzz));
    for (var c = 0u; c < 4u; c++) {
        for (var k = 0u; k < 8u; k++) {
            group_sums[idx * 32u + c * 8u + k] = w[c][k];
        }
    }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    limbs = limb_count(rp.limbs);
    let t = gid.x;
    if (t >= rp.windows * rp.groups) {
        return;
    }
    let w = t / rp.groups;
    let g = t % rp.groups;
    let first = w * rp.buckets + g * rp.group_size;
    var running = xyzz_identity();
    var acc = xyzz_identity();
    // Steps alternate running += S_j and acc += running, through one call site of xyzz_add.
    for (var step = 2u * rp.group_size; step > 0u; step--) {
        let j = (step - 1u) / 2u;
        let into_running = (step & 1u) == 0u;
        var lhs = acc;
        var rhs = running;
        if (into_running) {
            lhs = running;
            rhs = load_bucket(first + j);
        }
        let sum = xyzz_add(lhs, rhs);
        if (into_running) {
            running = sum;
        } else {
            acc = sum;
        }
    }
    store_group(2u * t, acc);
    store_group(2u * t + 1u, running);
}

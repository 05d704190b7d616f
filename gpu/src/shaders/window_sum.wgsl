// Bucket reduction, step 2: one thread per window computes
// sum_g acc_g + gs * sum_{g >= 1} g * running_g, the second sum again by running sums
// (R = sum_{g' >= g} running_g', T = sum_{g >= 1} R_g) and gs = 2^k by k doublings.
// Results land at `offset + w` so that the windows of every chunk come back in one read.

struct WindowParams {
    windows: u32,
    groups: u32,
    offset: u32,
    log_group_size: u32,
    limbs: u32,
}

@group(0) @binding(0) var<uniform> wp: WindowParams;
@group(0) @binding(1) var<storage, read> group_sums: array<u32>;
@group(0) @binding(2) var<storage, read_write> window_sums: array<u32>;

fn load_group(idx: u32) -> Xyzz {
    var v: array<array<u32, 8>, 4>;
    for (var c = 0u; c < 4u; c++) {
        for (var k = 0u; k < 8u; k++) {
            v[c][k] = group_sums[idx * 32u + c * 8u + k];
        }
    }
    return Xyzz(fp_from_words(v[0]), fp_from_words(v[1]), fp_from_words(v[2]), fp_from_words(v[3]));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    limbs = limb_count(wp.limbs);
    let w = gid.x;
    if (w >= wp.windows) {
        return;
    }
    var r = xyzz_identity();
    var t = xyzz_identity();
    var a = xyzz_identity();
    // Phases through one call site of xyzz_add: per group (from the top) a += acc_g, then for
    // g >= 1 r += running_g and t += r; then log2(gs) doublings t += t; finally a += t.
    let steps = 3u * wp.groups + wp.log_group_size + 1u;
    for (var s = 0u; s < steps; s++) {
        var lhs = a;
        var rhs = t;
        var target_id = 0u;
        if (s < 3u * wp.groups) {
            let g = wp.groups - 1u - s / 3u;
            let phase = s % 3u;
            if (phase == 0u) {
                rhs = load_group(2u * (w * wp.groups + g));
            } else if (g == 0u) {
                continue;
            } else if (phase == 1u) {
                lhs = r;
                rhs = load_group(2u * (w * wp.groups + g) + 1u);
                target_id = 1u;
            } else {
                lhs = t;
                rhs = r;
                target_id = 2u;
            }
        } else if (s < steps - 1u) {
            lhs = t;
            target_id = 2u;
        }
        let sum = xyzz_add(lhs, rhs);
        if (target_id == 0u) {
            a = sum;
        } else if (target_id == 1u) {
            r = sum;
        } else {
            t = sum;
        }
    }
    var out = array<array<u32, 8>, 4>(fp_to_words(a.x), fp_to_words(a.y), fp_to_words(a.zz), fp_to_words(a.zzz));
    for (var c = 0u; c < 4u; c++) {
        for (var k = 0u; k < 8u; k++) {
            window_sums[(wp.offset + w) * 32u + c * 8u + k] = out[c][k];
        }
    }
}

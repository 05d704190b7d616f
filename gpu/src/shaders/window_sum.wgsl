// One thread per window adds its groups' results; results land at `offset + w` so that the
// windows of every chunk of one MSM come back in a single read.

struct WindowParams {
    windows: u32,
    groups: u32,
    offset: u32,
    pad: u32,
}

@group(0) @binding(0) var<uniform> wp: WindowParams;
@group(0) @binding(1) var<storage, read> group_sums: array<u32>;
@group(0) @binding(2) var<storage, read_write> window_sums: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = gid.x;
    if (w >= wp.windows) {
        return;
    }
    var acc = xyzz_identity();
    for (var g = 0u; g < wp.groups; g++) {
        let idx = w * wp.groups + g;
        var v: array<array<u32, 8>, 4>;
        for (var c = 0u; c < 4u; c++) {
            for (var k = 0u; k < 8u; k++) {
                v[c][k] = group_sums[idx * 32u + c * 8u + k];
            }
        }
        acc = xyzz_add(acc, Xyzz(fp_from_words(v[0]), fp_from_words(v[1]), fp_from_words(v[2]), fp_from_words(v[3])));
    }
    var out = array<array<u32, 8>, 4>(fp_to_words(acc.x), fp_to_words(acc.y), fp_to_words(acc.zz), fp_to_words(acc.zzz));
    for (var c = 0u; c < 4u; c++) {
        for (var k = 0u; k < 8u; k++) {
            window_sums[(wp.offset + w) * 32u + c * 8u + k] = out[c][k];
        }
    }
}

// Known-answer kernel for the field: case i reads a, b (8 words each) and writes
// a + b, a - b, a * b, -a (8 words each).

struct KatParams {
    n: u32,
    limbs: u32,
}

@group(0) @binding(0) var<uniform> kp: KatParams;
@group(0) @binding(1) var<storage, read> kat_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> kat_out: array<u32>;

fn kat_load(off: u32) -> Fp {
    var w: array<u32, 8>;
    for (var k = 0u; k < 8u; k++) {
        w[k] = kat_in[off + k];
    }
    return fp_from_words(w);
}

fn kat_store(off: u32, a: Fp) {
    let w = fp_to_words(a);
    for (var k = 0u; k < 8u; k++) {
        kat_out[off + k] = w[k];
    }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    limbs = limb_count(kp.limbs);
    let i = gid.x;
    if (i >= kp.n) {
        return;
    }
    let a = kat_load(i * 16u);
    let b = kat_load(i * 16u + 8u);
    kat_store(i * 32u, fp_add(a, b));
    kat_store(i * 32u + 8u, fp_sub(a, b));
    kat_store(i * 32u + 16u, fp_mul(a, b));
    kat_store(i * 32u + 24u, fp_neg(a));
}

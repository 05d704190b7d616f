// Known-answer kernel for the curve: case i reads P, Q (XYZZ, 32 words each) and A (affine,
// 16 words) and writes P + Q, 2P and P + A (XYZZ, 32 words each).

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

fn kat_store(off: u32, p: Xyzz) {
    var w = array<array<u32, 8>, 4>(fp_to_words(p.x), fp_to_words(p.y), fp_to_words(p.zz), fp_to_words(p.zzz));
    for (var c = 0u; c < 4u; c++) {
        for (var k = 0u; k < 8u; k++) {
            kat_out[off + c * 8u + k] = w[c][k];
        }
    }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    limbs = limb_count(kp.limbs);
    let i = gid.x;
    if (i >= kp.n) {
        return;
    }
    let base = i * 80u;
    let p = Xyzz(kat_load(base), kat_load(base + 8u), kat_load(base + 16u), kat_load(base + 24u));
    let q = Xyzz(kat_load(base + 32u), kat_load(base + 40u), kat_load(base + 48u), kat_load(base + 56u));
    let a = Affine(kat_load(base + 64u), kat_load(base + 72u));
    kat_store(i * 96u, xyzz_add(p, q));
    kat_store(i * 96u + 32u, xyzz_dbl(p));
    kat_store(i * 96u + 64u, xyzz_add_affine(p, a));
}

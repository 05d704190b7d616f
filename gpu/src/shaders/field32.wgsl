// BN254 base field Fp in Montgomery form with R = 2^256 (the same representation as ark-ff),
// held as 8 limbs of 32 bits, least significant first: exactly the storage form, so loading and
// storing are copies. Products are widening `u64(a) * u64(b)`, which needs `SHADER_INT64`; each
// `t + a * b + c` of 32-bit words fits in a u64 ((2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1).
// The host prepends `P` (the modulus), `N0` (-p^-1 mod 2^32) and `R1` (R mod p, i.e. one).

alias Fp = array<u32, 8>;

// Trip count of the outer loop of `fp_mul`, set by each kernel's `main` from
// `limb_count(params.limbs)` (the host passes 8); see field.wgsl for why CPU adapters keep it
// opaque (rolled) and GPUs get the constant (unrolled).
var<private> limbs: u32 = 8u;

fn fp_is_zero(a: Fp) -> bool {
    var x = a;
    var acc = 0u;
    for (var i = 0u; i < 8u; i++) {
        acc |= x[i];
    }
    return acc == 0u;
}

// x - y - borrow over 8 limbs; the returned borrow (0 or 1) is set when x < y + borrow.
struct Diff {
    r: Fp,
    borrow: u32,
}

fn fp_sub_raw(x: Fp, y: Fp) -> Diff {
    var a = x;
    var b = y;
    var r: Fp;
    var borrow = 0lu;
    for (var i = 0u; i < 8u; i++) {
        let d = u64(a[i]) - u64(b[i]) - borrow;
        r[i] = u32(d & 0xfffffffflu);
        // |d| < 2^33, so a wrapped (negative) difference has its top bit set.
        borrow = d >> 63u;
    }
    return Diff(r, u32(borrow));
}

// a - p if a >= p, else a. Requires a < 2p.
fn fp_reduce_once(a: Fp) -> Fp {
    let d = fp_sub_raw(a, P);
    if (d.borrow == 0u) {
        return d.r;
    }
    return a;
}

fn fp_add(a: Fp, b: Fp) -> Fp {
    var x = a;
    var y = b;
    var r: Fp;
    var carry = 0lu;
    for (var i = 0u; i < 8u; i++) {
        let s = u64(x[i]) + u64(y[i]) + carry;
        r[i] = u32(s & 0xfffffffflu);
        carry = s >> 32u;
    }
    // a + b < 2p < 2^255: no carry leaves the top limb.
    return fp_reduce_once(r);
}

fn fp_sub(a: Fp, b: Fp) -> Fp {
    let d = fp_sub_raw(a, b);
    if (d.borrow == 0u) {
        return d.r;
    }
    var r = d.r;
    var p = P;
    var carry = 0lu;
    for (var i = 0u; i < 8u; i++) {
        let s = u64(r[i]) + u64(p[i]) + carry;
        r[i] = u32(s & 0xfffffffflu);
        carry = s >> 32u;
    }
    return r;
}

fn fp_neg(a: Fp) -> Fp {
    if (fp_is_zero(a)) {
        return a;
    }
    return fp_sub(Fp(), a);
}

// Montgomery product a * b / R mod p (CIOS, Koç–Acar–Kaliski 1996) with 32-bit words.
fn fp_mul(a: Fp, b: Fp) -> Fp {
    var x = a;
    var y = b;
    var p = P;
    var t: array<u32, 10>;
    for (var i = 0u; i < limbs; i++) {
        let yi = u64(y[i]);
        var c = 0lu;
        for (var j = 0u; j < 8u; j++) {
            let s = u64(t[j]) + u64(x[j]) * yi + c;
            t[j] = u32(s & 0xfffffffflu);
            c = s >> 32u;
        }
        let s8 = u64(t[8]) + c;
        t[8] = u32(s8 & 0xfffffffflu);
        t[9] = u32(s8 >> 32u);
        let m = u64(t[0] * N0);
        c = (u64(t[0]) + m * u64(p[0])) >> 32u;
        for (var j = 1u; j < 8u; j++) {
            let s = u64(t[j]) + m * u64(p[j]) + c;
            t[j - 1u] = u32(s & 0xfffffffflu);
            c = s >> 32u;
        }
        let s7 = u64(t[8]) + c;
        t[7] = u32(s7 & 0xfffffffflu);
        t[8] = t[9] + u32(s7 >> 32u);
    }
    var r: Fp;
    for (var i = 0u; i < 8u; i++) {
        r[i] = t[i];
    }
    return fp_reduce_once(r);
}

// Storage form: 8 little-endian u32 words, the same as the limbs.
fn fp_from_words(w: array<u32, 8>) -> Fp {
    return w;
}

fn fp_to_words(a: Fp) -> array<u32, 8> {
    return a;
}

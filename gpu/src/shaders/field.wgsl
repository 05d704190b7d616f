// BN254 base field Fp in Montgomery form with R = 2^256 (the same representation as ark-ff),
// held as 16 limbs of 16 bits, one per u32, least significant first. Every product of two limbs
// plus two carries fits in a u32, so this path needs no 64-bit integers.
// The host prepends `P` (the modulus), `N0` (-p^-1 mod 2^16) and `R1` (R mod p, i.e. one).

alias Fp = array<u32, 16>;

// Trip count of the outer loop of `fp_mul`, set by each kernel's `main` from
// `limb_count(params.limbs)` (the host passes 16). The host generates `limb_count`: on CPU
// adapters (lavapipe) it returns its argument, which the compiler cannot see through, so that
// loop stays rolled (fully unrolled, the 16 x 16 products of every inlined multiplication made
// one curve kernel take minutes to compile there); on GPUs it returns 16 and everything unrolls.
var<private> limbs: u32 = 16u;

fn fp_is_zero(a: Fp) -> bool {
    var x = a;
    var acc = 0u;
    for (var i = 0u; i < 16u; i++) {
        acc |= x[i];
    }
    return acc == 0u;
}

// a - p if a >= p, else a. Requires a < 2p.
fn fp_reduce_once(a: Fp) -> Fp {
    var x = a;
    var p = P;
    var t: Fp;
    var borrow = 0u;
    for (var i = 0u; i < 16u; i++) {
        let d = x[i] + 0x10000u - p[i] - borrow;
        t[i] = d & 0xffffu;
        borrow = 1u - (d >> 16u);
    }
    if (borrow == 0u) {
        return t;
    }
    return x;
}

fn fp_add(a: Fp, b: Fp) -> Fp {
    var x = a;
    var y = b;
    var r: Fp;
    var carry = 0u;
    for (var i = 0u; i < 16u; i++) {
        let s = x[i] + y[i] + carry;
        r[i] = s & 0xffffu;
        carry = s >> 16u;
    }
    // a + b < 2p < 2^255: no carry leaves the top limb.
    return fp_reduce_once(r);
}

fn fp_sub(a: Fp, b: Fp) -> Fp {
    var x = a;
    var y = b;
    var p = P;
    var r: Fp;
    var borrow = 0u;
    for (var i = 0u; i < 16u; i++) {
        let d = x[i] + 0x10000u - y[i] - borrow;
        r[i] = d & 0xffffu;
        borrow = 1u - (d >> 16u);
    }
    if (borrow == 1u) {
        var carry = 0u;
        for (var i = 0u; i < 16u; i++) {
            let s = r[i] + p[i] + carry;
            r[i] = s & 0xffffu;
            carry = s >> 16u;
        }
    }
    return r;
}

fn fp_neg(a: Fp) -> Fp {
    if (fp_is_zero(a)) {
        return a;
    }
    return fp_sub(Fp(), a);
}

// Montgomery product a * b / R mod p (CIOS, Koç–Acar–Kaliski 1996) with 16-bit words.
fn fp_mul(a: Fp, b: Fp) -> Fp {
    var x = a;
    var y = b;
    var p = P;
    var t: array<u32, 18>;
    for (var i = 0u; i < limbs; i++) {
        let yi = y[i];
        var c = 0u;
        for (var j = 0u; j < 16u; j++) {
            let s = t[j] + x[j] * yi + c;
            t[j] = s & 0xffffu;
            c = s >> 16u;
        }
        let s16 = t[16] + c;
        t[16] = s16 & 0xffffu;
        t[17] = s16 >> 16u;
        let m = (t[0] * N0) & 0xffffu;
        c = (t[0] + m * p[0]) >> 16u;
        for (var j = 1u; j < 16u; j++) {
            let s = t[j] + m * p[j] + c;
            t[j - 1u] = s & 0xffffu;
            c = s >> 16u;
        }
        let s15 = t[16] + c;
        t[15] = s15 & 0xffffu;
        t[16] = t[17] + (s15 >> 16u);
    }
    var r: Fp;
    for (var i = 0u; i < 16u; i++) {
        r[i] = t[i];
    }
    return fp_reduce_once(r);
}

// Storage form: 8 little-endian u32 words (the ark-ff Montgomery limbs split in halves).
fn fp_from_words(w: array<u32, 8>) -> Fp {
    var v = w;
    var r: Fp;
    for (var i = 0u; i < 8u; i++) {
        r[2u * i] = v[i] & 0xffffu;
        r[2u * i + 1u] = v[i] >> 16u;
    }
    return r;
}

fn fp_to_words(a: Fp) -> array<u32, 8> {
    var x = a;
    var w: array<u32, 8>;
    for (var i = 0u; i < 8u; i++) {
        w[i] = x[2u * i] | (x[2u * i + 1u] << 16u);
    }
    return w;
}

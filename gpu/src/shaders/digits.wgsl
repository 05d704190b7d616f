// Signed-window decomposition shared by the histogram and scatter kernels. A scalar (standard
// form, < r < 2^254, 8 little-endian words) is written as sum_w d_w 2^(c w) with
// d_w in [-(2^(c-1) - 1), 2^(c-1)]; windows = ceil(255 / c) leaves no carry after the top window.
// A nonzero digit goes to bucket key w * buckets + |d_w| - 1 (buckets = 2^(c-1)).

struct DigitParams {
    n: u32,
    c: u32,
    windows: u32,
    buckets: u32,
}

@group(0) @binding(0) var<uniform> dp: DigitParams;
@group(0) @binding(1) var<storage, read> scalars: array<u32>;

// Bits [bit, bit + c) of scalar i.
fn scalar_bits(i: u32, bit: u32) -> u32 {
    let word = bit / 32u;
    if (word >= 8u) {
        return 0u;
    }
    let off = bit % 32u;
    var v = scalars[i * 8u + word] >> off;
    if (off + dp.c > 32u && word + 1u < 8u) {
        v |= scalars[i * 8u + word + 1u] << (32u - off);
    }
    return v & ((1u << dp.c) - 1u);
}

// Digit of window w given the carry from window w - 1: (bucket key or NO_KEY, sign, carry out).
struct Digit {
    key: u32,
    negative: u32,
    carry: u32,
}

const NO_KEY: u32 = 0xffffffffu;

fn digit(i: u32, w: u32, carry: u32) -> Digit {
    var d = scalar_bits(i, w * dp.c) + carry;
    var out = Digit(NO_KEY, 0u, 0u);
    if (d > dp.buckets) {
        d = (1u << dp.c) - d;
        out.negative = 1u;
        out.carry = 1u;
    }
    if (d != 0u) {
        out.key = w * dp.buckets + d - 1u;
    }
    return out;
}

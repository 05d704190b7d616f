// Level 0 of the accumulation: entries are sorted digits, added as (possibly negated) resident
// affine bases.

@group(0) @binding(5) var<storage, read> total: array<u32>;
@group(0) @binding(6) var<storage, read> sorted_vals: array<u32>;
@group(0) @binding(7) var<storage, read> bases: array<u32>;

fn entry_count() -> u32 {
    return min(ap.len, total[0]);
}

fn add_entry(acc: Xyzz, pos: u32) -> Xyzz {
    let v = sorted_vals[pos];
    let i = v >> 1u;
    var x: array<u32, 8>;
    var y: array<u32, 8>;
    for (var k = 0u; k < 8u; k++) {
        x[k] = bases[i * 16u + k];
        y[k] = bases[i * 16u + 8u + k];
    }
    var q = Affine(fp_from_words(x), fp_from_words(y));
    if ((v & 1u) == 1u) {
        q = affine_neg(q);
    }
    return xyzz_add_affine(acc, q);
}

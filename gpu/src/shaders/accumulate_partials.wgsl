// Levels 1.. of the accumulation: entries are partial bucket sums from the level before.

@group(0) @binding(5) var<storage, read> in_points: array<u32>;

fn entry_count() -> u32 {
    return ap.len;
}

fn add_entry(acc: Xyzz, pos: u32) -> Xyzz {
    var w: array<array<u32, 8>, 4>;
    for (var c = 0u; c < 4u; c++) {
        for (var k = 0u; k < 8u; k++) {
            w[c][k] = in_points[pos * 32u + c * 8u + k];
        }
    }
    let q = Xyzz(fp_from_words(w[0]), fp_from_words(w[1]), fp_from_words(w[2]), fp_from_words(w[3]));
    return xyzz_add(acc, q);
}

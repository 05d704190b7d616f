// Counting sort, pass 3: each digit takes the next slot of its bucket. Within a bucket the order
// is whatever the atomics give; the sum does not depend on it.

@group(0) @binding(2) var<storage, read_write> cursor: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> sorted_keys: array<u32>;
// (point index << 1) | negative.
@group(0) @binding(4) var<storage, read_write> sorted_vals: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= dp.n) {
        return;
    }
    var carry = 0u;
    for (var w = 0u; w < dp.windows; w++) {
        let d = digit(i, w, carry);
        carry = d.carry;
        if (d.key != NO_KEY) {
            let pos = atomicAdd(&cursor[d.key], 1u);
            sorted_keys[pos] = d.key;
            sorted_vals[pos] = (i << 1u) | d.negative;
        }
    }
}

// Counting sort, pass 1: how many digits fall in each bucket.

@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;

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
            atomicAdd(&counts[d.key], 1u);
        }
    }
}

// Counting sort, pass 2: exclusive prefix sum of the bucket counts in one workgroup (each thread
// scans a contiguous run, thread 0 scans the 256 run totals). Also stores the number of digits.

struct ScanParams {
    len: u32,
}

@group(0) @binding(0) var<uniform> sp: ScanParams;
@group(0) @binding(1) var<storage, read> counts: array<u32>;
@group(0) @binding(2) var<storage, read_write> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> total: array<u32>;

var<workgroup> run_sums: array<u32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
    let per = (sp.len + 255u) / 256u;
    let start = lid * per;
    let end = min(start + per, sp.len);
    var s = 0u;
    for (var k = start; k < end; k++) {
        s += counts[k];
    }
    run_sums[lid] = s;
    workgroupBarrier();
    if (lid == 0u) {
        var acc = 0u;
        for (var t = 0u; t < 256u; t++) {
            let v = run_sums[t];
            run_sums[t] = acc;
            acc += v;
        }
        total[0] = acc;
    }
    workgroupBarrier();
    var acc = run_sums[lid];
    for (var k = start; k < end; k++) {
        let v = counts[k];
        offsets[k] = acc;
        acc += v;
    }
}

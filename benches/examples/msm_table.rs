//! Prints the MSM comparison table: `cargo run --release -p bulwark-benches --example msm_table`.
#![allow(clippy::print_stdout)]

fn main() -> Result<(), bulwark_benches::ComparisonError> {
    let rows = bulwark_benches::msm_comparison(&[12, 16, 18], &[16], 5)?;
    println!(
        "{:<5} {:>6} {:<40} {:>12} {:>9} {:>12}",
        "group", "size", "engine", "time", "vs ark", "peak extra"
    );
    for r in rows {
        let peak = r.peak_extra_bytes.map_or("n/a".to_owned(), |b| {
            format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64)
        });
        println!(
            "{:<5} {:>6} {:<40} {:>10.2}ms {:>8.2}x {:>12}",
            format!("{:?}", r.group),
            format!("2^{}", r.log_size),
            r.engine,
            r.time.as_secs_f64() * 1e3,
            r.speedup_vs_arkworks,
            peak
        );
    }
    Ok(())
}

//! Prints the adapter, its features and limits, and runs the self-test MSM:
//! `cargo run -p bulwark-gpu --example gpu_info`.

fn main() -> std::process::ExitCode {
    match bulwark_gpu::gpu_info(None) {
        Ok(report) => {
            eprintln!("{report}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gpu info: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

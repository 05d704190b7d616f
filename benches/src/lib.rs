//! bulwark's criterion benches and side-by-side comparison runs against arkworks and halo2.

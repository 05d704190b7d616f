//! bulwark's GPU multi-scalar multiplication (wgpu / WGSL). It knows curve points and scalars,
//! nothing of circuits or proofs.

//! circom interoperability: `.r1cs` and `.wtns` files both ways.
//!
//! - [`R1cs::from_circuit`] and [`witness_of`] turn any arkworks circuit into circom's wire
//!   numbering; [`R1cs::write_to`] and [`write_wtns`] write the files `snarkjs` reads
//!   (`snarkjs r1cs info`, `snarkjs wtns check`, `snarkjs groth16 setup|prove`).
//! - [`R1cs::read_from`] and [`read_wtns`] read a user's circom output; [`CircomCircuit`]
//!   makes it a circuit our setups and [`crate::prove`] accept.
//!
//! Every format is the iden3 binary container (see `binfile.rs`); numbers are little-endian,
//! field elements canonical (not Montgomery) 32-byte integers.

pub(crate) mod binfile;
mod circuit;
mod r1cs;
mod wtns;

pub use circuit::{CircomCircuit, witness_of};
pub use r1cs::{LinearCombination, R1cs, R1csConstraint};
pub use wtns::{read_wtns, write_wtns};

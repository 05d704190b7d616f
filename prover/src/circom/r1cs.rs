//! circom's `.r1cs` (iden3 binary, version 1): header, constraints, wire-to-label map.
//!
//! | section | contents |
//! |---|---|
//! | 1 header | `n8 = 32`, the scalar-field prime (`n8` bytes), `u32` wires, outputs, public inputs, private inputs, `u64` labels, `u32` constraints |
//! | 2 constraints | per constraint, `A`, `B`, `C` each as `u32` term count then `(u32 wire, n8-byte coefficient)` terms |
//! | 3 wire-to-label map | one `u64` label id per wire |
//!
//! Coefficients are canonical little-endian integers. Wire 0 is the constant one, wires
//! `1..=outputs + public inputs` are the public signals (outputs first), the rest private.

use std::io::{Read, Seek, Write};

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField, Zero};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};

use super::binfile::{
    BinFile, Cursor, FR_BYTES, check_scalar_field, fr_from_le, fr_to_le, write_bin_file,
};
use crate::{BinFileKind, CircomError};

const KIND: BinFileKind = BinFileKind::R1cs;
const HEADER: u32 = 1;
const CONSTRAINTS: u32 = 2;
const WIRE_MAP: u32 = 3;
const CUSTOM_GATES_LIST: u32 = 4;

/// A linear combination of wires: `(wire, coefficient)` terms, each wire at most once.
pub type LinearCombination = Vec<(u32, Fr)>;

/// One rank-1 constraint `⟨a, w⟩ · ⟨b, w⟩ = ⟨c, w⟩` over the wire values `w`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct R1csConstraint {
    /// The left factor.
    pub a: LinearCombination,
    /// The right factor.
    pub b: LinearCombination,
    /// The product.
    pub c: LinearCombination,
}

/// A constraint system in circom's wire numbering.
///
/// Wire 0 is the constant one; wires `1..=num_public()` are the public signals; the others are
/// private. That is arkworks' variable order too (the constant, the instance variables, then
/// the witness variables), so wire `i` is arkworks column `i`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1cs {
    /// Number of wires, the constant one included.
    pub num_wires: u32,
    /// Public outputs (circom lists them before the public inputs).
    pub num_outputs: u32,
    /// Public inputs.
    pub num_public_inputs: u32,
    /// Private inputs (informational: private inputs and internal signals are all witness).
    pub num_private_inputs: u32,
    /// Number of signal labels in the circuit's symbol table.
    pub num_labels: u64,
    /// The constraints, in order.
    pub constraints: Vec<R1csConstraint>,
    /// For each wire, the label id of the signal it carries.
    pub wire_labels: Vec<u64>,
}

impl R1cs {
    /// Public signals (outputs and public inputs): Groth16's public inputs.
    pub fn num_public(&self) -> usize {
        self.num_outputs as usize + self.num_public_inputs as usize
    }

    /// The QAP evaluation domain: the constraints plus one row per public signal and the
    /// constant (the same in arkworks and snarkjs), rounded up to a power of two.
    pub fn domain_size(&self) -> usize {
        let rows = self.constraints.len() + self.num_public() + 1;
        GeneralEvaluationDomain::<Fr>::compute_size_of_domain(rows).unwrap_or(usize::MAX)
    }

    /// Checks that `witness` (all wires, wire 0 first) has the right length, a constant one and
    /// satisfies every constraint; [`CircomError::Unsatisfied`] names the first failure.
    pub fn check_witness(&self, witness: &[Fr]) -> Result<(), CircomError> {
        if witness.len() != self.num_wires as usize {
            return Err(CircomError::WitnessLength {
                expected: self.num_wires as usize,
                found: witness.len(),
            });
        }
        if witness[0] != Fr::from(1u64) {
            return Err(CircomError::WitnessOne {
                found: witness[0].to_string(),
            });
        }
        let dot = |lc: &LinearCombination| -> Fr {
            lc.iter()
                .map(|&(w, coeff)| coeff * witness[w as usize])
                .sum()
        };
        match self
            .constraints
            .iter()
            .position(|c| dot(&c.a) * dot(&c.b) != dot(&c.c))
        {
            Some(index) => Err(CircomError::Unsatisfied { index }),
            None => Ok(()),
        }
    }

    /// Writes the `.r1cs` file (version 1, sections 1–3).
    pub fn write_to(&self, w: impl Write) -> Result<(), CircomError> {
        let mut header = Vec::with_capacity(64);
        header.extend_from_slice(&(FR_BYTES as u32).to_le_bytes());
        header.extend_from_slice(&Fr::MODULUS.to_bytes_le());
        for n in [
            self.num_wires,
            self.num_outputs,
            self.num_public_inputs,
            self.num_private_inputs,
        ] {
            header.extend_from_slice(&n.to_le_bytes());
        }
        header.extend_from_slice(&self.num_labels.to_le_bytes());
        let count = u32::try_from(self.constraints.len())
            .map_err(|_| KIND.malformed("more than 2^32 constraints"))?;
        header.extend_from_slice(&count.to_le_bytes());

        let mut body = Vec::new();
        for c in &self.constraints {
            for lc in [&c.a, &c.b, &c.c] {
                body.extend_from_slice(&(lc.len() as u32).to_le_bytes());
                for (wire, coeff) in lc {
                    body.extend_from_slice(&wire.to_le_bytes());
                    body.extend_from_slice(&fr_to_le(coeff));
                }
            }
        }
        if self.wire_labels.len() != self.num_wires as usize {
            return Err(KIND.malformed(format!(
                "wire-to-label map has {} entries for {} wires",
                self.wire_labels.len(),
                self.num_wires
            )));
        }
        let map: Vec<u8> = self
            .wire_labels
            .iter()
            .flat_map(|l| l.to_le_bytes())
            .collect();
        write_bin_file(
            KIND,
            1,
            &[(HEADER, &header), (CONSTRAINTS, &body), (WIRE_MAP, &map)],
            w,
        )
    }

    /// Reads an `.r1cs` file over BN254's scalar field. Every wire index is checked against
    /// the wire count and every coefficient for canonical form; a wire twice in one linear
    /// combination, or custom gates (circom's PLONK extension), are
    /// [`CircomError::Malformed`].
    pub fn read_from(reader: impl Read + Seek) -> Result<Self, CircomError> {
        let mut file = BinFile::open(KIND, reader)?;
        if file.has(CUSTOM_GATES_LIST) {
            return Err(KIND.malformed("custom gates (circom's PLONK extension) are not supported"));
        }
        let bytes = file.read_section(HEADER, "header")?;
        let mut h = Cursor::new(KIND, "the header section", &bytes);
        check_scalar_field(&mut h, KIND)?;
        let num_wires = h.u32()?;
        let num_outputs = h.u32()?;
        let num_public_inputs = h.u32()?;
        let num_private_inputs = h.u32()?;
        let num_labels = h.u64()?;
        let num_constraints = h.u32()?;
        if h.remaining() != 0 {
            return Err(KIND.malformed("bytes after the header fields"));
        }
        let public = u64::from(num_outputs) + u64::from(num_public_inputs);
        if num_wires == 0 || public >= u64::from(num_wires) {
            return Err(KIND.malformed(format!(
                "{public} public signals do not fit in {num_wires} wires (the constant one is wire 0)"
            )));
        }

        let bytes = file.read_section(CONSTRAINTS, "constraints")?;
        let mut c = Cursor::new(KIND, "the constraints section", &bytes);
        // Each constraint takes at least 12 bytes: bounds the allocation by the data present.
        let mut constraints = Vec::with_capacity((num_constraints as usize).min(bytes.len() / 12));
        for index in 0..num_constraints as usize {
            let mut lc = |name: &str| -> Result<LinearCombination, CircomError> {
                let n = c.u32()? as usize;
                let mut out = Vec::with_capacity(n.min(c.remaining() / (4 + FR_BYTES)));
                for _ in 0..n {
                    let wire = c.u32()?;
                    if wire >= num_wires {
                        return Err(KIND.malformed(format!(
                            "constraint {index}: {name} names wire {wire} of {num_wires}"
                        )));
                    }
                    if out.iter().any(|&(w, _)| w == wire) {
                        return Err(KIND.malformed(format!(
                            "constraint {index}: wire {wire} appears twice in {name}"
                        )));
                    }
                    let coeff = fr_from_le(c.take(FR_BYTES)?, KIND, || {
                        format!("constraint {index}: {name} coefficient of wire {wire}")
                    })?;
                    out.push((wire, coeff));
                }
                Ok(out)
            };
            let a = lc("A")?;
            let b = lc("B")?;
            let cc = lc("C")?;
            constraints.push(R1csConstraint { a, b, c: cc });
        }
        if c.remaining() != 0 {
            return Err(KIND.malformed(format!(
                "{} bytes after constraint {num_constraints}",
                c.remaining()
            )));
        }

        let bytes = file.read_section(WIRE_MAP, "wire-to-label map")?;
        let expected = u64::from(num_wires) * 8;
        if bytes.len() as u64 != expected {
            return Err(CircomError::SectionSize {
                kind: KIND,
                id: WIRE_MAP,
                expected,
                found: bytes.len() as u64,
            });
        }
        let wire_labels = bytes.chunks_exact(8).map(super::binfile::le_u64).collect();
        Ok(Self {
            num_wires,
            num_outputs,
            num_public_inputs,
            num_private_inputs,
            num_labels,
            constraints,
            wire_labels,
        })
    }
}

/// Merges repeated wires of a linear combination and drops zero terms (circom files list each
/// wire at most once).
pub(crate) fn normalize(terms: impl IntoIterator<Item = (u32, Fr)>) -> LinearCombination {
    let mut sorted: LinearCombination = terms.into_iter().collect();
    sorted.sort_by_key(|&(w, _)| w);
    let mut out: LinearCombination = Vec::with_capacity(sorted.len());
    for (wire, coeff) in sorted {
        match out.last_mut() {
            Some((w, c)) if *w == wire => *c += coeff,
            _ => out.push((wire, coeff)),
        }
    }
    out.retain(|(_, c)| !c.is_zero());
    out
}

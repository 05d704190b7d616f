//! Range checks by a running sum: `x < 2^n`, most significant bits first.
//!
//! A range check is a region of one-slot rows: the running sums `acc_n..acc_1` upwards from
//! the last, then a zero (the [`Gadgets`] zero gate), each step appending one bit to the sum
//! on the row below it: `d = acc_i − 2·acc_{i−1}` must be 0 or 1. (Reading the row below, not
//! the one above, keeps the gate's rotations within those the other chips use.) The last sum
//! is copy-constrained to `x`, so `x = Σ d_i·2^(…) < 2^n`; since `n ≤ 252` the sum cannot wrap
//! the field, and a value `≥ 2^n` has no such decomposition.
//!
//! Every layout takes these one-bit steps: `n` rows and no lookup argument, whose three proof
//! commitments and table column would cost the on-chain verifier more than the rows it saves
//! (measured on the rollup: 412k gas with a byte lookup against 367k with bits).

use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::plonk::{ConstraintSystem, Error, Expression, Selector};

use super::Fp;
use super::gadgets::{Gadgets, Slots, Var};
use crate::range::{MAX_RANGE_BITS, RangeBits};

/// The bit gate on a running-sum row: `acc − 2·acc_prev ∈ {0, 1}`, the next row's slot 0
/// being `acc_prev`.
pub(super) fn configure_range(meta: &mut ConstraintSystem<Fp>, slots: &Slots) -> Selector {
    let bit = meta.selector();
    meta.create_gate("range bit", |meta| {
        let q = meta.query_selector(bit);
        let acc = slots.query_advice(meta, 0, 0);
        let prev = slots.query_advice(meta, 0, 1);
        let d = acc - Expression::Constant(Fp::from(2u64)) * prev;
        vec![q * d.clone() * (d - Expression::Constant(Fp::ONE))]
    });
    bit
}

/// The rows of one range check: the running sums, most significant first.
pub type RangeTrace = Vec<Fp>;

/// The honest rows for `x < 2^bits`: the running sums of `x`'s low `bits` bits. A value that
/// does not fit leaves the last sum short of `x`.
pub fn range_trace(x: Fp, bits: RangeBits) -> RangeTrace {
    let repr = x.to_repr();
    let bytes = repr.as_ref();
    let mut acc = Fp::ZERO;
    (0..bits.get())
        .rev()
        .map(|i| {
            let bit = (bytes[i / 8] >> (i % 8)) & 1;
            acc = acc.double() + Fp::from(u64::from(bit));
            acc
        })
        .collect()
}

impl Gadgets {
    /// Enforces `x < 2^bits` (`1 ≤ bits ≤ 252`; other widths are [`Error::Synthesis`]):
    /// `bits + 1` rows.
    pub fn range_check(
        &self,
        layouter: &mut impl Layouter<Fp>,
        x: &Var,
        bits: usize,
    ) -> Result<(), Error> {
        let valid = RangeBits::new(bits).map_err(|_| Error::Synthesis)?;
        let trace = x.value.map(|v| range_trace(v, valid));
        self.range_check_with_trace(layouter, x, bits, trace)
    }

    /// [`Self::range_check`] with the rows given: tests hand in tampered ones to show each
    /// constraint rejects them. [`Error::Synthesis`] if a known trace has the wrong length.
    pub fn range_check_with_trace(
        &self,
        layouter: &mut impl Layouter<Fp>,
        x: &Var,
        bits: usize,
        trace: Value<RangeTrace>,
    ) -> Result<(), Error> {
        if bits == 0 || bits > MAX_RANGE_BITS {
            return Err(Error::Synthesis);
        }
        trace.error_if_known_and(|t| t.len() != bits)?;
        let slots = &self.slots;
        self.region(layouter, "range check", bits + 1, |region, base| {
            self.zero.enable(region, base + bits)?;
            slots.assign(region, base + bits, 0, Value::known(Fp::ZERO));
            let mut last = None;
            for i in 0..bits {
                let row = base + bits - 1 - i;
                self.range.enable(region, row)?;
                let acc = trace.as_ref().map(|t| t[i]);
                last = Some(slots.assign(region, row, 0, acc));
            }
            let last = last.ok_or(Error::Synthesis)?;
            region.constrain_equal(last.cell, x.cell);
            Ok(())
        })
    }
}

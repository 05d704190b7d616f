//! Range checks by a running sum of bits: `x < 2^n` from `n` rows, most significant bit first.
//!
//! A range check is a region of `n + 1` one-slot rows: a zero (the [`Gadgets`] zero gate),
//! then the running sums `acc_1..acc_n` under the bit gate `d·(d − 1) = 0` with
//! `d = acc_i − 2·acc_{i−1}`: each step appends one bit. The last sum is copy-constrained to
//! `x`, so `x = Σ b_i·2^(n−i) < 2^n`; since `n ≤ 252` the sum cannot wrap the field, and a value
//! `≥ 2^n` has no such decomposition. No lookup argument: its three proof commitments, its
//! table and its shift column would cost the on-chain verifier five scalar multiplications.

use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::plonk::{ConstraintSystem, Error, Expression, Selector};

use super::Fp;
use super::gadgets::{Gadgets, Slots, Var};
use crate::range::{MAX_RANGE_BITS, RangeBits};

/// The bit gate's selector.
#[derive(Debug, Clone)]
pub(super) struct RangeConfig {
    /// A running-sum row: `acc − 2·acc_prev ∈ {0, 1}`, the previous row's slot 0 being
    /// `acc_prev`.
    bit: Selector,
}

impl RangeConfig {
    pub(super) fn configure(meta: &mut ConstraintSystem<Fp>, slots: &Slots) -> Self {
        let config = Self {
            bit: meta.selector(),
        };
        meta.create_gate("range bit", |meta| {
            let q = meta.query_selector(config.bit);
            let acc = slots.query_advice(meta, 0, 0);
            let prev = slots.query_advice(meta, 0, -1);
            let d = acc - Expression::Constant(Fp::from(2u64)) * prev;
            vec![q * d.clone() * (d - Expression::Constant(Fp::ONE))]
        });
        config
    }
}

/// The rows of one range check: the running sums `acc_1..acc_n` of the bits, most
/// significant first.
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
    /// Enforces `x < 2^bits` (`1 ≤ bits ≤ 252`; other widths are [`Error::Synthesis`]).
    /// Costs `bits + 1` rows.
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
            self.zero.enable(region, base)?;
            slots.assign(region, base, 0, Value::known(Fp::ZERO));
            let mut last = None;
            for i in 0..bits {
                let row = base + 1 + i;
                self.range.bit.enable(region, row)?;
                let acc = trace.as_ref().map(|t| t[i]);
                last = Some(slots.assign(region, row, 0, acc));
            }
            let last = last.ok_or(Error::Synthesis)?;
            region.constrain_equal(last.cell, x.cell);
            Ok(())
        })
    }
}

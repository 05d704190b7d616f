//! Range checks by a running sum: `x < 2^n`, most significant bits first.
//!
//! A range check is a region of one-slot rows: a zero (the [`Gadgets`] zero gate), then the
//! running sums `acc_1..acc_s`, each step appending `w` bits: `d = acc_i − 2^w·acc_{i−1}` must
//! be below `2^w`. The last sum is copy-constrained to `x`, so `x = Σ d_i·2^(…) < 2^n`; since
//! `n ≤ 252` the sum cannot wrap the field, and a value `≥ 2^n` has no such decomposition.
//!
//! - The narrow layout (the solvency circuits, whose verifiers must stay cheap on chain) takes
//!   one-bit steps under the gate `d·(d − 1) = 0`: `n` rows and no lookup argument, whose three
//!   proof commitments and table column would cost the verifier four scalar multiplications.
//! - The curve's wide layout (the rollup) takes the top `n mod 8` bits one by one and then
//!   whole bytes, each byte step's `d` looked up in the table `0..256` ("range byte"): `n / 8 +
//!   n mod 8` rows, so a 64-bit check costs 8 rows instead of 64.

use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::plonk::{ConstraintSystem, Error, Expression, Selector, TableColumn};

use super::Fp;
use super::gadgets::{Gadgets, Slots, Var};
use crate::range::{MAX_RANGE_BITS, RangeBits};

/// Bits per lookup step: the table holds `0..2^BYTE_BITS`.
const BYTE_BITS: usize = 8;

/// The bit gate's selector and, on the wide layout, the byte lookup.
#[derive(Debug, Clone)]
pub(super) struct RangeConfig {
    /// A running-sum row: `acc − 2·acc_prev ∈ {0, 1}`, the previous row's slot 0 being
    /// `acc_prev`.
    bit: Selector,
    /// A byte step: `acc − 256·acc_prev` is in `table`.
    byte: Option<(Selector, TableColumn)>,
}

impl RangeConfig {
    /// The bit gate, plus the byte lookup when `lookup` is set.
    pub(super) fn configure(meta: &mut ConstraintSystem<Fp>, slots: &Slots, lookup: bool) -> Self {
        let step = |meta: &mut halo2_proofs::plonk::VirtualCells<'_, Fp>, bits: usize| {
            let acc = slots.query_advice(meta, 0, 0);
            let prev = slots.query_advice(meta, 0, -1);
            acc - Expression::Constant(Fp::from(1u64 << bits)) * prev
        };
        let bit = meta.selector();
        meta.create_gate("range bit", |meta| {
            let q = meta.query_selector(bit);
            let d = step(meta, 1);
            vec![q * d.clone() * (d - Expression::Constant(Fp::ONE))]
        });
        let byte = lookup.then(|| {
            let q = meta.complex_selector();
            let table = meta.lookup_table_column();
            meta.lookup("range byte", |meta| {
                let s = meta.query_selector(q);
                vec![(s * step(meta, BYTE_BITS), table)]
            });
            (q, table)
        });
        Self { bit, byte }
    }

    /// The width of each running-sum step of an `n`-bit check.
    fn steps(&self, bits: usize) -> Vec<usize> {
        match self.byte {
            None => vec![1; bits],
            Some(_) => {
                let mut steps = vec![1; bits % BYTE_BITS];
                steps.extend(std::iter::repeat_n(BYTE_BITS, bits / BYTE_BITS));
                steps
            }
        }
    }

    /// Fills the byte table (nothing on the narrow layout).
    pub(super) fn load(&self, layouter: &mut impl Layouter<Fp>) -> Result<(), Error> {
        let Some((_, table)) = self.byte else {
            return Ok(());
        };
        layouter.assign_table(
            || "range bytes",
            |mut t| {
                for i in 0..1usize << BYTE_BITS {
                    t.assign_cell(|| "byte", table, i, || Value::known(Fp::from(i as u64)))?;
                }
                Ok(())
            },
        )
    }
}

/// The rows of one range check: the running sums, most significant first.
pub type RangeTrace = Vec<Fp>;

/// The honest rows for `x < 2^bits` in one-bit steps (the narrow layout): the running sums
/// of `x`'s low `bits` bits. A value that does not fit leaves the last sum short of `x`.
pub fn range_trace(x: Fp, bits: RangeBits) -> RangeTrace {
    running_sums(x, &vec![1; bits.get()])
}

/// The running sums of `x`'s low `Σ steps` bits, each step appending `steps[i]` bits.
fn running_sums(x: Fp, steps: &[usize]) -> RangeTrace {
    let repr = x.to_repr();
    let bytes = repr.as_ref();
    let mut next = steps.iter().sum::<usize>();
    let mut acc = Fp::ZERO;
    steps
        .iter()
        .map(|&w| {
            for _ in 0..w {
                next -= 1;
                let bit = (bytes[next / 8] >> (next % 8)) & 1;
                acc = acc.double() + Fp::from(u64::from(bit));
            }
            acc
        })
        .collect()
}

impl Gadgets {
    /// Enforces `x < 2^bits` (`1 ≤ bits ≤ 252`; other widths are [`Error::Synthesis`]).
    /// Costs `bits + 1` rows on the narrow layout, `bits / 8 + bits mod 8 + 1` on the curve's.
    pub fn range_check(
        &self,
        layouter: &mut impl Layouter<Fp>,
        x: &Var,
        bits: usize,
    ) -> Result<(), Error> {
        let valid = RangeBits::new(bits).map_err(|_| Error::Synthesis)?;
        let steps = self.range.steps(valid.get());
        let trace = x.value.map(|v| running_sums(v, &steps));
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
        let steps = self.range.steps(bits);
        trace.error_if_known_and(|t| t.len() != steps.len())?;
        let slots = &self.slots;
        self.region(layouter, "range check", steps.len() + 1, |region, base| {
            self.zero.enable(region, base)?;
            slots.assign(region, base, 0, Value::known(Fp::ZERO));
            let mut last = None;
            for (i, &width) in steps.iter().enumerate() {
                let row = base + 1 + i;
                match self.range.byte {
                    Some((byte, _)) if width == BYTE_BITS => byte.enable(region, row)?,
                    _ => self.range.bit.enable(region, row)?,
                }
                let acc = trace.as_ref().map(|t| t[i]);
                last = Some(slots.assign(region, row, 0, acc));
            }
            let last = last.ok_or(Error::Synthesis)?;
            region.constrain_equal(last.cell, x.cell);
            Ok(())
        })
    }
}

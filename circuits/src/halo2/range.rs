//! Range checks by lookup: `x < 2^n` from `L = ⌈n/8⌉` limbs, most significant first.
//!
//! One lookup argument serves every row: `limb · shift` is in the table `0..256`, with `shift`
//! a fixed column that is 0 off range-check rows. `L` rows hold `(limb_i, acc_i)` in advice
//! columns 0 and 1 with `shift = 1` (every limb is in the table), `acc_0 = limb_0`,
//! `acc_i = 256·acc_{i−1} + limb_i`; the last `acc` is copy-constrained to `x`. When `8L > n`
//! a row before them holds a copy of the top limb (gated equal to it) with
//! `shift = 2^(8L − n)`: the top limb, already below 256, is then `< 2^(n − 8(L−1))`. So
//! `x = Σ limb_i·256^(L−1−i) < 2^n`, and since `n ≤ 252` the sum cannot wrap the field: a
//! value `≥ 2^n` has no such decomposition.

use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Error, Expression, Fixed, Selector, TableColumn,
};
use halo2_proofs::poly::Rotation;

use super::gadgets::{Gadgets, Var, assign};
use super::{Fp, LIMB_BITS};
use crate::range::{MAX_RANGE_BITS, RangeBits};

const TABLE_SIZE: u64 = 1 << LIMB_BITS;

#[derive(Debug, Clone)]
pub(super) struct RangeConfig {
    table: TableColumn,
    /// 1 on a limb row, `2^(8L − n)` on the top limb's copy, 0 elsewhere: `limb · shift` is in
    /// the table. No selector: halo2-axiom caps the degree at 5, and a lookup costs its
    /// input's degree + 3.
    shift: Column<Fixed>,
    /// The first limb row: `acc = limb`.
    first: Selector,
    /// The first limb row after a shifted copy: `limb = limb_prev`.
    top: Selector,
    /// The other limb rows: `acc = 256·acc_prev + limb`.
    step: Selector,
}

impl RangeConfig {
    pub(super) fn configure(
        meta: &mut ConstraintSystem<Fp>,
        advice: &[Column<Advice>],
        table: TableColumn,
    ) -> Self {
        let (limb_col, acc_col) = (advice[0], advice[1]);
        let config = Self {
            table,
            shift: meta.fixed_column(),
            first: meta.selector(),
            top: meta.selector(),
            step: meta.selector(),
        };
        meta.lookup("range limb", |meta| {
            let limb = meta.query_advice(limb_col, Rotation::cur());
            let shift = meta.query_fixed(config.shift, Rotation::cur());
            vec![(limb * shift, table)]
        });
        meta.create_gate("range top limb", |meta| {
            let top = meta.query_selector(config.top);
            let limb = meta.query_advice(limb_col, Rotation::cur());
            let copy = meta.query_advice(limb_col, Rotation::prev());
            vec![top * (limb - copy)]
        });
        meta.create_gate("range running sum", |meta| {
            let first = meta.query_selector(config.first);
            let step = meta.query_selector(config.step);
            let limb = meta.query_advice(limb_col, Rotation::cur());
            let acc = meta.query_advice(acc_col, Rotation::cur());
            let prev = meta.query_advice(acc_col, Rotation::prev());
            let base = Expression::Constant(Fp::from(TABLE_SIZE));
            vec![
                first * (acc.clone() - limb.clone()),
                step * (acc - base * prev - limb),
            ]
        });
        config
    }

    pub(super) fn load_table(&self, layouter: &mut impl Layouter<Fp>) -> Result<(), Error> {
        layouter.assign_table(
            || "limbs",
            |mut table| {
                for i in 0..TABLE_SIZE {
                    table.assign_cell(
                        || "limb",
                        self.table,
                        i as usize,
                        || Value::known(Fp::from(i)),
                    )?;
                }
                Ok(())
            },
        )
    }
}

/// The rows of one range check: `(limb, acc)`, most significant limb first.
pub type RangeTrace = Vec<(Fp, Fp)>;

/// The honest rows for `x < 2^bits`: the limbs of `x`'s low `8·⌈bits/8⌉` bits and their
/// running sum. A value that does not fit leaves the last sum short of `x`.
pub fn range_trace(x: Fp, bits: RangeBits) -> RangeTrace {
    let repr = x.to_repr();
    let limbs = bits.get().div_ceil(LIMB_BITS);
    let mut acc = Fp::ZERO;
    (0..limbs)
        .map(|row| {
            let limb = Fp::from(u64::from(repr.as_ref()[limbs - 1 - row]));
            acc = acc * Fp::from(TABLE_SIZE) + limb;
            (limb, acc)
        })
        .collect()
}

impl Gadgets {
    /// Enforces `x < 2^bits` (`1 ≤ bits ≤ 252`; other widths are [`Error::Synthesis`]).
    /// Costs `⌈bits/8⌉` rows, one more when `bits` is not a multiple of 8.
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
        let limbs = bits.div_ceil(LIMB_BITS);
        trace.error_if_known_and(|t| t.len() != limbs)?;
        let top_bits = bits - LIMB_BITS * (limbs - 1);
        let config = &self.range;
        // The top limb's shifted copy, when the top limb has fewer than 8 bits.
        let copy_rows = usize::from(top_bits < LIMB_BITS);
        self.region(
            layouter,
            "range check",
            copy_rows + limbs,
            |region, base| {
                if copy_rows == 1 {
                    let top = trace.as_ref().map(|t| t[0].0);
                    assign(region, self.advice[0], base, top);
                    let shift = Fp::from(1u64 << (LIMB_BITS - top_bits));
                    region.assign_fixed(config.shift, base, shift);
                }
                let mut last = None;
                for i in 0..limbs {
                    let row = base + copy_rows + i;
                    let (limb, acc) = trace.as_ref().map(|t| t[i]).unzip();
                    assign(region, self.advice[0], row, limb);
                    last = Some(assign(region, self.advice[1], row, acc));
                    region.assign_fixed(config.shift, row, Fp::ONE);
                    if i == 0 {
                        config.first.enable(region, row)?;
                        if copy_rows == 1 {
                            config.top.enable(region, row)?;
                        }
                    } else {
                        config.step.enable(region, row)?;
                    }
                }
                let last = last.ok_or(Error::Synthesis)?;
                region.constrain_equal(last.cell, x.cell);
                Ok(())
            },
        )
    }
}

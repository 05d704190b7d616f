//! Range checks by a running sum: `x < 2^n`, most significant bits first.
//!
//! A range check is a region of one-slot rows: the running sums `acc_s..acc_1` upwards from
//! the last, then the start `acc_0 = 0` (the [`Gadgets`] zero gate), each step appending `w`
//! bits to the sum on the row below it: `d = acc_i − 2^w·acc_{i−1}` must be below `2^w`.
//! (Reading the row below, not the one above, keeps the gates' rotations within those the
//! other chips use.) The last sum is copy-constrained to `x`, so `x = Σ d_i·2^(…) < 2^n`;
//! since `n ≤ 252` the sum cannot wrap the field, and a value `≥ 2^n` has no such
//! decomposition.
//!
//! The steps are chosen at configuration ([`RangeSteps`], [`super::GadgetOptions`]):
//!
//! - [`RangeSteps::Bits`], every shipped circuit: one-bit steps under the gate
//!   `d·(d − 1) = 0`, `n + 1` rows and no lookup argument, whose three proof commitments,
//!   table and selector columns and seven evaluations cost the on-chain verifier more than
//!   the rows it saves are worth (the rollup with byte steps: 28,292 rows instead of 29,188,
//!   `k = 15` either way, and 418,335 gas instead of 371,395, by
//!   `CI=true cargo test -p bulwark-prover --test evm plonk_rollup -- --nocapture`).
//! - [`RangeSteps::Bytes`]: the top `n mod 8` bits one by one under the same gate, then whole
//!   bytes, each byte step's `d` looked up in the table `0..256` ("range byte"):
//!   `n / 8 + n mod 8 + 1` rows, so a 64-bit check costs 9 rows instead of 65, for the
//!   lookup's commitments, a selector column and 256 table rows.

use std::cell::Cell;

use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::plonk::{
    ConstraintSystem, Error, Expression, Selector, TableColumn, VirtualCells,
};

use super::Fp;
use super::gadgets::{Gadgets, Slots, Var};
use crate::range::{MAX_RANGE_BITS, RangeBits};

/// Bits per lookup step: the table holds `0..2^BYTE_BITS`.
const BYTE_BITS: usize = 8;

/// How [`Gadgets::range_check`] steps its running sum (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RangeSteps {
    /// One bit per row under a gate: `n + 1` rows, no lookup argument.
    #[default]
    Bits,
    /// The top `n mod 8` bits one by one, then bytes looked up in a table `0..256`:
    /// `n / 8 + n mod 8 + 1` rows, a lookup argument and a table column.
    Bytes,
}

impl RangeSteps {
    /// The width of each running-sum step of an `n`-bit check, most significant first.
    fn widths(self, bits: usize) -> Vec<usize> {
        match self {
            Self::Bits => vec![1; bits],
            Self::Bytes => {
                let mut widths = vec![1; bits % BYTE_BITS];
                widths.extend(std::iter::repeat_n(BYTE_BITS, bits / BYTE_BITS));
                widths
            }
        }
    }
}

/// The byte step's lookup: its selector, its table and whether this synthesis filled it.
#[derive(Debug, Clone)]
struct ByteLookup {
    selector: Selector,
    table: TableColumn,
    loaded: Cell<bool>,
}

/// The bit gate's selector and, with [`RangeSteps::Bytes`], the byte lookup.
#[derive(Debug, Clone)]
pub(super) struct RangeConfig {
    /// A running-sum row: `acc − 2·acc_prev ∈ {0, 1}`, the next row's slot 0 being
    /// `acc_prev`.
    bit: Selector,
    /// A byte step: `acc − 256·acc_prev` is in the table.
    byte: Option<ByteLookup>,
}

/// `acc − 2^bits·acc_prev` on a running-sum row, `acc_prev` on the row below.
fn step(meta: &mut VirtualCells<'_, Fp>, slots: &Slots, bits: usize) -> Expression<Fp> {
    let acc = slots.query_advice(meta, 0, 0);
    let prev = slots.query_advice(meta, 0, 1);
    acc - Expression::Constant(Fp::from(1u64 << bits)) * prev
}

impl RangeConfig {
    /// The bit gate, plus the byte lookup for [`RangeSteps::Bytes`].
    pub(super) fn configure(
        meta: &mut ConstraintSystem<Fp>,
        slots: &Slots,
        steps: RangeSteps,
    ) -> Self {
        let bit = meta.selector();
        meta.create_gate("range bit", |meta| {
            let q = meta.query_selector(bit);
            let d = step(meta, slots, 1);
            vec![q * d.clone() * (d - Expression::Constant(Fp::ONE))]
        });
        let byte = (steps == RangeSteps::Bytes).then(|| {
            let selector = meta.complex_selector();
            let table = meta.lookup_table_column();
            meta.lookup("range byte", |meta| {
                let s = meta.query_selector(selector);
                vec![(s * step(meta, slots, BYTE_BITS), table)]
            });
            ByteLookup {
                selector,
                table,
                loaded: Cell::new(false),
            }
        });
        Self { bit, byte }
    }

    /// The configured steps.
    fn steps(&self) -> RangeSteps {
        match self.byte {
            None => RangeSteps::Bits,
            Some(_) => RangeSteps::Bytes,
        }
    }

    /// Starts a synthesis: the byte table is filled again by the first range check.
    pub(super) fn reset(&self) {
        if let Some(byte) = &self.byte {
            byte.loaded.set(false);
        }
    }

    /// Fills the byte table, once per synthesis (nothing with [`RangeSteps::Bits`]).
    fn load(&self, layouter: &mut impl Layouter<Fp>) -> Result<(), Error> {
        let Some(byte) = self.byte.as_ref().filter(|b| !b.loaded.get()) else {
            return Ok(());
        };
        layouter.assign_table(
            || "range bytes",
            |mut t| {
                for i in 0..1usize << BYTE_BITS {
                    t.assign_cell(
                        || "byte",
                        byte.table,
                        i,
                        || Value::known(Fp::from(i as u64)),
                    )?;
                }
                Ok(())
            },
        )?;
        byte.loaded.set(true);
        Ok(())
    }
}

/// The rows of one range check, most significant first: the start `acc_0 = 0`, then the
/// running sums `acc_1..acc_s`.
pub type RangeTrace = Vec<Fp>;

/// The honest rows for `x < 2^bits` in `steps`: the running sums of `x`'s low `bits` bits.
/// A value that does not fit leaves the last sum short of `x`.
pub fn range_trace(x: Fp, bits: RangeBits, steps: RangeSteps) -> RangeTrace {
    let repr = x.to_repr();
    let bytes = repr.as_ref();
    let mut next = bits.get();
    let mut acc = Fp::ZERO;
    let sums = steps.widths(bits.get()).into_iter().map(|w| {
        for _ in 0..w {
            next -= 1;
            let bit = (bytes[next / 8] >> (next % 8)) & 1;
            acc = acc.double() + Fp::from(u64::from(bit));
        }
        acc
    });
    std::iter::once(Fp::ZERO).chain(sums).collect()
}

impl Gadgets {
    /// Enforces `x < 2^bits` (`1 ≤ bits ≤ 252`; other widths are [`Error::Synthesis`]):
    /// `bits + 1` rows, or `bits / 8 + bits mod 8 + 1` with [`RangeSteps::Bytes`].
    pub fn range_check(
        &self,
        layouter: &mut impl Layouter<Fp>,
        x: &Var,
        bits: usize,
    ) -> Result<(), Error> {
        let valid = RangeBits::new(bits).map_err(|_| Error::Synthesis)?;
        let steps = self.range.steps();
        let trace = x.value.map(|v| range_trace(v, valid, steps));
        self.range_check_with_trace(layouter, x, bits, trace)
    }

    /// [`Self::range_check`] with the rows given: tests hand in tampered ones to show each
    /// constraint rejects them. [`Error::Synthesis`] if a known trace's length is not the
    /// configured steps' plus one.
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
        let widths = self.range.steps().widths(bits);
        let steps = widths.len();
        trace.error_if_known_and(|t| t.len() != steps + 1)?;
        self.range.load(layouter)?;
        let slots = &self.slots;
        self.region(layouter, "range check", steps + 1, |region, base| {
            self.zero.enable(region, base + steps)?;
            let start = trace.as_ref().map(|t| t[0]);
            slots.assign(region, base + steps, 0, start);
            let mut last = None;
            for (i, &width) in widths.iter().enumerate() {
                let row = base + steps - 1 - i;
                match &self.range.byte {
                    Some(byte) if width == BYTE_BITS => byte.selector.enable(region, row)?,
                    _ => self.range.bit.enable(region, row)?,
                }
                let acc = trace.as_ref().map(|t| t[i + 1]);
                last = Some(slots.assign(region, row, 0, acc));
            }
            let last = last.ok_or(Error::Synthesis)?;
            region.constrain_equal(last.cell, x.cell);
            Ok(())
        })
    }
}

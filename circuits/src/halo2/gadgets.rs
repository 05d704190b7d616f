//! The shared column layout and the configuration of every chip on it.

use halo2_proofs::circuit::{Cell, Layouter, Region, Value};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Error, Expression, Fixed, Instance, Selector, VirtualCells,
};
use halo2_proofs::poly::Rotation;

use super::Fp;
use super::arith::ArithConfig;
use super::curve::CurveConfig;
use super::poseidon::PoseidonConfig;
use super::range::{RangeConfig, RangeSteps};

/// The advice (and coefficient) columns of every circuit: every chip lays its
/// cells out over them row after row and reads them back with rotations, which costs the
/// verifier an evaluation per rotation instead of a commitment per column.
const NARROW_COLUMNS: usize = 1;
/// The constraint system's degree (see [`Gadgets::configure`]).
const DEGREE: usize = 6;
/// The arithmetic gate's coefficients, shared with the Poseidon round constants.
pub(super) const ARITH_COEFFICIENTS: usize = 6;

/// Where the cells of a region lie: advice slot `i` in advice column `i mod W`, `⌊i / W⌋`
/// rows below the region's first row (`W` advice columns), fixed slot `i` likewise over the
/// shared coefficient columns. A chip's gate reads its slots with the matching rotations, so
/// the same chip works on a wide layout (a row per region) and a narrow one (a column).
#[derive(Debug, Clone)]
pub(super) struct Slots {
    /// The advice columns, all with equality enabled.
    pub(super) advice: Vec<Column<Advice>>,
    /// The coefficient columns: Poseidon's round constants and the arithmetic coefficients.
    pub(super) fixed: Vec<Column<Fixed>>,
}

impl Slots {
    /// Advice slot `slot`: its column and row offset.
    fn advice_at(&self, slot: usize) -> (Column<Advice>, usize) {
        let w = self.advice.len();
        (self.advice[slot % w], slot / w)
    }

    /// Fixed slot `slot`: its column and row offset.
    fn fixed_at(&self, slot: usize) -> (Column<Fixed>, usize) {
        let w = self.fixed.len();
        (self.fixed[slot % w], slot / w)
    }

    /// The rows a region of `advice` advice slots and `fixed` fixed slots spans (at least one).
    pub(super) fn rows(&self, advice: usize, fixed: usize) -> usize {
        advice
            .div_ceil(self.advice.len())
            .max(fixed.div_ceil(self.fixed.len()))
            .max(1)
    }

    /// Advice slot `slot` of the region starting `shift` rows from the gate's row.
    pub(super) fn query_advice(
        &self,
        meta: &mut VirtualCells<'_, Fp>,
        slot: usize,
        shift: i32,
    ) -> Expression<Fp> {
        let (column, row) = self.advice_at(slot);
        meta.query_advice(column, Rotation(row as i32 + shift))
    }

    /// Fixed slot `slot` of the region starting at the gate's row.
    pub(super) fn query_fixed(
        &self,
        meta: &mut VirtualCells<'_, Fp>,
        slot: usize,
    ) -> Expression<Fp> {
        let (column, row) = self.fixed_at(slot);
        meta.query_fixed(column, Rotation(row as i32))
    }

    /// Assigns advice slot `slot` of the region starting at absolute row `base`.
    pub(super) fn assign(
        &self,
        region: &mut Region<'_, Fp>,
        base: usize,
        slot: usize,
        value: Value<Fp>,
    ) -> Var {
        let (column, row) = self.advice_at(slot);
        assign(region, column, base + row, value)
    }

    /// Assigns a copy of `var` to advice slot `slot` (see [`Self::assign`]).
    pub(super) fn copy(
        &self,
        region: &mut Region<'_, Fp>,
        base: usize,
        slot: usize,
        var: &Var,
    ) -> Var {
        let (column, row) = self.advice_at(slot);
        copy(region, column, base + row, var)
    }

    /// Assigns fixed slot `slot` of the region starting at absolute row `base`.
    pub(super) fn assign_fixed(
        &self,
        region: &mut Region<'_, Fp>,
        base: usize,
        slot: usize,
        value: Fp,
    ) {
        let (column, row) = self.fixed_at(slot);
        region.assign_fixed(column, base + row, value);
    }
}

/// A circuit value: an assigned advice cell and its witness value (unknown during key
/// generation).
#[derive(Debug, Clone, Copy)]
pub struct Var {
    /// Where it lives, for copy constraints.
    pub cell: Cell,
    /// Its value.
    pub value: Value<Fp>,
}

/// The optional parts of a [`Gadgets`] configuration ([`Gadgets::configure_with`]); the
/// default is [`Gadgets::configure`]'s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GadgetOptions {
    /// The Baby Jubjub gates and the width-6 Poseidon of the EdDSA challenge
    /// ([`Gadgets::configure_with_curve`]).
    pub curve: bool,
    /// How [`Gadgets::range_check`] steps: bits (every shipped circuit) or bytes through a
    /// lookup table, fewer rows for a costlier verifier (see [`RangeSteps`]).
    pub range: RangeSteps,
}

/// The columns and gates of every chip; one per circuit, built by [`Gadgets::configure`].
#[derive(Debug, Clone)]
pub struct Gadgets {
    /// The advice and coefficient columns and how regions lie on them.
    pub(super) slots: Slots,
    pub(super) poseidon: Vec<PoseidonConfig>,
    /// Advice slot 0 equals the instance column: zero below the public inputs' rows (a
    /// permutation's capacity lane, the row before a range check's first sum), public input
    /// `i` on row `i` ([`Gadgets::expose`]).
    /// first sum.
    pub(super) zero: Selector,
    pub(super) arith: ArithConfig,
    /// The range check's bit step and, if configured, byte lookup (see [`super::range`]).
    pub(super) range: RangeConfig,
    /// `(bit, x, y, l, r)` on one row: `(l, r) = bit ? (y, x) : (x, y)`.
    pub(super) swap: Selector,
    /// Two rows: `(low, high, node, s0, s1, s2)` then the four children.
    pub(super) quad: Selector,
    /// The Baby Jubjub gates, when configured ([`Gadgets::configure_with_curve`]).
    pub(super) curve: Option<CurveConfig>,
    /// The rows `0..public` [`Gadgets::load`] reserved for the public inputs.
    public: std::cell::Cell<usize>,
    /// The next free row. halo2-axiom's `SimpleFloorPlanner` places every region at row 0,
    /// so the chips lay their regions out themselves, one after the other.
    next_row: std::cell::Cell<usize>,
}

impl Gadgets {
    /// Configures every chip with Poseidon gates for the state widths `widths`. Duplicates
    /// and widths outside `2..=17` (no circomlib Poseidon has them) are ignored; hashing at a
    /// width that was not configured is an [`Error::Synthesis`].
    pub fn configure(meta: &mut ConstraintSystem<Fp>, widths: &[usize]) -> Self {
        Self::configure_with(meta, widths, GadgetOptions::default())
    }

    /// [`Self::configure`] plus the Baby Jubjub gates and the width-6 Poseidon of the EdDSA
    /// challenge, for [`Gadgets::verify_eddsa`].
    pub fn configure_with_curve(meta: &mut ConstraintSystem<Fp>, widths: &[usize]) -> Self {
        let curve = GadgetOptions {
            curve: true,
            ..GadgetOptions::default()
        };
        Self::configure_with(meta, widths, curve)
    }

    /// [`Self::configure`] with the chosen options: the curve as
    /// [`Self::configure_with_curve`] adds it, and the range checks' steps.
    pub fn configure_with(
        meta: &mut ConstraintSystem<Fp>,
        widths: &[usize],
        options: GadgetOptions,
    ) -> Self {
        let challenge = options.curve.then_some(6);
        let mut widths: Vec<usize> = widths
            .iter()
            .copied()
            .chain(challenge)
            .filter(|t| (2..=17).contains(t))
            .collect();
        widths.sort_unstable();
        widths.dedup();
        let advice: Vec<Column<Advice>> =
            (0..NARROW_COLUMNS).map(|_| meta.advice_column()).collect();
        for column in &advice {
            meta.enable_equality(*column);
        }
        // Degree 6 although the gates reach 4: the selectors then compress three to a fixed
        // column (a gate of degree `g` shares its column with up to `7 − g` others), which
        // saves the verifier two key commitments for one more quotient chunk.
        meta.set_minimum_degree(DEGREE);
        // The public inputs reach the advice column through the zero gate (see
        // `configure_zero`), not copy constraints: no permutation column for the instance.
        let instance = meta.instance_column();
        // Constants are gate coefficients (no constants column, which would cost a fixed
        // column and its permutation column): one set of coefficient columns, as many as
        // advice columns, each chip reading them under its own selector (Poseidon's round
        // constants, the arithmetic gate's coefficients, the curve's bound bits and points).
        let coefficients: Vec<Column<Fixed>> =
            (0..NARROW_COLUMNS).map(|_| meta.fixed_column()).collect();
        let slots = Slots {
            advice,
            fixed: coefficients,
        };
        let curve = options.curve.then(|| CurveConfig::configure(meta, &slots));
        let poseidon = widths
            .iter()
            .map(|&t| PoseidonConfig::configure(meta, t, &slots))
            .collect();
        // halo2 compresses the selectors greedily in creation order, three to a column: the
        // degree-4 gates (curve steps, Poseidon rounds, arithmetic, placement), then the
        // degree-2 and degree-3 ones (zero, range bit, swap); the byte lookup's selector, if
        // any, is complex (its own column).
        let arith = ArithConfig::configure(meta, &slots);
        let quad = super::merkle::configure_quad(meta, &slots);
        let zero = configure_zero(meta, &slots, instance);
        let range = RangeConfig::configure(meta, &slots, options.range);
        let swap = super::merkle::configure_swap(meta, &slots);
        Self {
            zero,
            arith,
            range,
            swap,
            quad,
            curve,
            slots,
            poseidon,
            public: std::cell::Cell::new(0),
            next_row: std::cell::Cell::new(0),
        }
    }

    /// Runs `assign` on a fresh region of `rows` rows, passing its first absolute row.
    pub(super) fn region<T>(
        &self,
        layouter: &mut impl Layouter<Fp>,
        name: &'static str,
        rows: usize,
        assign: impl FnOnce(&mut Region<'_, Fp>, usize) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let base = self.next_row.get();
        self.next_row.set(base + rows);
        layouter.assign_region(|| name, |mut region| assign(&mut region, base))
    }

    /// Starts a synthesis: reserves rows `0..public_inputs` for [`Self::expose`] and lays
    /// regions out below them. Call it first in every `synthesize`.
    pub fn load(&self, public_inputs: usize) {
        self.public.set(public_inputs);
        self.next_row.set(public_inputs);
        self.range.reset();
    }

    /// Assigns private witness values to fresh cells (no gate: they are constrained by the
    /// gadgets they are copied into).
    pub fn witness(
        &self,
        layouter: &mut impl Layouter<Fp>,
        values: &[Value<Fp>],
    ) -> Result<Vec<Var>, Error> {
        let rows = values.len().div_ceil(self.slots.advice.len());
        self.region(layouter, "witness", rows, |region, base| {
            Ok(values
                .iter()
                .enumerate()
                .map(|(i, v)| self.slots.assign(region, base, i, *v))
                .collect())
        })
    }

    /// [`Self::witness`] of known [`crate::Fr`] values.
    pub fn witness_fr(
        &self,
        layouter: &mut impl Layouter<Fp>,
        values: &[crate::Fr],
    ) -> Result<Vec<Var>, Error> {
        let values: Vec<Value<Fp>> = values
            .iter()
            .map(|v| Value::known(super::to_halo2(v)))
            .collect();
        self.witness(layouter, &values)
    }

    /// A cell constrained to the constant `value` (one arithmetic row: `d = value`).
    pub fn constant(&self, layouter: &mut impl Layouter<Fp>, value: Fp) -> Result<Var, Error> {
        self.combine(
            layouter,
            [None; 3],
            [Fp::ZERO, Fp::ZERO, Fp::ZERO, Fp::ZERO, value],
        )
    }

    /// Constrains `a = b` (a copy constraint, no row).
    pub fn assert_equal(
        &self,
        layouter: &mut impl Layouter<Fp>,
        a: &Var,
        b: &Var,
    ) -> Result<(), Error> {
        self.region(layouter, "equal", 0, |region, _| {
            region.constrain_equal(a.cell, b.cell);
            Ok(())
        })
    }

    /// Constrains `var` to equal public input `row`: a copy of it in advice slot 0 of row
    /// `row`, under the zero gate. [`Error::Synthesis`] unless [`Self::load`] reserved the row.
    pub fn expose(
        &self,
        layouter: &mut impl Layouter<Fp>,
        var: &Var,
        row: usize,
    ) -> Result<(), Error> {
        if row >= self.public.get() {
            return Err(Error::Synthesis);
        }
        layouter.assign_region(
            || "public input",
            |mut region| {
                self.zero.enable(&mut region, row)?;
                self.slots.copy(&mut region, row, 0, var);
                Ok(())
            },
        )
    }
}

/// The gate `slot 0 = instance` under its own selector. The instance column holds the public
/// inputs on rows `0..n` and zero below, so on the rows [`Gadgets::load`] reserves it exposes
/// a public input and elsewhere it is `slot 0 = 0`.
fn configure_zero(
    meta: &mut ConstraintSystem<Fp>,
    slots: &Slots,
    instance: Column<Instance>,
) -> Selector {
    let q = meta.selector();
    meta.create_gate("zero", |meta| {
        let s = meta.query_selector(q);
        let public = meta.query_instance(instance, Rotation::cur());
        vec![s * (slots.query_advice(meta, 0, 0) - public)]
    });
    q
}

/// Assigns `value` to `column` at absolute row `offset`.
pub(super) fn assign(
    region: &mut Region<'_, Fp>,
    column: Column<Advice>,
    offset: usize,
    value: Value<Fp>,
) -> Var {
    let cell = region.assign_advice(column, offset, value).cell();
    Var { cell, value }
}

/// Assigns a copy of `var` to `column` at `offset` and constrains it equal to `var`.
pub(super) fn copy(
    region: &mut Region<'_, Fp>,
    column: Column<Advice>,
    offset: usize,
    var: &Var,
) -> Var {
    let copied = assign(region, column, offset, var.value);
    region.constrain_equal(copied.cell, var.cell);
    copied
}

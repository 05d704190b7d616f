//! The shared column layout and the configuration of every chip on it.

use halo2_proofs::circuit::{Cell, Layouter, Region, Value};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Error, Fixed, Instance, Selector, TableColumn,
};

use super::Fp;
use super::arith::ArithConfig;
use super::curve::{CURVE_ADVICE, CURVE_FIXED, CurveConfig};
use super::poseidon::PoseidonConfig;
use super::range::RangeConfig;

/// The fewest advice columns with equality: the 4-ary placement gate copies into six.
const MIN_ADVICE: usize = 6;
/// The arithmetic gate's coefficient columns, shared with the Poseidon round constants.
const ARITH_COEFFICIENTS: usize = 6;

/// A circuit value: an assigned advice cell and its witness value (unknown during key
/// generation).
#[derive(Debug, Clone, Copy)]
pub struct Var {
    /// Where it lives, for copy constraints.
    pub cell: Cell,
    /// Its value.
    pub value: Value<Fp>,
}

/// The columns and gates of every chip; one per circuit, built by [`Gadgets::configure`].
#[derive(Debug, Clone)]
pub struct Gadgets {
    /// Advice columns; chips use a prefix of them. The first [`Self::copyable`] have
    /// equality enabled (every cell a chip copies in or hands out lies in them); the rest
    /// hold Poseidon's partial-round squares only.
    pub(super) advice: Vec<Column<Advice>>,
    /// How many leading advice columns have equality enabled.
    copyable: usize,
    /// The public inputs, one per row.
    pub(super) instance: Column<Instance>,
    pub(super) poseidon: Vec<PoseidonConfig>,
    /// Row 0 of a permutation: the capacity lane (advice column 0) is zero.
    pub(super) capacity: Selector,
    pub(super) arith: ArithConfig,
    pub(super) range: RangeConfig,
    /// `(bit, x, y, l, r)` on one row: `(l, r) = bit ? (y, x) : (x, y)`.
    pub(super) swap: Selector,
    /// Two rows: `(low, high, node, s0, s1, s2)` then the four children.
    pub(super) quad: Selector,
    /// The Baby Jubjub gates, when configured ([`Gadgets::configure_with_curve`]).
    pub(super) curve: Option<CurveConfig>,
    /// The next free row. halo2-axiom's `SimpleFloorPlanner` places every region at row 0,
    /// so the chips lay their regions out themselves, one after the other.
    next_row: std::cell::Cell<usize>,
}

impl Gadgets {
    /// Configures every chip with Poseidon gates for the state widths `widths`. Duplicates
    /// and widths outside `2..=17` (no circomlib Poseidon has them) are ignored; hashing at a
    /// width that was not configured is an [`Error::Synthesis`].
    pub fn configure(meta: &mut ConstraintSystem<Fp>, widths: &[usize]) -> Self {
        Self::configure_inner(meta, widths, false)
    }

    /// [`Self::configure`] plus the Baby Jubjub gates and the width-6 Poseidon of the EdDSA
    /// challenge, for [`Gadgets::verify_eddsa`]: at least 13 advice columns.
    pub fn configure_with_curve(meta: &mut ConstraintSystem<Fp>, widths: &[usize]) -> Self {
        let mut widths = widths.to_vec();
        widths.push(6);
        Self::configure_inner(meta, &widths, true)
    }

    fn configure_inner(meta: &mut ConstraintSystem<Fp>, widths: &[usize], curve: bool) -> Self {
        let mut widths: Vec<usize> = widths
            .iter()
            .copied()
            .filter(|t| (2..=17).contains(t))
            .collect();
        widths.sort_unstable();
        widths.dedup();
        let max_width = widths.last().copied().unwrap_or(0);
        // Copies reach the Poseidon state, the placement gate's six columns and (with the
        // curve) the ladder's thirteen; partial rounds put their S-box square one column past
        // the state.
        let copyable = max_width.max(if curve { CURVE_ADVICE } else { MIN_ADVICE });
        let columns = copyable.max(max_width + 1);
        let advice: Vec<Column<Advice>> = (0..columns).map(|_| meta.advice_column()).collect();
        for column in &advice[..copyable] {
            meta.enable_equality(*column);
        }
        let instance = meta.instance_column();
        meta.enable_equality(instance);
        // Only the curve ladder's start values are copy-constrained constants; elsewhere
        // constants are gate coefficients, which saves a fixed column and its permutation
        // column.
        if curve {
            let constants = meta.fixed_column();
            meta.enable_constant(constants);
        }
        // One set of coefficient columns, each chip reading them under its own selector:
        // Poseidon's round constants, the arithmetic gate's coefficients, the curve's bound
        // bit and constant point.
        let shared = max_width
            .max(ARITH_COEFFICIENTS)
            .max(if curve { CURVE_FIXED } else { 0 });
        let coefficients: Vec<Column<Fixed>> = (0..shared).map(|_| meta.fixed_column()).collect();
        let curve = curve.then(|| {
            let shared = [0, 1, 2].map(|i| coefficients[i]);
            CurveConfig::configure(meta, &advice, shared)
        });
        let poseidon = widths
            .iter()
            .map(|&t| PoseidonConfig::configure(meta, t, &advice, &coefficients))
            .collect();
        let table: TableColumn = meta.lookup_table_column();
        Self {
            capacity: super::poseidon::configure_capacity(meta, advice[0]),
            arith: ArithConfig::configure(meta, &advice, &coefficients),
            range: RangeConfig::configure(meta, &advice, table),
            swap: super::merkle::configure_swap(meta, &advice),
            quad: super::merkle::configure_quad(meta, &advice),
            curve,
            advice,
            copyable,
            instance,
            poseidon,
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

    /// Starts a synthesis: lays regions out from row 0 again and loads the fixed tables.
    /// Call it first in every `synthesize`.
    pub fn load(&self, layouter: &mut impl Layouter<Fp>) -> Result<(), Error> {
        self.next_row.set(0);
        self.range.load_table(layouter)
    }

    /// Assigns private witness values to fresh cells (no gate: they are constrained by the
    /// gadgets they are copied into).
    pub fn witness(
        &self,
        layouter: &mut impl Layouter<Fp>,
        values: &[Value<Fp>],
    ) -> Result<Vec<Var>, Error> {
        let width = self.copyable;
        self.region(
            layouter,
            "witness",
            values.len().div_ceil(width),
            |region, base| {
                Ok(values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| assign(region, self.advice[i % width], base + i / width, *v))
                    .collect())
            },
        )
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

    /// Constrains `var` to equal public input `row`.
    pub fn expose(&self, layouter: &mut impl Layouter<Fp>, var: &Var, row: usize) {
        layouter.constrain_instance(var.cell, self.instance, row);
    }
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

//! Merkle paths: binary (`Poseidon(l, r)` per level) and 4-ary (`Poseidon(c0..c3)` per two
//! binary levels, a binary top level for odd depths), as in [`crate::merkle`].

use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Error, Expression, Selector};

use super::Fp;
use super::gadgets::{Gadgets, Slots, Var};

/// The advice slots of a swap: `(bit, x, y, l, r)`.
const SWAP_CELLS: usize = 5;
/// The advice slots of a quad placement: `(low, high, node, s0, s1, s2)`, then the children.
const QUAD_CELLS: usize = 10;
/// The first child's slot in a quad placement.
const QUAD_CHILDREN: usize = 6;

/// `(bit, x, y, l, r)` in slots `0..5`: `bit ∈ {0,1}`, `l = x + bit·(y − x)`,
/// `r = y − bit·(y − x)`.
pub(super) fn configure_swap(meta: &mut ConstraintSystem<Fp>, slots: &Slots) -> Selector {
    let q = meta.selector();
    meta.create_gate("conditional swap", |meta| {
        let s = meta.query_selector(q);
        let [bit, x, y, l, r] = [0, 1, 2, 3, 4].map(|i| slots.query_advice(meta, i, 0));
        let one = Expression::Constant(Fp::ONE);
        let d = bit.clone() * (y.clone() - x.clone());
        vec![
            s.clone() * bit.clone() * (one - bit),
            s.clone() * (l - x - d.clone()),
            s * (r - y + d),
        ]
    });
    q
}

/// Slots `0..6` `(low, high, node, s0, s1, s2)`, slots `6..10` `(c0, c1, c2, c3)`: the children
/// of a quad node with `node` in slot `low + 2·high` and the siblings in the other slots, in
/// order.
///
/// `c0 = s0 + (1−low)(1−high)(node − s0)`, `c3 = s2 + low·high·(node − s2)`,
/// `c0 + c1 = s0 + node + high·(s1 − node)`, `Σ c = node + s0 + s1 + s2`, both bits boolean.
pub(super) fn configure_quad(meta: &mut ConstraintSystem<Fp>, slots: &Slots) -> Selector {
    let q = meta.selector();
    meta.create_gate("quad placement", |meta| {
        let s = meta.query_selector(q);
        let [low, high, node, s0, s1, s2] =
            [0, 1, 2, 3, 4, 5].map(|i| slots.query_advice(meta, i, 0));
        let [c0, c1, c2, c3] = [0, 1, 2, 3].map(|i| slots.query_advice(meta, QUAD_CHILDREN + i, 0));
        let one = Expression::Constant(Fp::ONE);
        let neither = (one.clone() - low.clone()) * (one.clone() - high.clone());
        let both = low.clone() * high.clone();
        vec![
            s.clone() * low.clone() * (one.clone() - low),
            s.clone() * high.clone() * (one - high.clone()),
            s.clone() * (c0.clone() - s0.clone() - neither * (node.clone() - s0.clone())),
            s.clone() * (c3.clone() - s2.clone() - both * (node.clone() - s2.clone())),
            s.clone()
                * (c0.clone() + c1.clone()
                    - s0.clone()
                    - node.clone()
                    - high * (s1.clone() - node.clone())),
            s * (c0 + c1 + c2 + c3 - node - s0 - s1 - s2),
        ]
    });
    q
}

/// `(l, r) = bit ? (y, x) : (x, y)` natively.
fn swapped(bit: Value<Fp>, x: Value<Fp>, y: Value<Fp>) -> (Value<Fp>, Value<Fp>) {
    let d = bit * (y - x);
    (x + d, y - d)
}

/// The children of a quad node natively (see [`configure_quad`]).
fn placed(low: Value<Fp>, high: Value<Fp>, node: Value<Fp>, s: [Value<Fp>; 3]) -> [Value<Fp>; 4] {
    let one = Value::known(Fp::ONE);
    let [s0, s1, s2] = s;
    let c0 = s0 + (one - low) * (one - high) * (node - s0);
    let c3 = s2 + low * high * (node - s2);
    let c1 = s0 + node + high * (s1 - node) - c0;
    let c2 = node + s0 + s1 + s2 - c0 - c1 - c3;
    [c0, c1, c2, c3]
}

impl Gadgets {
    /// `bit ? (y, x) : (x, y)` with `bit` constrained boolean: with `x` the path's node and
    /// `y` its sibling, the ordered pair for a node that is a right child iff `bit`.
    pub fn swap(
        &self,
        layouter: &mut impl Layouter<Fp>,
        bit: &Var,
        x: &Var,
        y: &Var,
    ) -> Result<(Var, Var), Error> {
        let outputs = swapped(bit.value, x.value, y.value);
        self.swap_with_outputs(layouter, [bit, x, y], outputs)
    }

    /// [`Self::swap`] with the outputs' values given: tests hand in wrong ones to show the
    /// gate rejects them.
    pub fn swap_with_outputs(
        &self,
        layouter: &mut impl Layouter<Fp>,
        [bit, x, y]: [&Var; 3],
        (l, r): (Value<Fp>, Value<Fp>),
    ) -> Result<(Var, Var), Error> {
        let slots = &self.slots;
        let rows = slots.rows(SWAP_CELLS, 0);
        self.region(layouter, "swap", rows, |region, at| {
            self.swap.enable(region, at)?;
            for (i, var) in [bit, x, y].into_iter().enumerate() {
                slots.copy(region, at, i, var);
            }
            Ok((
                slots.assign(region, at, 3, l),
                slots.assign(region, at, 4, r),
            ))
        })
    }

    /// The root of a binary Poseidon tree holding `leaf` at the path with index `bits`
    /// (least significant first, each constrained boolean) and `siblings` (leaf level
    /// first); [`Error::Synthesis`] if their counts differ.
    pub fn merkle_root(
        &self,
        layouter: &mut impl Layouter<Fp>,
        leaf: &Var,
        bits: &[Var],
        siblings: &[Var],
    ) -> Result<Var, Error> {
        if bits.len() != siblings.len() {
            return Err(Error::Synthesis);
        }
        bits.iter()
            .zip(siblings)
            .try_fold(*leaf, |node, (bit, sibling)| {
                self.binary_level(layouter, bit, &node, sibling)
            })
    }

    /// One binary level: `Poseidon(l, r)` of `node` and `sibling` ordered by `bit`.
    fn binary_level(
        &self,
        layouter: &mut impl Layouter<Fp>,
        bit: &Var,
        node: &Var,
        sibling: &Var,
    ) -> Result<Var, Error> {
        let (l, r) = self.swap(layouter, bit, node, sibling)?;
        self.poseidon(layouter, &[l, r])
    }

    /// The children `[c0, c1, c2, c3]` of a quad node with `node` in slot `low + 2·high`
    /// and `siblings` in the other slots in order; both bits are constrained boolean.
    pub fn quad_place(
        &self,
        layouter: &mut impl Layouter<Fp>,
        low: &Var,
        high: &Var,
        node: &Var,
        siblings: &[Var; 3],
    ) -> Result<[Var; 4], Error> {
        let children = placed(low.value, high.value, node.value, siblings.map(|s| s.value));
        self.quad_place_with_outputs(layouter, [low, high, node], siblings, children)
    }

    /// [`Self::quad_place`] with the children's values given: tests hand in wrong ones to
    /// show the gate rejects them.
    pub fn quad_place_with_outputs(
        &self,
        layouter: &mut impl Layouter<Fp>,
        [low, high, node]: [&Var; 3],
        siblings: &[Var; 3],
        children: [Value<Fp>; 4],
    ) -> Result<[Var; 4], Error> {
        let slots = &self.slots;
        let rows = slots.rows(QUAD_CELLS, 0);
        self.region(layouter, "quad placement", rows, |region, at| {
            self.quad.enable(region, at)?;
            let inputs = [low, high, node, &siblings[0], &siblings[1], &siblings[2]];
            for (i, var) in inputs.into_iter().enumerate() {
                slots.copy(region, at, i, var);
            }
            let mut out = Vec::with_capacity(4);
            for (i, c) in children.iter().enumerate() {
                out.push(slots.assign(region, at, QUAD_CHILDREN + i, *c));
            }
            out.try_into().map_err(|_| Error::Synthesis)
        })
    }

    /// The root of a 4-ary tree ([`crate::merkle::QuadTree`]) of binary depth `bits.len()`
    /// holding `leaf`: per quad level the three siblings in slot order without ours, and for
    /// an odd depth the binary top level's sibling. [`Error::Synthesis`] on a shape mismatch.
    pub fn quad_root(
        &self,
        layouter: &mut impl Layouter<Fp>,
        leaf: &Var,
        bits: &[Var],
        siblings: &[[Var; 3]],
        top: Option<&Var>,
    ) -> Result<Var, Error> {
        if bits.len() != 2 * siblings.len() + usize::from(top.is_some()) {
            return Err(Error::Synthesis);
        }
        let node =
            bits.chunks_exact(2)
                .zip(siblings)
                .try_fold(*leaf, |node, (pair, siblings)| {
                    let children =
                        self.quad_place(layouter, &pair[0], &pair[1], &node, siblings)?;
                    self.poseidon(layouter, &children)
                })?;
        match (top, bits.last()) {
            (Some(sibling), Some(bit)) => self.binary_level(layouter, bit, &node, sibling),
            _ => Ok(node),
        }
    }
}

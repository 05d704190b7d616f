//! The rollup batch statement as a halo2 circuit: the same native witness
//! ([`RollupCircuit`]) and the same public inputs `[old_root, new_root, commitment]` as the
//! R1CS circuit, and slot for slot the same constraints (see [`crate::rollup::r1cs`]):
//! one-hot kind flags, two leaf updates on the 4-ary account tree, 64-bit ranges on amount,
//! fee, both new balances and the nonce, the L1 data chain, one EdDSA-Poseidon verification,
//! then the operator's fee credit and the commitment.
//!
//! The configuration does not depend on the depth or the batch size (only the layout does),
//! so the halo2 circuit parameter is `()`.

use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::plonk::{Circuit, ConstraintSystem, Error};

use super::curve::PointCells;
use super::eddsa::SignatureCells;
use super::gadgets::{Gadgets, Var};
use super::{Fp, to_halo2, to_halo2_vec};
use crate::Fr;
use crate::rollup::commitment::{AMOUNT_SHIFT, FEE_SHIFT, FROM_SHIFT, TO_SHIFT};
use crate::rollup::{
    AccountFields, AccountPath, L1_ADDRESS_BITS, OpKind, RollupCircuit, SlotWitness, TRANSFER_TAG,
    UpdateWitness, WITHDRAW_TAG, noop_public_key,
};

/// `[old_root, new_root, commitment]`.
const PUBLIC_INPUTS: usize = 3;

/// Amounts, fees, balances and nonces are below `2^64`.
const U64_BITS: usize = 64;

/// Poseidon widths besides the EdDSA challenge's: leaves and chain links (4 inputs), the
/// signed message (6), the binary top level and the commitment (2).
const ROLLUP_WIDTHS: [usize; 3] = [3, 5, 7];

/// The rollup batch statement of [`RollupCircuit`] in halo2 (see the module docs).
#[derive(Debug, Clone)]
pub struct RollupBatchCircuit(pub RollupCircuit);

impl RollupBatchCircuit {
    /// The public inputs, the R1CS circuit's converted: `[old_root, new_root, commitment]`.
    pub fn public_inputs(&self) -> Vec<Fp> {
        to_halo2_vec(&self.0.public_inputs())
    }
}

impl Circuit<Fp> for RollupBatchCircuit {
    type Config = Gadgets;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        // `blank` only fails for parameters `RollupCircuit::new` has already accepted.
        RollupCircuit::blank(*self.0.params()).map_or_else(|_| self.clone(), Self)
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> Gadgets {
        Gadgets::configure_with_curve(meta, &ROLLUP_WIDTHS)
    }

    fn synthesize(&self, gadgets: Gadgets, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        let w = self.0.witness();
        let g = Synth { g: &gadgets };
        let layouter = &mut layouter;
        gadgets.load(PUBLIC_INPUTS);
        let old_root = g.witness(layouter, &[w.old_root])?[0];
        gadgets.expose(layouter, &old_root, 0)?;
        let zero = gadgets.constant(layouter, Fp::ZERO)?;
        let mut run = Running {
            root: old_root,
            chain: zero,
            fees: zero,
        };
        for slot in &w.slots {
            g.slot(layouter, slot, &mut run)?;
        }

        // The operator exists and receives the fee total; B fees below 2^64 cannot wrap.
        let operator = g.account(layouter, &w.operator.before)?;
        let path = g.path(layouter, &w.operator.path)?;
        let balance = gadgets.add(layouter, &operator.balance, &run.fees)?;
        gadgets.range_check(layouter, &balance, U64_BITS)?;
        let old_leaf = g.leaf(layouter, &operator.key, &operator.balance, &operator.nonce)?;
        let new_leaf = g.leaf(layouter, &operator.key, &balance, &operator.nonce)?;
        let new_root = g.update(layouter, &path, &old_leaf, &new_leaf, &run.root)?;
        gadgets.expose(layouter, &new_root, 1)?;
        let index = g.index(layouter, &path.bits)?;
        let commitment = gadgets.poseidon(layouter, &[run.chain, index])?;
        gadgets.expose(layouter, &commitment, 2)?;
        Ok(())
    }
}

/// What flows from slot to slot: the current root, the data chain and the fee total.
struct Running {
    root: Var,
    chain: Var,
    fees: Var,
}

/// An account's fields in the circuit.
struct AccountCells {
    key: PointCells,
    balance: Var,
    nonce: Var,
}

/// A path in the circuit: index bits (least significant first) and siblings.
struct PathCells {
    bits: Vec<Var>,
    siblings: Vec<[Var; 3]>,
    top: Option<Var>,
}

/// The gadgets and the rollup's composite operations on them.
struct Synth<'a> {
    g: &'a Gadgets,
}

/// `2^k` in halo2's field.
fn pow2(k: u64) -> Fp {
    Fp::from(2u64).pow_vartime([k])
}

fn bit(b: bool) -> Fr {
    Fr::from(u64::from(b))
}

impl Synth<'_> {
    fn witness(&self, layouter: &mut impl Layouter<Fp>, values: &[Fr]) -> Result<Vec<Var>, Error> {
        self.g.witness_fr(layouter, values)
    }

    fn account(
        &self,
        layouter: &mut impl Layouter<Fp>,
        a: &AccountFields,
    ) -> Result<AccountCells, Error> {
        let cells = self.witness(
            layouter,
            &[a.public_key.x, a.public_key.y, a.balance, a.nonce],
        )?;
        Ok(AccountCells {
            key: PointCells {
                x: cells[0],
                y: cells[1],
            },
            balance: cells[2],
            nonce: cells[3],
        })
    }

    fn path(
        &self,
        layouter: &mut impl Layouter<Fp>,
        path: &AccountPath,
    ) -> Result<PathCells, Error> {
        let bits: Vec<Fr> = path.index_bits().into_iter().map(bit).collect();
        let bits = self.witness(layouter, &bits)?;
        let siblings = path
            .siblings()
            .iter()
            .map(|s| {
                let cells = self.witness(layouter, s)?;
                Ok([cells[0], cells[1], cells[2]])
            })
            .collect::<Result<_, Error>>()?;
        let top = match path.top_sibling() {
            Some(s) => Some(self.witness(layouter, &[*s])?[0]),
            None => None,
        };
        Ok(PathCells {
            bits,
            siblings,
            top,
        })
    }

    /// `Poseidon(pk_x, pk_y, balance, nonce)`.
    fn leaf(
        &self,
        layouter: &mut impl Layouter<Fp>,
        key: &PointCells,
        balance: &Var,
        nonce: &Var,
    ) -> Result<Var, Error> {
        self.g.poseidon(layouter, &[key.x, key.y, *balance, *nonce])
    }

    /// The root after replacing `old` by `new` at `path`, where `old` must sit there in the
    /// tree with root `root`.
    fn update(
        &self,
        layouter: &mut impl Layouter<Fp>,
        path: &PathCells,
        old: &Var,
        new: &Var,
        root: &Var,
    ) -> Result<Var, Error> {
        let g = self.g;
        let before = g.quad_root(layouter, old, &path.bits, &path.siblings, path.top.as_ref())?;
        g.assert_equal(layouter, &before, root)?;
        g.quad_root(layouter, new, &path.bits, &path.siblings, path.top.as_ref())
    }

    /// `Σ bits[i]·2^i`.
    fn index(&self, layouter: &mut impl Layouter<Fp>, bits: &[Var]) -> Result<Var, Error> {
        let (first, rest) = bits.split_first().ok_or(Error::Synthesis)?;
        rest.iter().zip(1u64..).try_fold(*first, |acc, (b, i)| {
            self.linear(layouter, [&acc, b], [Fp::ONE, pow2(i)])
        })
    }

    /// `q_a·a + q_b·b`.
    fn linear(
        &self,
        layouter: &mut impl Layouter<Fp>,
        [a, b]: [&Var; 2],
        [qa, qb]: [Fp; 2],
    ) -> Result<Var, Error> {
        let z = Fp::ZERO;
        self.g
            .combine(layouter, [Some(a), Some(b), None], [qa, qb, z, z, z])
    }

    /// `a − b`.
    fn sub(&self, layouter: &mut impl Layouter<Fp>, a: &Var, b: &Var) -> Result<Var, Error> {
        self.linear(layouter, [a, b], [Fp::ONE, -Fp::ONE])
    }

    /// `c·a`.
    fn mul(&self, layouter: &mut impl Layouter<Fp>, c: &Var, a: &Var) -> Result<Var, Error> {
        let z = Fp::ZERO;
        self.g
            .combine(layouter, [Some(c), Some(a), None], [z, z, z, Fp::ONE, z])
    }

    /// `c ? a : b` for a boolean `c`, i.e. `b + c·(a − b)`.
    fn mux(
        &self,
        layouter: &mut impl Layouter<Fp>,
        c: &Var,
        a: &Var,
        b: &Var,
    ) -> Result<Var, Error> {
        let z = Fp::ZERO;
        let d = self.sub(layouter, a, b)?;
        self.g.combine(
            layouter,
            [Some(c), Some(&d), Some(b)],
            [z, z, Fp::ONE, Fp::ONE, z],
        )
    }

    /// `c ? a : k` for a boolean `c` and a constant `k`, i.e. `k − k·c + c·a`.
    fn mux_constant(
        &self,
        layouter: &mut impl Layouter<Fp>,
        c: &Var,
        a: &Var,
        k: Fr,
    ) -> Result<Var, Error> {
        let (k, z) = (to_halo2(&k), Fp::ZERO);
        self.g
            .combine(layouter, [Some(c), Some(a), None], [-k, z, z, Fp::ONE, k])
    }

    /// One slot, advancing `run`.
    fn slot(
        &self,
        layouter: &mut impl Layouter<Fp>,
        slot: &SlotWitness,
        run: &mut Running,
    ) -> Result<(), Error> {
        let g = self.g;
        let (one, z) = (Fp::ONE, Fp::ZERO);
        let kinds = [
            OpKind::Noop,
            OpKind::Transfer,
            OpKind::Deposit,
            OpKind::Withdrawal,
        ]
        .map(|k| bit(slot.kind == k));
        let flags = self.witness(layouter, &kinds)?;
        let [noop, transfer, deposit, withdrawal] = [flags[0], flags[1], flags[2], flags[3]];
        for flag in &flags {
            g.assert_boolean(layouter, flag)?;
        }
        let three = g.combine(
            layouter,
            [Some(&noop), Some(&transfer), Some(&deposit)],
            [one, one, one, z, z],
        )?;
        g.assert_combination_zero(
            layouter,
            [Some(&three), Some(&withdrawal), None],
            [one, one, z, z, -one],
        )?;
        let signed = g.add(layouter, &transfer, &withdrawal)?;
        let credits = g.add(layouter, &transfer, &deposit)?;

        let values = self.witness(layouter, &[slot.amount, slot.fee, slot.l1_address])?;
        let [amount, fee, l1_address] = [values[0], values[1], values[2]];
        g.range_check(layouter, &amount, U64_BITS)?;
        g.range_check(layouter, &fee, U64_BITS)?;
        g.range_check(layouter, &l1_address, L1_ADDRESS_BITS)?;
        // (1 − withdrawal)·l1_address = 0.
        g.assert_combination_zero(
            layouter,
            [Some(&withdrawal), Some(&l1_address), Some(&l1_address)],
            [z, z, one, -one, z],
        )?;

        // Update A: debit the sender, or no change.
        let (sender, leaf_a, path_a) = self.update_inputs(layouter, &slot.sender)?;
        let hashed_a = self.leaf(layouter, &sender.key, &sender.balance, &sender.nonce)?;
        let diff = self.sub(layouter, &leaf_a, &hashed_a)?;
        g.assert_product_zero(layouter, &signed, &diff)?;
        let debit = g.add(layouter, &amount, &fee)?;
        let balance_a = g.combine(
            layouter,
            [Some(&signed), Some(&debit), Some(&sender.balance)],
            [z, z, one, -one, z],
        )?;
        let nonce_a = g.combine(
            layouter,
            [Some(&sender.nonce), None, None],
            [one, z, z, z, one],
        )?;
        g.range_check(layouter, &balance_a, U64_BITS)?;
        g.range_check(layouter, &nonce_a, U64_BITS)?;
        let debited = self.leaf(layouter, &sender.key, &balance_a, &nonce_a)?;
        let new_leaf_a = self.mux(layouter, &signed, &debited, &leaf_a)?;
        let root = self.update(layouter, &path_a, &leaf_a, &new_leaf_a, &run.root)?;

        // Update B: credit the receiver (creating it for a new deposit), or no change.
        let (receiver, leaf_b, path_b) = self.update_inputs(layouter, &slot.receiver)?;
        let is_new = self.witness(layouter, &[bit(slot.receiver_is_new)])?[0];
        g.assert_boolean(layouter, &is_new)?;
        // is_new·(1 − deposit) = 0.
        g.assert_combination_zero(
            layouter,
            [Some(&is_new), Some(&deposit), None],
            [one, z, z, -one, z],
        )?;
        g.assert_product_zero(layouter, &is_new, &receiver.balance)?;
        g.assert_product_zero(layouter, &is_new, &receiver.nonce)?;
        let hashed_b = self.leaf(layouter, &receiver.key, &receiver.balance, &receiver.nonce)?;
        let old_b = g.zero_if(layouter, &is_new, &hashed_b)?;
        let diff = self.sub(layouter, &leaf_b, &old_b)?;
        g.assert_product_zero(layouter, &credits, &diff)?;
        let balance_b = g.add(layouter, &receiver.balance, &amount)?;
        g.range_check(layouter, &balance_b, U64_BITS)?;
        let credited = self.leaf(layouter, &receiver.key, &balance_b, &receiver.nonce)?;
        let new_leaf_b = self.mux(layouter, &credits, &credited, &leaf_b)?;
        run.root = self.update(layouter, &path_b, &leaf_b, &new_leaf_b, &root)?;

        // Pubdata: w0 packs kind, from, to, amount, fee; unused fields must be zero.
        let from = self.index(layouter, &path_a.bits)?;
        let to = self.index(layouter, &path_b.bits)?;
        let kind = g.combine(
            layouter,
            [Some(&transfer), Some(&deposit), Some(&withdrawal)],
            [one, Fp::from(2), Fp::from(3), z, z],
        )?;
        let head = g.combine(
            layouter,
            [Some(&kind), Some(&from), Some(&to)],
            [one, pow2(FROM_SHIFT), pow2(TO_SHIFT), z, z],
        )?;
        let w0 = g.combine(
            layouter,
            [Some(&head), Some(&amount), Some(&fee)],
            [one, pow2(AMOUNT_SHIFT), pow2(FEE_SHIFT), z, z],
        )?;
        g.assert_product_zero(layouter, &noop, &w0)?;
        let from_fee = g.add(layouter, &from, &fee)?;
        g.assert_product_zero(layouter, &deposit, &from_fee)?;
        g.assert_product_zero(layouter, &withdrawal, &to)?;
        let w1 = g.combine(
            layouter,
            [Some(&deposit), Some(&receiver.key.x), Some(&l1_address)],
            [z, z, one, one, z],
        )?;
        let w2 = self.mul(layouter, &deposit, &receiver.key.y)?;
        run.chain = g.poseidon(layouter, &[run.chain, w0, w1, w2])?;
        run.fees = g.add(layouter, &run.fees, &fee)?;

        // One signature: the sender's on the operation, or the no-op key's on 0.
        let dummy = noop_public_key();
        let key = PointCells {
            x: self.mux_constant(layouter, &signed, &sender.key.x, dummy.x)?,
            y: self.mux_constant(layouter, &signed, &sender.key.y, dummy.y)?,
        };
        let tag = self.linear(
            layouter,
            [&transfer, &withdrawal],
            [Fp::from(TRANSFER_TAG), Fp::from(WITHDRAW_TAG)],
        )?;
        let destination = g.combine(
            layouter,
            [Some(&transfer), Some(&to), Some(&l1_address)],
            [z, z, one, one, z],
        )?;
        let message = g.poseidon(
            layouter,
            &[tag, from, destination, amount, fee, sender.nonce],
        )?;
        let message = self.mul(layouter, &signed, &message)?;
        let sig = self.witness(
            layouter,
            &[slot.signature.r8.x, slot.signature.r8.y, slot.signature.s],
        )?;
        let signature = SignatureCells {
            r8: PointCells {
                x: sig[0],
                y: sig[1],
            },
            s: sig[2],
        };
        g.verify_eddsa(layouter, &key, &message, &signature)
    }

    /// The account, old leaf and path of one update.
    fn update_inputs(
        &self,
        layouter: &mut impl Layouter<Fp>,
        u: &UpdateWitness,
    ) -> Result<(AccountCells, Var, PathCells), Error> {
        let account = self.account(layouter, &u.before)?;
        let leaf = self.witness(layouter, &[u.leaf])?[0];
        let path = self.path(layouter, &u.path)?;
        Ok((account, leaf, path))
    }
}

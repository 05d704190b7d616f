//! One batch slot in R1CS; the constraints are described in the parent module.

use ark_ff::Field;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::super::commitment::{AMOUNT_SHIFT, FEE_SHIFT, FROM_SHIFT, TO_SHIFT, pow2};
use super::super::ops::{L1_ADDRESS_BITS, OpKind, TRANSFER_TAG, WITHDRAW_TAG, noop_public_key};
use super::super::tree::AccountPathVar;
use super::super::{AccountFields, SlotWitness};
use crate::Fr;
use crate::babyjubjub::r1cs::PointVar;
use crate::eddsa::r1cs::{SignatureVar, verify_poseidon};
use crate::poseidon;
use crate::range::{RangeBits, enforce};

/// What flows from slot to slot: the current root, the data chain `c_i` and the fee total.
pub(super) struct Running {
    pub(super) root: FpVar<Fr>,
    pub(super) chain: FpVar<Fr>,
    pub(super) fees: FpVar<Fr>,
}

/// An account's fields in the constraint system.
pub(super) struct AccountVar {
    pub(super) public_key: PointVar,
    pub(super) balance: FpVar<Fr>,
    pub(super) nonce: FpVar<Fr>,
}

impl AccountVar {
    pub(super) fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        a: &AccountFields,
    ) -> Result<Self, SynthesisError> {
        Ok(Self {
            public_key: PointVar::new_witness(cs.clone(), || Ok(a.public_key))?,
            balance: FpVar::new_witness(cs.clone(), || Ok(a.balance))?,
            nonce: FpVar::new_witness(cs, || Ok(a.nonce))?,
        })
    }

    /// `Poseidon(pk_x, pk_y, balance, nonce)` of the account as allocated.
    pub(super) fn leaf(&self) -> Result<FpVar<Fr>, SynthesisError> {
        self.leaf_with(&self.balance, &self.nonce)
    }

    /// The leaf with this key and another balance and nonce.
    pub(super) fn leaf_with(
        &self,
        balance: &FpVar<Fr>,
        nonce: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        poseidon::r1cs::hash(&[
            self.public_key.x.clone(),
            self.public_key.y.clone(),
            balance.clone(),
            nonce.clone(),
        ])
    }
}

/// `c ? a : b` for a 0/1 field element `c` (one constraint).
fn mux(c: &FpVar<Fr>, a: &FpVar<Fr>, b: &FpVar<Fr>) -> FpVar<Fr> {
    b + c * (a - b)
}

/// Enforces `a · b = 0` (one constraint).
fn enforce_zero_product(a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), SynthesisError> {
    a.mul_equals(b, &FpVar::zero())
}

/// Synthesizes one slot, advancing `run`.
pub(super) fn synthesize(
    cs: ConstraintSystemRef<Fr>,
    slot: &SlotWitness,
    run: &mut Running,
) -> Result<(), SynthesisError> {
    let flag = |kind: OpKind| -> Result<FpVar<Fr>, SynthesisError> {
        Ok(Boolean::new_witness(cs.clone(), || Ok(slot.kind == kind))?.into())
    };
    let noop = flag(OpKind::Noop)?;
    let transfer = flag(OpKind::Transfer)?;
    let deposit = flag(OpKind::Deposit)?;
    let withdrawal = flag(OpKind::Withdrawal)?;
    (&noop + &transfer + &deposit + &withdrawal).enforce_equal(&FpVar::one())?;
    let signed = &transfer + &withdrawal;
    let credits = &transfer + &deposit;
    let one = FpVar::one();

    let amount = FpVar::new_witness(cs.clone(), || Ok(slot.amount))?;
    let fee = FpVar::new_witness(cs.clone(), || Ok(slot.fee))?;
    let l1_address = FpVar::new_witness(cs.clone(), || Ok(slot.l1_address))?;
    enforce(&amount, RangeBits::U64)?;
    enforce(&fee, RangeBits::U64)?;
    let l1_bits = RangeBits::new(L1_ADDRESS_BITS).map_err(|_| SynthesisError::Unsatisfiable)?;
    enforce(&l1_address, l1_bits)?;
    enforce_zero_product(&(&one - &withdrawal), &l1_address)?;

    // Update A: debit the sender, or no change.
    let sender = AccountVar::new_witness(cs.clone(), &slot.sender.before)?;
    let leaf_a = FpVar::new_witness(cs.clone(), || Ok(slot.sender.leaf))?;
    let path_a = AccountPathVar::new_witness(cs.clone(), || Ok(&slot.sender.path))?;
    enforce_zero_product(&signed, &(&leaf_a - sender.leaf()?))?;
    let balance_a = &sender.balance - &signed * (&amount + &fee);
    let nonce_a = &sender.nonce + Fr::ONE;
    enforce(&balance_a, RangeBits::U64)?;
    enforce(&nonce_a, RangeBits::U64)?;
    let new_leaf_a = mux(&signed, &sender.leaf_with(&balance_a, &nonce_a)?, &leaf_a);
    let root = path_a.update(&leaf_a, &new_leaf_a, &run.root)?;

    // Update B: credit the receiver (creating it for a new deposit), or no change.
    let receiver = AccountVar::new_witness(cs.clone(), &slot.receiver.before)?;
    let leaf_b = FpVar::new_witness(cs.clone(), || Ok(slot.receiver.leaf))?;
    let path_b = AccountPathVar::new_witness(cs.clone(), || Ok(&slot.receiver.path))?;
    let is_new: FpVar<Fr> = Boolean::new_witness(cs.clone(), || Ok(slot.receiver_is_new))?.into();
    enforce_zero_product(&is_new, &(&one - &deposit))?;
    enforce_zero_product(&is_new, &receiver.balance)?;
    enforce_zero_product(&is_new, &receiver.nonce)?;
    let hashed_b = receiver.leaf()?;
    let old_b = &hashed_b - &is_new * &hashed_b;
    enforce_zero_product(&credits, &(&leaf_b - old_b))?;
    let balance_b = &receiver.balance + &amount;
    enforce(&balance_b, RangeBits::U64)?;
    let new_leaf_b = mux(
        &credits,
        &receiver.leaf_with(&balance_b, &receiver.nonce)?,
        &leaf_b,
    );
    run.root = path_b.update(&leaf_b, &new_leaf_b, &root)?;

    // Pubdata: w0 packs kind, from, to, amount, fee; unused fields must be zero.
    let from = Boolean::le_bits_to_fp(path_a.index_bits())?;
    let to = Boolean::le_bits_to_fp(path_b.index_bits())?;
    let kind = &transfer + &deposit * Fr::from(2u64) + &withdrawal * Fr::from(3u64);
    let w0 = kind
        + &from * pow2(FROM_SHIFT)
        + &to * pow2(TO_SHIFT)
        + &amount * pow2(AMOUNT_SHIFT)
        + &fee * pow2(FEE_SHIFT);
    enforce_zero_product(&noop, &w0)?;
    enforce_zero_product(&deposit, &(&from + &fee))?;
    enforce_zero_product(&withdrawal, &to)?;
    let w1 = &deposit * &receiver.public_key.x + &l1_address;
    let w2 = &deposit * &receiver.public_key.y;
    run.chain = poseidon::r1cs::hash(&[run.chain.clone(), w0, w1, w2])?;
    run.fees = &run.fees + &fee;

    // One signature: the sender's on the operation, or the no-op key's on 0.
    let dummy = noop_public_key();
    let key = PointVar::new(
        mux(&signed, &sender.public_key.x, &FpVar::constant(dummy.x)),
        mux(&signed, &sender.public_key.y, &FpVar::constant(dummy.y)),
    );
    let tag = &transfer * Fr::from(TRANSFER_TAG) + &withdrawal * Fr::from(WITHDRAW_TAG);
    let destination = &transfer * &to + &l1_address;
    let message = poseidon::r1cs::hash(&[tag, from, destination, amount, fee, sender.nonce])?;
    let message = &signed * &message;
    let signature = SignatureVar {
        r8: PointVar::new_witness(cs.clone(), || Ok(slot.signature.r8))?,
        s: FpVar::new_witness(cs, || Ok(slot.signature.s))?,
    };
    verify_poseidon(&key, &message, &signature)
}

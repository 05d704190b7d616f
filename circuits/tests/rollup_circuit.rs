//! The rollup circuit: honest batches satisfy it, every witness field and public input is
//! bound, and the named attacks are rejected natively and in the circuit.

mod common;
mod rollup_support;

use ark_ff::AdditiveGroup;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use bulwark_circuits::Fr;
use bulwark_circuits::eddsa::{public_key, sign_poseidon};
use bulwark_circuits::rollup::{
    Batch, BatchWitness, Deposit, OpKind, Operation, RollupCircuit, RollupError, RollupParams,
    Rule, State, Transfer, Withdrawal, build_witness, check, sample,
};
use rollup_support::*;

#[test]
fn honest_batch_of_every_kind_with_padding_satisfies() {
    let w = honest();
    let kinds: Vec<_> = w.slots.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            OpKind::Transfer,
            OpKind::Deposit,
            OpKind::Deposit,
            OpKind::Withdrawal,
            OpKind::Noop
        ]
    );
    assert!(w.slots[1].receiver_is_new && !w.slots[2].receiver_is_new);
    assert!(satisfied(B, w));
}

#[test]
fn witness_roots_match_the_native_state() {
    let mut s = state();
    let old = s.root();
    let w = build_witness(&mut s, &batch(), &params(B)).expect("valid");
    assert_eq!(w.public_inputs(), [old, s.root(), w.commitment]);
    assert_eq!(s.get(1).map(|a| (a.balance, a.nonce)), Some((898, 1)));
    assert_eq!(s.get(2).map(|a| a.balance), Some(1_130));
    assert_eq!(s.get(3).map(|a| (a.balance, a.nonce)), Some((959, 1)));
    assert_eq!(
        s.get(NEW_INDEX).map(|a| (a.balance, a.nonce)),
        Some((50, 0))
    );
    assert_eq!(s.get(OPERATOR).map(|a| a.balance), Some(1_003));
}

#[test]
fn self_transfer_pays_only_the_fee_and_satisfies() {
    let batch = Batch {
        operator: OPERATOR,
        operations: vec![Operation::Transfer(Transfer::signed(
            &key(1),
            1,
            1,
            300,
            5,
            0,
        ))],
    };
    let mut s = state();
    let w = build_witness(&mut s, &batch, &params(1)).expect("self-transfer is valid");
    assert_eq!(s.get(1).map(|a| (a.balance, a.nonce)), Some((995, 1)));
    assert!(satisfied(1, w));
}

#[test]
fn empty_batch_of_noops_satisfies() {
    let w = witness(
        &Batch {
            operator: OPERATOR,
            operations: vec![],
        },
        2,
    );
    assert_eq!(w.old_root, w.new_root);
    assert!(satisfied(2, w));
}

#[test]
fn sample_demo_batch_satisfies() {
    let p = RollupParams::new(6, 4).expect("params");
    let mut demo = sample::demo(&p, 5, 42).expect("demo");
    let w = build_witness(&mut demo.state, &demo.batch, &p).expect("demo batch is valid");
    let cs = ConstraintSystem::<Fr>::new_ref();
    RollupCircuit::new(p, w)
        .expect("shape")
        .generate_constraints(cs.clone())
        .expect("synthesis");
    assert!(cs.is_satisfied().expect("assigned"));
}

#[test]
fn every_witness_variable_is_bound() {
    let batch = Batch {
        operator: OPERATOR,
        operations: vec![operations()[0], operations()[3]],
    };
    let cs = synthesize(2, witness(&batch, 2));
    let checked = common::assert_every_witness_is_bound(&cs);
    assert!(checked > 10_000, "only {checked} witnesses");
    // And the padding / deposit shapes.
    let batch = Batch {
        operator: OPERATOR,
        operations: vec![operations()[1]],
    };
    common::assert_every_witness_is_bound(&synthesize(2, witness(&batch, 2)));
}

/// Expects the R1CS circuit to reject every mutant.
fn assert_all_rejected(mutants: Vec<Mutant>) {
    for (name, w) in mutants {
        assert!(!satisfied(B, w), "mutating {name} still satisfies");
    }
}

#[test]
fn transfer_fields_are_bound() {
    assert_all_rejected(slot_mutants(0));
}

#[test]
fn deposit_creating_fields_are_bound() {
    assert_all_rejected(slot_mutants(1));
}

#[test]
fn deposit_topping_up_fields_are_bound() {
    assert_all_rejected(slot_mutants(2));
}

#[test]
fn withdrawal_fields_are_bound() {
    assert_all_rejected(slot_mutants(3));
}

#[test]
fn noop_fields_are_bound() {
    assert_all_rejected(slot_mutants(4));
}

#[test]
fn operator_and_public_inputs_are_bound() {
    assert_all_rejected(batch_mutants());
}

#[test]
fn replayed_transfer_is_rejected_natively_and_in_the_circuit() {
    let t = Transfer::signed(&key(1), 1, 2, 100, 2, 0);
    let once = Batch {
        operator: OPERATOR,
        operations: vec![Operation::Transfer(t)],
    };
    let mut s = state();
    build_witness(&mut s, &once, &params(1)).expect("first time valid");
    let err = check(&s, &once, &params(1)).expect_err("replay");
    assert!(matches!(
        err,
        RollupError::Operation {
            index: 0,
            rule: Rule::WrongNonce {
                expected: 1,
                got: 0
            }
        }
    ));
    // Same op twice in one batch: the second is the replay.
    let twice = Batch {
        operator: OPERATOR,
        operations: vec![Operation::Transfer(t); 2],
    };
    let err = check(&state(), &twice, &params(2)).expect_err("replay");
    assert!(matches!(
        err,
        RollupError::Operation {
            index: 1,
            rule: Rule::WrongNonce { .. }
        }
    ));

    // Force the stale signature into an honest witness of the next transfer (nonce 1).
    let next = Batch {
        operator: OPERATOR,
        operations: vec![Operation::Transfer(Transfer::signed(
            &key(1),
            1,
            2,
            100,
            2,
            1,
        ))],
    };
    let honest_next = build_witness(&mut s.clone(), &next, &params(1)).expect("valid");
    let synth = |w: BatchWitness| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        RollupCircuit::new(params(1), w)
            .expect("shape")
            .generate_constraints(cs.clone())
            .expect("synthesis");
        cs.is_satisfied().expect("assigned")
    };
    assert!(synth(honest_next.clone()));
    let mut stale_sig = honest_next.clone();
    stale_sig.slots[0].signature = t.signature;
    assert!(!synth(stale_sig.clone()), "stale signature accepted");
    // …and with the account's nonce forced back to 0 so the signature verifies.
    stale_sig.slots[0].sender.before.nonce = Fr::ZERO;
    assert!(!synth(stale_sig), "stale nonce accepted");
}

#[test]
fn deposit_to_a_wrong_leaf_is_rejected() {
    // Natively: depositing under an attacker's key to an existing account.
    let attack = Batch {
        operator: OPERATOR,
        operations: vec![Operation::Deposit(Deposit::for_key(&key(9), 2, 30))],
    };
    assert!(matches!(
        check(&state(), &attack, &params(1)),
        Err(RollupError::Operation {
            index: 0,
            rule: Rule::DepositToAnotherKey { index: 2 }
        })
    ));
    // In the circuit: the top-up of account 2 claimed under another key…
    let mut w = honest();
    w.slots[2].receiver.before.public_key = other_key();
    assert!(!satisfied(B, w));
    // …or claimed as a new account over the existing leaf.
    let mut w = honest();
    let slot = &mut w.slots[2];
    slot.receiver_is_new = true;
    slot.receiver.leaf = Fr::ZERO;
    slot.receiver.before.balance = Fr::ZERO;
    assert!(!satisfied(B, w));
    // …or the creating deposit's credit moved to another leaf.
    let mut w = honest();
    w.slots[1].receiver.path = reindex(&w.slots[1].receiver.path, 6);
    assert!(!satisfied(B, w));
}

#[test]
fn withdrawal_by_a_non_owner_is_rejected() {
    let msg = Withdrawal::message(3, Fr::from(L1), 40, 1, 0);
    let mut forged = Withdrawal::signed(&key(1), 3, Fr::from(L1), 40, 1, 0);
    assert_eq!(forged.signature, sign_poseidon(&key(1), msg));
    let batch = Batch {
        operator: OPERATOR,
        operations: vec![Operation::Withdrawal(forged)],
    };
    assert!(matches!(
        check(&state(), &batch, &params(1)),
        Err(RollupError::Operation {
            index: 0,
            rule: Rule::BadSignature(_)
        })
    ));
    let mut w = honest();
    w.slots[3].signature = forged.signature;
    assert!(!satisfied(B, w.clone()));
    // Claiming the attacker's key for account 3 breaks the leaf instead.
    w.slots[3].sender.before.public_key = public_key(&key(1));
    assert!(!satisfied(B, w));
    forged.signature = sign_poseidon(&key(3), msg);
    assert!(
        check(
            &state(),
            &Batch {
                operator: OPERATOR,
                operations: vec![Operation::Withdrawal(forged)]
            },
            &params(1)
        )
        .is_ok()
    );
}

#[test]
fn fees_to_a_non_operator_are_rejected() {
    let honest = honest();
    let mut other = batch();
    other.operator = 2;
    let to_two = witness(&other, B);
    assert!(satisfied(B, to_two.clone()));
    // Crediting account 2 while the commitment names the operator 0.
    let mut w = to_two.clone();
    w.commitment = honest.commitment;
    assert!(!satisfied(B, w));
    // Swapping in account 2's credit under the honest public inputs.
    let mut w = honest.clone();
    w.operator = to_two.operator;
    assert!(!satisfied(B, w));
}

#[test]
fn wrong_shape_is_a_typed_error() {
    let w = honest();
    assert!(matches!(
        RollupCircuit::new(params(B + 1), w.clone()),
        Err(RollupError::WitnessShape(_))
    ));
    let p = RollupParams::new(DEPTH + 1, B).expect("params");
    assert!(matches!(
        RollupCircuit::new(p, w),
        Err(RollupError::WitnessShape(_))
    ));
}

fn count(depth: usize, b: usize) -> usize {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let p = RollupParams::new(depth, b).expect("params");
    RollupCircuit::blank(p)
        .expect("blank")
        .generate_constraints(cs.clone())
        .expect("synthesis");
    cs.num_constraints()
}

#[test]
fn blank_circuit_has_the_shape_of_a_real_one() {
    let w = honest();
    let real = synthesize(B, w).num_constraints();
    assert_eq!(real, count(DEPTH, B));
    let _ = State::new(DEPTH).expect("state");
}

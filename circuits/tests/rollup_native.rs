//! The rollup's native model: `check` names the operation and the rule, JSON shapes, the
//! commitment and the sample generator.

mod rollup_support;

use bulwark_circuits::Fr;
use bulwark_circuits::eddsa::public_key;
use bulwark_circuits::rollup::commitment::{chain, commitment, pack_w0, pubdata};
use bulwark_circuits::rollup::{
    Account, Batch, Deposit, OpKind, Operation, RollupError, RollupParams, Rule, State, Transfer,
    Withdrawal, build_witness, check, noop_public_key, sample,
};
use rollup_support::*;

fn single(op: Operation) -> Batch {
    Batch {
        operator: OPERATOR,
        operations: vec![op],
    }
}

/// `check` on `ops` (after one valid transfer, so errors must name index 1).
fn rule_of(op: Operation) -> Rule {
    let batch = Batch {
        operator: OPERATOR,
        operations: vec![operations()[0], op],
    };
    match check(&state(), &batch, &params(2)) {
        Err(RollupError::Operation { index: 1, rule }) => rule,
        other => panic!("expected a rule broken by operation 1, got {other:?}"),
    }
}

fn transfer(from: u64, to: u64, amount: u64, fee: u64, nonce: u64) -> Operation {
    Operation::Transfer(Transfer::signed(&key(from), from, to, amount, fee, nonce))
}

#[test]
fn valid_batch_passes() {
    check(&state(), &batch(), &params(4)).expect("valid");
    check(&state(), &batch(), &params(9)).expect("padding allowed");
}

#[test]
fn each_rule_is_named_with_the_operation_index() {
    assert_eq!(
        rule_of(transfer(1, 2, 1, 0, 0)),
        Rule::WrongNonce {
            expected: 1,
            got: 0
        }
    );
    assert_eq!(
        rule_of(transfer(2, 3, 1, 0, 5)),
        Rule::WrongNonce {
            expected: 0,
            got: 5
        }
    );
    assert_eq!(
        rule_of(transfer(1, 2, 800, 99, 1)),
        Rule::InsufficientBalance {
            balance: 898,
            needed: 899
        }
    );
    assert_eq!(
        rule_of(transfer(2, 3, u64::MAX, u64::MAX, 0)),
        Rule::InsufficientBalance {
            balance: 1_100,
            needed: 2 * u128::from(u64::MAX)
        }
    );
    assert_eq!(
        rule_of(transfer(2, 9, 1, 0, 0)),
        Rule::UnknownAccount { index: 9 }
    );
    assert_eq!(
        rule_of(transfer(9, 2, 1, 0, 0)),
        Rule::UnknownAccount { index: 9 }
    );
    assert_eq!(
        rule_of(transfer(2, 32, 1, 0, 0)),
        Rule::IndexOutOfRange {
            index: 32,
            depth: DEPTH
        }
    );
    let mut forged = Transfer::signed(&key(9), 2, 3, 1, 0, 0);
    assert!(matches!(
        rule_of(Operation::Transfer(forged)),
        Rule::BadSignature(_)
    ));
    forged = Transfer::signed(&key(2), 2, 3, 1, 0, 0);
    forged.amount = 2; // tampered after signing
    assert!(matches!(
        rule_of(Operation::Transfer(forged)),
        Rule::BadSignature(_)
    ));
    assert_eq!(
        rule_of(Operation::Deposit(Deposit::for_key(&key(9), 2, 1))),
        Rule::DepositToAnotherKey { index: 2 }
    );
    assert_eq!(
        rule_of(Operation::Deposit(Deposit::for_key(&key(2), 2, u64::MAX))),
        Rule::BalanceOverflow {
            balance: 1_100,
            amount: u64::MAX
        }
    );
    assert_eq!(
        rule_of(Operation::Deposit(Deposit {
            to: 9,
            public_key: noop_public_key(),
            amount: 1
        })),
        Rule::ReservedKey
    );
    let too_far = Fr::from(2u64).pow_vartime(160);
    assert_eq!(
        rule_of(Operation::Withdrawal(Withdrawal::signed(
            &key(3),
            3,
            too_far,
            1,
            0,
            0
        ))),
        Rule::L1AddressTooLarge
    );
    assert_eq!(
        rule_of(Operation::Withdrawal(Withdrawal::signed(
            &key(3),
            3,
            Fr::from(L1),
            1_000,
            1,
            0
        ))),
        Rule::InsufficientBalance {
            balance: 1_000,
            needed: 1_001
        }
    );
}

trait PowVartime {
    fn pow_vartime(self, e: u64) -> Self;
}

impl PowVartime for Fr {
    fn pow_vartime(self, e: u64) -> Self {
        ark_ff::Field::pow(&self, [e])
    }
}

#[test]
fn receiver_overflow_and_nonce_overflow() {
    let mut s = state();
    let rich = Account {
        public_key: public_key(&key(2)),
        balance: u64::MAX - 10,
        nonce: u64::MAX,
    };
    s.insert(2, rich).expect("insert");
    assert!(matches!(
        check(&s, &single(transfer(1, 2, 11, 0, 0)), &params(1)),
        Err(RollupError::Operation {
            index: 0,
            rule: Rule::BalanceOverflow {
                balance,
                amount: 11
            }
        }) if balance == u64::MAX - 10
    ));
    assert!(matches!(
        check(&s, &single(transfer(2, 1, 1, 0, u64::MAX)), &params(1)),
        Err(RollupError::Operation {
            index: 0,
            rule: Rule::NonceOverflow { .. }
        })
    ));
}

#[test]
fn batch_level_rules() {
    let s = state();
    assert!(matches!(
        check(&s, &batch(), &params(3)),
        Err(RollupError::BatchTooLarge { len: 4, max: 3 })
    ));
    let mut b = batch();
    b.operator = 9;
    assert!(matches!(
        check(&s, &b, &params(4)),
        Err(RollupError::UnknownOperator { operator: 9 })
    ));
    b.operator = 99;
    assert!(matches!(
        check(&s, &b, &params(4)),
        Err(RollupError::OperatorOutOfRange { operator: 99, .. })
    ));
    // The deposit creates account 5 inside the batch; it can then collect the fees.
    b.operator = NEW_INDEX;
    check(&s, &b, &params(4)).expect("operator created by the batch");
    let mut rich = state();
    let mut op = *rich.get(OPERATOR).expect("operator");
    op.balance = u64::MAX - 1;
    rich.insert(OPERATOR, op).expect("insert");
    assert!(matches!(
        check(&rich, &batch(), &params(4)),
        Err(RollupError::OperatorOverflow { fees: 3, .. })
    ));
    assert!(matches!(
        check(
            &s,
            &batch(),
            &RollupParams::new(DEPTH + 1, 4).expect("params")
        ),
        Err(RollupError::DepthMismatch { .. })
    ));
}

#[test]
fn witness_builder_leaves_the_state_alone_on_error() {
    let mut s = state();
    let root = s.root();
    let bad = Batch {
        operator: OPERATOR,
        operations: vec![operations()[0], transfer(1, 2, 1, 0, 0)],
    };
    assert!(build_witness(&mut s, &bad, &params(2)).is_err());
    assert_eq!(s.root(), root);
}

#[test]
fn params_are_validated() {
    assert!(matches!(
        RollupParams::new(0, 1),
        Err(RollupError::InvalidDepth { depth: 0 })
    ));
    assert!(matches!(
        RollupParams::new(33, 1),
        Err(RollupError::InvalidDepth { depth: 33 })
    ));
    assert!(matches!(
        RollupParams::new(4, 0),
        Err(RollupError::ZeroBatchSize)
    ));
    assert_eq!(
        RollupParams::with_batch_size(8).map(|p| p.depth()).ok(),
        Some(24)
    );
}

#[test]
fn state_json_round_trips_with_decimal_keys() {
    let s = state();
    let json = serde_json::to_value(&s).expect("serialize");
    assert_eq!(json["depth"], DEPTH);
    let first = &json["accounts"][1];
    assert_eq!(first["index"], 1);
    assert_eq!(first["balance"], 1_000);
    assert_eq!(first["nonce"], 0);
    let x = first["public_key"][0].as_str().expect("decimal string");
    assert!(x.chars().all(|c| c.is_ascii_digit()));
    let back: State = serde_json::from_value(json).expect("deserialize");
    assert_eq!(back.root(), s.root());
    let dup = r#"{"depth":5,"accounts":[
        {"index":1,"public_key":["1","2"],"balance":1,"nonce":0},
        {"index":1,"public_key":["1","2"],"balance":1,"nonce":0}]}"#;
    assert!(serde_json::from_str::<State>(dup).is_err());
    let bad =
        r#"{"depth":5,"accounts":[{"index":1,"public_key":["x","2"],"balance":1,"nonce":0}]}"#;
    assert!(serde_json::from_str::<State>(bad).is_err());
}

#[test]
fn batch_json_is_tagged_by_type() {
    let b = batch();
    let json = serde_json::to_value(&b).expect("serialize");
    let types: Vec<_> = json["operations"]
        .as_array()
        .expect("array")
        .iter()
        .map(|op| op["type"].as_str().expect("tag").to_owned())
        .collect();
    assert_eq!(types, ["transfer", "deposit", "deposit", "withdrawal"]);
    assert!(json["operations"][0]["signature"]["s"].is_string());
    assert!(json["operations"][0]["signature"]["r8"][1].is_string());
    assert_eq!(json["operations"][3]["l1_address"], L1.to_string());
    let back: Batch = serde_json::from_value(json).expect("deserialize");
    assert_eq!(back, b);
}

#[test]
fn commitment_is_the_documented_chain() {
    let ops = operations();
    let w = witness(&batch(), 5);
    let data: Vec<[Fr; 3]> = ops.iter().map(Some).chain([None]).map(pubdata).collect();
    let manual = ark_ff::Zero::zero();
    let c = data.iter().fold(manual, |c, d| chain(c, *d));
    assert_eq!(
        w.commitment,
        bulwark_circuits::poseidon::hash_array([c, Fr::from(OPERATOR)])
    );
    assert_eq!(w.commitment, commitment(&data, OPERATOR));
    assert_eq!(
        data[0][0],
        Fr::from(1u64)
            + Fr::from(1u64 << 2)
            + Fr::from(2u64) * Fr::from(1u64 << 34)
            + Fr::from(100u64) * Fr::from(2u64).pow_vartime(66)
            + Fr::from(2u64) * Fr::from(2u64).pow_vartime(130)
    );
    assert_eq!(data[1][0], pack_w0(OpKind::Deposit, 0, NEW_INDEX, 50, 0));
    assert_eq!(data[1][1], public_key(&key(NEW_INDEX)).x);
    assert_eq!(
        data[3],
        [
            pack_w0(OpKind::Withdrawal, 3, 0, 40, 1),
            Fr::from(L1),
            Fr::from(0u64)
        ]
    );
    assert_eq!(data[4], [Fr::from(0u64); 3]);
}

#[test]
fn sample_is_deterministic_and_valid() {
    let p = RollupParams::new(8, 6).expect("params");
    let a = sample::demo(&p, 10, 7).expect("demo");
    let b = sample::demo(&p, 10, 7).expect("demo");
    assert_eq!(a.batch, b.batch);
    assert_eq!(a.state.root(), b.state.root());
    assert_eq!(a.batch.operations.len(), 6);
    let kinds: Vec<_> = a.batch.operations.iter().map(Operation::kind).collect();
    assert!(kinds.contains(&OpKind::Deposit) && kinds.contains(&OpKind::Withdrawal));
    check(&a.state, &a.batch, &p).expect("sample batch is valid");
    assert!(matches!(
        sample::demo(&p, 1, 7),
        Err(RollupError::SampleSize { .. })
    ));
    assert!(matches!(
        sample::demo(&p, 256, 7),
        Err(RollupError::SampleSize { .. })
    ));
    let one = RollupParams::new(8, 1).expect("params");
    check(
        &sample::demo(&one, 2, 1).expect("demo").state,
        &sample::demo(&one, 2, 1).expect("demo").batch,
        &one,
    )
    .expect("B = 1 sample is valid");
}

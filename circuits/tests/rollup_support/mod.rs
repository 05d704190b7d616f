//! A small rollup world shared by the rollup test suites.
#![allow(dead_code)]

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef};
use bulwark_circuits::Fr;
use bulwark_circuits::eddsa::public_key;
use bulwark_circuits::rollup::{
    Account, AccountPath, Batch, BatchWitness, Deposit, Operation, RollupCircuit, RollupParams,
    State, Transfer, Withdrawal, build_witness,
};

/// Depth of the test tree: 32 leaves, two quad levels and a binary top level.
pub const DEPTH: usize = 5;
/// The operator's account.
pub const OPERATOR: u64 = 0;
/// The index a deposit creates.
pub const NEW_INDEX: u64 = 5;
/// The L1 address of the sample withdrawal.
pub const L1: u64 = 0xabcdef;

/// Private key of test account `i`.
pub fn key(i: u64) -> [u8; 32] {
    let mut k = [7u8; 32];
    k[..8].copy_from_slice(&i.to_le_bytes());
    k
}

/// Accounts 0..=3 with 1,000 each.
pub fn state() -> State {
    State::from_accounts(
        DEPTH,
        (0..4).map(|i| {
            (
                i,
                Account {
                    public_key: public_key(&key(i)),
                    balance: 1_000,
                    nonce: 0,
                },
            )
        }),
    )
    .expect("valid state")
}

/// Transfer 1→2 (100, fee 2), deposit creating 5, deposit topping up 2, withdrawal from 3.
pub fn operations() -> Vec<Operation> {
    vec![
        Operation::Transfer(Transfer::signed(&key(1), 1, 2, 100, 2, 0)),
        Operation::Deposit(Deposit::for_key(&key(NEW_INDEX), NEW_INDEX, 50)),
        Operation::Deposit(Deposit::for_key(&key(2), 2, 30)),
        Operation::Withdrawal(Withdrawal::signed(&key(3), 3, Fr::from(L1), 40, 1, 0)),
    ]
}

/// The batch of [`operations`] collected by [`OPERATOR`].
pub fn batch() -> Batch {
    Batch {
        operator: OPERATOR,
        operations: operations(),
    }
}

/// Parameters with `b` slots at [`DEPTH`].
pub fn params(b: usize) -> RollupParams {
    RollupParams::new(DEPTH, b).expect("valid params")
}

/// The honest witness of `batch` over [`state`].
pub fn witness(batch: &Batch, b: usize) -> BatchWitness {
    build_witness(&mut state(), batch, &params(b)).expect("valid batch")
}

/// Synthesizes the circuit over `w` into a fresh constraint system.
pub fn synthesize(b: usize, w: BatchWitness) -> ConstraintSystemRef<Fr> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    RollupCircuit::new(params(b), w)
        .expect("witness shape")
        .generate_constraints(cs.clone())
        .expect("synthesis");
    cs
}

/// Whether the circuit over `w` is satisfied.
pub fn satisfied(b: usize, w: BatchWitness) -> bool {
    synthesize(b, w).is_satisfied().expect("assigned")
}

/// The same path at another index.
pub fn reindex(path: &AccountPath, index: u64) -> AccountPath {
    AccountPath::new(index, path.siblings().to_vec(), path.top_sibling().copied())
        .expect("index in range")
}

/// Where a sibling sits: a quad level and a slot among its three, or the binary top.
#[derive(Clone, Copy, Debug)]
pub enum Sibling {
    /// Quad level (leaf level first) and position among the level's three siblings.
    Quad(usize, usize),
    /// The binary top level (odd depths).
    Top,
}

/// The same path with one sibling increased by one.
pub fn bump_sibling(path: &AccountPath, which: Sibling) -> AccountPath {
    let mut siblings = path.siblings().to_vec();
    let mut top = path.top_sibling().copied();
    match which {
        Sibling::Quad(level, slot) => siblings[level][slot] += Fr::from(1u64),
        Sibling::Top => *top.as_mut().expect("odd depth") += Fr::from(1u64),
    }
    AccountPath::new(path.index(), siblings, top).expect("same shape")
}

//! A small rollup world shared by the rollup test suites.
#![allow(dead_code)]

use ark_ff::Field;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef};
use bulwark_circuits::Fr;
use bulwark_circuits::eddsa::public_key;
use bulwark_circuits::rollup::{
    Account, AccountPath, Batch, BatchWitness, Deposit, OpKind, Operation, RollupCircuit,
    RollupParams, SlotWitness, State, Transfer, Withdrawal, build_witness,
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

/// Slots in the main test batch: four operations and one no-op.
pub const B: usize = 5;

/// The honest witness of [`batch`] with [`B`] slots.
pub fn honest() -> BatchWitness {
    witness(&batch(), B)
}

/// A named change to one slot.
pub type Mutation = (&'static str, fn(&mut SlotWitness));
/// A named change to the whole witness.
pub type BatchMutation = (&'static str, fn(&mut BatchWitness));

/// A key no test account has.
pub fn other_key() -> bulwark_circuits::babyjubjub::Point {
    public_key(&key(9))
}

/// The field's one.
pub fn one() -> Fr {
    Fr::ONE
}

/// Mutations that apply to any slot: paths, leaves, kind, signature, unused-must-be-zero fields.
pub const COMMON: &[Mutation] = &[
    ("amount", |s| s.amount += one()),
    ("fee", |s| s.fee += one()),
    ("l1_address", |s| s.l1_address += one()),
    ("signature R8x", |s| s.signature.r8.x += one()),
    ("signature R8y", |s| s.signature.r8.y += one()),
    ("signature S", |s| s.signature.s += one()),
    ("from", |s| {
        s.sender.path = reindex(&s.sender.path, s.sender.path.index() ^ 1)
    }),
    ("to", |s| {
        s.receiver.path = reindex(&s.receiver.path, s.receiver.path.index() ^ 20)
    }),
    ("sender sibling (0, 0)", |s| {
        s.sender.path = bump_sibling(&s.sender.path, Sibling::Quad(0, 0))
    }),
    ("sender sibling (1, 2)", |s| {
        s.sender.path = bump_sibling(&s.sender.path, Sibling::Quad(1, 2))
    }),
    ("sender top sibling", |s| {
        s.sender.path = bump_sibling(&s.sender.path, Sibling::Top)
    }),
    ("receiver sibling (0, 1)", |s| {
        s.receiver.path = bump_sibling(&s.receiver.path, Sibling::Quad(0, 1))
    }),
    ("receiver sibling (1, 0)", |s| {
        s.receiver.path = bump_sibling(&s.receiver.path, Sibling::Quad(1, 0))
    }),
    ("receiver top sibling", |s| {
        s.receiver.path = bump_sibling(&s.receiver.path, Sibling::Top)
    }),
    ("sender leaf", |s| s.sender.leaf += one()),
    ("receiver leaf", |s| s.receiver.leaf += one()),
    ("kind → noop", |s| s.kind = OpKind::Noop),
    ("kind → transfer", |s| s.kind = OpKind::Transfer),
    ("kind → deposit", |s| s.kind = OpKind::Deposit),
    ("kind → withdrawal", |s| s.kind = OpKind::Withdrawal),
];

/// Sender-side fields: consumed by signed kinds.
pub const SENDER: &[Mutation] = &[
    ("sender balance", |s| s.sender.before.balance += one()),
    ("sender nonce", |s| s.sender.before.nonce += one()),
    ("sender key", |s| s.sender.before.public_key = other_key()),
    ("sender balance wraps", |s| {
        s.sender.before.balance -= Fr::from(1u64 << 40)
    }),
];

/// Receiver-side fields: consumed by crediting kinds.
pub const RECEIVER: &[Mutation] = &[
    ("receiver balance", |s| s.receiver.before.balance += one()),
    ("receiver nonce", |s| s.receiver.before.nonce += one()),
    ("receiver / deposit key", |s| {
        s.receiver.before.public_key = other_key()
    }),
    ("receiver is_new flipped", |s| {
        s.receiver_is_new = !s.receiver_is_new
    }),
];

/// Operator fields, public inputs and slot order.
pub const BATCH: &[BatchMutation] = &[
    ("operator balance", |w| w.operator.before.balance += Fr::ONE),
    ("operator nonce", |w| w.operator.before.nonce += Fr::ONE),
    ("operator key", |w| {
        w.operator.before.public_key = other_key()
    }),
    ("operator index", |w| {
        w.operator.path = reindex(&w.operator.path, 1)
    }),
    ("operator sibling", |w| {
        w.operator.path = bump_sibling(&w.operator.path, Sibling::Quad(1, 1))
    }),
    ("old_root", |w| w.old_root += Fr::ONE),
    ("new_root", |w| w.new_root += Fr::ONE),
    ("commitment", |w| w.commitment += Fr::ONE),
    ("slots reordered", |w| w.slots.swap(1, 2)),
];

/// Which tables apply to each slot of [`honest`]: transfer, creating deposit, topping-up
/// deposit, withdrawal, no-op.
pub const SLOT_TABLES: [&[&[Mutation]]; B] = [
    &[COMMON, SENDER, RECEIVER],
    &[COMMON, RECEIVER],
    &[COMMON, RECEIVER],
    &[COMMON, SENDER],
    &[COMMON],
];

/// A described mutated witness.
pub type Mutant = (String, BatchWitness);

/// The honest witness with one field of slot `slot` changed, for every mutation of its
/// tables; a mutation that leaves the witness unchanged (e.g. kind → its own kind) is left out.
pub fn slot_mutants(slot: usize) -> Vec<Mutant> {
    let base = honest();
    SLOT_TABLES[slot]
        .iter()
        .flat_map(|table| table.iter())
        .filter_map(|(name, mutate)| {
            let mut w = base.clone();
            mutate(&mut w.slots[slot]);
            (w != base).then(|| {
                (
                    format!("slot {slot} ({:?}): {name}", base.slots[slot].kind),
                    w,
                )
            })
        })
        .collect()
}

/// The honest witness with each [`BATCH`] mutation applied.
pub fn batch_mutants() -> Vec<Mutant> {
    let base = honest();
    BATCH
        .iter()
        .map(|(name, mutate)| {
            let mut w = base.clone();
            mutate(&mut w);
            (name.to_string(), w)
        })
        .collect()
}

/// Every mutant of the soundness suite: each slot's, then the batch-level ones.
pub fn all_mutants() -> Vec<Mutant> {
    (0..B)
        .flat_map(slot_mutants)
        .chain(batch_mutants())
        .collect()
}

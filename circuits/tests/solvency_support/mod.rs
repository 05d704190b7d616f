//! The solvency soundness cases, shared by the R1CS suite (`solvency.rs`) and the
//! cross-backend suite (`halo2_solvency.rs`), so both backends face the same lists: each
//! mutation must be rejected, each control (a different but honest witness) accepted.
#![allow(dead_code)]

use ark_ff::Field;
use bulwark_circuits::Fr;
use bulwark_circuits::solvency::{BatchCircuit, InclusionCircuit, TopCircuit, commit_node};
use bulwark_circuits::sum_tree::{SumLeaf, SumNode, SumPath, hash_user_id, node_hash};

use crate::common::fr_batch_commitment;

/// A named change to a circuit's witness or public inputs.
pub type Mutation<C> = (&'static str, Box<dyn Fn(&mut C)>);

// ---------------------------------------------------------------- batch

/// Applies `f` to the balances and id hash of `slot` (a used slot).
pub fn mutate_slot(circuit: &mut BatchCircuit, slot: usize, f: impl FnOnce(&mut Vec<Fr>, &mut Fr)) {
    if let Some(values) = circuit.witness.slots[slot].as_mut() {
        f(&mut values.balances, &mut values.id_hash);
    }
}

/// The attacker republishes the commitment of whatever the witness now holds (the published
/// formulas, no range checks), so only the circuit's range checks can object.
fn recommit_batch(circuit: &mut BatchCircuit, assets: usize) {
    circuit.commitment = fr_batch_commitment(&circuit.witness, assets);
}

/// Mutations of batch 0 of the test book (`assets` assets) that both backends reject.
pub fn batch_mutations(assets: usize) -> Vec<Mutation<BatchCircuit>> {
    vec![
        (
            "a balance",
            Box::new(|c| mutate_slot(c, 1, |b, _| b[0] += Fr::ONE)),
        ),
        (
            "an id hash",
            Box::new(|c| mutate_slot(c, 2, |_, id| *id += Fr::ONE)),
        ),
        ("the blinding", Box::new(|c| c.witness.blinding += Fr::ONE)),
        ("the commitment", Box::new(|c| c.commitment += Fr::ONE)),
        ("a user dropped", Box::new(|c| c.witness.slots[3] = None)),
        (
            "a negative balance, recommitted",
            Box::new(move |c| {
                mutate_slot(c, 0, |b, _| b[1] = -Fr::ONE);
                recommit_batch(c, assets);
            }),
        ),
        (
            "a balance of 2^64, recommitted",
            Box::new(move |c| {
                mutate_slot(c, 0, |b, _| b[1] = Fr::from(1u128 << 64));
                recommit_batch(c, assets);
            }),
        ),
    ]
}

/// Other honest batches, built from batch 0 of the test book, that both backends accept.
pub fn batch_controls(assets: usize) -> Vec<Mutation<BatchCircuit>> {
    vec![
        (
            "the largest balance, 2^64 - 1, recommitted",
            Box::new(move |c| {
                mutate_slot(c, 0, |b, _| b[1] = Fr::from(u64::MAX));
                recommit_batch(c, assets);
            }),
        ),
        (
            "a user fewer, recommitted (a truly empty slot)",
            Box::new(move |c| {
                c.witness.slots[3] = None;
                recommit_batch(c, assets);
            }),
        ),
    ]
}

// ---------------------------------------------------------------- top

/// The attacker's root over the top witness's batch nodes: the published node hash, with
/// `combine` in place of the sum (no range checks).
fn attacker_root(circuit: &TopCircuit, combine: fn(u128, u128) -> u128) -> SumNode {
    let mut nodes = circuit.witness.batch_nodes.clone();
    while nodes.len() > 1 {
        nodes = nodes
            .chunks_exact(2)
            .map(|pair| {
                let (l, r) = (&pair[0], &pair[1]);
                SumNode {
                    hash: node_hash(l.hash, &l.sums, r.hash, &r.sums).expect("node arity"),
                    sums: l
                        .sums
                        .iter()
                        .zip(&r.sums)
                        .map(|(a, b)| combine(*a, *b))
                        .collect(),
                }
            })
            .collect();
    }
    nodes.swap_remove(0)
}

/// The attacker publishes the batch commitments of the witness's nodes, the book commitment
/// of `root`, and reserves that exactly cover `root`'s sums.
fn recommit_top(circuit: &mut TopCircuit, root: &SumNode) {
    let w = &circuit.witness;
    circuit.statement.batch_commitments = w
        .batch_nodes
        .iter()
        .zip(&w.batch_blindings)
        .map(|(n, r)| commit_node(n, *r).expect("commitment arity"))
        .collect();
    circuit.statement.book_commitment = commit_node(root, w.book_blinding).expect("arity");
    circuit.statement.reserves = root.sums.clone();
}

/// Sets batch 1's sum of asset 1 to `sum` and republishes everything consistently with it.
fn batch_sum_recommitted(circuit: &mut TopCircuit, sum: u128) {
    circuit.witness.batch_nodes[1].sums[1] = sum;
    let root = attacker_root(circuit, |a, b| a + b);
    recommit_top(circuit, &root);
}

/// Mutations of the test book's top witness (batches of `2^batch_bits`) that both backends
/// reject.
pub fn top_mutations(batch_bits: usize) -> Vec<Mutation<TopCircuit>> {
    vec![
        (
            "a reserve below its total",
            Box::new(|c| c.statement.reserves[1] = 15),
        ),
        (
            "a batch node hash",
            Box::new(|c| c.witness.batch_nodes[0].hash += Fr::ONE),
        ),
        (
            "a batch node sum",
            Box::new(|c| c.witness.batch_nodes[1].sums[0] -= 1),
        ),
        (
            "a batch blinding",
            Box::new(|c| c.witness.batch_blindings[1] += Fr::ONE),
        ),
        (
            "the book blinding",
            Box::new(|c| c.witness.book_blinding += Fr::ONE),
        ),
        (
            "a batch commitment",
            Box::new(|c| c.statement.batch_commitments[0] += Fr::ONE),
        ),
        (
            "the book commitment",
            Box::new(|c| c.statement.book_commitment += Fr::ONE),
        ),
        (
            "batches swapped",
            Box::new(|c| c.witness.batch_nodes.swap(0, 1)),
        ),
        (
            // The right hashes but per-asset maxima as totals, reserves covering only those:
            // the circuit adds, so the opened root does not match.
            "max instead of sum, recommitted",
            Box::new(|c| {
                let root = attacker_root(c, u128::max);
                recommit_top(c, &root);
            }),
        ),
        (
            // Too large for 2^b balances below 2^64; only the range check can object.
            "a batch sum of 2^(64+b), recommitted",
            Box::new(move |c| batch_sum_recommitted(c, 1 << (64 + batch_bits))),
        ),
    ]
}

/// Other honest top witnesses, built from the test book's, that both backends accept.
pub fn top_controls(batch_bits: usize) -> Vec<Mutation<TopCircuit>> {
    vec![
        (
            "a reserve of 2^128 - 1",
            Box::new(|c| c.statement.reserves[0] = u128::MAX),
        ),
        (
            "a batch sum of 2^(64+b) - 1, recommitted",
            Box::new(move |c| batch_sum_recommitted(c, (1 << (64 + batch_bits)) - 1)),
        ),
    ]
}

// ---------------------------------------------------------------- inclusion

/// Applies `f` to the sibling at `level` of the inclusion path.
pub fn with_sibling(c: &mut InclusionCircuit, level: usize, f: impl FnOnce(&mut SumNode)) {
    let mut siblings = c.witness.path.siblings().to_vec();
    f(&mut siblings[level]);
    if let Ok(path) = SumPath::new(c.witness.path.index(), siblings) {
        c.witness.path = path;
    }
}

/// The attacker's root of the claimed leaf along the path: the published node formula, the
/// top level's sums combined with `top` (no range checks).
fn attacker_inclusion_root(c: &InclusionCircuit, top: fn(u128, u128) -> u128) -> SumNode {
    let leaf = SumLeaf::from_id_hash(c.claim.id_hash, c.claim.balances.clone());
    let path = &c.witness.path;
    let levels = path.siblings().len();
    path.siblings()
        .iter()
        .zip(path.index_bits())
        .enumerate()
        .fold(
            leaf.node().expect("leaf arity"),
            |node, (level, (sibling, is_right))| {
                let (l, r) = if is_right {
                    (sibling, &node)
                } else {
                    (&node, sibling)
                };
                let mut parent = SumNode::parent(l, r).expect("node arity");
                if level + 1 == levels {
                    parent.sums = node
                        .sums
                        .iter()
                        .zip(&sibling.sums)
                        .map(|(a, b)| top(*a, *b))
                        .collect();
                }
                parent
            },
        )
}

/// Sets the height-0 sibling's first sum to `sum` and republishes the book commitment of the
/// attacker's root.
fn sibling_sum_recommitted(c: &mut InclusionCircuit, sum: u128) {
    with_sibling(c, 0, |s| s.sums[0] = sum);
    let root = attacker_inclusion_root(c, |a, b| a + b);
    c.claim.book_commitment = commit_node(&root, c.witness.book_blinding).expect("arity");
}

/// Mutations of an inclusion claim and witness (a user at index 3 of the test book) that the
/// native check and both backends reject.
pub fn inclusion_mutations() -> Vec<Mutation<InclusionCircuit>> {
    let other_id = hash_user_id(b"carol").expect("short id");
    vec![
        ("a wrong balance", Box::new(|c| c.claim.balances[0] += 1)),
        ("a wrong id", Box::new(move |c| c.claim.id_hash = other_id)),
        (
            "a wrong commitment",
            Box::new(|c| c.claim.book_commitment += Fr::ONE),
        ),
        (
            "the blinding",
            Box::new(|c| c.witness.book_blinding += Fr::ONE),
        ),
        (
            "a sibling hash",
            Box::new(|c| with_sibling(c, 1, |s| s.hash += Fr::ONE)),
        ),
        (
            "a sibling sum",
            Box::new(|c| with_sibling(c, 2, |s| s.sums[0] -= 1)),
        ),
        (
            "another position",
            Box::new(|c| {
                if let Ok(path) = SumPath::new(2, c.witness.path.siblings().to_vec()) {
                    c.witness.path = path;
                }
            }),
        ),
        (
            // The custodian's root takes a maximum at the top level (lower totals): the
            // circuit adds sibling sums, so the opening fails.
            "max instead of sum at the top, recommitted",
            Box::new(|c| {
                let root = attacker_inclusion_root(c, u128::max);
                c.claim.book_commitment =
                    commit_node(&root, c.witness.book_blinding).expect("arity");
            }),
        ),
        (
            // More than one balance can hold; only the range check can object.
            "a height-0 sibling sum of 2^64, recommitted",
            Box::new(|c| sibling_sum_recommitted(c, 1 << 64)),
        ),
    ]
}

/// Other honest inclusion witnesses that both backends accept.
pub fn inclusion_controls() -> Vec<Mutation<InclusionCircuit>> {
    vec![(
        "a height-0 sibling sum of 2^64 - 1, recommitted",
        Box::new(|c| sibling_sum_recommitted(c, (1 << 64) - 1)),
    )]
}

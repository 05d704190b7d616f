//! Merkle sum tree nodes and paths, as in [`crate::sum_tree`]: node hashes bind both
//! children's hashes and sums, leaf balances are range-checked to 64 bits and sibling sums at
//! height `h` to `64 + h` bits, so no sum wraps the field.

use halo2_proofs::circuit::Layouter;
use halo2_proofs::plonk::Error;

use super::Fp;
use super::gadgets::{Gadgets, Var};
use crate::sum_tree::{BALANCE_BITS, sum_bits};

/// A sum-tree node in the circuit: its hash and one sum per asset.
#[derive(Debug, Clone)]
pub struct SumNodeCells {
    /// The node hash.
    pub hash: Var,
    /// The per-asset sums.
    pub sums: Vec<Var>,
}

impl Gadgets {
    /// The leaf node of `(id_hash, balances)`: hash `chain(id_hash, b_1..b_K)`, sums the
    /// balances (not range-checked here).
    pub fn sum_leaf(
        &self,
        layouter: &mut impl Layouter<Fp>,
        id_hash: &Var,
        balances: &[Var],
    ) -> Result<SumNodeCells, Error> {
        let mut inputs = Vec::with_capacity(1 + balances.len());
        inputs.push(*id_hash);
        inputs.extend_from_slice(balances);
        Ok(SumNodeCells {
            hash: self.chain(layouter, &inputs)?,
            sums: balances.to_vec(),
        })
    }

    /// The parent of `left` and `right`: hash `chain(h_L, s_L.., h_R, s_R..)`, sums added.
    /// [`Error::Synthesis`] if their asset counts differ.
    pub fn sum_parent(
        &self,
        layouter: &mut impl Layouter<Fp>,
        left: &SumNodeCells,
        right: &SumNodeCells,
    ) -> Result<SumNodeCells, Error> {
        if left.sums.len() != right.sums.len() {
            return Err(Error::Synthesis);
        }
        let mut inputs = Vec::with_capacity(2 + 2 * left.sums.len());
        inputs.push(left.hash);
        inputs.extend_from_slice(&left.sums);
        inputs.push(right.hash);
        inputs.extend_from_slice(&right.sums);
        Ok(SumNodeCells {
            hash: self.chain(layouter, &inputs)?,
            sums: left
                .sums
                .iter()
                .zip(&right.sums)
                .map(|(l, r)| self.add(layouter, l, r))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The root of a sum tree holding the leaf `(id_hash, balances)` at the path with index
    /// `bits` (least significant first, constrained boolean) and `siblings` (leaf level
    /// first). Range-checks every balance to 64 bits and every sibling sum at height `h` to
    /// `64 + h` bits. [`Error::Synthesis`] on a shape mismatch.
    pub fn sum_root(
        &self,
        layouter: &mut impl Layouter<Fp>,
        id_hash: &Var,
        balances: &[Var],
        bits: &[Var],
        siblings: &[SumNodeCells],
    ) -> Result<SumNodeCells, Error> {
        if bits.len() != siblings.len() {
            return Err(Error::Synthesis);
        }
        for balance in balances {
            self.range_check(layouter, balance, BALANCE_BITS)?;
        }
        let leaf = self.sum_leaf(layouter, id_hash, balances)?;
        bits.iter()
            .zip(siblings)
            .enumerate()
            .try_fold(leaf, |node, (height, (bit, sibling))| {
                if sibling.sums.len() != node.sums.len() {
                    return Err(Error::Synthesis);
                }
                for sum in &sibling.sums {
                    self.range_check(layouter, sum, sum_bits(height))?;
                }
                let (left_hash, right_hash) =
                    self.swap(layouter, bit, &node.hash, &sibling.hash)?;
                let (left_sums, right_sums): (Vec<_>, Vec<_>) = node
                    .sums
                    .iter()
                    .zip(&sibling.sums)
                    .map(|(n, s)| self.swap(layouter, bit, n, s))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .unzip();
                self.sum_parent(
                    layouter,
                    &SumNodeCells {
                        hash: left_hash,
                        sums: left_sums,
                    },
                    &SumNodeCells {
                        hash: right_hash,
                        sums: right_sums,
                    },
                )
            })
    }

    /// `commit(node, r) = chain(hash, s_1..s_K, r)` (see [`crate::solvency::commit_node`]).
    pub fn commit_node(
        &self,
        layouter: &mut impl Layouter<Fp>,
        node: &SumNodeCells,
        blinding: &Var,
    ) -> Result<Var, Error> {
        let mut inputs = Vec::with_capacity(node.sums.len() + 2);
        inputs.push(node.hash);
        inputs.extend_from_slice(&node.sums);
        inputs.push(*blinding);
        self.chain(layouter, &inputs)
    }
}

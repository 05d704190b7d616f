//! The solvency batch and inclusion statements as halo2 circuits: the same native witnesses
//! ([`BatchCircuit`], [`InclusionCircuit`]) and the same public inputs as the R1CS circuits.

use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
use halo2_proofs::plonk::{Circuit, ConstraintSystem, Error};

use super::gadgets::Gadgets;
use super::poseidon::chain_widths;
use super::sum_path::SumNodeCells;
use super::{Fp, to_halo2_vec};
use crate::Fr;
use crate::solvency::{BatchCircuit, InclusionCircuit};
use crate::sum_tree::BALANCE_BITS;

/// The Poseidon widths the sum tree's leaf, node and commitment chains use for `assets`.
fn solvency_widths(assets: usize) -> Vec<usize> {
    [1 + assets, 2 + 2 * assets, 2 + assets]
        .into_iter()
        .flat_map(chain_widths)
        .collect()
}

/// The root of the complete sum subtree over `nodes` (a power of two, at least one; otherwise
/// [`Error::Synthesis`]), level by level with [`Gadgets::sum_parent`].
pub(super) fn fold(
    gadgets: &Gadgets,
    layouter: &mut impl Layouter<Fp>,
    mut nodes: Vec<SumNodeCells>,
) -> Result<SumNodeCells, Error> {
    if !nodes.len().is_power_of_two() {
        return Err(Error::Synthesis);
    }
    while nodes.len() > 1 {
        nodes = nodes
            .chunks_exact(2)
            .map(|pair| gadgets.sum_parent(layouter, &pair[0], &pair[1]))
            .collect::<Result<_, _>>()?;
    }
    nodes.pop().ok_or(Error::Synthesis)
}

/// The number of assets `K`, which fixes the circuit's Poseidon widths (halo2's circuit
/// parameter, needed to read a verifying key back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetCount(pub usize);

impl Default for AssetCount {
    fn default() -> Self {
        Self(1)
    }
}

/// The batch statement of [`BatchCircuit`] in halo2: public `[c_j]`; the `2^b` slots, each
/// empty or a user with every balance `< 2^64`, hash to a node `N` with `c_j = commit(N, r_j)`.
#[derive(Debug, Clone)]
pub struct SolvencyBatchCircuit(pub BatchCircuit);

impl SolvencyBatchCircuit {
    /// The public inputs, the R1CS circuit's converted: `[c_j]`.
    pub fn public_inputs(&self) -> Vec<Fp> {
        to_halo2_vec(&self.0.public_inputs())
    }
}

impl Circuit<Fp> for SolvencyBatchCircuit {
    type Config = Gadgets;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = AssetCount;

    fn without_witnesses(&self) -> Self {
        Self(BatchCircuit::blank(*self.0.params()))
    }

    fn params(&self) -> AssetCount {
        AssetCount(self.0.params().assets())
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fp>, params: AssetCount) -> Gadgets {
        Gadgets::configure(meta, &solvency_widths(params.0))
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> Gadgets {
        Self::configure_with_params(meta, AssetCount::default())
    }

    fn synthesize(&self, gadgets: Gadgets, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        let circuit = &self.0;
        let params = circuit.params();
        circuit
            .witness
            .check_shape(params)
            .map_err(|_| Error::Synthesis)?;
        gadgets.load(1);
        let zeros = vec![Fr::from(0u64); params.assets()];
        let mut nodes = Vec::with_capacity(circuit.witness.slots.len());
        for slot in &circuit.witness.slots {
            let (empty, id_hash, balances) = match slot {
                Some(v) => (Fr::from(0u64), v.id_hash, v.balances.as_slice()),
                None => (Fr::from(1u64), Fr::from(0u64), zeros.as_slice()),
            };
            let mut values = vec![empty, id_hash];
            values.extend_from_slice(balances);
            let cells = gadgets.witness_fr(&mut layouter, &values)?;
            let (empty, id_hash, balances) = (&cells[0], &cells[1], &cells[2..]);
            gadgets.assert_boolean(&mut layouter, empty)?;
            for balance in balances {
                gadgets.range_check(&mut layouter, balance, BALANCE_BITS)?;
                gadgets.assert_product_zero(&mut layouter, empty, balance)?;
            }
            let leaf = gadgets.sum_leaf(&mut layouter, id_hash, balances)?;
            nodes.push(SumNodeCells {
                hash: gadgets.zero_if(&mut layouter, empty, &leaf.hash)?,
                sums: leaf.sums,
            });
        }
        let root = fold(&gadgets, &mut layouter, nodes)?;
        let blinding = gadgets.witness_fr(&mut layouter, &[circuit.witness.blinding])?;
        let commitment = gadgets.commit_node(&mut layouter, &root, &blinding[0])?;
        gadgets.expose(&mut layouter, &commitment, 0)?;
        Ok(())
    }
}

/// The inclusion statement of [`InclusionCircuit`] in halo2: public `[C, id_hash, b_1..b_K]`;
/// the leaf lies at a private position of a sum tree of depth `d` whose root `N` (recomputed
/// with range-checked sibling sums) satisfies `C = commit(N, r_book)`.
#[derive(Debug, Clone)]
pub struct SolvencyInclusionCircuit(pub InclusionCircuit);

impl SolvencyInclusionCircuit {
    /// The public inputs, the R1CS circuit's converted: `[C, id_hash, b_1, ..., b_K]`.
    pub fn public_inputs(&self) -> Vec<Fp> {
        to_halo2_vec(&self.0.claim.public_inputs())
    }
}

impl Circuit<Fp> for SolvencyInclusionCircuit {
    type Config = Gadgets;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = AssetCount;

    fn without_witnesses(&self) -> Self {
        Self(InclusionCircuit::blank(*self.0.params()))
    }

    fn params(&self) -> AssetCount {
        AssetCount(self.0.params().assets())
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fp>, params: AssetCount) -> Gadgets {
        Gadgets::configure(meta, &solvency_widths(params.0))
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> Gadgets {
        Self::configure_with_params(meta, AssetCount::default())
    }

    fn synthesize(&self, gadgets: Gadgets, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        let circuit = &self.0;
        circuit.check_shape().map_err(|_| Error::Synthesis)?;
        let public = circuit.claim.public_inputs();
        gadgets.load(public.len());
        // `[id_hash, b_1..b_K]`, exposed as public inputs 1..=K+1.
        let leaf = gadgets.witness_fr(&mut layouter, &public[1..])?;
        for (row, cell) in leaf.iter().enumerate() {
            gadgets.expose(&mut layouter, cell, row + 1)?;
        }
        let path = &circuit.witness.path;
        let one = Fr::from(1u64);
        let bits: Vec<Fr> = path
            .index_bits()
            .into_iter()
            .map(|b| if b { one } else { Fr::from(0u64) })
            .collect();
        let bits = gadgets.witness_fr(&mut layouter, &bits)?;
        let siblings = path
            .siblings()
            .iter()
            .map(|s| {
                let mut values = vec![s.hash];
                values.extend(s.sums.iter().map(|x| Fr::from(*x)));
                let cells = gadgets.witness_fr(&mut layouter, &values)?;
                Ok(SumNodeCells {
                    hash: cells[0],
                    sums: cells[1..].to_vec(),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let root = gadgets.sum_root(&mut layouter, &leaf[0], &leaf[1..], &bits, &siblings)?;
        let blinding = gadgets.witness_fr(&mut layouter, &[circuit.witness.book_blinding])?;
        let commitment = gadgets.commit_node(&mut layouter, &root, &blinding[0])?;
        gadgets.expose(&mut layouter, &commitment, 0)?;
        Ok(())
    }
}

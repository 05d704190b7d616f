//! The solvency top statement as a halo2 circuit: the same native witness ([`TopCircuit`])
//! and the same public inputs `[C, digest, R_1..R_K]` as the R1CS circuit.

use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::plonk::{Circuit, ConstraintSystem, Error};

use super::gadgets::Gadgets;
use super::poseidon::chain_widths;
use super::solvency::fold;
use super::sum_path::SumNodeCells;
use super::{Fp, to_halo2_vec};
use crate::Fr;
use crate::solvency::{RESERVE_BITS, SolvencyError, SolvencyParams, TopCircuit};
use crate::sum_tree::sum_bits;

/// The shape that fixes the top circuit's Poseidon widths (halo2's circuit parameter, needed
/// to read a verifying key back): `K` assets (commitment and node chains) and `2^t` batches
/// (the digest chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopShape {
    /// The number of assets `K`.
    pub assets: usize,
    /// The number of batches `2^t`.
    pub batches: usize,
}

impl TopShape {
    /// The shape of `params`.
    pub fn of(params: &SolvencyParams) -> Self {
        Self {
            assets: params.assets(),
            batches: params.batches(),
        }
    }

    /// The Poseidon widths of the commitment, node and digest chains.
    fn widths(self) -> Vec<usize> {
        [2 + self.assets, 2 + 2 * self.assets, self.batches]
            .into_iter()
            .flat_map(chain_widths)
            .collect()
    }
}

impl Default for TopShape {
    fn default() -> Self {
        Self {
            assets: 1,
            batches: 1,
        }
    }
}

/// The top statement of [`TopCircuit`] in halo2: public `[C, digest, R_1..R_K]`; private
/// batch nodes with sums `< 2^(64+b)` open the batch commitments whose chain is `digest`,
/// fold (node hashes, sums added) to a root `N` with `C = commit(N, r_book)`, and
/// `R_k − N.s_k < 2^128` for every asset, i.e. `N.s_k ≤ R_k`.
#[derive(Debug, Clone)]
pub struct SolvencyTopCircuit(pub TopCircuit);

impl SolvencyTopCircuit {
    /// The public inputs, the R1CS circuit's converted: `[C, digest, R_1, ..., R_K]`. An error
    /// if the statement does not have its parameters' shape.
    pub fn public_inputs(&self) -> Result<Vec<Fp>, SolvencyError> {
        Ok(to_halo2_vec(&self.0.statement.top_public_inputs()?))
    }
}

impl Circuit<Fp> for SolvencyTopCircuit {
    type Config = Gadgets;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = TopShape;

    fn without_witnesses(&self) -> Self {
        Self(TopCircuit::blank(self.0.statement.params))
    }

    fn params(&self) -> TopShape {
        TopShape::of(&self.0.statement.params)
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fp>, shape: TopShape) -> Gadgets {
        Gadgets::configure(meta, &shape.widths())
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> Gadgets {
        Self::configure_with_params(meta, TopShape::default())
    }

    fn synthesize(&self, gadgets: Gadgets, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        let circuit = &self.0;
        circuit.check_shape().map_err(|_| Error::Synthesis)?;
        let public = circuit
            .statement
            .top_public_inputs()
            .map_err(|_| Error::Synthesis)?;
        gadgets.load(public.len());
        // `R_1..R_K`, exposed as public inputs 2..=K+1.
        let reserves = gadgets.witness_fr(&mut layouter, &public[2..])?;
        for (row, cell) in reserves.iter().enumerate() {
            gadgets.expose(&mut layouter, cell, row + 2)?;
        }

        let sum_range = sum_bits(circuit.statement.params.batch_bits());
        let witness = &circuit.witness;
        let mut nodes = Vec::with_capacity(witness.batch_nodes.len());
        let mut commitments = Vec::with_capacity(witness.batch_nodes.len());
        for (node, blinding) in witness.batch_nodes.iter().zip(&witness.batch_blindings) {
            let mut values = vec![node.hash];
            values.extend(node.sums.iter().map(|s| Fr::from(*s)));
            values.push(*blinding);
            let cells = gadgets.witness_fr(&mut layouter, &values)?;
            let (hash, sums, blinding) = (
                cells[0],
                &cells[1..cells.len() - 1],
                &cells[cells.len() - 1],
            );
            for sum in sums {
                gadgets.range_check(&mut layouter, sum, sum_range)?;
            }
            let node = SumNodeCells {
                hash,
                sums: sums.to_vec(),
            };
            commitments.push(gadgets.commit_node(&mut layouter, &node, blinding)?);
            nodes.push(node);
        }
        let digest = gadgets.chain(&mut layouter, &commitments)?;
        gadgets.expose(&mut layouter, &digest, 1)?;

        let root = fold(&gadgets, &mut layouter, nodes)?;
        let book_blinding = gadgets.witness_fr(&mut layouter, &[witness.book_blinding])?;
        let book_commitment = gadgets.commit_node(&mut layouter, &root, &book_blinding[0])?;
        gadgets.expose(&mut layouter, &book_commitment, 0)?;

        // `R_k − N.s_k`, range-checked: reserves are below 2^128 and totals below 2^96, so a
        // total above its reserve wraps to a field element far above 2^128.
        for (reserve, total) in reserves.iter().zip(&root.sums) {
            let slack = gadgets.combine(
                &mut layouter,
                [Some(reserve), Some(total), None],
                [Fp::ONE, -Fp::ONE, Fp::ZERO, Fp::ZERO, Fp::ZERO],
            )?;
            gadgets.range_check(&mut layouter, &slack, RESERVE_BITS)?;
        }
        Ok(())
    }
}

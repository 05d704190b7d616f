//! Poseidon with circomlib's constants: a gate per round kind and width.
//!
//! The stock halo2 `Pow5Chip` pairs partial rounds two per row and so needs an even `R_P`;
//! circomlib's 2-input instance has 57. Here each round is a block of slots (see
//! [`Slots`]) holding the state before it, with the round's constants in the fixed slots of
//! the block, so any `R_P` works:
//!
//! ```text
//! full round:     next[i] = Σ_j M[i][j] · (s[j] + c[j])^5
//! partial round:  next[i] = M[i][0] · (s[0] + c[0])^5 + Σ_{j ≥ 1} M[i][j] · (s[j] + c[j])
//! ```
//!
//! The gates stay at degree 4 so that their selectors pack three to a column (see
//! [`Gadgets`]): each S-box input `x = s[j] + c[j]` has its square `sq = x²` witnessed
//! (degree 3) and the round uses `x^5 = x · sq²` (degree 4). A round's block holds the state
//! in slots `0..t`, then its squares (`t` in a full round, one in a partial round); the next
//! state starts the next block, on the block's rows rounded up to whole rows.
//!
//! The first state is `[0, x_1, …, x_n]` (lane 0 under the zero gate, the inputs copied in);
//! the output is lane 0 of the last state.

use std::sync::OnceLock;

use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Error, Expression, Selector};

use super::gadgets::{Gadgets, Slots, Var};
use super::{Fp, to_halo2};
use crate::poseidon::PoseidonError;
use crate::poseidon::params::{FULL_ROUNDS, params};
use crate::sum_tree::chain_with;

/// circomlib's parameters for one width, in halo2's field.
#[derive(Debug)]
struct FpParams {
    partial_rounds: usize,
    /// Round constants, `t` per round.
    round_constants: Vec<Fp>,
    /// `mds[i][j]`, row-major.
    mds: Vec<Vec<Fp>>,
}

/// The parameters for width `t` (`2..=17`), converted once from [`crate::poseidon`]'s.
fn fp_params(t: usize) -> &'static FpParams {
    static CACHE: [OnceLock<FpParams>; 16] = [const { OnceLock::new() }; 16];
    CACHE[t - 2].get_or_init(|| {
        let p = params(t);
        FpParams {
            partial_rounds: p.partial_rounds,
            round_constants: p.round_constants.iter().map(to_halo2).collect(),
            mds: p
                .mds
                .iter()
                .map(|row| row.iter().map(to_halo2).collect())
                .collect(),
        }
    })
}

/// The gates of one state width.
#[derive(Debug, Clone)]
pub(super) struct PoseidonConfig {
    width: usize,
    full: Selector,
    partial: Selector,
    /// The rows of a full round's block and of a partial round's (see [`Self::block`]).
    blocks: [usize; 2],
    /// The rows of the output state.
    last: usize,
}

fn is_full(round: usize, partial_rounds: usize) -> bool {
    round < FULL_ROUNDS / 2 || round >= FULL_ROUNDS / 2 + partial_rounds
}

/// How many lanes (from lane 0) round `round` of a width-`t` permutation passes through the
/// S-box: all in a full round, one in a partial round.
fn sboxed_lanes(round: usize, t: usize, p: &FpParams) -> usize {
    if is_full(round, p.partial_rounds) {
        t
    } else {
        1
    }
}

impl PoseidonConfig {
    pub(super) fn configure(meta: &mut ConstraintSystem<Fp>, width: usize, slots: &Slots) -> Self {
        let p = fp_params(width);
        // A round's block: the state (slots 0..t), its S-box squares (slots t..t+sboxed), the
        // round constants (fixed slots 0..t); the next state starts the next block.
        let block = |sboxed: usize| slots.rows(width + sboxed, width);
        let config = Self {
            width,
            full: meta.selector(),
            partial: meta.selector(),
            blocks: [block(width), block(1)],
            last: slots.rows(width, 0),
        };
        for (selector, full_round, name) in [
            (config.full, true, "poseidon full round"),
            (config.partial, false, "poseidon partial round"),
        ] {
            let sboxed = if full_round { width } else { 1 };
            let next_at = config.block(full_round) as i32;
            meta.create_gate(name, |meta| {
                let q = meta.query_selector(selector);
                let mut constraints = Vec::with_capacity(width + sboxed);
                let added: Vec<Expression<Fp>> = (0..width)
                    .map(|j| {
                        let x = slots.query_advice(meta, j, 0) + slots.query_fixed(meta, j);
                        if j < sboxed {
                            // x^5 = x · sq², with sq = x² witnessed.
                            let sq = slots.query_advice(meta, width + j, 0);
                            constraints.push(q.clone() * (sq.clone() - x.clone() * x.clone()));
                            x * sq.clone() * sq
                        } else {
                            x
                        }
                    })
                    .collect();
                constraints.extend((0..width).map(|i| {
                    let next = slots.query_advice(meta, i, next_at);
                    let mixed = added
                        .iter()
                        .zip(&p.mds[i])
                        .fold(Expression::Constant(Fp::ZERO), |acc, (x, m)| {
                            acc + x.clone() * Expression::Constant(*m)
                        });
                    q.clone() * (next - mixed)
                }));
                constraints
            });
        }
        config
    }

    /// The rows of a round's block; the next state follows it.
    fn block(&self, full_round: bool) -> usize {
        self.blocks[usize::from(!full_round)]
    }
}

/// The states of one permutation, row by row: `8 + R_P + 1` states of `t` lanes.
pub type PoseidonTrace = Vec<Vec<Fp>>;

/// The honest trace of circomlib's permutation from `state`; errors unless `state.len()` is
/// in `2..=17` (1..=16 inputs and the capacity lane).
pub fn poseidon_trace(state: Vec<Fp>) -> Result<PoseidonTrace, PoseidonError> {
    match state.len() {
        2..=17 => Ok(trace(state)),
        t => Err(PoseidonError::InputCount(t.saturating_sub(1))),
    }
}

/// [`poseidon_trace`] for a width already checked to be in `2..=17`.
fn trace(state: Vec<Fp>) -> PoseidonTrace {
    let t = state.len();
    let p = fp_params(t);
    let rounds = FULL_ROUNDS + p.partial_rounds;
    let mut trace = Vec::with_capacity(rounds + 1);
    trace.push(state);
    for round in 0..rounds {
        let prev = &trace[round];
        let sboxed = sboxed_lanes(round, t, p);
        let added: Vec<Fp> = prev
            .iter()
            .zip(&p.round_constants[round * t..(round + 1) * t])
            .enumerate()
            .map(|(j, (s, c))| {
                let x = *s + c;
                if j < sboxed {
                    x.square().square() * x
                } else {
                    x
                }
            })
            .collect();
        let next = p
            .mds
            .iter()
            .map(|row| row.iter().zip(&added).map(|(m, x)| *m * x).sum())
            .collect();
        trace.push(next);
    }
    trace
}

impl Gadgets {
    fn poseidon_config(&self, width: usize) -> Result<&PoseidonConfig, Error> {
        self.poseidon
            .iter()
            .find(|c| c.width == width)
            .ok_or(Error::Synthesis)
    }

    /// circomlib's `Poseidon(n)` of `inputs` (`n = inputs.len()`); errors with
    /// [`Error::Synthesis`] when the circuit did not configure width `n + 1`.
    pub fn poseidon(&self, layouter: &mut impl Layouter<Fp>, inputs: &[Var]) -> Result<Var, Error> {
        let state = inputs.iter().fold(Value::known(vec![Fp::ZERO]), |acc, x| {
            acc.zip(x.value).map(|(mut s, x)| {
                s.push(x);
                s
            })
        });
        self.poseidon_config(inputs.len() + 1)?;
        self.poseidon_with_trace(layouter, inputs, state.map(trace))
    }

    /// [`Self::poseidon`] with the permutation's trace given: tests hand in tampered traces
    /// to show each gate rejects them. [`Error::Synthesis`] if a known trace has the wrong shape.
    pub fn poseidon_with_trace(
        &self,
        layouter: &mut impl Layouter<Fp>,
        inputs: &[Var],
        trace: Value<PoseidonTrace>,
    ) -> Result<Var, Error> {
        let width = inputs.len() + 1;
        let config = self.poseidon_config(width)?;
        let p = fp_params(width);
        let rounds = FULL_ROUNDS + p.partial_rounds;
        trace.error_if_known_and(|tr| {
            tr.len() != rounds + 1 || tr.iter().any(|state| state.len() != width)
        })?;
        let slots = &self.slots;
        let rows = config.last
            + (0..rounds)
                .map(|r| config.block(is_full(r, p.partial_rounds)))
                .sum::<usize>();
        self.region(layouter, "poseidon", rows, |region, base| {
            let lane = |round: usize, j: usize| trace.as_ref().map(|tr| tr[round][j]);
            self.zero.enable(region, base)?;
            let mut out = slots.assign(region, base, 0, lane(0, 0));
            for (j, input) in inputs.iter().enumerate() {
                let cell = slots.assign(region, base, j + 1, lane(0, j + 1));
                region.constrain_equal(cell.cell, input.cell);
            }
            let mut row = base;
            for round in 0..rounds {
                let full = is_full(round, p.partial_rounds);
                let selector = if full { config.full } else { config.partial };
                selector.enable(region, row)?;
                let constants = &p.round_constants[round * width..(round + 1) * width];
                for (j, c) in constants.iter().enumerate() {
                    slots.assign_fixed(region, row, j, *c);
                }
                let sboxed = sboxed_lanes(round, width, p);
                for (j, c) in constants.iter().enumerate().take(sboxed) {
                    let sq = lane(round, j).map(|s| (s + c).square());
                    slots.assign(region, row, width + j, sq);
                }
                row += config.block(full);
                for j in 0..width {
                    let cell = slots.assign(region, row, j, lane(round + 1, j));
                    if j == 0 {
                        out = cell;
                    }
                }
            }
            Ok(out)
        })
    }

    /// The sum tree's `chain(x_1..x_n)` (see [`crate::sum_tree::chain`]).
    pub fn chain(&self, layouter: &mut impl Layouter<Fp>, inputs: &[Var]) -> Result<Var, Error> {
        chain_with(inputs, |block| self.poseidon(layouter, block))
    }
}

/// The Poseidon state widths `chain` over `n` inputs uses.
pub(super) fn chain_widths(n: usize) -> Vec<usize> {
    let mut widths = Vec::new();
    let blocks: Result<(), std::convert::Infallible> = chain_with(&vec![(); n], |block| {
        widths.push(block.len() + 1);
        Ok(())
    });
    match blocks {
        Ok(()) => widths,
        Err(never) => match never {},
    }
}

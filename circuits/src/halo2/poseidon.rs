//! Poseidon with circomlib's constants: a gate per round kind and width.
//!
//! The stock halo2 `Pow5Chip` pairs partial rounds two per row and so needs an even `R_P`;
//! circomlib's 2-input instance has 57. Here each round starts on a row holding the state
//! before it, with the round's constants in fixed columns on that row, so any `R_P` works:
//!
//! ```text
//! full round:     next[i] = Σ_j M[i][j] · (s[j] + c[j])^5
//! partial round:  next[i] = M[i][0] · (s[0] + c[0])^5 + Σ_{j ≥ 1} M[i][j] · (s[j] + c[j])
//! ```
//!
//! halo2-axiom caps gate degree at 5, so each S-box input `x = s[j] + c[j]` has its square
//! `sq = x²` witnessed (degree 3) and the round uses `x^5 = x · sq²` (degree 4). A partial
//! round takes one row: its single square sits in column `t`, the next state on the next row.
//! A full round's `t` squares sit beside the state (columns `t..2t`, one row) when the circuit
//! has `2t` advice columns, else on the row below the state in the same columns (two rows).
//! A width-`t` state so spans `t + 1` advice columns (only the first `t` need equality) and
//! `9 + R_P` rows, plus one per full round when the squares go below.
//!
//! The first row is `[0, x_1, …, x_n]` (lane 0 gated to zero, the inputs copied in); the
//! output is lane 0 of the last row.

use std::sync::OnceLock;

use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Error, Expression, Fixed, Selector};
use halo2_proofs::poly::Rotation;

use super::gadgets::{Gadgets, Var, assign};
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
    round_constants: Vec<Column<Fixed>>,
    /// The circuit has `2t` advice columns (the curve's 13 hold `t ≤ 6`): full-round squares
    /// then sit beside the state, in columns `t..2t` of its row, and a full round takes one
    /// row.
    squares_beside: bool,
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

/// `lane0 = 0` on the first row of a permutation: the capacity starts at zero.
pub(super) fn configure_capacity(
    meta: &mut ConstraintSystem<Fp>,
    lane0: Column<Advice>,
) -> Selector {
    let q = meta.selector();
    meta.create_gate("poseidon capacity", |meta| {
        let s = meta.query_selector(q);
        vec![s * meta.query_advice(lane0, Rotation::cur())]
    });
    q
}

impl PoseidonConfig {
    pub(super) fn configure(
        meta: &mut ConstraintSystem<Fp>,
        width: usize,
        advice: &[Column<Advice>],
        round_constants: &[Column<Fixed>],
    ) -> Self {
        let p = fp_params(width);
        let config = Self {
            width,
            full: meta.selector(),
            partial: meta.selector(),
            round_constants: round_constants[..width].to_vec(),
            squares_beside: advice.len() >= 2 * width,
        };
        for (selector, full_round, name) in [
            (config.full, true, "poseidon full round"),
            (config.partial, false, "poseidon partial round"),
        ] {
            let sboxed = if full_round { width } else { 1 };
            let next_at = Rotation(config.square_row(full_round) as i32 + 1);
            meta.create_gate(name, |meta| {
                let q = meta.query_selector(selector);
                let mut constraints = Vec::with_capacity(width + sboxed);
                let added: Vec<Expression<Fp>> = (0..width)
                    .map(|j| {
                        let s = meta.query_advice(advice[j], Rotation::cur());
                        let c = meta.query_fixed(round_constants[j], Rotation::cur());
                        let x = s + c;
                        if j < sboxed {
                            // x^5 = x · sq², with sq = x² witnessed.
                            let sq = meta.query_advice(
                                advice[config.square_column(full_round, j)],
                                Rotation(config.square_row(full_round) as i32),
                            );
                            constraints.push(q.clone() * (sq.clone() - x.clone() * x.clone()));
                            x * sq.clone() * sq
                        } else {
                            x
                        }
                    })
                    .collect();
                constraints.extend((0..width).map(|i| {
                    let next = meta.query_advice(advice[i], next_at);
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

    /// The advice column of lane `j`'s S-box square: beside the state or below it in a full
    /// round, column `t` in a partial round.
    fn square_column(&self, full_round: bool, j: usize) -> usize {
        match (full_round, self.squares_beside) {
            (true, true) => self.width + j,
            (true, false) => j,
            (false, _) => self.width,
        }
    }

    /// The row of a round's squares, relative to its state row; the next state follows it.
    fn square_row(&self, full_round: bool) -> usize {
        usize::from(full_round && !self.squares_beside)
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
        let rows = 1
            + (0..rounds)
                .map(|r| 1 + config.square_row(is_full(r, p.partial_rounds)))
                .sum::<usize>();
        self.region(layouter, "poseidon", rows, |region, base| {
            let lane = |round: usize, j: usize| trace.as_ref().map(|tr| tr[round][j]);
            self.capacity.enable(region, base)?;
            let mut out = assign(region, self.advice[0], base, lane(0, 0));
            for (j, input) in inputs.iter().enumerate() {
                let cell = assign(region, self.advice[j + 1], base, lane(0, j + 1));
                region.constrain_equal(cell.cell, input.cell);
            }
            let mut row = base;
            for round in 0..rounds {
                let full = is_full(round, p.partial_rounds);
                let selector = if full { config.full } else { config.partial };
                selector.enable(region, row)?;
                let constants = &p.round_constants[round * width..(round + 1) * width];
                for (column, c) in config.round_constants.iter().zip(constants) {
                    region.assign_fixed(*column, row, *c);
                }
                let sboxed = sboxed_lanes(round, width, p);
                for (j, c) in constants.iter().enumerate().take(sboxed) {
                    let sq = lane(round, j).map(|s| (s + c).square());
                    let column = self.advice[config.square_column(full, j)];
                    assign(region, column, row + config.square_row(full), sq);
                }
                row += 1 + config.square_row(full);
                for j in 0..width {
                    let cell = assign(region, self.advice[j], row, lane(round + 1, j));
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

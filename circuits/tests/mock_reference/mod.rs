//! `MockProver` on many mutants of one honest halo2 witness, as strong as `verify` and fast.
//!
//! `MockProver::verify` evaluates every gate on every usable row. On the one-column rollup
//! sample (2^17 rows) that is about 4 s a witness, nearly all of it on rows a mutant leaves as
//! they were. [`Reference`] runs the full check once on the honest witness; a mutant is then
//! checked with `verify_at_rows`: the gates on every row where one of the cells the gates may
//! query (an advice or instance cell at one of the queried rotations) differs from the honest
//! assignment, the lookups on every usable row, and, as `verify_at_rows` always does, the
//! blinding rows and the whole permutation.
//!
//! Why that rejects exactly what `verify` rejects: a gate at a row is a polynomial in the
//! fixed, advice and instance cells at the rotations it queries and in the challenges (fixed
//! by `MockProver`). [`Reference::verify`] first checks that the mutant's constraint system
//! (with its compressed selectors), fixed columns and copy constraints equal the honest ones;
//! at a row none of whose queried advice or instance cells changed, every gate then has the
//! honest value, which is zero because the honest witness passed the full check. When the
//! layout is not the honest one, the mutant gets the full `verify`.

use bulwark_circuits::halo2::Fp;
use bulwark_circuits::halo2::halo2_proofs::dev::{MockProver, VerifyFailure};
use bulwark_circuits::halo2::halo2_proofs::plonk::{
    Advice, Circuit, Column, ConstraintSystem, Error, Instance,
};
use std::fmt::{self, Write};

/// What `MockProver` says of a witness: `Err` if synthesis fails, else `verify`'s verdict.
pub type Verdict = Result<Result<(), Vec<VerifyFailure>>, Error>;

/// The honest run of a circuit, checked in full, against which mutants are checked.
#[derive(Debug)]
pub struct Reference {
    k: u32,
    prover: MockProver<Fp>,
    instance: Vec<Vec<Fp>>,
    constraint_system: String,
    advice_queries: Vec<(Column<Advice>, i32)>,
    instance_queries: Vec<(Column<Instance>, i32)>,
    usable_rows: usize,
}

impl Reference {
    /// Runs `MockProver` at size `2^k` on the honest `circuit` with `instance` and checks it in
    /// full; the failures if it is not accepted.
    pub fn honest<C: Circuit<Fp>>(
        k: u32,
        circuit: &C,
        instance: Vec<Vec<Fp>>,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let prover = MockProver::run(k, circuit, instance.clone())?;
        prover
            .verify()
            .map_err(|failures| format!("the honest witness is rejected: {failures:?}"))?;
        let mut cs = ConstraintSystem::default();
        C::configure_with_params(&mut cs, circuit.params());
        Ok(Self {
            k,
            constraint_system: constraint_system_text(&prover),
            prover,
            instance,
            advice_queries: cs.advice_queries().iter().map(|(c, r)| (*c, r.0)).collect(),
            instance_queries: cs
                .instance_queries()
                .iter()
                .map(|(c, r)| (*c, r.0))
                .collect(),
            usable_rows: (1usize << k) - (cs.blinding_factors() + 1),
        })
    }

    /// Whether `MockProver` accepts `circuit` with `instance` (see the module docs).
    pub fn accepts<C: Circuit<Fp>>(&self, circuit: &C, instance: Vec<Vec<Fp>>) -> bool {
        matches!(self.verify(circuit, instance), Ok(Ok(())))
    }

    /// What `MockProver::run(k, circuit, instance)?.verify()` returns, computed on the rows a
    /// difference from the honest witness can reach (see the module docs).
    pub fn verify<C: Circuit<Fp>>(&self, circuit: &C, instance: Vec<Vec<Fp>>) -> Verdict {
        let prover = MockProver::run(self.k, circuit, instance.clone())?;
        let same_layout = prover.fixed() == self.prover.fixed()
            && prover.permutation() == self.prover.permutation()
            && constraint_system_text(&prover) == self.constraint_system;
        if !same_layout {
            return Ok(prover.verify());
        }
        let rows = self.reachable_rows(&prover, &instance);
        let usable: Vec<usize> = (0..self.usable_rows).collect();
        Ok(prover.verify_at_rows(rows.into_iter(), usable.into_iter()))
    }

    /// The usable rows where a gate queries a cell of `prover` or `instance` that differs from
    /// the honest run, ascending.
    fn reachable_rows(&self, prover: &MockProver<Fp>, instance: &[Vec<Fp>]) -> Vec<usize> {
        let n = 1i64 << self.k;
        let mut rows = Vec::new();
        let mut reach = |changed: usize, rotation: i32| {
            rows.push((changed as i64 - i64::from(rotation)).rem_euclid(n) as usize);
        };
        for (column, rotation) in &self.advice_queries {
            let (mine, honest) = (
                prover.advice_values(*column),
                self.prover.advice_values(*column),
            );
            for row in (0..mine.len()).filter(|&r| mine[r] != honest[r]) {
                reach(row, *rotation);
            }
        }
        for (column, rotation) in &self.instance_queries {
            let (mine, honest) = (&instance[column.index()], &self.instance[column.index()]);
            let differs = |r: usize| mine.get(r) != honest.get(r);
            for row in (0..mine.len().max(honest.len())).filter(|&r| differs(r)) {
                reach(row, *rotation);
            }
        }
        rows.retain(|&row| row < self.usable_rows);
        rows.sort_unstable();
        rows.dedup();
        rows
    }
}

/// The `Debug` text of `prover`'s constraint system (gates after selector compression,
/// queries, selector map), which `MockProver` keeps private.
fn constraint_system_text(prover: &MockProver<Fp>) -> String {
    let mut text = UpTo {
        text: String::new(),
        end: "regions",
    };
    // The derived `Debug` writes `k`, `n`, `cs`, then `regions`; stopping there skips the
    // cells, which are compared separately.
    let _ = write!(text, "{prover:?}");
    // `minimum_degree`, the constraint system's last field, shows it was written in full.
    assert!(
        text.text.starts_with("MockProver { k: ") && text.text.contains("minimum_degree: "),
        "unexpected MockProver Debug layout: {}",
        text.text
    );
    text.text
}

/// A `fmt::Write` that keeps what is written up to the piece `end`, then fails the write.
struct UpTo {
    text: String,
    end: &'static str,
}

impl Write for UpTo {
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        if piece == self.end {
            return Err(fmt::Error);
        }
        self.text.push_str(piece);
        Ok(())
    }
}

//! Circuit size: the rows a synthesis touches, and the smallest `k` that holds them.

use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::{
    Advice, Any, Assigned, Assignment, Challenge, Circuit, Column, ConstraintSystem, Error, Fixed,
    FloorPlanner, Instance, Selector,
};

use super::Fp;

/// An [`Assignment`] that only records the highest row anything is written to.
#[derive(Debug, Default)]
struct RowCounter {
    rows: usize,
}

impl RowCounter {
    fn touch(&mut self, row: usize) {
        self.rows = self.rows.max(row + 1);
    }
}

impl Assignment<Fp> for RowCounter {
    fn enter_region<NR: Into<String>, N: FnOnce() -> NR>(&mut self, _: N) {}

    fn annotate_column<A: FnOnce() -> AR, AR: Into<String>>(&mut self, _: A, _: Column<Any>) {}

    fn exit_region(&mut self) {}

    fn enable_selector<A: FnOnce() -> AR, AR: Into<String>>(
        &mut self,
        _: A,
        _: &Selector,
        row: usize,
    ) -> Result<(), Error> {
        self.touch(row);
        Ok(())
    }

    fn query_instance(&self, _: Column<Instance>, _: usize) -> Result<Value<Fp>, Error> {
        Ok(Value::unknown())
    }

    fn assign_advice<'v>(
        &mut self,
        _: Column<Advice>,
        row: usize,
        _: Value<Assigned<Fp>>,
    ) -> Value<&'v Assigned<Fp>> {
        self.touch(row);
        Value::unknown()
    }

    fn assign_fixed(&mut self, _: Column<Fixed>, row: usize, _: Assigned<Fp>) {
        self.touch(row);
    }

    fn copy(&mut self, _: Column<Any>, left: usize, _: Column<Any>, right: usize) {
        self.touch(left.max(right));
    }

    fn fill_from_row(
        &mut self,
        _: Column<Fixed>,
        _: usize,
        _: Value<Assigned<Fp>>,
    ) -> Result<(), Error> {
        Ok(())
    }

    fn get_challenge(&self, _: Challenge) -> Value<Fp> {
        Value::unknown()
    }

    fn push_namespace<NR: Into<String>, N: FnOnce() -> NR>(&mut self, _: N) {}

    fn pop_namespace(&mut self, _: Option<String>) {}
}

/// The rows `circuit` writes (gates, copies, constants and the lookup table), by running
/// its synthesis without any size limit.
pub fn rows_needed<C: Circuit<Fp>>(circuit: &C) -> Result<usize, Error> {
    rows_and_blinding(circuit).map(|(rows, _)| rows)
}

fn rows_and_blinding<C: Circuit<Fp>>(circuit: &C) -> Result<(usize, usize), Error> {
    let mut cs = ConstraintSystem::default();
    let config = C::configure_with_params(&mut cs, circuit.params());
    let mut counter = RowCounter::default();
    C::FloorPlanner::synthesize(&mut counter, circuit, config, cs.constants().clone())?;
    Ok((counter.rows, cs.blinding_factors()))
}

/// The smallest `k` whose `2^k` rows hold `circuit`'s rows plus halo2's blinding rows.
pub fn fitting_k<C: Circuit<Fp>>(circuit: &C) -> Result<u32, Error> {
    let (rows, blinding) = rows_and_blinding(circuit)?;
    let needed = rows + blinding + 1;
    Ok(needed
        .next_power_of_two()
        .trailing_zeros()
        .max(super::MIN_K))
}

//! `bulwark demo`: the whole rollup flow on sample data, with a summary of what it cost.

use std::io::Write;

use anyhow::{Context, Result};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use bulwark_circuits::rollup::{OpKind, RollupCircuit, RollupParams, sample};
use bulwark_prover::{Fr, verify};

use crate::{
    cli::DemoArgs,
    commands::rollup::{default_accounts, dev_setup, params, prove_batch, write_public_inputs},
    progress::{Progress, Timings, timed},
};

/// Sample state and signed batch → native check → INSECURE dev setup → witness → prove →
/// verify, then a summary on stdout.
pub fn run(args: &DemoArgs, progress: &Progress) -> Result<()> {
    let params = params(args.shape)?;
    let accounts = default_accounts(params);
    let sample = sample::demo(&params, accounts, args.seed)
        .context("building the sample state and batch")?;
    let constraints = count_constraints(params)?;

    // The setup seed is the demo's seed: the keys are reproducible and openly forgeable.
    let (pk, setup_time) = timed(|| dev_setup(params, args.seed, progress));
    let pk = pk?;

    let mut stages = progress.stages(4);
    let proved = prove_batch(&pk, params, sample.state, &sample.batch, &mut stages)?;
    let inputs = &proved.proof.public_inputs;
    stages
        .run("verify", || {
            verify(pk.verifying_key(), inputs, &proved.proof.proof)
        })
        .context("the demo proof does not verify")?;
    let mut timings = Timings::default();
    timings.push("setup (dev, INSECURE)", setup_time);
    timings.extend(stages.finish());

    let kinds = sample.batch.operations.iter().map(|op| op.kind());
    let count = |kind: OpKind| kinds.clone().filter(|k| *k == kind).count();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "bulwark demo: rollup depth {} (2^{} accounts), batch size {}\n",
        params.depth(),
        params.depth(),
        params.batch_size()
    )?;
    writeln!(
        out,
        "batch:       transfers {}, deposits {}, withdrawals {} ({accounts} accounts)",
        count(OpKind::Transfer),
        count(OpKind::Deposit),
        count(OpKind::Withdrawal)
    )?;
    writeln!(out, "constraints: {constraints}")?;
    write_public_inputs(&mut out, inputs)?;
    writeln!(
        out,
        "proof:       verified OK (Groth16 over BN254; INSECURE dev keys)"
    )?;
    write!(out, "timings:\n{}", timings.table())?;
    Ok(())
}

/// The circuit's R1CS size, from a synthesis without witness values.
fn count_constraints(params: RollupParams) -> Result<usize> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    RollupCircuit::blank(params)
        .context("building the blank rollup circuit")?
        .generate_constraints(cs.clone())
        .context("synthesizing the rollup circuit")?;
    cs.finalize();
    Ok(cs.num_constraints())
}

//! With arkworks' `ConstraintLayer` installed, an unsatisfied witness is named by its
//! namespace. Alone in its own test binary: tracing caches callsite interest per process, so a
//! scoped subscriber would race with tests running without one on other threads.

#[path = "groth16/circuits.rs"]
#[allow(dead_code)] // shared with the groth16 suite; this test uses part of it
mod circuits;

use bulwark_prover::{Fr, ProverError, prove};
use circuits::{Demo, demo_key, rng};

#[test]
fn with_a_constraint_layer_the_unsatisfied_constraint_is_named_by_its_namespace() {
    let pk = demo_key();
    let mut claimed: [Fr; 3] = Demo::public(3, 5).try_into().expect("three inputs");
    claimed[1] += Fr::from(1u64);
    let circuit = Demo {
        claimed: Some(claimed),
        ..Demo::honest(3, 5)
    };
    // Twice: while the key builds its matrices, and once it has cached them after an honest
    // proof (the witness-only synthesis still captures each constraint's trace).
    assert_named_sum(&pk, circuit.clone());
    prove(&pk, Demo::honest(3, 5), &mut rng(10)).expect("honest proof");
    assert_named_sum(&pk, circuit);
}

fn assert_named_sum(pk: &bulwark_prover::ProvingKey, circuit: Demo) {
    use ark_relations::gr1cs::ConstraintLayer;
    use tracing_subscriber::layer::SubscriberExt;

    let subscriber = tracing_subscriber::registry().with(ConstraintLayer::default());
    let err = tracing::subscriber::with_default(subscriber, || prove(pk, circuit, &mut rng(9)))
        .expect_err("unsatisfied");
    assert!(
        matches!(&err, ProverError::Unsatisfied { constraint } if constraint.contains("sum")),
        "{err}"
    );
}

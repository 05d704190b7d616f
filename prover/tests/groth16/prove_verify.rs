use bulwark_prover::{Fr, ProverError, dev_setup_insecure, prove, verify};

use crate::circuits::{Demo, SEED, Square, demo_key, rng};

#[test]
fn honest_witness_proves_and_verifies_with_a_reused_key() {
    let pk = demo_key();
    let vk = pk.verifying_key();
    let mut rng = rng(1);
    let first = prove(&pk, Demo::honest(3, 5), &mut rng).expect("prove 3, 5");
    assert_eq!(first.public_inputs, Demo::public(3, 5));
    verify(vk, &first.public_inputs, &first.proof).expect("honest proof verifies");

    let second = prove(&pk, Demo::honest(11, 13), &mut rng).expect("prove 11, 13");
    assert_eq!(second.public_inputs, Demo::public(11, 13));
    verify(vk, &second.public_inputs, &second.proof).expect("second proof verifies");

    let again = prove(&pk, Demo::honest(3, 5), &mut rng).expect("prove 3, 5 again");
    assert_ne!(again.proof, first.proof, "proofs are re-randomized");
    verify(vk, &again.public_inputs, &again.proof).expect("re-randomized proof verifies");
}

#[test]
fn wrong_public_input_is_rejected() {
    let pk = demo_key();
    let out = prove(&pk, Demo::honest(3, 5), &mut rng(2)).expect("prove");
    for i in 0..out.public_inputs.len() {
        let mut tampered = out.public_inputs.clone();
        tampered[i] += Fr::from(1u64);
        let err = verify(pk.verifying_key(), &tampered, &out.proof).expect_err("tampered input");
        assert!(matches!(err, ProverError::InvalidProof), "input {i}: {err}");
    }
    let other = prove(&pk, Demo::honest(4, 6), &mut rng(3)).expect("prove 4, 6");
    let err = verify(pk.verifying_key(), &out.public_inputs, &other.proof).expect_err("swapped");
    assert!(matches!(err, ProverError::InvalidProof), "{err}");
}

#[test]
fn wrong_public_input_count_is_a_typed_error() {
    let pk = demo_key();
    let out = prove(&pk, Demo::honest(3, 5), &mut rng(4)).expect("prove");
    let short = &out.public_inputs[..2];
    let mut long = out.public_inputs.clone();
    long.push(Fr::from(0u64));
    for (inputs, got) in [(short, 2), (&long[..], 4), (&[][..], 0)] {
        let err = verify(pk.verifying_key(), inputs, &out.proof).expect_err("wrong count");
        assert!(
            matches!(err, ProverError::PublicInputCount { expected: 3, got: g } if g == got),
            "{err}"
        );
    }
}

#[test]
fn unsatisfied_witness_names_the_first_unsatisfied_constraint() {
    let pk = demo_key();
    let public = Demo::public(3, 5);
    // Claim a wrong `b`: row 1 (x + y = b) is the first to fail.
    let mut claimed = [public[0], public[1], public[2]];
    claimed[1] += Fr::from(1u64);
    let circuit = Demo {
        claimed: Some(claimed),
        ..Demo::honest(3, 5)
    };
    let err = prove(&pk, circuit, &mut rng(5)).expect_err("unsatisfied");
    assert!(
        matches!(&err, ProverError::Unsatisfied { constraint } if constraint == "R1CS - 1"),
        "{err}"
    );

    // Wrong `c` only: row 3 (x2 · x = c).
    let mut claimed = [public[0], public[1], public[2]];
    claimed[2] = Fr::from(26u64);
    let circuit = Demo {
        claimed: Some(claimed),
        ..Demo::honest(3, 5)
    };
    let err = prove(&pk, circuit, &mut rng(5)).expect_err("unsatisfied");
    assert!(
        matches!(&err, ProverError::Unsatisfied { constraint } if constraint == "R1CS - 3"),
        "{err}"
    );
}

#[test]
fn circuit_of_another_shape_is_a_key_mismatch() {
    let pk = demo_key();
    let err = prove(&pk, Square(Fr::from(9u64)), &mut rng(6)).expect_err("other shape");
    assert!(
        matches!(
            err,
            ProverError::KeyMismatch {
                what: "number of public inputs",
                circuit: 1,
                key: 3
            }
        ),
        "{err}"
    );
}

#[test]
fn circuit_with_the_keys_shape_but_other_constraints_fails_the_self_check() {
    let pk = demo_key();
    let circuit = Demo {
        difference: true,
        ..Demo::honest(3, 5)
    };
    let err = prove(&pk, circuit, &mut rng(7)).expect_err("different circuit");
    assert!(matches!(err, ProverError::ProofSelfCheckFailed), "{err}");
}

#[test]
fn later_proofs_check_the_witness_against_the_keys_cached_matrices() {
    let pk = demo_key();
    // The first verified proof leaves the circuit's matrices with the key; the proofs below
    // synthesize their witness only and are checked row by row against those matrices.
    prove(&pk, Demo::honest(3, 5), &mut rng(20)).expect("first proof");

    let mut claimed: [Fr; 3] = Demo::public(3, 5).try_into().expect("three inputs");
    claimed[1] += Fr::from(1u64);
    let circuit = Demo {
        claimed: Some(claimed),
        ..Demo::honest(3, 5)
    };
    let err = prove(&pk, circuit, &mut rng(21)).expect_err("unsatisfied");
    assert!(
        matches!(&err, ProverError::Unsatisfied { constraint } if constraint == "R1CS - 1"),
        "{err}"
    );

    // Other constraints of the key's shape: its witness (x − y = b) fails the key's row 1
    // (x + y = b) before any MSM, instead of failing the self-check afterwards.
    let circuit = Demo {
        difference: true,
        ..Demo::honest(3, 5)
    };
    let err = prove(&pk, circuit, &mut rng(22)).expect_err("different circuit");
    assert!(
        matches!(&err, ProverError::Unsatisfied { constraint } if constraint == "R1CS - 1"),
        "{err}"
    );

    let err = prove(&pk, Square(Fr::from(9u64)), &mut rng(24)).expect_err("other shape");
    assert!(matches!(err, ProverError::KeyMismatch { .. }), "{err}");
    let err = prove(&pk, Demo::default(), &mut rng(25)).expect_err("no witness");
    assert!(matches!(err, ProverError::Synthesis { .. }), "{err}");

    for (x, y) in [(7, 9), (3, 5)] {
        let out = prove(&pk, Demo::honest(x, y), &mut rng(26)).expect("honest proof");
        assert_eq!(out.public_inputs, Demo::public(x, y));
        verify(pk.verifying_key(), &out.public_inputs, &out.proof).expect("verifies");
    }
}

#[test]
fn a_key_first_proved_with_a_wrong_circuit_caches_nothing() {
    let pk = demo_key();
    let wrong = Demo {
        difference: true,
        ..Demo::honest(3, 5)
    };
    let err = prove(&pk, wrong.clone(), &mut rng(27)).expect_err("self-check");
    assert!(matches!(err, ProverError::ProofSelfCheckFailed), "{err}");
    // Its matrices were not kept: the same circuit again still builds its own and fails the
    // self-check, and the honest circuit then proves.
    let err = prove(&pk, wrong, &mut rng(28)).expect_err("self-check again");
    assert!(matches!(err, ProverError::ProofSelfCheckFailed), "{err}");
    let out = prove(&pk, Demo::honest(3, 5), &mut rng(29)).expect("honest proof");
    verify(pk.verifying_key(), &out.public_inputs, &out.proof).expect("verifies");
}

#[test]
fn missing_witness_is_a_synthesis_error() {
    let pk = demo_key();
    let err = prove(&pk, Demo::default(), &mut rng(8)).expect_err("no witness");
    assert!(
        matches!(err, ProverError::Synthesis { stage: "prove", .. }),
        "{err}"
    );
}

#[test]
fn dev_setup_is_deterministic_in_its_seed() {
    let vk_bytes = |seed| {
        dev_setup_insecure(Demo::default(), seed)
            .expect("setup")
            .verifying_key()
            .to_bytes()
            .expect("encode vk")
    };
    assert_eq!(vk_bytes(SEED), vk_bytes(SEED));
    assert_ne!(vk_bytes(SEED), vk_bytes(SEED + 1));
}

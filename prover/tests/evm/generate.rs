//! Generation and calldata encoding, checked without node or solc.

use ark_ec::AffineRepr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError, lc};
use bulwark_circuits::{
    rollup::{Batch, sample},
    solvency::SolvencyParams,
};
use bulwark_prover::{
    Fr, dev_setup_insecure,
    solidity::{
        PROOF_CALLDATA_BYTES, SOLVENCY_EXAMPLE_NAME, SOLVENCY_INCLUSION_VERIFIER_NAME,
        SOLVENCY_TOP_VERIFIER_NAME, SolidityError, field_word, groth16_verifier, proof_calldata,
        rollup_example, rollup_l1_data, solvency_example,
    },
};

use crate::{params, rollup_key, sample_batch};

/// Knows `x` with `x² = y`; `y` public (one public input).
struct Square(Fr);

impl ConstraintSynthesizer<Fr> for Square {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let x = cs.new_witness_variable(|| Ok(self.0))?;
        let y = cs.new_input_variable(|| Ok(self.0 * self.0))?;
        cs.enforce_r1cs_constraint(|| lc!(x), || lc!(x), || lc!(y))
    }
}

#[test]
fn every_placeholder_is_filled_and_names_are_checked() {
    let vk = rollup_key().verifying_key();
    let source = groth16_verifier(vk, "MyVerifier").expect("valid name");
    assert!(!source.source.contains("{{"), "unfilled placeholder");
    assert!(source.source.contains("contract MyVerifier {"));
    assert!(source.source.contains("uint256[3] memory input"));
    assert_eq!(source.file_name(), "MyVerifier.sol");
    for sources in rollup_example(vk, &params()).expect("rollup contracts") {
        assert!(!sources.source.contains("{{"), "{}", sources.contract_name);
    }
    for bad in ["", "1Verifier", "My Verifier", "a-b", "Vérifier"] {
        assert!(
            matches!(
                groth16_verifier(vk, bad),
                Err(SolidityError::InvalidContractName { .. })
            ),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn rollup_example_needs_a_three_input_key() {
    let pk = dev_setup_insecure(Square(Fr::from(0u64)), 1).expect("setup");
    assert!(groth16_verifier(pk.verifying_key(), "Square").is_ok());
    assert!(matches!(
        rollup_example(pk.verifying_key(), &params()),
        Err(SolidityError::PublicInputCount {
            expected: 3,
            got: 1,
            ..
        })
    ));
}

#[test]
fn solvency_example_needs_keys_for_its_asset_count() {
    let s = crate::solvency::sample();
    let (top, inclusion) = (s.top_pk.verifying_key(), s.inclusion_pk.verifying_key());
    let two_assets = SolvencyParams::new(2, 2, 1).expect("params");
    let sources = solvency_example(top, inclusion, &two_assets).expect("contracts");
    let names: Vec<&str> = sources.iter().map(|s| s.contract_name.as_str()).collect();
    assert_eq!(
        names,
        [
            SOLVENCY_TOP_VERIFIER_NAME,
            SOLVENCY_INCLUSION_VERIFIER_NAME,
            SOLVENCY_EXAMPLE_NAME
        ]
    );
    for source in &sources {
        assert!(!source.source.contains("{{"), "{}", source.contract_name);
    }
    assert!(sources[2].source.contains("uint128[2] calldata reserves"));
    // Keys for two assets do not make a three-asset contract; a rollup key is no top key.
    let three_assets = SolvencyParams::new(3, 2, 1).expect("params");
    assert!(matches!(
        solvency_example(top, inclusion, &three_assets),
        Err(SolidityError::PublicInputCount {
            contract: SOLVENCY_TOP_VERIFIER_NAME,
            expected: 5,
            got: 4
        })
    ));
    assert!(matches!(
        solvency_example(top, rollup_key().verifying_key(), &two_assets),
        Err(SolidityError::PublicInputCount {
            contract: SOLVENCY_INCLUSION_VERIFIER_NAME,
            expected: 4,
            got: 3
        })
    ));
}

#[test]
fn proof_words_are_in_eip197_order() {
    let (proven, _, _) = sample_batch();
    let bytes = proof_calldata(&proven.out.proof);
    assert_eq!(bytes.len(), PROOF_CALLDATA_BYTES);
    let p = proven.out.proof.as_ark();
    let (ax, ay) = p.a.xy().expect("A is not the identity");
    let (bx, by) = p.b.xy().expect("B is not the identity");
    let (cx, cy) = p.c.xy().expect("C is not the identity");
    let expected = [
        field_word(&ax),
        field_word(&ay),
        field_word(&bx.c1),
        field_word(&bx.c0),
        field_word(&by.c1),
        field_word(&by.c0),
        field_word(&cx),
        field_word(&cy),
    ]
    .concat();
    assert_eq!(bytes.to_vec(), expected);
}

#[test]
fn l1_data_pads_with_noops_and_ends_with_the_operator() {
    let s = sample::demo(&params(), 5, 1).expect("sample");
    let one = Batch {
        operator: 4,
        operations: s.batch.operations[..1].to_vec(),
    };
    let words = rollup_l1_data(&one, &params()).expect("fits");
    assert_eq!(words.len(), 3 * params().batch_size() + 1);
    assert!(
        words[3..6].iter().all(|w| *w == Fr::from(0u64)),
        "no-op slot"
    );
    assert_eq!(words[6], Fr::from(4u64));
    let too_many = Batch {
        operator: 0,
        operations: vec![s.batch.operations[0]; 3],
    };
    assert!(matches!(
        rollup_l1_data(&too_many, &params()),
        Err(SolidityError::BatchTooLarge {
            batch_size: 2,
            got: 3
        })
    ));
}

//! The PLONK/KZG verifier contracts (snark-verifier's Yul) for the halo2 solvency batch and
//! inclusion circuits: an honest proof is accepted; a mutated proof byte, a mutated public
//! input and a public input shifted by `r` are rejected. The contracts are measured on a chain
//! without EIP-170: at about 32 KB they are above mainnet's 24 KiB limit. `plonk_cost_breakdown`
//! shows where the gas goes.

use std::sync::OnceLock;

use bulwark_circuits::halo2::{
    SolvencyBatchCircuit, SolvencyInclusionCircuit, fitting_k, rows_needed,
};
use bulwark_circuits::solvency::{
    BatchCircuit, BlindingSeed, Book, CommittedBook, InclusionCircuit, Reserves,
};
use bulwark_prover::plonk::{
    KzgParams, PlonkProof, PlonkVerifyingKey, kzg_dev_params_insecure, plonk_keygen, plonk_prove,
    plonk_verify,
};
use bulwark_prover::solidity::{
    SolidityError, plonk_calldata, plonk_verifier, plonk_verifier_shape,
};
use bulwark_prover::{Fr, ProverError};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use revm::primitives::Address;

use crate::support::{Evm, Outcome, calldata_gas, compile_without_yul_optimizer, js_available};
use crate::{add_words, modulus_word, solvency};

/// EIP-170: the largest deployed code, in bytes.
pub const EIP170_LIMIT: usize = 24_576;

/// One circuit's PLONK artifacts and an honest proof.
pub struct PlonkCase {
    /// The contract's name.
    pub name: &'static str,
    /// KZG parameters of the key's size.
    pub params: KzgParams,
    /// The verifying key.
    pub vk: PlonkVerifyingKey,
    /// The proof's public inputs.
    pub public_inputs: Vec<Fr>,
    /// The honest proof.
    pub proof: PlonkProof,
    /// How long `plonk_prove` took for it.
    pub prove_time: std::time::Duration,
    /// The rows the circuit's layout uses (the key has `2^k`, `k = params.k()`).
    pub rows: usize,
}

/// The batch circuit (batch 0 of the evm solvency sample's book) and alice's inclusion.
pub fn cases() -> &'static [PlonkCase; 2] {
    static CASES: OnceLock<[PlonkCase; 2]> = OnceLock::new();
    CASES.get_or_init(|| {
        let params = solvency::params();
        let book = Book::from_csv(solvency::USERS.as_bytes()).expect("csv");
        let reserves = Reserves::from_json(solvency::RESERVES.as_bytes()).expect("reserves");
        let mut rng = ChaCha20Rng::seed_from_u64(31);
        let book = CommittedBook::new(&book, &reserves, params, BlindingSeed::random(&mut rng))
            .expect("solvent book");
        let all = kzg_dev_params_insecure(13, 32).expect("params");
        let batch = book.batch_circuit(0).expect("batch 0");
        let inclusion = book.inclusion_circuit("alice").expect("alice");
        [
            case(
                "SolvencyBatchPlonkVerifier",
                &all,
                SolvencyBatchCircuit(BatchCircuit::blank(params)),
                SolvencyBatchCircuit(batch.clone()),
                batch.public_inputs(),
            ),
            case(
                "SolvencyInclusionPlonkVerifier",
                &all,
                SolvencyInclusionCircuit(InclusionCircuit::blank(params)),
                SolvencyInclusionCircuit(inclusion.clone()),
                inclusion.claim.public_inputs(),
            ),
        ]
    })
}

/// Keys `blank` at the smallest size that holds `circuit` (`all` downsized) and proves
/// `circuit`, timing the proof.
pub fn case<
    C: bulwark_circuits::halo2::halo2_proofs::plonk::Circuit<bulwark_circuits::halo2::Fp>,
>(
    name: &'static str,
    all: &KzgParams,
    blank: C,
    circuit: C,
    public_inputs: Vec<Fr>,
) -> PlonkCase {
    let params = all
        .downsized(fitting_k(&circuit).expect("layout"))
        .expect("params");
    let pk = plonk_keygen(&params, &blank).expect("keygen");
    let start = std::time::Instant::now();
    let proof = plonk_prove(
        &params,
        &pk,
        &circuit,
        &public_inputs,
        ChaCha20Rng::seed_from_u64(33),
    )
    .expect("prove");
    let prove_time = start.elapsed();
    PlonkCase {
        name,
        rows: rows_needed(&circuit).expect("layout"),
        params,
        vk: pk.verifying_key(),
        public_inputs,
        proof,
        prove_time,
    }
}

/// A chain with `case`'s verifier deployed. The chain lifts EIP-170: snark-verifier's
/// verifiers for these circuits are above the limit (the tests print the size).
pub fn deploy(case: &PlonkCase) -> (Evm, Address) {
    let source = plonk_verifier(&case.params, &case.vk, case.public_inputs.len(), case.name)
        .expect("generate");
    let mut code = compile_without_yul_optimizer(&[source]);
    let mut evm = Evm::without_code_size_limits();
    let address = evm.deploy(code.remove(case.name).expect("compiled"));
    (evm, address)
}

/// Calls the verifier with `public_inputs` and `proof` (raw calldata, no selector).
pub fn verify_call(evm: &mut Evm, verifier: Address, inputs: &[Fr], proof: &PlonkProof) -> Outcome {
    evm.call(verifier, plonk_calldata(inputs, proof))
}

#[test]
fn plonk_verifiers_accept_honest_proofs_and_reject_tampering() {
    if !js_available() {
        return;
    }
    for case in cases() {
        let (mut evm, verifier) = deploy(case);
        let size = evm.code_size(verifier);
        eprintln!(
            "{}: {size} bytes deployed (EIP-170 limit {EIP170_LIMIT}: {})",
            case.name,
            if size <= EIP170_LIMIT {
                "fits"
            } else {
                "DOES NOT FIT"
            }
        );

        let honest = plonk_calldata(&case.public_inputs, &case.proof);
        let out = evm.call(verifier, honest.clone());
        assert!(out.success, "{}: honest proof rejected: {out:?}", case.name);

        // Each public input changed by one.
        for i in 0..case.public_inputs.len() {
            let mut inputs = case.public_inputs.clone();
            inputs[i] += Fr::from(1u64);
            let out = verify_call(&mut evm, verifier, &inputs, &case.proof);
            assert!(!out.success, "{}: public input {i} + 1 accepted", case.name);
        }
        // A public input x replaced by x + r (the same value mod r) is refused.
        let mut shifted = honest.clone();
        let word: [u8; 32] = shifted[..32].try_into().expect("word");
        shifted[..32].copy_from_slice(&add_words(&word, &modulus_word()));
        assert!(
            !evm.call(verifier, shifted).success,
            "{}: x + r accepted",
            case.name
        );

        // One flipped bit in every 32-byte word of the proof (points and evaluations).
        let start = 32 * case.public_inputs.len();
        for offset in (start..honest.len()).step_by(32) {
            let mut tampered = honest.clone();
            tampered[offset + 31] ^= 1;
            let out = evm.call(verifier, tampered);
            assert!(
                !out.success,
                "{}: proof byte {offset} flipped accepted",
                case.name
            );
        }
        // Truncated calldata is refused too.
        assert!(
            !evm.call(verifier, honest[..honest.len() - 32].to_vec())
                .success
        );
    }
}

#[test]
fn plonk_verifier_generation_rejects_bad_arguments() {
    let case = &cases()[0];
    let n = case.public_inputs.len();
    assert!(matches!(
        plonk_verifier(&case.params, &case.vk, n, "1bad"),
        Err(SolidityError::InvalidContractName { .. })
    ));
    assert!(matches!(
        plonk_verifier(&case.params, &case.vk, 0, "V"),
        Err(SolidityError::NoPublicInputs)
    ));
    let bigger = kzg_dev_params_insecure(case.params.k() + 1, 1).expect("params");
    assert!(matches!(
        plonk_verifier(&bigger, &case.vk, n, "V"),
        Err(SolidityError::KzgParamsSize { .. })
    ));
    // The same proof also verifies natively (one transcript for both).
    plonk_verify(&case.params, &case.vk, &case.public_inputs, &case.proof).expect("native");
    let mut inputs = case.public_inputs.clone();
    inputs[0] += Fr::from(1u64);
    assert!(matches!(
        plonk_verify(&case.params, &case.vk, &inputs, &case.proof),
        Err(ProverError::InvalidProof)
    ));
}

/// Where each verifier's gas goes: the key's shape (from halo2's constraint system and
/// snark-verifier's protocol, cross-checked against halo2's commitment count), the
/// precompile calls in the generated code (straight-line Yul: each runs once per call) and
/// the calldata.
/// `cargo test -p bulwark-prover --test evm plonk_cost -- --nocapture`
#[test]
fn plonk_cost_breakdown() {
    if !js_available() {
        return;
    }
    for case in cases() {
        let n = case.public_inputs.len();
        let shape = plonk_verifier_shape(&case.params, &case.vk, n).expect("shape");
        // The key: a commitment per fixed column and per permutation column.
        assert_eq!(
            shape.key_commitments,
            shape.fixed_columns + shape.permutation_columns,
            "{}: key commitments",
            case.name
        );
        // The proof: advice, three per lookup, the permutation products, the vanishing
        // argument's random polynomial and the quotient's chunks.
        let products = shape.permutation_columns.div_ceil(shape.degree - 2);
        assert_eq!(
            shape.proof_commitments,
            shape.advice_columns + 3 * shape.lookups + products + 1 + (shape.degree - 1),
            "{}: proof commitments",
            case.name
        );
        let source = plonk_verifier(&case.params, &case.vk, n, case.name).expect("generate");
        let calls = |precompile: &str| {
            source
                .source
                .matches(&format!("staticcall(gas(), {precompile},"))
                .count()
        };
        let (ec_add, ec_mul, pairing) = (calls("0x6"), calls("0x7"), calls("0x8"));
        assert_eq!(pairing, 1, "{}: one pairing check", case.name);
        let (mut evm, verifier) = deploy(case);
        let data = plonk_calldata(&case.public_inputs, &case.proof);
        let out = evm.call(verifier, data.clone());
        assert!(out.success, "{}: honest proof rejected", case.name);
        eprintln!(
            "{}: advice {}, fixed {}, permutation {}, lookups {}, degree {} -> key {} + proof {} \
             commitments, {} evaluations; ecAdd {ec_add}, ecMul {ec_mul}, pairing {pairing}; \
             calldata {} B ({} gas); {} gas, {} B code; {} rows, k = {}, prove {:.2?}",
            case.name,
            shape.advice_columns,
            shape.fixed_columns,
            shape.permutation_columns,
            shape.lookups,
            shape.degree,
            shape.key_commitments,
            shape.proof_commitments,
            shape.evaluations,
            data.len(),
            calldata_gas(&data),
            out.gas_used,
            evm.code_size(verifier),
            case.rows,
            case.params.k(),
            case.prove_time,
        );
    }
}

//! The PLONK/KZG verifier contracts (snark-verifier's Yul, memory compacted, cut into parts)
//! for the halo2 solvency batch, top and inclusion circuits and the rollup batch circuit,
//! deployed on a chain that enforces EIP-170 (the single generated contract does not deploy
//! there): an honest proof is accepted; a mutated
//! proof byte, a mutated public input, a public input shifted by `r` and a truncated proof are
//! rejected; a later part called directly, or an entry part wired to a contract that merely
//! succeeds, makes nothing accepted. `plonk_cost_breakdown` shows where the gas goes.

use std::sync::OnceLock;

use bulwark_circuits::halo2::{
    SolvencyBatchCircuit, SolvencyInclusionCircuit, SolvencyTopCircuit, fitting_k, rows_needed,
};
use bulwark_circuits::solvency::{
    BatchCircuit, BlindingSeed, Book, CommittedBook, InclusionCircuit, Reserves, TopCircuit,
};
use bulwark_prover::plonk::{
    KzgParams, PlonkProof, PlonkVerifyingKey, kzg_dev_params_insecure, plonk_keygen, plonk_prove,
    plonk_verify,
};
use bulwark_prover::solidity::{
    PlonkVerifierLayout, SolidityError, plonk_calldata, plonk_verifier, plonk_verifier_shape,
    plonk_verifier_with,
};
use bulwark_prover::{Fr, ProverError};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use revm::primitives::Address;

use crate::support::{
    Evm, Outcome, calldata_gas, compile_without_yul_optimizer, deploy_plonk, js_available,
};
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

/// The batch circuit (batch 0 of the evm solvency sample's book), its top statement and
/// alice's inclusion.
pub fn cases() -> &'static [PlonkCase; 3] {
    static CASES: OnceLock<[PlonkCase; 3]> = OnceLock::new();
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
                "SolvencyTopPlonkVerifier",
                &all,
                SolvencyTopCircuit(TopCircuit::blank(params)),
                SolvencyTopCircuit(book.top_circuit()),
                book.statement().top_public_inputs().expect("top inputs"),
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

/// The three solvency cases of [`cases`] and the rollup's
/// ([`crate::plonk_rollup::rollup_case`]).
pub fn all_cases() -> impl Iterator<Item = &'static PlonkCase> {
    cases().iter().chain([crate::plonk_rollup::rollup_case()])
}

/// A chain that enforces EIP-170 with `case`'s verifier deployed; the parts' addresses in
/// call order (the entry part first).
pub fn deploy(case: &PlonkCase) -> (Evm, Vec<Address>) {
    deploy_with(case, PlonkVerifierLayout::default())
}

/// [`deploy`] with the verifier laid out as `layout` says.
pub fn deploy_with(case: &PlonkCase, layout: PlonkVerifierLayout) -> (Evm, Vec<Address>) {
    let verifier = plonk_verifier_with(
        &case.params,
        &case.vk,
        case.public_inputs.len(),
        case.name,
        layout,
    )
    .expect("generate");
    let mut evm = Evm::new();
    let parts = deploy_plonk(&mut evm, verifier.parts());
    (evm, parts)
}

/// Each part's deployed size, `"a + b B"`; panics if one is above EIP-170.
pub fn part_sizes(evm: &Evm, name: &str, parts: &[Address]) -> String {
    let sizes: Vec<usize> = parts.iter().map(|a| evm.code_size(*a)).collect();
    for (i, size) in sizes.iter().enumerate() {
        assert!(
            (1..=EIP170_LIMIT).contains(size),
            "{name}: part {} is {size} bytes",
            i + 1
        );
    }
    let sizes: Vec<String> = sizes.iter().map(usize::to_string).collect();
    format!("{} B", sizes.join(" + "))
}

/// Calls the verifier with `public_inputs` and `proof` (raw calldata, no selector).
pub fn verify_call(evm: &mut Evm, verifier: Address, inputs: &[Fr], proof: &PlonkProof) -> Outcome {
    evm.call(verifier, plonk_calldata(inputs, proof))
}

/// The tamper cases every PLONK verifier must reject, as calldata: each public input + 1, the
/// first public input + r, one flipped bit in every proof word and the proof less its last
/// word.
pub fn tampered_calldata(inputs: &[Fr], proof: &PlonkProof) -> Vec<(String, Vec<u8>)> {
    let honest = plonk_calldata(inputs, proof);
    let mut cases = Vec::new();
    for i in 0..inputs.len() {
        let mut changed = inputs.to_vec();
        changed[i] += Fr::from(1u64);
        cases.push((
            format!("public input {i} + 1"),
            plonk_calldata(&changed, proof),
        ));
    }
    // A public input x replaced by x + r (the same value mod r) is refused.
    let mut shifted = honest.clone();
    let word: [u8; 32] = shifted[..32].try_into().expect("word");
    shifted[..32].copy_from_slice(&add_words(&word, &modulus_word()));
    cases.push(("public input 0 + r".into(), shifted));
    // One flipped bit in every 32-byte word of the proof (points and evaluations).
    for offset in (32 * inputs.len()..honest.len()).step_by(32) {
        let mut flipped = honest.clone();
        flipped[offset + 31] ^= 1;
        cases.push((format!("proof byte {offset} flipped"), flipped));
    }
    cases.push((
        "truncated proof".into(),
        honest[..honest.len() - 32].to_vec(),
    ));
    cases
}

#[test]
fn plonk_verifiers_accept_honest_proofs_and_reject_tampering() {
    if !js_available() {
        return;
    }
    for case in all_cases() {
        let (mut evm, parts) = deploy(case);
        eprintln!(
            "{}: {} parts, {} deployed (EIP-170 limit {EIP170_LIMIT} each)",
            case.name,
            parts.len(),
            part_sizes(&evm, case.name, &parts)
        );
        let out = verify_call(&mut evm, parts[0], &case.public_inputs, &case.proof);
        assert!(out.success, "{}: honest proof rejected: {out:?}", case.name);
        for (what, data) in tampered_calldata(&case.public_inputs, &case.proof) {
            assert!(
                !evm.call(parts[0], data).success,
                "{}: {what} accepted",
                case.name
            );
        }
    }
}

/// The chain enforces EIP-170: the generator's single contract (one part) does not deploy on
/// it, and deploys on a chain without the limit, where it takes the same proof for less gas
/// than the parts (printed: what the split costs).
#[test]
fn the_unsplit_verifier_does_not_deploy_under_eip170() {
    if !js_available() {
        return;
    }
    for case in all_cases() {
        let n = case.public_inputs.len();
        let single = plonk_verifier_with(
            &case.params,
            &case.vk,
            n,
            case.name,
            PlonkVerifierLayout {
                parts: Some(1),
                ..PlonkVerifierLayout::default()
            },
        )
        .expect("generate");
        assert_eq!(single.parts().len(), 1);
        let code = compile_without_yul_optimizer(single.parts())
            .remove(case.name)
            .expect("compiled");
        let err = Evm::new()
            .try_deploy(code.clone())
            .expect_err("a contract above EIP-170 deployed");
        assert!(err.contains("CreateContractSizeLimit"), "{err}");
        let mut unlimited = Evm::without_code_size_limits();
        let address = unlimited.deploy(code);
        let size = unlimited.code_size(address);
        assert!(size > EIP170_LIMIT, "{size}");
        // What the split costs: the same proof through one contract and through the parts.
        let one = verify_call(&mut unlimited, address, &case.public_inputs, &case.proof);
        let (mut evm, parts) = deploy(case);
        let split = verify_call(&mut evm, parts[0], &case.public_inputs, &case.proof);
        assert!(one.success && split.success, "{}", case.name);
        eprintln!(
            "{}: one contract of {size} B (refused under EIP-170) {} gas; {} parts ({}) {} \
             gas: +{} gas, {:.4}x",
            case.name,
            one.gas_used,
            parts.len(),
            part_sizes(&evm, case.name, &parts),
            split.gas_used,
            split.gas_used - one.gas_used,
            split.gas_used as f64 / one.gas_used as f64
        );
        // Too many parts for its statements is a typed error.
        assert!(matches!(
            plonk_verifier_with(
                &case.params,
                &case.vk,
                n,
                "V",
                PlonkVerifierLayout {
                    parts: Some(100_000),
                    ..PlonkVerifierLayout::default()
                }
            ),
            Err(SolidityError::PlonkParts { .. })
        ));
    }
}

/// Later parts trust only their calldata and keep no state: calling one directly (with
/// garbage or with a made-up memory) changes nothing for the entry part, and an entry part
/// wired to a contract that succeeds without the parts' success word accepts nothing.
/// What compacting the memory saves: every verifier (the rollup's too) with and without
/// it, the same proof, in one run; both accept it, the compacted one for less gas.
/// `CI=true cargo test -p bulwark-prover --test evm memory_compaction -- --nocapture`
#[test]
fn memory_compaction_saves_gas() {
    if !js_available() {
        return;
    }
    for case in all_cases() {
        let mut gas = Vec::new();
        for compact_memory in [false, true] {
            let layout = PlonkVerifierLayout {
                compact_memory,
                ..PlonkVerifierLayout::default()
            };
            let (mut evm, parts) = deploy_with(case, layout);
            let out = verify_call(&mut evm, parts[0], &case.public_inputs, &case.proof);
            assert!(
                out.success,
                "{} (compact {compact_memory}): {out:?}",
                case.name
            );
            gas.push((out.gas_used, part_sizes(&evm, case.name, &parts)));
        }
        let ((before, before_sizes), (after, after_sizes)) = (&gas[0], &gas[1]);
        eprintln!(
            "{}: memory as generated {before} gas ({before_sizes}), compacted {after} gas \
             ({after_sizes}): {:.4}x",
            case.name,
            *before as f64 / *after as f64
        );
        assert!(after < before, "{}: compaction saved nothing", case.name);
    }
}

#[test]
fn later_parts_called_directly_make_nothing_accepted() {
    if !js_available() {
        return;
    }
    let case = &cases()[1];
    let (mut evm, parts) = deploy(case);
    assert!(parts.len() >= 2, "{}: one part", case.name);
    let honest = plonk_calldata(&case.public_inputs, &case.proof);
    let (_, tampered) = tampered_calldata(&case.public_inputs, &case.proof)
        .into_iter()
        .next()
        .expect("a tamper case");
    let verifier = plonk_verifier(&case.params, &case.vk, case.public_inputs.len(), case.name)
        .expect("generate");
    for (part, source) in parts[1..].iter().zip(&verifier.parts()[1..]) {
        // The memory length it takes, as its source states it.
        let length = source
            .source
            .split_once("calldatacopy(0x80, 0x00, 0x")
            .and_then(|(_, rest)| rest.split_once(')'))
            .and_then(|(hex, _)| usize::from_str_radix(hex, 16).ok())
            .expect("the memory length");
        // Any other length reverts.
        assert!(!evm.call(*part, honest.clone()).success);
        assert!(!evm.call(*part, vec![0u8; length + 32]).success);
        // Made-up memory of that length: all zeros (identity points: the last part's
        // pairing check holds for them) and all 0x55 (not on the curve). Whatever a direct
        // call returns, it leaves nothing behind.
        for byte in [0u8, 0x55] {
            let out = evm.call(*part, vec![byte; length]);
            eprintln!(
                "{}: part at {part} called directly with {length} bytes of {byte:#04x}: {}",
                case.name,
                if out.success { "returns" } else { "reverts" }
            );
        }
    }
    assert!(!evm.call(parts[0], tampered.clone()).success);
    assert!(evm.call(parts[0], honest.clone()).success);

    // An entry part whose next part is a contract that stops (succeeds with empty return
    // data): the proof is refused, honest or not. Creation code: return one zero byte (STOP).
    let stop = evm.deploy(vec![0x60, 0x01, 0x60, 0x00, 0xf3]);
    let mut entry = compile_without_yul_optimizer(verifier.parts())
        .remove(case.name)
        .expect("compiled");
    let mut wired = entry.clone();
    wired.extend(crate::support::address_word(stop));
    let fake = evm.deploy(wired);
    assert!(!evm.call(fake, honest).success, "a stub part accepted");
    assert!(!evm.call(fake, tampered).success, "a stub part accepted");
    // And the constructor refuses an address without code.
    entry.extend([0u8; 12].into_iter().chain([0x42u8; 20]));
    assert!(evm.try_deploy(entry).is_err(), "wired to an empty account");
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
    for case in all_cases() {
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
        let verifier = plonk_verifier(&case.params, &case.vk, n, case.name).expect("generate");
        let calls = |precompile: &str| {
            verifier
                .parts()
                .iter()
                .map(|part| {
                    part.source
                        .matches(&format!("staticcall(gas(), {precompile},"))
                        .count()
                })
                .sum::<usize>()
        };
        let (ec_add, ec_mul, pairing) = (calls("0x6"), calls("0x7"), calls("0x8"));
        assert_eq!(pairing, 1, "{}: one pairing check", case.name);
        let (mut evm, parts) = deploy(case);
        let data = plonk_calldata(&case.public_inputs, &case.proof);
        let out = evm.call(parts[0], data.clone());
        assert!(out.success, "{}: honest proof rejected", case.name);
        eprintln!(
            "{}: advice {}, fixed {}, permutation {}, lookups {}, degree {} -> key {} + proof {} \
             commitments, {} evaluations; ecAdd {ec_add}, ecMul {ec_mul}, pairing {pairing}; \
             calldata {} B ({} gas); {} gas, code {}; {} rows, k = {}, prove {:.2?}",
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
            part_sizes(&evm, case.name, &parts),
            case.rows,
            case.params.k(),
            case.prove_time,
        );
    }
}

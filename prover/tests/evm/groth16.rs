//! The generated Groth16 verifier on the rollup key (three public inputs).

use bulwark_prover::solidity::{field_word, groth16_verifier, proof_calldata};
use revm::primitives::Address;

use crate::support::{Arg, Evm, Outcome, Word, calldata, compile, js_available};
use crate::{add_words, modulus_word, rollup_key, sample_batch};

const SIGNATURE: &str = "verifyProof(bytes,uint256[3])";

fn deploy_verifier(evm: &mut Evm) -> Address {
    let source = groth16_verifier(rollup_key().verifying_key(), "RollupVerifier").expect("gen");
    let mut code = compile(&[source]);
    evm.deploy(code.remove("RollupVerifier").expect("bytecode"))
}

fn verify(evm: &mut Evm, verifier: Address, proof: &[u8], inputs: &[Word; 3]) -> Outcome {
    let data = calldata(
        SIGNATURE,
        &[Arg::Bytes(proof.to_vec()), Arg::Fixed(inputs.to_vec())],
    );
    evm.call(verifier, data)
}

fn accepts(evm: &mut Evm, verifier: Address, proof: &[u8], inputs: &[Word; 3]) -> bool {
    verify(evm, verifier, proof, inputs).returned_bool()
}

#[test]
fn valid_proof_passes_and_each_tampering_fails() {
    if !js_available() {
        return;
    }
    let (proven, _, _) = sample_batch();
    let mut evm = Evm::new();
    let verifier = deploy_verifier(&mut evm);
    let proof = proof_calldata(&proven.out.proof);
    let inputs: [Word; 3] = std::array::from_fn(|i| field_word(&proven.out.public_inputs[i]));
    assert!(accepts(&mut evm, verifier, &proof, &inputs), "valid proof");

    // Each public input, +1 and + r (the same value mod r).
    for i in 0..3 {
        let mut tampered = inputs;
        tampered[i] = field_word(&(proven.out.public_inputs[i] + bulwark_prover::Fr::from(1u64)));
        assert!(
            !accepts(&mut evm, verifier, &proof, &tampered),
            "input {i} + 1"
        );
        tampered[i] = add_words(&inputs[i], &modulus_word());
        assert!(
            !accepts(&mut evm, verifier, &proof, &tampered),
            "input {i} + r"
        );
    }

    // A and C swapped: both valid curve points, wrong proof.
    let mut swapped = proof;
    swapped[..64].copy_from_slice(&proof[192..]);
    swapped[192..].copy_from_slice(&proof[..64]);
    assert!(
        !accepts(&mut evm, verifier, &swapped, &inputs),
        "A and C swapped"
    );

    // B with its coordinates in arkworks' (real, imaginary) order instead of EIP-197's.
    let mut b_swapped = proof;
    for half in [64, 128] {
        b_swapped[half..half + 32].copy_from_slice(&proof[half + 32..half + 64]);
        b_swapped[half + 32..half + 64].copy_from_slice(&proof[half..half + 32]);
    }
    assert!(
        !accepts(&mut evm, verifier, &b_swapped, &inputs),
        "B's Fq2 order"
    );

    // One bit flipped in each word: off the curve, or a different point.
    for w in 0..8 {
        let mut flipped = proof;
        flipped[32 * w + 31] ^= 1;
        assert!(!accepts(&mut evm, verifier, &flipped, &inputs), "word {w}");
    }

    // A.y + q: the same point with a non-canonical coordinate.
    let q = {
        use ark_ff::{BigInteger, PrimeField};
        let bytes = ark_bn254::Fq::MODULUS.to_bytes_be();
        <[u8; 32]>::try_from(bytes).expect("32 bytes")
    };
    let mut non_canonical = proof;
    let a_y: [u8; 32] = proof[32..64].try_into().expect("word");
    non_canonical[32..64].copy_from_slice(&add_words(&a_y, &q));
    assert!(
        !accepts(&mut evm, verifier, &non_canonical, &inputs),
        "A.y + q"
    );

    // Wrong lengths: the true proof with a byte missing, a byte extra or a word extra.
    for len in [0, 255, 257, 288] {
        let mut wrong = proof.to_vec();
        wrong.resize(len, 0);
        assert!(
            !accepts(&mut evm, verifier, &wrong, &inputs),
            "length {len}"
        );
    }

    // The contract is unchanged by all of that: the valid proof still passes.
    assert!(
        accepts(&mut evm, verifier, &proof, &inputs),
        "valid proof again"
    );
}

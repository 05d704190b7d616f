//! The solvency example contract (template `prover/contracts/SolvencyExample.sol.tpl`).

use bulwark_circuits::solvency::SolvencyParams;

use super::{SolidityError, SoliditySource, groth16_verifier};
use crate::VerifyingKey;

const TEMPLATE: &str = include_str!("../../contracts/SolvencyExample.sol.tpl");

/// The top-proof verifier [`solvency_example`] generates.
pub const SOLVENCY_TOP_VERIFIER_NAME: &str = "SolvencyTopVerifier";
/// The inclusion-proof verifier [`solvency_example`] generates.
pub const SOLVENCY_INCLUSION_VERIFIER_NAME: &str = "SolvencyInclusionVerifier";
/// The example contract [`solvency_example`] generates.
pub const SOLVENCY_EXAMPLE_NAME: &str = "SolvencyExample";

/// `[SolvencyTopVerifier, SolvencyInclusionVerifier, SolvencyExample]` for the solvency keys
/// of `params`: `top_vk` verifies top proofs (public `[C, digest, R_1..R_K]`), `inclusion_vk`
/// inclusion proofs (public `[C, id_hash, b_1..b_K]`). `SolvencyExample` imports both
/// verifiers by file name, so write all three files into one directory; its constructor
/// (no arguments) deploys the two verifiers and makes the deployer the custodian, the only
/// address that may `publish(bookCommitment, batchDigest, reserves, topProof)`. Users call
/// `verifyInclusion(idHash, balances, proof)` against the latest publication.
pub fn solvency_example(
    top_vk: &VerifyingKey,
    inclusion_vk: &VerifyingKey,
    params: &SolvencyParams,
) -> Result<[SoliditySource; 3], SolidityError> {
    let expected = 2 + params.assets();
    for (contract, vk) in [
        (SOLVENCY_TOP_VERIFIER_NAME, top_vk),
        (SOLVENCY_INCLUSION_VERIFIER_NAME, inclusion_vk),
    ] {
        let got = vk.num_public_inputs();
        if got != expected {
            return Err(SolidityError::PublicInputCount {
                contract,
                expected,
                got,
            });
        }
    }
    let source = TEMPLATE
        .replace("{{NAME}}", SOLVENCY_EXAMPLE_NAME)
        .replace("{{TOP}}", SOLVENCY_TOP_VERIFIER_NAME)
        .replace("{{INCLUSION}}", SOLVENCY_INCLUSION_VERIFIER_NAME)
        .replace("{{K}}", &params.assets().to_string())
        .replace("{{N}}", &expected.to_string());
    Ok([
        groth16_verifier(top_vk, SOLVENCY_TOP_VERIFIER_NAME)?,
        groth16_verifier(inclusion_vk, SOLVENCY_INCLUSION_VERIFIER_NAME)?,
        SoliditySource {
            contract_name: SOLVENCY_EXAMPLE_NAME.to_owned(),
            source,
        },
    ])
}

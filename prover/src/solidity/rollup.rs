//! The rollup example contract (template `prover/contracts/RollupExample.sol.tpl`).

use bulwark_circuits::rollup::RollupParams;

use super::{SolidityError, SoliditySource, groth16_verifier};
use crate::VerifyingKey;

const TEMPLATE: &str = include_str!("../../contracts/RollupExample.sol.tpl");

/// The verifier contract [`rollup_example`] generates (and `RollupExample` inherits).
pub const ROLLUP_VERIFIER_NAME: &str = "RollupVerifier";
/// The example contract [`rollup_example`] generates.
pub const ROLLUP_EXAMPLE_NAME: &str = "RollupExample";

/// `[RollupVerifier, RollupExample]` for a rollup key `vk` with `params` (the key's depth and
/// batch size). `RollupExample` imports `./RollupVerifier.sol`, so write both files into one
/// directory. Its constructor takes the genesis root and the addresses of circomlib Poseidon
/// contracts with 2 and 4 inputs (circomlibjs `poseidonContract.createCode(2)` and `(4)`).
pub fn rollup_example(
    vk: &VerifyingKey,
    params: &RollupParams,
) -> Result<[SoliditySource; 2], SolidityError> {
    let got = vk.num_public_inputs();
    if got != 3 {
        return Err(SolidityError::PublicInputCount {
            contract: ROLLUP_EXAMPLE_NAME,
            expected: 3,
            got,
        });
    }
    let verifier = groth16_verifier(vk, ROLLUP_VERIFIER_NAME)?;
    let source = TEMPLATE
        .replace("{{NAME}}", ROLLUP_EXAMPLE_NAME)
        .replace("{{VERIFIER}}", ROLLUP_VERIFIER_NAME)
        .replace("{{B}}", &params.batch_size().to_string());
    Ok([
        verifier,
        SoliditySource {
            contract_name: ROLLUP_EXAMPLE_NAME.to_owned(),
            source,
        },
    ])
}

//! The Groth16 verifier contract (template `prover/contracts/Groth16Verifier.sol.tpl`).

use ark_bn254::Fq;

use super::encode::{field_word, g1_coords, g2_coords};
use super::{SolidityError, SoliditySource, check_name};
use crate::VerifyingKey;

const TEMPLATE: &str = include_str!("../../contracts/Groth16Verifier.sol.tpl");
/// The per-input block of the template's `check` function.
const INPUT_TEMPLATE: &str = include_str!("../../contracts/input.yul.tpl");

/// A 32-byte hex literal.
fn hex(x: &Fq) -> String {
    let mut s = String::with_capacity(66);
    s.push_str("0x");
    for b in field_word(x) {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A contract named `contract_name` that verifies Groth16 proofs for `vk` with the EIP-197
/// precompiles; see the generated contract's NatSpec for its interface. Its
/// `verifyProof(bytes proof, uint256[N] input)` takes the proof as [`super::proof_calldata`]
/// encodes it and returns false, without reverting, for every invalid proof or input
/// (including inputs `>= r` and proofs that are not 256 bytes). Contracts that inherit it
/// call the internal `_verifyGroth16` with the same arguments.
pub fn groth16_verifier(
    vk: &VerifyingKey,
    contract_name: &str,
) -> Result<SoliditySource, SolidityError> {
    check_name(contract_name)?;
    let n = vk.num_public_inputs();
    if n == 0 {
        return Err(SolidityError::NoPublicInputs);
    }
    let raw = vk.as_ark();
    let mut inputs = String::new();
    for (i, ic) in raw.gamma_abc_g1.iter().enumerate().skip(1) {
        let [x, y] = g1_coords(ic);
        inputs.push_str(
            &INPUT_TEMPLATE
                .replace("{{I}}", &(i - 1).to_string())
                .replace("{{J}}", &i.to_string())
                .replace("{{OFFSET}}", &(32 * (i - 1)).to_string())
                .replace("{{IC_X}}", &hex(&x))
                .replace("{{IC_Y}}", &hex(&y)),
        );
    }
    let mut source = TEMPLATE
        .replace("{{NAME}}", contract_name)
        .replace("{{N}}", &n.to_string())
        .replace("{{INPUTS}}\n", &inputs);
    let [ax, ay] = g1_coords(&raw.alpha_g1);
    let [ic0x, ic0y] = g1_coords(&raw.gamma_abc_g1[0]);
    for (name, point) in [
        ("BETA", raw.beta_g2),
        ("GAMMA", raw.gamma_g2),
        ("DELTA", raw.delta_g2),
    ] {
        let [x1, x0, y1, y0] = g2_coords(&-point);
        for (part, value) in [("X1", x1), ("X0", x0), ("Y1", y1), ("Y0", y0)] {
            source = source.replace(&format!("{{{{{name}_NEG_{part}}}}}"), &hex(&value));
        }
    }
    for (name, value) in [
        ("ALPHA_X", ax),
        ("ALPHA_Y", ay),
        ("IC0_X", ic0x),
        ("IC0_Y", ic0y),
    ] {
        source = source.replace(&format!("{{{{{name}}}}}"), &hex(&value));
    }
    Ok(SoliditySource {
        contract_name: contract_name.to_owned(),
        source,
    })
}

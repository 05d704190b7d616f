use ark_bn254::{Bn254, Fr};
use ark_groth16::Groth16;

use crate::{Proof, ProverError, VerifyingKey};

/// Verifies `proof` for `public_inputs` against `vk`.
///
/// Returns `Ok(())` only if the proof verifies, so `verify(..)?` cannot silently ignore a
/// rejected proof. A wrong number of public inputs is [`ProverError::PublicInputCount`]
/// (arkworks itself would silently ignore extra inputs or treat missing ones as absent); a
/// proof that does not verify is [`ProverError::InvalidProof`].
pub fn verify(vk: &VerifyingKey, public_inputs: &[Fr], proof: &Proof) -> Result<(), ProverError> {
    let expected = vk.num_public_inputs();
    if public_inputs.len() != expected {
        return Err(ProverError::PublicInputCount {
            expected,
            got: public_inputs.len(),
        });
    }
    let ok =
        Groth16::<Bn254>::verify_proof(&vk.pvk, &proof.0, public_inputs).map_err(|source| {
            ProverError::Synthesis {
                stage: "verify",
                source,
            }
        })?;
    if ok {
        Ok(())
    } else {
        Err(ProverError::InvalidProof)
    }
}

use ark_bn254::{Bn254, Fr};
use ark_groth16::Groth16;
use ark_relations::gr1cs::ConstraintSynthesizer;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::{ProverError, ProvingKey};

/// **INSECURE — development and tests only.** Generates a Groth16 key pair for `circuit`
/// deterministically from `seed`.
///
/// The toxic waste (`alpha`, `beta`, `gamma`, `delta`, `tau`) is drawn from a ChaCha20 stream
/// seeded with `seed`, so anyone who knows the seed can forge proofs for this key. Use it to
/// get reproducible keys in tests and local runs; production keys must come from a ceremony.
/// Every call logs a `tracing` warning saying so.
///
/// Only the circuit's shape matters here: it is synthesized in setup mode, without a witness.
pub fn dev_setup_insecure<C: ConstraintSynthesizer<Fr>>(
    circuit: C,
    seed: u64,
) -> Result<ProvingKey, ProverError> {
    tracing::warn!(
        seed,
        "INSECURE dev setup: the Groth16 toxic waste is derived from a known seed; \
         anyone can forge proofs for this key. Never use it in production."
    );
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let pk = Groth16::<Bn254>::generate_random_parameters_with_reduction(circuit, &mut rng)
        .map_err(|source| ProverError::Synthesis {
            stage: "setup",
            source,
        })?;
    Ok(ProvingKey::from_ark(pk))
}

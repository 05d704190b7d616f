//! Parallel decoding of a proving key's body.
//!
//! Byte-for-byte the canonical compressed encoding arkworks derives for
//! `ark_groth16::ProvingKey` (fields in declaration order; a `Vec` is a `u64` little-endian
//! length then its elements), but each point vector is read whole and its points decompressed
//! (a square root each) on all cores, where arkworks would decompress them one by one.

use std::io::{ErrorKind, Read};

use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_groth16::{ProvingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, Compress, SerializationError, Validate};
use rayon::prelude::*;

/// Decodes a proving key body. The embedded verifying key is always validated; the point
/// vectors only when `validate` is [`Validate::Yes`].
pub(crate) fn decode_proving_key(
    mut r: impl Read,
    validate: Validate,
) -> Result<ProvingKey<Bn254>, SerializationError> {
    let vk = VerifyingKey::<Bn254>::deserialize_compressed(&mut r)?;
    let beta_g1 = G1Affine::deserialize_with_mode(&mut r, Compress::Yes, validate)?;
    let delta_g1 = G1Affine::deserialize_with_mode(&mut r, Compress::Yes, validate)?;
    Ok(ProvingKey {
        vk,
        beta_g1,
        delta_g1,
        a_query: points(&mut r, validate)?,
        b_g1_query: points(&mut r, validate)?,
        b_g2_query: points::<G2Affine>(&mut r, validate)?,
        h_query: points(&mut r, validate)?,
        l_query: points(&mut r, validate)?,
    })
}

fn points<G: AffineRepr>(
    r: &mut impl Read,
    validate: Validate,
) -> Result<Vec<G>, SerializationError> {
    let len = u64::deserialize_compressed(&mut *r)?;
    let size = G::zero().compressed_size();
    let total = usize::try_from(len)
        .ok()
        .and_then(|n| n.checked_mul(size))
        .ok_or(SerializationError::InvalidData)?;
    // Grows with the data actually present, so a forged length cannot force a huge allocation.
    let mut bytes = Vec::new();
    r.take(total as u64).read_to_end(&mut bytes)?;
    if bytes.len() != total {
        return Err(std::io::Error::from(ErrorKind::UnexpectedEof).into());
    }
    bytes
        .par_chunks_exact(size)
        .map(|chunk| G::deserialize_with_mode(chunk, Compress::Yes, validate))
        .collect()
}

//! Calldata encodings of proofs, field elements and rollup L1 data.

use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, BigInteger, PrimeField};
use bulwark_circuits::rollup::{Batch, RollupParams, commitment};

use super::SolidityError;
use crate::{Fr, Proof};

/// Length of [`proof_calldata`]: eight 32-byte words.
pub const PROOF_CALLDATA_BYTES: usize = 256;

/// A prime-field element as a big-endian `uint256` word (its canonical integer).
pub fn field_word<F: PrimeField>(x: &F) -> [u8; 32] {
    let bytes = x.into_bigint().to_bytes_be();
    let mut word = [0u8; 32];
    word[32 - bytes.len()..].copy_from_slice(&bytes);
    word
}

/// `(x, y)` of a G1 point; the identity is `(0, 0)`, as the precompiles encode it.
pub(super) fn g1_coords(p: &G1Affine) -> [Fq; 2] {
    p.xy().map_or([Fq::ZERO; 2], |(x, y)| [x, y])
}

/// `(x.c1, x.c0, y.c1, y.c0)` of a G2 point: the EIP-197 order, imaginary part first. The
/// identity is all zeros.
pub(super) fn g2_coords(p: &G2Affine) -> [Fq; 4] {
    let (x, y) = p.xy().unwrap_or((Fq2::ZERO, Fq2::ZERO));
    [x.c1, x.c0, y.c1, y.c0]
}

/// The proof as the generated verifier's `bytes proof`: A.x, A.y, B.x.c1, B.x.c0, B.y.c1,
/// B.y.c0, C.x, C.y, each a big-endian 32-byte word.
pub fn proof_calldata(proof: &Proof) -> [u8; PROOF_CALLDATA_BYTES] {
    let p = proof.as_ark();
    let words = g1_coords(&p.a)
        .into_iter()
        .chain(g2_coords(&p.b))
        .chain(g1_coords(&p.c));
    let mut out = [0u8; PROOF_CALLDATA_BYTES];
    for (chunk, w) in out.chunks_exact_mut(32).zip(words) {
        chunk.copy_from_slice(&field_word(&w));
    }
    out
}

/// The `l1Data` words `RollupExample.submitBatch` takes for `batch`: `[w0, w1, w2]` per slot
/// (the batch padded with no-ops to the key's batch size), then the operator's index. Their
/// commitment is the batch's third public input.
pub fn rollup_l1_data(batch: &Batch, params: &RollupParams) -> Result<Vec<Fr>, SolidityError> {
    let slots = params.batch_size();
    if batch.operations.len() > slots {
        return Err(SolidityError::BatchTooLarge {
            batch_size: slots,
            got: batch.operations.len(),
        });
    }
    let ops = batch
        .operations
        .iter()
        .map(Some)
        .chain(std::iter::repeat(None));
    let mut words: Vec<Fr> = ops.take(slots).flat_map(commitment::pubdata).collect();
    words.push(Fr::from(batch.operator));
    Ok(words)
}

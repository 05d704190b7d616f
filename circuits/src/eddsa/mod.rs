//! EdDSA-Poseidon on Baby Jubjub, bit-compatible with circomlibjs `prv2pub`,
//! `signPoseidon` and `verifyPoseidon` (and circomlib's `EdDSAPoseidonVerifier`).
//!
//! Keys: `H = BLAKE-512(private_key)` (original BLAKE, not BLAKE2); the low half of `H`,
//! pruned like Ed25519 and read little-endian, is the secret scalar `s`, and the public key is
//! `A = (s >> 3)·B8`. Signing is deterministic: `r = BLAKE-512(H[32..] ‖ msg_le) mod l`,
//! `R8 = r·B8`, `h = Poseidon(R8.x, R8.y, A.x, A.y, msg)`, `S = (r + h·s) mod l`.
//! Verification checks `S·B8 = R8 + 8h·A`; since `8·(s >> 3) = s` the signer's equation holds.
//!
//! [`verify_poseidon`] is stricter than circomlibjs: it also rejects public keys and `R8` of
//! small order, which circomlibjs accepts but which no honest signer produces.

pub mod r1cs;

use ark_ff::{BigInteger, PrimeField};
use blake_hash::{Blake512, Digest};
use num_bigint::BigUint;

use crate::Fr;
use crate::babyjubjub::{Point, base8, biguint_to_fr, fr_to_biguint, subgroup_order};

/// Why a signature was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EddsaError {
    /// The public key `A` does not satisfy the curve equation.
    #[error("public key is not on the Baby Jubjub curve")]
    PublicKeyNotOnCurve,
    /// `8·A` is the identity: such a key verifies signatures nobody made.
    #[error("public key has small order (8·A is the identity)")]
    PublicKeySmallOrder,
    /// The signature point `R8` does not satisfy the curve equation.
    #[error("signature point R8 is not on the Baby Jubjub curve")]
    R8NotOnCurve,
    /// `8·R8` is the identity (an honest `R8 = r·B8` never is).
    #[error("signature point R8 has small order")]
    R8SmallOrder,
    /// `S` is not reduced modulo the subgroup order, so the signature is malleable.
    #[error("signature scalar S = {s} is not below the subgroup order")]
    NonCanonicalS {
        /// The offending scalar.
        s: Fr,
    },
    /// All inputs are well formed but `S·B8 ≠ R8 + 8h·A`.
    #[error("signature equation S·B8 = R8 + 8·h·A does not hold")]
    EquationMismatch,
}

/// An EdDSA-Poseidon signature: the nonce point `R8` and the scalar `S`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The nonce point `r·B8`.
    pub r8: Point,
    /// The response `S = r + h·s mod l`, in `[0, l)` when canonical.
    pub s: Fr,
}

/// The expanded private key: the pruned secret scalar `s` and the nonce seed `H[32..64]`.
struct Expanded {
    scalar: BigUint,
    nonce_seed: [u8; 32],
}

fn expand(private_key: &[u8; 32]) -> Expanded {
    let digest = Blake512::digest(private_key);
    let mut low = [0u8; 32];
    low.copy_from_slice(&digest[..32]);
    // circomlibjs `pruneBuffer`: clear the cofactor bits, clear bit 255, set bit 254.
    low[0] &= 0xF8;
    low[31] &= 0x7F;
    low[31] |= 0x40;
    let mut nonce_seed = [0u8; 32];
    nonce_seed.copy_from_slice(&digest[32..]);
    Expanded {
        scalar: BigUint::from_bytes_le(&low),
        nonce_seed,
    }
}

/// The public key of a 32-byte private key (circomlibjs `prv2pub`).
pub fn public_key(private_key: &[u8; 32]) -> Point {
    base8().mul(&(expand(private_key).scalar >> 3u32))
}

/// The challenge `h = Poseidon(R8.x, R8.y, A.x, A.y, msg)`.
fn challenge(r8: &Point, public_key: &Point, msg: Fr) -> BigUint {
    fr_to_biguint(&crate::poseidon::hash_array([
        r8.x,
        r8.y,
        public_key.x,
        public_key.y,
        msg,
    ]))
}

/// Signs the field element `msg` (circomlibjs `signPoseidon`; deterministic).
pub fn sign_poseidon(private_key: &[u8; 32], msg: Fr) -> Signature {
    let key = expand(private_key);
    let public_key = base8().mul(&(&key.scalar >> 3u32));
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(&key.nonce_seed);
    preimage[32..].copy_from_slice(&msg.into_bigint().to_bytes_le());
    let r = BigUint::from_bytes_le(&Blake512::digest(&preimage)) % subgroup_order();
    let r8 = base8().mul(&r);
    let h = challenge(&r8, &public_key, msg);
    let s = (r + h * key.scalar) % subgroup_order();
    Signature {
        r8,
        s: biguint_to_fr(&s),
    }
}

/// Verifies a signature on `msg` (circomlibjs `verifyPoseidon`, plus small-order rejection).
pub fn verify_poseidon(
    public_key: &Point,
    msg: Fr,
    signature: &Signature,
) -> Result<(), EddsaError> {
    if !public_key.is_on_curve() {
        return Err(EddsaError::PublicKeyNotOnCurve);
    }
    if public_key.is_small_order() {
        return Err(EddsaError::PublicKeySmallOrder);
    }
    let r8 = &signature.r8;
    if !r8.is_on_curve() {
        return Err(EddsaError::R8NotOnCurve);
    }
    if r8.is_small_order() {
        return Err(EddsaError::R8SmallOrder);
    }
    let s = fr_to_biguint(&signature.s);
    if &s >= subgroup_order() {
        return Err(EddsaError::NonCanonicalS { s: signature.s });
    }
    let h = challenge(r8, public_key, msg);
    let lhs = base8().mul(&s);
    let rhs = r8.add(&public_key.mul(&(h * 8u32)));
    if lhs == rhs {
        Ok(())
    } else {
        Err(EddsaError::EquationMismatch)
    }
}

//! The EdDSA-Poseidon verifier gadget: honest signatures satisfy it within circomlib's
//! constraint budget, and every kind of tampering leaves the system unsatisfied.

mod common;

use ark_ff::{AdditiveGroup, Field, PrimeField};
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use bulwark_circuits::Fr;
use bulwark_circuits::babyjubjub::r1cs::PointVar;
use bulwark_circuits::babyjubjub::{Point, base8, generator, subgroup_order};
use bulwark_circuits::eddsa::r1cs::{SignatureVar, verify_poseidon};
use bulwark_circuits::eddsa::{Signature, public_key, sign_poseidon};
use num_bigint::BigUint;
use rand::{Rng, SeedableRng};

/// circomlib's `EdDSAPoseidonVerifier` at `circom --O2`.
const CIRCOMLIB_CONSTRAINTS: usize = 4_217;

/// Synthesizes the verifier over witnesses; returns the system for inspection.
fn synthesize(a: Point, msg: Fr, sig: Signature) -> ConstraintSystemRef<Fr> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let a = PointVar::new_witness(cs.clone(), || Ok(a)).expect("alloc A");
    let msg = FpVar::new_witness(cs.clone(), || Ok(msg)).expect("alloc msg");
    let sig = SignatureVar {
        r8: PointVar::new_witness(cs.clone(), || Ok(sig.r8)).expect("alloc R8"),
        s: FpVar::new_witness(cs.clone(), || Ok(sig.s)).expect("alloc S"),
    };
    verify_poseidon(&a, &msg, &sig).expect("synthesis");
    cs
}

fn accepts(a: Point, msg: Fr, sig: Signature) -> bool {
    synthesize(a, msg, sig)
        .is_satisfied()
        .expect("witness assigned")
}

fn honest(seed: u8) -> (Point, Fr, Signature) {
    let key = [seed; 32];
    let msg = Fr::from(1_000_000u64 + u64::from(seed));
    (public_key(&key), msg, sign_poseidon(&key, msg))
}

fn l_fr() -> Fr {
    Fr::from(subgroup_order().clone())
}

#[test]
fn verifier_constraint_count() {
    let (a, msg, sig) = honest(1);
    let cs = synthesize(a, msg, sig);
    assert!(cs.is_satisfied().expect("assigned"));
    let n = cs.num_constraints();
    eprintln!("EdDSA-Poseidon verifier: {n} constraints (circomlib --O2: {CIRCOMLIB_CONSTRAINTS})");
    assert!(
        n <= CIRCOMLIB_CONSTRAINTS,
        "{n} constraints exceed circomlib's {CIRCOMLIB_CONSTRAINTS}"
    );
}

#[test]
fn every_witness_variable_is_bound() {
    let (a, msg, sig) = honest(6);
    let checked = common::assert_every_witness_is_bound(&synthesize(a, msg, sig));
    assert!(checked > 3_000, "only {checked} witnesses");
}

#[test]
fn accepts_edge_messages() {
    let key = [42u8; 32];
    for msg in [Fr::ZERO, Fr::ONE, -Fr::ONE] {
        assert!(accepts(public_key(&key), msg, sign_poseidon(&key, msg)));
    }
}

#[test]
fn rejects_tampered_signature_fields() {
    let (a, msg, sig) = honest(2);
    assert!(accepts(a, msg, sig));
    let with = |f: &dyn Fn(&mut Signature)| {
        let mut s = sig;
        f(&mut s);
        accepts(a, msg, s)
    };
    assert!(!with(&|s| s.s += Fr::ONE), "tampered S");
    assert!(!with(&|s| s.r8.x += Fr::ONE), "tampered R8x");
    assert!(!with(&|s| s.r8.y += Fr::ONE), "tampered R8y");
    assert!(
        !with(&|s| s.r8 = s.r8.add(&base8())),
        "R8 moved along the curve"
    );
    assert!(!accepts(a, msg + Fr::ONE, sig), "wrong message");
    assert!(!accepts(honest(3).0, msg, sig), "wrong public key");
    let mut off = a;
    off.y += Fr::ONE;
    assert!(!accepts(off, msg, sig), "public key off the curve");
}

#[test]
fn rejects_non_canonical_s() {
    let (a, msg, sig) = honest(4);
    // S + k·l satisfies the group equation; only the range check S < l rejects it. k = 1 and
    // 2 stay below 2^251 for this S or not, k = 7 needs 254 bits: both paths are covered.
    for k in [1u64, 2, 7] {
        let s = sig.s + l_fr() * Fr::from(k);
        assert!(!accepts(a, msg, Signature { s, ..sig }), "S + {k}·l");
    }
    assert!(!accepts(a, msg, Signature { s: l_fr(), ..sig }), "S = l");
    assert!(
        !accepts(a, msg, Signature { s: -Fr::ONE, ..sig }),
        "S = p − 1"
    );
}

#[test]
fn rejects_small_order_public_keys() {
    // With 8·A = O, (r·B8, r) satisfies S·B8 = R8 + 8h·A for every message.
    let r = BigUint::from(987_654_321u64);
    let sig = Signature {
        r8: base8().mul(&r),
        s: Fr::from(r),
    };
    let t8 = generator().mul(subgroup_order());
    for a in [Point::IDENTITY, t8.double().double(), t8.double(), t8] {
        assert!(a.is_on_curve() && a.is_small_order());
        assert!(!accepts(a, Fr::from(9u64), sig), "A = {a:?}");
    }
}

#[test]
fn rejects_identity_r8() {
    // R8 = O with S·B8 = 8h·A can be made by the key holder; circomlib would accept it.
    let key = [5u8; 32];
    let a = public_key(&key);
    let sig = Signature {
        r8: Point::IDENTITY,
        s: Fr::ZERO,
    };
    assert!(!accepts(a, Fr::ONE, sig));
}

#[test]
fn seeded_random_signatures_verify_in_circuit() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0xEDD5A);
    for _ in 0..6 {
        let key: [u8; 32] = rng.r#gen();
        let msg = Fr::from_le_bytes_mod_order(&rng.r#gen::<[u8; 32]>());
        let a = public_key(&key);
        let sig = sign_poseidon(&key, msg);
        assert!(accepts(a, msg, sig));
        assert!(!accepts(a, msg.double(), sig));
    }
}

//! Native EdDSA-Poseidon: known answers from circomlibjs and rejection of malformed input.

mod common;

use ark_ff::{AdditiveGroup, Field};
use bulwark_circuits::Fr;
use bulwark_circuits::babyjubjub::{Point, base8, generator, subgroup_order};
use bulwark_circuits::eddsa::{EddsaError, Signature, public_key, sign_poseidon, verify_poseidon};
use common::vectors;
use num_bigint::BigUint;
use proptest::prelude::*;

fn l_fr() -> Fr {
    Fr::from(subgroup_order().clone())
}

#[test]
fn keys_and_signatures_match_circomlibjs_byte_for_byte() {
    let vectors = vectors();
    assert!(vectors.iter().any(|v| v.msg == Fr::ZERO));
    assert!(vectors.iter().any(|v| v.msg == -Fr::ONE));
    for (i, v) in vectors.iter().enumerate() {
        assert_eq!(
            public_key(&v.private_key),
            v.public_key,
            "vector {i}: public key"
        );
        assert_eq!(
            sign_poseidon(&v.private_key, v.msg),
            v.signature,
            "vector {i}: signature"
        );
        assert_eq!(
            verify_poseidon(&v.public_key, v.msg, &v.signature),
            Ok(()),
            "vector {i}"
        );
    }
}

#[test]
fn rejects_tampered_and_non_canonical_signatures() {
    let v = &vectors()[3];
    let (a, msg, sig) = (v.public_key, v.msg, v.signature);
    let with = |f: &dyn Fn(&mut Signature)| {
        let mut s = sig;
        f(&mut s);
        verify_poseidon(&a, msg, &s)
    };
    assert_eq!(with(&|s| s.s += Fr::ONE), Err(EddsaError::EquationMismatch));
    assert_eq!(with(&|s| s.r8.x += Fr::ONE), Err(EddsaError::R8NotOnCurve));
    assert_eq!(with(&|s| s.r8.y += Fr::ONE), Err(EddsaError::R8NotOnCurve));
    assert_eq!(
        with(&|s| s.r8 = s.r8.add(&base8())),
        Err(EddsaError::EquationMismatch)
    );
    assert_eq!(
        verify_poseidon(&a, msg + Fr::ONE, &sig),
        Err(EddsaError::EquationMismatch)
    );
    let other = public_key(&[7u8; 32]);
    assert_eq!(
        verify_poseidon(&other, msg, &sig),
        Err(EddsaError::EquationMismatch)
    );
    // S + k·l has the same residue, so the group equation still holds: only the canonical
    // check stands in the way.
    for k in [1u64, 2, 7] {
        let s = sig.s + l_fr() * Fr::from(k);
        assert_eq!(
            with(&|x| x.s = s),
            Err(EddsaError::NonCanonicalS { s }),
            "S + {k}·l"
        );
    }
    assert_eq!(
        with(&|s| s.s = l_fr()),
        Err(EddsaError::NonCanonicalS { s: l_fr() })
    );
    let mut off = a;
    off.x += Fr::ONE;
    assert_eq!(
        verify_poseidon(&off, msg, &sig),
        Err(EddsaError::PublicKeyNotOnCurve)
    );
}

/// Small-order points: the identity, the point of order 2, and points of order 4 and 8.
fn small_order_points() -> Vec<Point> {
    let t8 = generator().mul(subgroup_order());
    vec![Point::IDENTITY, t8.double().double(), t8.double(), t8]
}

#[test]
fn rejects_small_order_keys_that_circomlibjs_would_accept() {
    // With 8·A = O the equation reads S·B8 = R8, so (r·B8, r) "signs" every message.
    let r = BigUint::from(123_456_789u64);
    let sig = Signature {
        r8: base8().mul(&r),
        s: Fr::from(r.clone()),
    };
    for a in small_order_points() {
        assert!(a.is_on_curve() && a.is_small_order());
        assert_eq!(
            base8().mul(&r),
            sig.r8.add(&a.mul(&BigUint::from(8u8 * 13))),
            "forgery is real"
        );
        assert_eq!(
            verify_poseidon(&a, Fr::from(5u64), &sig),
            Err(EddsaError::PublicKeySmallOrder)
        );
    }
}

#[test]
fn rejects_small_order_r8() {
    let v = &vectors()[0];
    for r8 in small_order_points() {
        let sig = Signature {
            r8,
            s: v.signature.s,
        };
        assert_eq!(
            verify_poseidon(&v.public_key, v.msg, &sig),
            Err(EddsaError::R8SmallOrder)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, rng_seed: proptest::test_runner::RngSeed::Fixed(0xB0A7), ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify(key in any::<[u8; 32]>(), msg in any::<[u8; 32]>()) {
        let msg = <Fr as ark_ff::PrimeField>::from_le_bytes_mod_order(&msg);
        let a = public_key(&key);
        prop_assert!(a.in_subgroup());
        let sig = sign_poseidon(&key, msg);
        prop_assert_eq!(verify_poseidon(&a, msg, &sig), Ok(()));
        prop_assert_eq!(verify_poseidon(&a, msg + Fr::ONE, &sig), Err(EddsaError::EquationMismatch));
    }
}

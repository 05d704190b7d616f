//! The halo2 EdDSA-Poseidon verifier chip: circomlibjs's signatures verify, and it rejects
//! exactly what the native verifier and the R1CS gadget reject (tampered fields, wrong
//! message or key, non-canonical `S`, small-order keys, `R8 = O`).

mod common;

use ark_ff::{AdditiveGroup, Field, PrimeField};
use bulwark_circuits::babyjubjub::{Point, base8, generator, subgroup_order};
use bulwark_circuits::eddsa::{Signature, public_key, sign_poseidon, verify_poseidon};
use bulwark_circuits::halo2::halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
use bulwark_circuits::halo2::halo2_proofs::dev::MockProver;
use bulwark_circuits::halo2::halo2_proofs::plonk::{Circuit, ConstraintSystem, Error};
use bulwark_circuits::halo2::{
    Fp, Gadgets, PointCells, SignatureCells, fitting_k, rows_needed, to_halo2,
};
use bulwark_circuits::{Fr, poseidon};
use num_bigint::BigUint;

/// Verifies one signature; the message is the public input.
#[derive(Clone)]
struct Verify {
    key: Point,
    msg: Fr,
    sig: Signature,
}

impl Circuit<Fp> for Verify {
    type Config = Gadgets;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        self.clone()
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> Gadgets {
        Gadgets::configure_with_curve(meta, &[])
    }

    fn synthesize(&self, g: Gadgets, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        let layouter = &mut layouter;
        g.load(1);
        let (key, sig) = (self.key, self.sig);
        let c = g.witness_fr(
            layouter,
            &[key.x, key.y, self.msg, sig.r8.x, sig.r8.y, sig.s],
        )?;
        g.expose(layouter, &c[2], 0)?;
        let key = PointCells { x: c[0], y: c[1] };
        let sig = SignatureCells {
            r8: PointCells { x: c[3], y: c[4] },
            s: c[5],
        };
        g.verify_eddsa(layouter, &key, &c[2], &sig)
    }
}

/// Room for the verifier's rows (about 5,300 on the one-column layout) and halo2's blinding
/// rows.
const K: u32 = 13;

fn accepts(key: Point, msg: Fr, sig: Signature) -> bool {
    let circuit = Verify { key, msg, sig };
    MockProver::run(K, &circuit, vec![vec![to_halo2(&msg)]]).is_ok_and(|p| p.verify().is_ok())
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
fn circomlibjs_vectors_verify_in_the_chip() {
    let vectors = common::vectors();
    let first = &vectors[0];
    let circuit = Verify {
        key: first.public_key,
        msg: first.msg,
        sig: first.signature,
    };
    let rows = rows_needed(&circuit).expect("layout");
    assert!(fitting_k(&circuit).expect("layout") <= K);
    eprintln!("halo2 EdDSA-Poseidon verifier: {rows} rows (k = {K})");
    for v in vectors.iter().take(6) {
        assert_eq!(public_key(&v.private_key), v.public_key);
        assert!(verify_poseidon(&v.public_key, v.msg, &v.signature).is_ok());
        assert!(
            accepts(v.public_key, v.msg, v.signature),
            "vector {:?}",
            v.msg
        );
        assert!(!accepts(v.public_key, v.msg + Fr::ONE, v.signature));
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
    assert!(!accepts(honest(3).0, msg, sig), "wrong public key");
    let mut off = a;
    off.y += Fr::ONE;
    assert!(!accepts(off, msg, sig), "public key off the curve");
}

#[test]
fn rejects_non_canonical_s() {
    let (a, msg, sig) = honest(4);
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
fn rejects_small_order_public_keys_and_identity_r8() {
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
    // A key outside the subgroup but not of small order is accepted, as natively: with
    // A' = x·B8 + T (T of order 8), 8·A' = 8x·B8 and S = r + 8h·x signs for A'.
    let x = BigUint::from(123_457u64);
    let mixed = base8().mul(&x).add(&t8);
    let msg = Fr::from(77u64);
    let r = BigUint::from(31_337u64);
    let r8 = base8().mul(&r);
    let h: BigUint = poseidon::hash_array([r8.x, r8.y, mixed.x, mixed.y, msg])
        .into_bigint()
        .into();
    let s = Fr::from((r + h * 8u8 * x) % subgroup_order());
    let signed = Signature { r8, s };
    assert!(verify_poseidon(&mixed, msg, &signed).is_ok());
    assert!(accepts(mixed, msg, signed), "mixed-torsion key");
    assert!(!accepts(mixed, msg + Fr::ONE, signed));
    let key = [5u8; 32];
    // R8 = O with S·B8 = 8h·A can be made by the key holder; circomlib would accept it.
    let sig = Signature {
        r8: Point::IDENTITY,
        s: Fr::ZERO,
    };
    assert!(!accepts(public_key(&key), Fr::ONE, sig));
    assert!(!accepts(public_key(&key), Fr::ZERO, sig));
}

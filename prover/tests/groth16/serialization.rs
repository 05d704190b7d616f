use bulwark_prover::{
    ArtifactKind, CurveId, FORMAT_VERSION, FormatError, MAGIC, Proof, ProofSystem, ProverError,
    ProvingKey, Validate, VerifyingKey, prove, verify,
};

use crate::circuits::{Demo, demo_key, rng};

fn proof_bytes() -> Vec<u8> {
    let pk = demo_key();
    let out = prove(&pk, Demo::honest(3, 5), &mut rng(10)).expect("prove");
    out.proof.to_bytes().expect("encode proof")
}

fn format_err(err: ProverError) -> FormatError {
    match err {
        ProverError::Format(e) => e,
        other => panic!("expected a format error, got {other}"),
    }
}

#[test]
fn header_layout_is_magic_version_system_kind_curve() {
    let bytes = proof_bytes();
    let mut expected = MAGIC.to_vec();
    expected.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    expected.extend_from_slice(&[ProofSystem::Groth16 as u8, ArtifactKind::Proof as u8, 1]);
    assert_eq!(&bytes[..9], &expected[..]);
    assert_eq!(&bytes[..4], b"BWK\0");
    assert_eq!(CurveId::Bn254 as u8, 1);
    // Compressed body: A (32) + B (64) + C (32).
    assert_eq!(bytes.len(), 9 + 128);
}

#[test]
fn proving_key_round_trips_with_and_without_validation() {
    let pk = demo_key();
    let mut bytes = Vec::new();
    pk.write_to(&mut bytes).expect("write pk");
    for validate in [Validate::Yes, Validate::No] {
        let loaded = ProvingKey::read_from(&bytes[..], validate).expect("read pk");
        assert_eq!(loaded, pk);
        let out = prove(&loaded, Demo::honest(2, 9), &mut rng(11)).expect("prove with loaded");
        verify(pk.verifying_key(), &out.public_inputs, &out.proof).expect("verifies");
    }
}

#[test]
fn verifying_key_and_proof_round_trip() {
    let pk = demo_key();
    let vk = pk.verifying_key();
    let vk_bytes = vk.to_bytes().expect("encode vk");
    assert_eq!(&VerifyingKey::from_bytes(&vk_bytes).expect("decode vk"), vk);

    let out = prove(&pk, Demo::honest(3, 5), &mut rng(12)).expect("prove");
    let mut proof_bytes = Vec::new();
    out.proof.write_to(&mut proof_bytes).expect("write proof");
    let proof = Proof::read_from(&proof_bytes[..]).expect("read proof");
    assert_eq!(proof, out.proof);
    verify(vk, &out.public_inputs, &proof).expect("decoded proof verifies");
}

#[test]
fn corrupted_header_fields_are_named() {
    let good = proof_bytes();
    let with = |i: usize, v: u8| {
        let mut b = good.clone();
        b[i] = v;
        format_err(Proof::from_bytes(&b).expect_err("corrupted header"))
    };
    assert!(matches!(with(0, b'X'), FormatError::BadMagic { found, .. } if found == *b"XWK\0"));
    assert!(matches!(
        with(4, 2),
        FormatError::UnsupportedVersion {
            found: 2,
            supported: FORMAT_VERSION
        }
    ));
    assert!(matches!(
        with(6, 2),
        FormatError::WrongProofSystem {
            found: 2,
            expected: ProofSystem::Groth16
        }
    ));
    assert!(matches!(
        with(8, 7),
        FormatError::WrongCurve {
            found: 7,
            expected: CurveId::Bn254
        }
    ));
    let err = with(7, 9);
    assert!(
        matches!(&err, FormatError::WrongKind { expected: ArtifactKind::Proof, found } if found == "unknown tag 9"),
        "{err}"
    );
}

#[test]
fn reading_the_wrong_kind_is_named() {
    let pk = demo_key();
    let err = format_err(VerifyingKey::from_bytes(&proof_bytes()).expect_err("proof as vk"));
    assert!(
        matches!(&err, FormatError::WrongKind { expected: ArtifactKind::VerifyingKey, found } if found == "Proof"),
        "{err}"
    );
    let vk_bytes = pk.verifying_key().to_bytes().expect("encode vk");
    let err =
        format_err(ProvingKey::read_from(&vk_bytes[..], Validate::Yes).expect_err("vk as pk"));
    assert!(
        matches!(&err, FormatError::WrongKind { expected: ArtifactKind::ProvingKey, found } if found == "VerifyingKey"),
        "{err}"
    );
}

#[test]
fn truncated_files_are_named_by_part() {
    let good = proof_bytes();
    for len in [0, 4, 8] {
        let err = format_err(Proof::from_bytes(&good[..len]).expect_err("short header"));
        assert!(
            matches!(
                err,
                FormatError::Truncated {
                    kind: ArtifactKind::Proof,
                    part: "header"
                }
            ),
            "{len}: {err}"
        );
    }
    for len in [9, 40, good.len() - 1] {
        let err = format_err(Proof::from_bytes(&good[..len]).expect_err("short body"));
        assert!(
            matches!(
                err,
                FormatError::Truncated {
                    kind: ArtifactKind::Proof,
                    part: "body"
                }
            ),
            "{len}: {err}"
        );
    }
    let mut pk_bytes = Vec::new();
    demo_key().write_to(&mut pk_bytes).expect("write pk");
    pk_bytes.truncate(pk_bytes.len() - 10);
    let err = format_err(ProvingKey::read_from(&pk_bytes[..], Validate::No).expect_err("short pk"));
    assert!(
        matches!(
            err,
            FormatError::Truncated {
                kind: ArtifactKind::ProvingKey,
                part: "body"
            }
        ),
        "{err}"
    );
}

#[test]
fn trailing_bytes_are_rejected() {
    let mut bytes = proof_bytes();
    bytes.push(0);
    let err = format_err(Proof::from_bytes(&bytes).expect_err("trailing"));
    assert!(
        matches!(
            err,
            FormatError::TrailingBytes {
                kind: ArtifactKind::Proof
            }
        ),
        "{err}"
    );
}

#[test]
fn invalid_points_are_rejected() {
    let good = proof_bytes();
    // A's x-coordinate set to 2^254 - 1 (flag bits clear): not a canonical field element.
    let mut bytes = good.clone();
    bytes[9..41].fill(0xff);
    bytes[40] = 0x3f;
    let err = format_err(Proof::from_bytes(&bytes).expect_err("non-canonical x"));
    assert!(
        matches!(
            err,
            FormatError::InvalidBody {
                kind: ArtifactKind::Proof,
                ..
            }
        ),
        "{err}"
    );

    // Search for an x with no point on the curve: decoding must fail, not panic.
    let mut rejected = 0;
    for x in 1u8..=16 {
        let mut bytes = good.clone();
        bytes[9..41].fill(0);
        bytes[9] = x;
        if let Err(err) = Proof::from_bytes(&bytes) {
            assert!(matches!(
                format_err(err),
                FormatError::InvalidBody {
                    kind: ArtifactKind::Proof,
                    ..
                }
            ));
            rejected += 1;
        }
    }
    assert!(rejected > 0, "some small x has no point on BN254");
}

/// A point on the twist E'(Fq2) outside the prime-order subgroup (BN254's G2 cofactor is
/// large, so the first small x with a point on the curve will do).
fn g2_outside_subgroup() -> ark_bn254::G2Affine {
    use ark_bn254::{Fq2, G2Affine};
    (1u64..)
        .filter_map(|x| G2Affine::get_point_from_x_unchecked(Fq2::from(x), false))
        .find(|p| !p.is_in_correct_subgroup_assuming_on_curve())
        .expect("a point outside the subgroup")
}

#[test]
fn g2_point_outside_the_subgroup_is_rejected() {
    use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

    let outside = g2_outside_subgroup();
    let good = proof_bytes();
    let honest = Proof::from_bytes(&good).expect("honest proof");
    let forged = ark_groth16::Proof {
        b: outside,
        ..honest.as_ark().clone()
    };
    let mut bytes = good[..9].to_vec();
    forged
        .serialize_compressed(&mut bytes)
        .expect("serialize forged proof");
    // The encoding itself is well formed: only the subgroup check can reject it.
    ark_groth16::Proof::<ark_bn254::Bn254>::deserialize_compressed_unchecked(&bytes[9..])
        .expect("decodes without the subgroup check");
    let err = format_err(Proof::from_bytes(&bytes).expect_err("non-subgroup B"));
    assert!(
        matches!(
            err,
            FormatError::InvalidBody {
                kind: ArtifactKind::Proof,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn unvalidated_proving_key_with_a_bad_g2_point_loads_but_cannot_produce_a_proof() {
    use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

    let pk = demo_key();
    let mut bytes = Vec::new();
    pk.write_to(&mut bytes).expect("write pk");
    let mut raw = ark_groth16::ProvingKey::<ark_bn254::Bn254>::deserialize_compressed(&bytes[9..])
        .expect("arkworks reads our body");
    // Index 1 is the first public input's column (index 0 is the constant one).
    raw.b_g2_query[1] = g2_outside_subgroup();
    let mut forged = bytes[..9].to_vec();
    raw.serialize_compressed(&mut forged)
        .expect("serialize forged pk");

    let err = format_err(ProvingKey::read_from(&forged[..], Validate::Yes).expect_err("validated"));
    assert!(
        matches!(
            err,
            FormatError::InvalidBody {
                kind: ArtifactKind::ProvingKey,
                ..
            }
        ),
        "{err}"
    );
    // Unvalidated, it loads, and the self-check stops the bad proof (the documented policy).
    let loaded = ProvingKey::read_from(&forged[..], Validate::No).expect("unvalidated load");
    let err = prove(&loaded, Demo::honest(3, 5), &mut rng(13)).expect_err("bad key");
    assert!(matches!(err, ProverError::ProofSelfCheckFailed), "{err}");
}

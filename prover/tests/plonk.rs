//! The PLONK/KZG backend next to Groth16 on the same solvency witnesses: honest witnesses
//! (batch, top, inclusion) prove and verify on both with the same public inputs, mutated ones
//! are refused by both provers, and PLONK files round-trip with typed errors for the wrong
//! kind, system or a tampered body.

use std::time::Instant;

use ark_ff::Field;
use bulwark_circuits::halo2::{
    AssetCount, SolvencyBatchCircuit, SolvencyInclusionCircuit, SolvencyTopCircuit, TopShape,
    fitting_k, halo2_proofs, rows_needed, to_halo2_vec,
};
use bulwark_circuits::solvency::{
    BatchCircuit, BlindingSeed, Book, CommittedBook, InclusionCircuit, Reserves, SolvencyParams,
    TopCircuit,
};
use bulwark_prover::plonk::{
    KzgParams, PlonkProof, PlonkProvingKey, PlonkVerifyingKey, kzg_dev_params_insecure,
    plonk_keygen, plonk_prove, plonk_verify,
};
use bulwark_prover::{FormatError, Fr, ProverError, dev_setup_insecure, prove, verify};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

type TestResult = Result<(), Box<dyn std::error::Error>>;
/// A named change to an inclusion witness or claim.
type Mutation = (&'static str, fn(&mut InclusionCircuit));

/// Three users, two assets; every balance and reserve in range.
const CSV: &str = "user_id,USDC,ETH\nana,40,2\nben,0,9\ncid,7,7\n";
const RESERVES: &str = r#"{"USDC": "50", "ETH": "20"}"#;
/// The largest circuit here fits in 2^13 rows.
const PARAMS_K: u32 = 13;

fn book(params: SolvencyParams) -> Result<CommittedBook, Box<dyn std::error::Error>> {
    let book = Book::from_csv(CSV.as_bytes())?;
    let reserves = Reserves::from_json(RESERVES.as_bytes())?;
    let seed = BlindingSeed::random(&mut ChaCha20Rng::seed_from_u64(21));
    Ok(CommittedBook::new(&book, &reserves, params, seed)?)
}

/// Dev parameters sized for `circuit`, found by laying it out.
fn sized_params<C: halo2_proofs::plonk::Circuit<bulwark_circuits::halo2::Fp>>(
    all: &KzgParams,
    circuit: &C,
) -> Result<KzgParams, Box<dyn std::error::Error>> {
    let k = fitting_k(circuit)?;
    Ok(all.downsized(k)?)
}

#[test]
fn solvency_batch_and_inclusion_prove_on_both_backends() -> TestResult {
    let params = SolvencyParams::new(2, 2, 1)?;
    let book = book(params)?;
    let all = kzg_dev_params_insecure(PARAMS_K, 7)?;
    let mut rng = ChaCha20Rng::seed_from_u64(3);

    // Batch 0: Groth16 and PLONK on the same witness and public inputs.
    let batch = book.batch_circuit(0)?;
    let public = batch.public_inputs();
    let groth_pk = dev_setup_insecure(BatchCircuit::blank(params), 1)?;
    let started = Instant::now();
    let groth = prove(&groth_pk, batch.clone(), &mut rng)?;
    let groth_time = started.elapsed();
    verify(groth_pk.verifying_key(), &public, &groth.proof)?;
    assert_eq!(groth.public_inputs, public);

    let circuit = SolvencyBatchCircuit(batch.clone());
    let kzg = sized_params(&all, &circuit)?;
    let pk = plonk_keygen(&kzg, &SolvencyBatchCircuit(BatchCircuit::blank(params)))?;
    let started = Instant::now();
    let proof = plonk_prove(&kzg, &pk, &circuit, &public, &mut rng)?;
    let plonk_time = started.elapsed();
    plonk_verify(&kzg, &pk.verifying_key(), &public, &proof)?;
    eprintln!(
        "solvency batch (K = 2, 4 slots): Groth16 prove {groth_time:?}, PLONK (k = {}) prove \
         {plonk_time:?}, PLONK proof {} bytes",
        kzg.k(),
        proof.as_bytes().len()
    );
    // The other batch's commitment does not verify this proof.
    let other = book.batch_circuit(1)?.public_inputs();
    assert!(matches!(
        plonk_verify(&kzg, &pk.verifying_key(), &other, &proof),
        Err(ProverError::InvalidProof)
    ));

    // Inclusion for every user, both backends.
    let groth_pk = dev_setup_insecure(InclusionCircuit::blank(params), 2)?;
    let blank = SolvencyInclusionCircuit(InclusionCircuit::blank(params));
    let first = book.inclusion_circuit("ana")?;
    let kzg = sized_params(&all, &SolvencyInclusionCircuit(first.clone()))?;
    let pk = plonk_keygen(&kzg, &blank)?;
    for id in ["ana", "ben", "cid"] {
        let circuit = book.inclusion_circuit(id)?;
        let public = circuit.claim.public_inputs();
        let groth = prove(&groth_pk, circuit.clone(), &mut rng)?;
        verify(groth_pk.verifying_key(), &public, &groth.proof)?;
        let proof = plonk_prove(
            &kzg,
            &pk,
            &SolvencyInclusionCircuit(circuit),
            &public,
            &mut rng,
        )?;
        plonk_verify(&kzg, &pk.verifying_key(), &public, &proof)?;
    }
    Ok(())
}

/// `cargo test --release -p bulwark-prover --test plonk solvency_top -- --nocapture` prints
/// the top circuit's halo2 rows and `k` and its Groth16 and PLONK prove times, measured in
/// the same run, for the test shape and a bench shape (K = 2, 2^4 batches of 2^10).
#[test]
fn solvency_top_proves_on_both_backends() -> TestResult {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    for params in [
        SolvencyParams::new(2, 2, 1)?,
        SolvencyParams::new(2, 10, 4)?,
    ] {
        let book = book(params)?;
        let top = book.top_circuit();
        let public = book.statement().top_public_inputs()?;
        let circuit = SolvencyTopCircuit(top.clone());
        assert_eq!(circuit.public_inputs()?, to_halo2_vec(&public));

        let groth_pk = dev_setup_insecure(TopCircuit::blank(params), 6)?;
        let started = Instant::now();
        let groth = prove(&groth_pk, top.clone(), &mut rng)?;
        let groth_time = started.elapsed();
        assert_eq!(
            groth.public_inputs, public,
            "the R1CS circuit's public inputs"
        );
        verify(groth_pk.verifying_key(), &public, &groth.proof)?;

        let (rows, k) = (rows_needed(&circuit)?, fitting_k(&circuit)?);
        let kzg = kzg_dev_params_insecure(k, 9)?;
        let pk = plonk_keygen(&kzg, &SolvencyTopCircuit(TopCircuit::blank(params)))?;
        let started = Instant::now();
        let proof = plonk_prove(&kzg, &pk, &circuit, &public, &mut rng)?;
        let plonk_time = started.elapsed();
        // The verifying key reads back with the circuit's shape parameter.
        let mut vk_bytes = Vec::new();
        pk.verifying_key().write_to(&mut vk_bytes)?;
        let vk = PlonkVerifyingKey::read_from::<SolvencyTopCircuit>(
            vk_bytes.as_slice(),
            TopShape::of(&params),
        )?;
        plonk_verify(&kzg, &vk, &public, &proof)?;
        eprintln!(
            "solvency top (K = {}, 2^{} batches of 2^{}): halo2 {rows} rows (k = {k}); prove \
             Groth16 {groth_time:?}, PLONK {plonk_time:?} (PLONK / Groth16 = {:.2}); PLONK \
             proof {} bytes",
            params.assets(),
            params.top_bits(),
            params.batch_bits(),
            plonk_time.as_secs_f64() / groth_time.as_secs_f64(),
            proof.as_bytes().len()
        );

        // Lower reserves do not verify either proof.
        let mut lowered = public.clone();
        lowered[3] = Fr::from(1u64);
        assert!(matches!(
            verify(groth_pk.verifying_key(), &lowered, &groth.proof),
            Err(ProverError::InvalidProof)
        ));
        assert!(matches!(
            plonk_verify(&kzg, &vk, &lowered, &proof),
            Err(ProverError::InvalidProof)
        ));
        // An insolvent statement is refused by both provers.
        let mut insolvent = top.clone();
        insolvent.statement.reserves[1] = 1;
        let public = insolvent.statement.top_public_inputs()?;
        assert!(matches!(
            prove(&groth_pk, insolvent.clone(), &mut rng),
            Err(ProverError::Unsatisfied { .. })
        ));
        let refused = plonk_prove(&kzg, &pk, &SolvencyTopCircuit(insolvent), &public, &mut rng);
        assert!(
            matches!(&refused, Err(ProverError::Unsatisfied { .. })),
            "PLONK on an insolvent top: {refused:?}"
        );
    }
    Ok(())
}

#[test]
fn mutated_witnesses_are_refused_by_both_provers() -> TestResult {
    let params = SolvencyParams::new(2, 2, 1)?;
    let book = book(params)?;
    let all = kzg_dev_params_insecure(PARAMS_K, 7)?;
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let honest = book.inclusion_circuit("cid")?;
    let kzg = sized_params(&all, &SolvencyInclusionCircuit(honest.clone()))?;
    let pk = plonk_keygen(&kzg, &SolvencyInclusionCircuit(honest.clone()))?;
    let groth_pk = dev_setup_insecure(InclusionCircuit::blank(params), 2)?;
    let mutations: [Mutation; 3] = [
        ("a balance", |c| c.claim.balances[1] += 1),
        ("the blinding", |c| c.witness.book_blinding += Fr::ONE),
        ("the commitment", |c| c.claim.book_commitment += Fr::ONE),
    ];
    for (what, mutate) in mutations {
        let mut c = honest.clone();
        mutate(&mut c);
        let public = c.claim.public_inputs();
        assert!(
            matches!(
                prove(&groth_pk, c.clone(), &mut rng),
                Err(ProverError::Unsatisfied { .. })
            ),
            "Groth16 proved a mutated {what}"
        );
        let refused = plonk_prove(&kzg, &pk, &SolvencyInclusionCircuit(c), &public, &mut rng);
        assert!(
            matches!(&refused, Err(ProverError::Unsatisfied { .. })),
            "PLONK on a mutated {what}: {refused:?}"
        );
    }
    Ok(())
}

#[test]
fn plonk_files_round_trip_and_reject_bad_input() -> TestResult {
    let params = SolvencyParams::new(1, 1, 1)?;
    let book = Book::from_csv("user_id,USDC\nana,5\nben,6\n".as_bytes())?;
    let reserves = Reserves::from_json(r#"{"USDC": "11"}"#.as_bytes())?;
    let book = CommittedBook::new(
        &book,
        &reserves,
        params,
        BlindingSeed::from_fr(Fr::from(5u64)),
    )?;
    let circuit = SolvencyBatchCircuit(book.batch_circuit(0)?);
    let public = circuit.0.public_inputs();
    let kzg = sized_params(&kzg_dev_params_insecure(PARAMS_K, 8)?, &circuit)?;
    let pk = plonk_keygen(&kzg, &circuit)?;
    let proof = plonk_prove(&kzg, &pk, &circuit, &public, ChaCha20Rng::seed_from_u64(1))?;

    let mut bytes = Vec::new();
    kzg.write_to(&mut bytes)?;
    let kzg = KzgParams::read_from(bytes.as_slice())?;
    let mut bytes = Vec::new();
    pk.write_to(&mut bytes)?;
    let pk = PlonkProvingKey::read_from::<SolvencyBatchCircuit>(bytes.as_slice(), AssetCount(1))?;
    let mut vk_bytes = Vec::new();
    pk.verifying_key().write_to(&mut vk_bytes)?;
    let vk =
        PlonkVerifyingKey::read_from::<SolvencyBatchCircuit>(vk_bytes.as_slice(), AssetCount(1))?;
    assert_eq!(vk.k(), kzg.k());
    let mut proof_bytes = Vec::new();
    proof.write_to(&mut proof_bytes)?;
    let read = PlonkProof::read_from(proof_bytes.as_slice())?;
    assert_eq!(read, proof);
    plonk_verify(&kzg, &vk, &public, &read)?;
    // A proof made after the round trip verifies with the original verifying key too.
    let again = plonk_prove(&kzg, &pk, &circuit, &public, ChaCha20Rng::seed_from_u64(2))?;
    plonk_verify(&kzg, &vk, &public, &again)?;

    // A tampered proof byte (inside the first commitment) is rejected, not a panic.
    let mut tampered = proof_bytes.clone();
    tampered[9 + 4 + 10] ^= 1;
    let tampered = PlonkProof::read_from(tampered.as_slice())?;
    assert!(plonk_verify(&kzg, &vk, &public, &tampered).is_err());
    // Kinds and systems are checked from the header.
    assert!(matches!(
        PlonkProof::read_from(vk_bytes.as_slice()),
        Err(ProverError::Format(FormatError::WrongKind { .. }))
    ));
    let groth_pk = dev_setup_insecure(BatchCircuit::blank(params), 1)?;
    let mut groth_vk = Vec::new();
    groth_pk.verifying_key().write_to(&mut groth_vk)?;
    assert!(matches!(
        PlonkVerifyingKey::read_from::<SolvencyBatchCircuit>(groth_vk.as_slice(), AssetCount(1)),
        Err(ProverError::Format(FormatError::WrongProofSystem { .. }))
    ));
    assert!(matches!(
        PlonkProof::read_from(&proof_bytes[..proof_bytes.len() - 1]),
        Err(ProverError::Format(FormatError::Truncated { .. }))
    ));
    let mut trailing = proof_bytes.clone();
    trailing.push(0);
    assert!(matches!(
        PlonkProof::read_from(trailing.as_slice()),
        Err(ProverError::Format(FormatError::TrailingBytes { .. }))
    ));
    // Parameters of the wrong size are refused before proving.
    let bigger = kzg_dev_params_insecure(kzg.k() + 1, 8)?;
    assert!(matches!(
        plonk_verify(&bigger, &vk, &public, &read),
        Err(ProverError::KeyMismatch { .. })
    ));
    assert!(matches!(
        kzg.downsized(kzg.k() + 1),
        Err(ProverError::ParamsTooSmall { .. })
    ));
    assert!(matches!(
        kzg_dev_params_insecure(0, 1),
        Err(ProverError::InvalidParamsSize { k: 0 })
    ));
    Ok(())
}

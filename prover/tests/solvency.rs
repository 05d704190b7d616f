//! Solvency end to end with Groth16: keys for the three circuits, every batch and the top
//! proved and verified against the published statement, one inclusion proof verified from
//! the user's side.

use bulwark_circuits::solvency::{
    BatchCircuit, BlindingSeed, Book, CommittedBook, InclusionCircuit, InclusionClaim, Reserves,
    SolvencyParams, TopCircuit,
};
use bulwark_prover::{ProverError, dev_setup_insecure, prove, verify};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const CSV: &str = "user_id,BTC,ETH\n\
                   alice,100,5\n\
                   bob,0,7\n\
                   carol,250,0\n\
                   dave,1,1\n\
                   erin,18446744073709551615,3\n";
const RESERVES: &str = r#"{"BTC": "18446744073709552000", "ETH": "16"}"#;

#[test]
fn solvency_proves_and_verifies_end_to_end() -> TestResult {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let params = SolvencyParams::new(2, 2, 1)?;
    let book = Book::from_csv(CSV.as_bytes())?;
    let reserves = Reserves::from_json(RESERVES.as_bytes())?;
    let book = CommittedBook::new(&book, &reserves, params, BlindingSeed::random(&mut rng))?;
    let statement = book.statement().clone();

    // Setup: one key per circuit shape (tests only: the seeds are the trapdoors).
    let batch_pk = dev_setup_insecure(BatchCircuit::blank(params), 1)?;
    let top_pk = dev_setup_insecure(TopCircuit::blank(params), 2)?;
    let inclusion_pk = dev_setup_insecure(InclusionCircuit::blank(params), 3)?;

    // Custodian: every batch, then the top.
    let mut batch_proofs = Vec::new();
    for j in 0..params.batches() {
        let out = prove(&batch_pk, book.batch_circuit(j)?, &mut rng)?;
        assert_eq!(out.public_inputs, statement.batch_public_inputs(j)?);
        batch_proofs.push(out.proof);
    }
    let top = prove(&top_pk, book.top_circuit(), &mut rng)?;
    assert_eq!(top.public_inputs, statement.top_public_inputs()?);

    // Verifier: only the statement and the proofs.
    for (j, proof) in batch_proofs.iter().enumerate() {
        verify(
            batch_pk.verifying_key(),
            &statement.batch_public_inputs(j)?,
            proof,
        )?;
    }
    verify(
        top_pk.verifying_key(),
        &statement.top_public_inputs()?,
        &top.proof,
    )?;
    // A proof for one batch does not stand for another; lower reserves do not verify.
    assert!(matches!(
        verify(
            batch_pk.verifying_key(),
            &statement.batch_public_inputs(1)?,
            &batch_proofs[0]
        ),
        Err(ProverError::InvalidProof)
    ));
    let mut lower = statement.clone();
    lower.reserves[1] -= 1;
    assert!(matches!(
        verify(
            top_pk.verifying_key(),
            &lower.top_public_inputs()?,
            &top.proof
        ),
        Err(ProverError::InvalidProof)
    ));
    // An insolvent statement cannot even be proved.
    let mut insolvent = book.top_circuit();
    insolvent.statement.reserves[1] = 15;
    assert!(matches!(
        prove(&top_pk, insolvent, &mut rng),
        Err(ProverError::Unsatisfied { .. })
    ));

    // Inclusion: the custodian proves for carol; carol verifies with her id, her balances
    // and the published book commitment.
    let proof = prove(&inclusion_pk, book.inclusion_circuit("carol")?, &mut rng)?.proof;
    let claim = InclusionClaim::new(statement.book_commitment, "carol", vec![250, 0])?;
    verify(inclusion_pk.verifying_key(), &claim.public_inputs(), &proof)?;
    let wrong_balance = InclusionClaim::new(statement.book_commitment, "carol", vec![251, 0])?;
    let wrong_id = InclusionClaim::new(statement.book_commitment, "dave", vec![250, 0])?;
    for claim in [wrong_balance, wrong_id] {
        assert!(matches!(
            verify(inclusion_pk.verifying_key(), &claim.public_inputs(), &proof),
            Err(ProverError::InvalidProof)
        ));
    }
    Ok(())
}

#[test]
fn inclusion_proofs_verify_for_every_user_in_a_sample_and_fail_for_a_modified_balance() -> TestResult
{
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    // 2^3 leaves, 7 users: the sample is the whole book, one leaf stays empty.
    let params = SolvencyParams::new(2, 2, 1)?;
    let csv: String = std::iter::once("user_id,BTC,ETH\n".to_owned())
        .chain((0..7u64).map(|i| format!("user-{i},{},{}\n", 1000 + i * 37, i * i)))
        .collect();
    let book = Book::from_csv(csv.as_bytes())?;
    let reserves = Reserves::from_json(r#"{"BTC": "100000", "ETH": "1000"}"#.as_bytes())?;
    let book = CommittedBook::new(&book, &reserves, params, BlindingSeed::random(&mut rng))?;
    let commitment = book.statement().book_commitment;
    let pk = dev_setup_insecure(InclusionCircuit::blank(params), 4)?;

    for i in 0..7u64 {
        let id = format!("user-{i}");
        let balances = vec![1000 + i * 37, i * i];
        let proof = prove(&pk, book.inclusion_circuit(&id)?, &mut rng)?.proof;
        let claim = InclusionClaim::new(commitment, &id, balances.clone())?;
        verify(pk.verifying_key(), &claim.public_inputs(), &proof)?;
        // The same proof against each balance raised or lowered by one unit fails.
        for (asset, delta) in [(0, 1i64), (0, -1), (1, 1)] {
            let mut modified = balances.clone();
            modified[asset] = modified[asset].wrapping_add_signed(delta);
            let claim = InclusionClaim::new(commitment, &id, modified)?;
            assert!(
                matches!(
                    verify(pk.verifying_key(), &claim.public_inputs(), &proof),
                    Err(ProverError::InvalidProof)
                ),
                "{id}: asset {asset} changed by {delta} still verifies"
            );
        }
    }
    Ok(())
}

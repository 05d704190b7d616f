//! Solvency batch, top and inclusion on both backends' constraint systems: every honest
//! witness satisfies the R1CS circuit and halo2's `MockProver` with the same public inputs,
//! and every mutated witness of the shared lists (`solvency_support`) is rejected by both.

mod common;
mod solvency_support;

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use bulwark_circuits::Fr;
use bulwark_circuits::halo2::halo2_proofs::dev::MockProver;
use bulwark_circuits::halo2::halo2_proofs::halo2curves::ff::Field;
use bulwark_circuits::halo2::halo2_proofs::plonk::Circuit;
use bulwark_circuits::halo2::{
    Fp, SolvencyBatchCircuit, SolvencyInclusionCircuit, SolvencyTopCircuit, fitting_k,
};
use bulwark_circuits::solvency::{BatchCircuit, InclusionCircuit, SolvencyParams, TopCircuit};
use common::{committed, committed_with};
use solvency_support::Mutation;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn r1cs_accepts(circuit: impl ConstraintSynthesizer<Fr>) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    circuit
        .generate_constraints(cs.clone())
        .map(|()| cs.is_satisfied().unwrap_or(false))
        .unwrap_or(false)
}

/// Whether `MockProver` accepts `circuit` at size `2^k` with `public` as its instance column.
fn mock_accepts<C: Circuit<Fp>>(circuit: &C, public: Vec<Fp>, k: u32) -> bool {
    MockProver::run(k, circuit, vec![public]).is_ok_and(|p| p.verify().is_ok())
}

/// An R1CS circuit with its halo2 twin.
trait Twin: ConstraintSynthesizer<Fr> + Clone {
    /// Whether halo2's `MockProver` accepts the twin at size `2^k`.
    fn halo2_accepts(self, k: u32) -> bool;
    /// The `k` the twin fits.
    fn halo2_k(&self) -> Result<u32, Box<dyn std::error::Error>>;
}

impl Twin for BatchCircuit {
    fn halo2_accepts(self, k: u32) -> bool {
        let circuit = SolvencyBatchCircuit(self);
        let public = circuit.public_inputs();
        mock_accepts(&circuit, public, k)
    }
    fn halo2_k(&self) -> Result<u32, Box<dyn std::error::Error>> {
        Ok(fitting_k(&SolvencyBatchCircuit(self.clone()))?)
    }
}

impl Twin for TopCircuit {
    fn halo2_accepts(self, k: u32) -> bool {
        let circuit = SolvencyTopCircuit(self);
        circuit
            .public_inputs()
            .is_ok_and(|public| mock_accepts(&circuit, public, k))
    }
    fn halo2_k(&self) -> Result<u32, Box<dyn std::error::Error>> {
        Ok(fitting_k(&SolvencyTopCircuit(self.clone()))?)
    }
}

impl Twin for InclusionCircuit {
    fn halo2_accepts(self, k: u32) -> bool {
        let circuit = SolvencyInclusionCircuit(self);
        let public = circuit.public_inputs();
        mock_accepts(&circuit, public, k)
    }
    fn halo2_k(&self) -> Result<u32, Box<dyn std::error::Error>> {
        Ok(fitting_k(&SolvencyInclusionCircuit(self.clone()))?)
    }
}

/// Asserts both backends accept `circuit` (`expected`) or both reject it.
fn both<C: Twin>(circuit: C, k: u32, expected: bool, what: &str) {
    assert_eq!(r1cs_accepts(circuit.clone()), expected, "R1CS on {what}");
    assert_eq!(circuit.halo2_accepts(k), expected, "halo2 on {what}");
}

/// Every mutation of `honest` rejected by both backends, every control accepted by both.
fn mutations_and_controls<C: Twin>(
    honest: &C,
    mutations: Vec<Mutation<C>>,
    controls: Vec<Mutation<C>>,
) -> TestResult {
    let k = honest.halo2_k()?;
    both(honest.clone(), k, true, "the honest witness");
    for (cases, expected) in [(mutations, false), (controls, true)] {
        for (what, mutate) in cases {
            let mut c = honest.clone();
            mutate(&mut c);
            both(c, k, expected, what);
        }
    }
    Ok(())
}

#[test]
fn honest_witnesses_pass_both_backends() -> TestResult {
    for p in [common::params()?, SolvencyParams::new(2, 1, 3)?] {
        let book = committed_with(p)?;
        let k = book.batch_circuit(0)?.halo2_k()?;
        for j in 0..p.batches() {
            both(
                book.batch_circuit(j)?,
                k,
                true,
                &format!("batch {j} of {p:?}"),
            );
        }
        let top = book.top_circuit();
        let k = top.halo2_k()?;
        both(top, k, true, &format!("top of {p:?}"));
        let k = book.inclusion_circuit("alice")?.halo2_k()?;
        for id in ["alice", "bob", "carol", "dave", "erin"] {
            both(book.inclusion_circuit(id)?, k, true, id);
        }
    }
    Ok(())
}

#[test]
fn batch_mutations_are_rejected_by_both() -> TestResult {
    let book = committed()?;
    let assets = book.params().assets();
    mutations_and_controls(
        &book.batch_circuit(0)?,
        solvency_support::batch_mutations(assets),
        solvency_support::batch_controls(assets),
    )
}

#[test]
fn top_mutations_are_rejected_by_both() -> TestResult {
    let book = committed()?;
    let batch_bits = book.params().batch_bits();
    mutations_and_controls(
        &book.top_circuit(),
        solvency_support::top_mutations(batch_bits),
        solvency_support::top_controls(batch_bits),
    )
}

#[test]
fn inclusion_mutations_are_rejected_by_both() -> TestResult {
    let book = committed()?;
    let honest = book.inclusion_circuit("dave")?;
    for (what, mutate) in solvency_support::inclusion_mutations() {
        let mut c = honest.clone();
        mutate(&mut c);
        assert!(c.check().is_err(), "native check accepts {what}");
    }
    mutations_and_controls(
        &honest,
        solvency_support::inclusion_mutations(),
        solvency_support::inclusion_controls(),
    )
}

#[test]
fn a_top_of_the_wrong_shape_is_refused_not_satisfied() -> TestResult {
    // One reserve missing: the public inputs cannot be formed and synthesis refuses.
    let mut top = committed()?.top_circuit();
    top.statement.reserves.pop();
    let circuit = SolvencyTopCircuit(top.clone());
    assert!(circuit.public_inputs().is_err());
    assert!(MockProver::run(10, &circuit, vec![vec![]]).is_err());
    assert!(!r1cs_accepts(top));
    Ok(())
}

#[test]
fn public_inputs_are_the_r1cs_ones() -> TestResult {
    let book = committed()?;
    let batch = book.batch_circuit(1)?;
    let inclusion = book.inclusion_circuit("carol")?;
    let convert = |xs: Vec<Fr>| bulwark_circuits::halo2::to_halo2_vec(&xs);
    assert_eq!(
        SolvencyBatchCircuit(batch.clone()).public_inputs(),
        convert(batch.public_inputs())
    );
    assert_eq!(
        SolvencyInclusionCircuit(inclusion.clone()).public_inputs(),
        convert(inclusion.claim.public_inputs())
    );
    // The top: what the R1CS circuit allocates as its instance is the halo2 instance column.
    let top = book.top_circuit();
    let cs = ConstraintSystem::<Fr>::new_ref();
    top.clone().generate_constraints(cs.clone())?;
    let r1cs = cs.borrow().ok_or("cs")?.assignments.instance_assignment[1..].to_vec();
    let halo2 = SolvencyTopCircuit(top.clone()).public_inputs()?;
    assert_eq!(halo2, convert(r1cs));
    assert_eq!(halo2.len(), 2 + book.params().assets());
    // Each of them is bound: changing any one is rejected.
    let k = top.halo2_k()?;
    let circuit = SolvencyTopCircuit(top);
    assert!(mock_accepts(&circuit, halo2.clone(), k));
    for i in 0..halo2.len() {
        let mut public = halo2.clone();
        public[i] += Fp::ONE;
        assert!(
            !mock_accepts(&circuit, public, k),
            "public input {i} is free"
        );
    }
    Ok(())
}

/// `cargo test -p bulwark-circuits --test halo2_solvency rows -- --nocapture` prints the halo2
/// rows (and `k`) of each solvency circuit next to its R1CS constraint count.
#[test]
fn rows_next_to_r1cs_constraints() -> TestResult {
    use bulwark_circuits::halo2::rows_needed;
    let constraints = |circuit: &dyn Fn(ark_relations::gr1cs::ConstraintSystemRef<Fr>) -> bool| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        assert!(circuit(cs.clone()), "synthesis");
        cs.num_constraints()
    };
    for p in [
        common::params()?,
        SolvencyParams::new(2, 4, 1)?,
        SolvencyParams::new(2, 2, 8)?,
    ] {
        let book = committed_with(p)?;
        let batch = book.batch_circuit(0)?;
        let top = book.top_circuit();
        let inclusion = book.inclusion_circuit("alice")?;
        let halo2_batch = SolvencyBatchCircuit(batch.clone());
        let halo2_top = SolvencyTopCircuit(top.clone());
        let halo2_inclusion = SolvencyInclusionCircuit(inclusion.clone());
        let rows = [
            rows_needed(&halo2_batch)?,
            rows_needed(&halo2_top)?,
            rows_needed(&halo2_inclusion)?,
        ];
        let ks = [
            fitting_k(&halo2_batch)?,
            fitting_k(&halo2_top)?,
            fitting_k(&halo2_inclusion)?,
        ];
        let r1cs = [
            constraints(&|cs| batch.clone().generate_constraints(cs).is_ok()),
            constraints(&|cs| top.clone().generate_constraints(cs).is_ok()),
            constraints(&|cs| inclusion.clone().generate_constraints(cs).is_ok()),
        ];
        for (i, name) in ["batch", "top", "inclusion"].into_iter().enumerate() {
            assert!(rows[i] < 1 << ks[i], "{name}: rows fit 2^k");
            eprintln!(
                "K = {}, b = {}, t = {}: {name:9} halo2 {:6} rows (k = {:2}), R1CS {:7} constraints",
                p.assets(),
                p.batch_bits(),
                p.top_bits(),
                rows[i],
                ks[i],
                r1cs[i]
            );
        }
    }
    Ok(())
}

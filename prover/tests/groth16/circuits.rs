//! Small test circuits.

use ark_ff::Field;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, SynthesisError, Variable, lc,
};
use bulwark_prover::{Fr, ProvingKey, dev_setup_insecure};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

/// Seed of the dev setup all tests share.
pub const SEED: u64 = 7;

/// Private `x, y`; public `a = x·y`, `b = x + y`, `c = x³` (allocated in that order).
///
/// R1CS rows: 0: `x · y = a`; 1 (in namespace `sum`): `(x + y) · 1 = b` (or `(x − y) · 1 = b` when `difference`);
/// 2: `x · x = x2`; 3: `x2 · x = c`.
#[derive(Clone, Debug, Default)]
pub struct Demo {
    /// `(x, y)`, `None` for setup.
    pub witness: Option<(Fr, Fr)>,
    /// `(a, b, c)` as claimed; `None` means computed honestly from the witness.
    pub claimed: Option<[Fr; 3]>,
    /// Uses `x − y` in row 1: same shape as `Demo`, different constraints.
    pub difference: bool,
}

impl Demo {
    /// A circuit with an honest witness.
    pub fn honest(x: u64, y: u64) -> Self {
        Self {
            witness: Some((Fr::from(x), Fr::from(y))),
            ..Self::default()
        }
    }

    /// The public inputs the honest witness produces.
    pub fn public(x: u64, y: u64) -> Vec<Fr> {
        let (x, y) = (Fr::from(x), Fr::from(y));
        vec![x * y, x + y, x.pow([3])]
    }
}

impl ConstraintSynthesizer<Fr> for Demo {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let sign = if self.difference { -Fr::ONE } else { Fr::ONE };
        let honest = self.witness.map(|(x, y)| [x * y, x + sign * y, x.pow([3])]);
        let claimed = self.claimed.or(honest);
        let missing = SynthesisError::AssignmentMissing;
        let w = self.witness;
        let x = cs.new_witness_variable(|| w.map(|w| w.0).ok_or(missing))?;
        let y = cs.new_witness_variable(|| w.map(|w| w.1).ok_or(missing))?;
        let x2 = cs.new_witness_variable(|| w.map(|w| w.0.square()).ok_or(missing))?;
        let input = |i: usize| claimed.map(|c| c[i]).ok_or(missing);
        let a = cs.new_input_variable(|| input(0))?;
        let b = cs.new_input_variable(|| input(1))?;
        let c = cs.new_input_variable(|| input(2))?;
        cs.enforce_r1cs_constraint(|| lc!(x), || lc!(y), || lc!(a))?;
        let sum = ark_relations::ns!(cs, "sum");
        sum.cs().enforce_r1cs_constraint(
            || lc!((Fr::ONE, x), (sign, y)),
            || lc!(Variable::one()),
            || lc!(b),
        )?;
        drop(sum);
        cs.enforce_r1cs_constraint(|| lc!(x), || lc!(x), || lc!(x2))?;
        cs.enforce_r1cs_constraint(|| lc!(x2), || lc!(x), || lc!(c))?;
        Ok(())
    }
}

/// Private `x`; public `x²`: a different shape from [`Demo`].
pub struct Square(pub Fr);

impl ConstraintSynthesizer<Fr> for Square {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let x = cs.new_witness_variable(|| Ok(self.0))?;
        let sq = cs.new_input_variable(|| Ok(self.0.square()))?;
        cs.enforce_r1cs_constraint(|| lc!(x), || lc!(x), || lc!(sq))
    }
}

/// The dev key for [`Demo`] from [`SEED`].
pub fn demo_key() -> ProvingKey {
    dev_setup_insecure(Demo::default(), SEED).expect("dev setup of Demo")
}

/// A deterministic RNG for proving.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

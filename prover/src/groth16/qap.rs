//! A key's R1CS matrices in compressed-row form, and the QAP witness map computed on them.
//!
//! After a key's first proof the prover keeps the matrices that proof was built from (see
//! [`crate::ProvingKey`]), so later proofs synthesize the witness only: no linear combinations
//! are recorded, inlined or turned into matrices, which is most of arkworks' synthesis time.
//! The row products `A·z`, `B·z`, `C·z` are computed once, in parallel, and serve both the
//! witness check and the witness map, whose three transform pipelines run concurrently.

use ark_bn254::Fr;
use ark_ff::{FftField, Field, One};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_relations::gr1cs::SynthesisError;
use ark_relations::utils::matrix::Matrix;
use rayon::prelude::*;

use crate::ProverError;

/// One sparse matrix, its rows stored back to back.
struct Csr {
    /// Row `i`'s entries are `row_start[i]..row_start[i + 1]`.
    row_start: Vec<usize>,
    columns: Vec<u32>,
    coeffs: Vec<Fr>,
}

impl Csr {
    /// `None` when a column index is not below `num_variables` (or does not fit 32 bits).
    fn new(rows: &Matrix<Fr>, num_variables: usize) -> Option<Self> {
        let entries = rows.iter().map(Vec::len).sum();
        let mut csr = Self {
            row_start: Vec::with_capacity(rows.len() + 1),
            columns: Vec::with_capacity(entries),
            coeffs: Vec::with_capacity(entries),
        };
        csr.row_start.push(0);
        for row in rows {
            for &(coeff, column) in row {
                if column >= num_variables {
                    return None;
                }
                csr.columns.push(u32::try_from(column).ok()?);
                csr.coeffs.push(coeff);
            }
            csr.row_start.push(csr.columns.len());
        }
        Some(csr)
    }

    fn rows(&self) -> usize {
        self.row_start.len() - 1
    }

    /// `⟨row i, z⟩`; `z` holds every variable (checked by [`R1csMatrices::products`]).
    fn dot(&self, i: usize, z: &[Fr]) -> Fr {
        let range = self.row_start[i]..self.row_start[i + 1];
        self.columns[range.clone()]
            .iter()
            .zip(&self.coeffs[range])
            .map(|(&column, coeff)| {
                let value = z[column as usize];
                if coeff.is_one() { value } else { value * coeff }
            })
            .sum()
    }

    fn memory_bytes(&self) -> usize {
        self.row_start.len() * size_of::<usize>()
            + self.columns.len() * (size_of::<u32>() + size_of::<Fr>())
    }
}

/// The R1CS `A·z ∘ B·z = C·z` of one circuit: one row per constraint over the variables
/// `z = (1, public inputs, witnesses)`.
pub(crate) struct R1csMatrices {
    a: Csr,
    b: Csr,
    c: Csr,
    num_variables: usize,
}

impl std::fmt::Debug for R1csMatrices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("R1csMatrices")
            .field("num_constraints", &self.num_constraints())
            .field("num_variables", &self.num_variables)
            .finish_non_exhaustive()
    }
}

fn synthesis(source: SynthesisError) -> ProverError {
    ProverError::Synthesis {
        stage: "prove",
        source,
    }
}

impl R1csMatrices {
    /// Compresses arkworks' `[A, B, C]` over `num_variables` variables.
    ///
    /// # Errors
    /// [`ProverError::Synthesis`] when there are not three matrices of equal height, or an
    /// entry names a variable that does not exist.
    pub(crate) fn from_arkworks(
        r1cs: &[Matrix<Fr>],
        num_variables: usize,
    ) -> Result<Self, ProverError> {
        let [a, b, c] = r1cs else {
            return Err(synthesis(SynthesisError::ArityMismatch));
        };
        if a.len() != b.len() || a.len() != c.len() {
            return Err(synthesis(SynthesisError::ArityMismatch));
        }
        let compress = |m| Csr::new(m, num_variables).ok_or(SynthesisError::AssignmentMissing);
        Ok(Self {
            a: compress(a).map_err(synthesis)?,
            b: compress(b).map_err(synthesis)?,
            c: compress(c).map_err(synthesis)?,
            num_variables,
        })
    }

    /// Number of constraints (rows).
    pub(crate) fn num_constraints(&self) -> usize {
        self.a.rows()
    }

    /// Heap bytes held by the three matrices.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.a.memory_bytes() + self.b.memory_bytes() + self.c.memory_bytes()
    }

    /// `[A·z, B·z, C·z]`, each zero-padded to `len ≥` the number of constraints.
    ///
    /// # Errors
    /// [`ProverError::KeyMismatch`] when `z` does not hold exactly the matrices' variables.
    pub(crate) fn products(&self, z: &[Fr], len: usize) -> Result<[Vec<Fr>; 3], ProverError> {
        if z.len() != self.num_variables {
            return Err(ProverError::KeyMismatch {
                what: "number of variables",
                circuit: z.len(),
                key: self.num_variables,
            });
        }
        let product = |m: &Csr| {
            let mut out = vec![Fr::from(0u64); len.max(m.rows())];
            out[..m.rows()]
                .par_iter_mut()
                .enumerate()
                .for_each(|(i, v)| *v = m.dot(i, z));
            out
        };
        let (a, (b, c)) = rayon::join(
            || product(&self.a),
            || rayon::join(|| product(&self.b), || product(&self.c)),
        );
        Ok([a, b, c])
    }
}

/// Index of the first of the `rows` constraints whose products disagree: `a·b ≠ c`.
pub(crate) fn first_unsatisfied([a, b, c]: &[Vec<Fr>; 3], rows: usize) -> Option<usize> {
    (0..rows)
        .into_par_iter()
        .find_first(|&i| a[i] * b[i] != c[i])
}

/// The QAP quotient's coefficients from the row products (zero-padded to the domain size)
/// and `inputs` = `(1, public inputs)`: arkworks' libsnark reduction
/// (`LibsnarkReduction::witness_map_from_matrices`), same result, with the three
/// interpolate-then-coset-evaluate pipelines of `a`, `b` and `c` run concurrently.
///
/// The inputs are appended to `a` below row `num_constraints` (libsnark's trick making the
/// input polynomials linearly independent), so `a`'s length must be at least
/// `num_constraints + inputs.len()`, and every product must have the domain's size.
pub(crate) fn quotient(
    domain: &GeneralEvaluationDomain<Fr>,
    [mut a, mut b, mut c]: [Vec<Fr>; 3],
    inputs: &[Fr],
    num_constraints: usize,
) -> Vec<Fr> {
    a[num_constraints..num_constraints + inputs.len()].copy_from_slice(inputs);
    // A power-of-two domain over Fr always has the field generator's coset.
    let coset = domain
        .get_coset(Fr::GENERATOR)
        .unwrap_or_else(|| unreachable!("Fr's multiplicative generator is a valid coset shift"));
    let to_coset = |v: &mut Vec<Fr>| {
        domain.ifft_in_place(v);
        coset.fft_in_place(v);
    };
    rayon::join(
        || rayon::join(|| to_coset(&mut a), || to_coset(&mut b)),
        || to_coset(&mut c),
    );
    // On the coset, t(x) = xⁿ − 1 is the constant gⁿ − 1.
    let t_inverse = domain
        .evaluate_vanishing_polynomial(Fr::GENERATOR)
        .inverse()
        .unwrap_or_else(|| unreachable!("the generator's coset is disjoint from the domain"));
    a.par_iter_mut()
        .zip(&b)
        .zip(&c)
        .for_each(|((a, b), c)| *a = (*a * b - c) * t_inverse);
    drop((b, c));
    coset.ifft_in_place(&mut a);
    a
}

#[cfg(test)]
mod tests {
    use ark_ff::UniformRand;
    use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
    use rand::{Rng, SeedableRng};

    use super::*;

    /// A random R1CS of `rows` constraints over `vars` variables, and a random assignment.
    fn random_r1cs(rows: usize, vars: usize, seed: u64) -> (Vec<Matrix<Fr>>, Vec<Fr>) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let mut matrix = || -> Matrix<Fr> {
            (0..rows)
                .map(|_| {
                    (0..rng.gen_range(0..5))
                        .map(|_| {
                            let coeff = if rng.gen_bool(0.5) {
                                Fr::one()
                            } else {
                                Fr::rand(&mut rng)
                            };
                            (coeff, rng.gen_range(0..vars))
                        })
                        .collect()
                })
                .collect()
        };
        let matrices = vec![matrix(), matrix(), matrix()];
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed + 1);
        let mut z: Vec<Fr> = (0..vars).map(|_| Fr::rand(&mut rng)).collect();
        z[0] = Fr::one();
        (matrices, z)
    }

    #[test]
    fn quotient_matches_arkworks_witness_map() {
        // Sizes that leave the domain just filled, half empty, and with one spare row.
        for (rows, inputs, vars, seed) in [(60, 4, 50, 1), (33, 3, 40, 2), (120, 7, 200, 3)] {
            let (matrices, z) = random_r1cs(rows, vars, seed);
            let expected = LibsnarkReduction::witness_map_from_matrices::<
                Fr,
                GeneralEvaluationDomain<Fr>,
            >(&matrices, inputs, rows, &z)
            .expect("arkworks witness map");

            let r1cs = R1csMatrices::from_arkworks(&matrices, vars).expect("compress");
            assert_eq!(r1cs.num_constraints(), rows);
            let domain = GeneralEvaluationDomain::<Fr>::new(rows + inputs).expect("domain");
            let products = r1cs.products(&z, domain.size()).expect("products");
            let h = quotient(&domain, products, &z[..inputs], rows);
            assert_eq!(h, expected, "{rows} rows, {inputs} inputs");
        }
    }

    #[test]
    fn products_are_row_dot_products_and_locate_the_first_failing_row() {
        let (matrices, mut z) = random_r1cs(20, 10, 4);
        let r1cs = R1csMatrices::from_arkworks(&matrices, 10).expect("compress");
        let products = r1cs.products(&z, 32).expect("products");
        for (m, p) in matrices.iter().zip(&products) {
            assert_eq!(p.len(), 32);
            for (i, row) in m.iter().enumerate() {
                let dot: Fr = row.iter().map(|&(k, v)| k * z[v]).sum();
                assert_eq!(p[i], dot, "row {i}");
            }
            assert!(p[20..].iter().all(|v| *v == Fr::from(0u64)));
        }
        // Random rows: the first failing one is the first whose a·b ≠ c.
        let naive = (0..20).find(|&i| products[0][i] * products[1][i] != products[2][i]);
        assert_eq!(first_unsatisfied(&products, 20), naive);

        // One satisfied system: A = B = C = identity rows over a boolean assignment.
        let eye: Matrix<Fr> = (0..10).map(|i| vec![(Fr::one(), i)]).collect();
        let bits =
            R1csMatrices::from_arkworks(&[eye.clone(), eye.clone(), eye], 10).expect("compress");
        z = (0..10).map(|i| Fr::from(u64::from(i % 3 == 0))).collect();
        let products = bits.products(&z, 16).expect("products");
        assert_eq!(first_unsatisfied(&products, 10), None);
        z[7] = Fr::from(2u64);
        let products = bits.products(&z, 16).expect("products");
        assert_eq!(first_unsatisfied(&products, 10), Some(7));
    }

    #[test]
    fn malformed_matrices_and_assignments_are_typed_errors() {
        let (matrices, z) = random_r1cs(8, 6, 5);
        assert!(R1csMatrices::from_arkworks(&matrices[..2], 6).is_err());
        assert!(
            R1csMatrices::from_arkworks(&matrices, 3).is_err(),
            "columns out of range"
        );
        let r1cs = R1csMatrices::from_arkworks(&matrices, 6).expect("compress");
        assert!(matches!(
            r1cs.products(&z[..5], 8),
            Err(ProverError::KeyMismatch {
                what: "number of variables",
                circuit: 5,
                key: 6
            })
        ));
    }
}

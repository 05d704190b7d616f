//! A proving key's query vectors in an MSM engine's prepared layout.

use ark_bn254::{Fr, G1Projective, G2Projective, g1, g2};
use ark_ec::short_weierstrass::Affine;

use crate::msm::{Bn254MsmEngine, MsmEngine, MsmError};

/// The five Groth16 query vectors of one proving key, prepared by engine `E`: `A`, `B` in G1
/// and G2 (indexed by all variables, the constant first), `H` (one per QAP-domain power but
/// the last) and `L` (one per witness variable).
pub(crate) struct PreparedQueries<E: Bn254MsmEngine> {
    pub(crate) a: <E as MsmEngine<g1::Config>>::Bases,
    pub(crate) b_g1: <E as MsmEngine<g1::Config>>::Bases,
    pub(crate) b_g2: <E as MsmEngine<g2::Config>>::Bases,
    pub(crate) h: <E as MsmEngine<g1::Config>>::Bases,
    pub(crate) l: <E as MsmEngine<g1::Config>>::Bases,
}

impl<E: Bn254MsmEngine> std::fmt::Debug for PreparedQueries<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedQueries").finish_non_exhaustive()
    }
}

fn prepare_g1<E: Bn254MsmEngine>(
    engine: &E,
    q: &[Affine<g1::Config>],
) -> <E as MsmEngine<g1::Config>>::Bases {
    MsmEngine::<g1::Config>::prepare(engine, q.to_vec())
}

impl<E: Bn254MsmEngine> PreparedQueries<E> {
    /// Prepares every query of `pk` (the five preparations run concurrently).
    pub(crate) fn new(engine: &E, pk: &ark_groth16::ProvingKey<ark_bn254::Bn254>) -> Self {
        let ((a, b_g1), (b_g2, (h, l))) = rayon::join(
            || {
                rayon::join(
                    || prepare_g1(engine, &pk.a_query),
                    || prepare_g1(engine, &pk.b_g1_query),
                )
            },
            || {
                rayon::join(
                    || MsmEngine::<g2::Config>::prepare(engine, pk.b_g2_query.clone()),
                    || {
                        rayon::join(
                            || prepare_g1(engine, &pk.h_query),
                            || prepare_g1(engine, &pk.l_query),
                        )
                    },
                )
            },
        );
        Self {
            a,
            b_g1,
            b_g2,
            h,
            l,
        }
    }

    /// The five MSMs of one proof, run concurrently: `full` = `(1, inputs, witnesses)`,
    /// `aux` = the witnesses, `h` = the QAP quotient's coefficients (at least as many as the
    /// H query).
    pub(crate) fn msms(
        &self,
        engine: &E,
        full: &[Fr],
        aux: &[Fr],
        h: &[Fr],
    ) -> Result<QueryMsms, MsmError> {
        let h = &h[..MsmEngine::<g1::Config>::len(engine, &self.h).min(h.len())];
        let msm_g1 = |bases: &<E as MsmEngine<g1::Config>>::Bases, scalars: &[Fr]| {
            MsmEngine::<g1::Config>::msm(engine, bases, scalars)
        };
        let ((a, b_g1), (b_g2, (h, l))) = rayon::join(
            || rayon::join(|| msm_g1(&self.a, full), || msm_g1(&self.b_g1, full)),
            || {
                rayon::join(
                    || MsmEngine::<g2::Config>::msm(engine, &self.b_g2, full),
                    || rayon::join(|| msm_g1(&self.h, h), || msm_g1(&self.l, aux)),
                )
            },
        );
        Ok(QueryMsms {
            a: a?,
            b_g1: b_g1?,
            b_g2: b_g2?,
            h: h?,
            l: l?,
        })
    }
}

/// `Σ zᵢ·Qᵢ` for each query `Q` of the key.
pub(crate) struct QueryMsms {
    pub(crate) a: G1Projective,
    pub(crate) b_g1: G1Projective,
    pub(crate) b_g2: G2Projective,
    pub(crate) h: G1Projective,
    pub(crate) l: G1Projective,
}

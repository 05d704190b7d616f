//! Cancellable proving: a [`CancelToken`] that [`crate::prove_cancellable`] checks between its
//! stages and, through [`Chunked`], between slices of every long MSM.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ff::Zero;

use crate::ProverError;
use crate::msm::{MsmEngine, MsmError};

/// A flag shared between whoever may cancel a proof and the thread proving it. Clones share
/// the flag; cancelling is permanent.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every holder of this token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether [`CancelToken::cancel`] was called on this token or a clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    /// `Err(ProverError::Cancelled)` once cancelled.
    pub(crate) fn check(&self) -> Result<(), ProverError> {
        if self.is_cancelled() {
            Err(ProverError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Bases per MSM slice of [`crate::prove_cancellable`]. With the five query MSMs sharing two
/// cores, one 2^14-term G2 slice (the slowest kind) takes about a quarter of a second, so a
/// cancelled proof stops well within a second; `cargo bench -p bulwark-benches --bench cancel`
/// measures what slicing costs.
pub const CANCEL_CHUNK: usize = 1 << 14;

/// Wall times of one [`crate::prove_cancellable`] call.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProveTimings {
    /// Constraint synthesis, the witness check and the QAP witness map.
    pub witness: Duration,
    /// The five query MSMs (run concurrently; their wall time together).
    pub msm: Duration,
}

/// An MSM engine that runs `inner` on slices of at most `chunk` bases and stops starting new
/// slices once its token is cancelled.
///
/// A cancelled call returns the sum of the slices done so far, which is meaningless: only
/// [`crate::prove_cancellable`] uses it, and it checks the token after the MSMs and discards
/// the result. Hence crate-private.
#[derive(Clone, Debug, Default)]
pub(crate) struct Chunked<E> {
    inner: E,
    chunk: usize,
    cancel: Option<CancelToken>,
}

impl<E> Chunked<E> {
    /// Slices of `chunk` bases (at least 1), no token.
    pub(crate) fn new(inner: E, chunk: usize) -> Self {
        Self {
            inner,
            chunk: chunk.max(1),
            cancel: None,
        }
    }

    /// The same engine, watching `cancel`.
    pub(crate) fn watching(&self, cancel: CancelToken) -> Self
    where
        E: Clone,
    {
        Self {
            inner: self.inner.clone(),
            chunk: self.chunk,
            cancel: Some(cancel),
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }
}

/// Bases prepared slice by slice by the inner engine.
pub(crate) struct ChunkedBases<B> {
    chunks: Vec<B>,
    len: usize,
}

impl<C: SWCurveConfig, E: MsmEngine<C>> MsmEngine<C> for Chunked<E> {
    type Bases = ChunkedBases<E::Bases>;

    fn prepare(&self, bases: Vec<Affine<C>>) -> Self::Bases {
        ChunkedBases {
            len: bases.len(),
            chunks: bases
                .chunks(self.chunk)
                .map(|slice| self.inner.prepare(slice.to_vec()))
                .collect(),
        }
    }

    fn len(&self, bases: &Self::Bases) -> usize {
        bases.len
    }

    fn msm(
        &self,
        bases: &Self::Bases,
        scalars: &[C::ScalarField],
    ) -> Result<Projective<C>, MsmError> {
        if scalars.len() != bases.len {
            return Err(MsmError::LengthMismatch {
                bases: bases.len,
                scalars: scalars.len(),
            });
        }
        let mut sum = Projective::<C>::zero();
        let mut rest = scalars;
        for chunk in &bases.chunks {
            if self.cancelled() {
                break;
            }
            let (now, later) = rest.split_at(self.inner.len(chunk));
            sum += self.inner.msm(chunk, now)?;
            rest = later;
        }
        Ok(sum)
    }
}

#[cfg(test)]
mod tests {
    use ark_bn254::{Fr, G1Affine, G1Projective, g1};
    use ark_ec::{CurveGroup, VariableBaseMSM};
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    use super::*;
    use crate::msm::Pippenger;

    fn inputs(n: usize) -> (Vec<G1Affine>, Vec<Fr>) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let bases = (0..n)
            .map(|_| G1Projective::rand(&mut rng).into_affine())
            .collect();
        let scalars = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        (bases, scalars)
    }

    #[test]
    fn sliced_msm_equals_the_whole_for_every_slice_boundary() {
        for (n, chunk) in [(0, 4), (1, 4), (7, 3), (8, 4), (9, 4), (33, 1)] {
            let (bases, scalars) = inputs(n);
            let expected = G1Projective::msm(&bases, &scalars).expect("same lengths");
            let engine = Chunked::new(Pippenger::default(), chunk);
            let prepared = MsmEngine::<g1::Config>::prepare(&engine, bases);
            assert_eq!(MsmEngine::<g1::Config>::len(&engine, &prepared), n);
            let got = engine
                .watching(CancelToken::new())
                .msm(&prepared, &scalars)
                .expect("same lengths");
            assert_eq!(got, expected, "n = {n}, chunk = {chunk}");
        }
    }

    #[test]
    fn wrong_scalar_count_is_a_length_mismatch() {
        let (bases, scalars) = inputs(5);
        let engine = Chunked::new(Pippenger::default(), 2);
        let prepared = MsmEngine::<g1::Config>::prepare(&engine, bases);
        assert_eq!(
            engine.msm(&prepared, &scalars[..4]),
            Err(MsmError::LengthMismatch {
                bases: 5,
                scalars: 4
            })
        );
    }

    #[test]
    fn a_cancelled_engine_starts_no_slice() {
        let (bases, scalars) = inputs(6);
        let engine = Chunked::new(Pippenger::default(), 2);
        let prepared = MsmEngine::<g1::Config>::prepare(&engine, bases);
        let token = CancelToken::new();
        token.cancel();
        let got = engine
            .watching(token)
            .msm(&prepared, &scalars)
            .expect("lengths");
        assert!(got.is_zero(), "no slice ran");
    }
}

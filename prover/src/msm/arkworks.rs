//! The baseline engine: arkworks' own Pippenger.

use ark_ec::VariableBaseMSM;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};

use super::{MsmEngine, MsmError, check_lengths};

/// `ark_ec::VariableBaseMSM::msm` behind [`MsmEngine`]: the baseline every other engine is
/// measured against. Prepared bases are the affine points unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArkworksMsm;

impl<C: SWCurveConfig> MsmEngine<C> for ArkworksMsm {
    type Bases = Vec<Affine<C>>;

    fn prepare(&self, bases: Vec<Affine<C>>) -> Self::Bases {
        bases
    }

    fn len(&self, bases: &Self::Bases) -> usize {
        bases.len()
    }

    fn msm(
        &self,
        bases: &Self::Bases,
        scalars: &[C::ScalarField],
    ) -> Result<Projective<C>, MsmError> {
        check_lengths(bases.len(), scalars.len())?;
        Ok(Projective::<C>::msm_unchecked(bases, scalars))
    }
}

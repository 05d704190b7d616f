//! The two representations of a BN254 base field element in the kernels, and how one is chosen.

use std::fmt;
use std::str::FromStr;

use crate::GpuError;

/// Environment variable that forces a [`FieldPath`] (`16` or `32`) when the configuration
/// leaves the choice to the engine.
pub const FIELD_PATH_ENV: &str = "BULWARK_GPU_FIELD";

/// How the kernels hold a BN254 base field element. Both paths compute the same values (the
/// Montgomery form of ark-ff, R = 2^256) and share the storage layout; they differ in speed and
/// in what the adapter must offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldPath {
    /// 16 limbs of 16 bits, one per `u32`: only 32-bit products, so it runs on every adapter.
    Limb16,
    /// 8 limbs of 32 bits with widening `u64` products (a quarter of the limb products);
    /// needs [`wgpu::Features::SHADER_INT64`].
    Limb32,
}

impl FieldPath {
    /// Both paths, narrowest first.
    pub const ALL: [Self; 2] = [Self::Limb16, Self::Limb32];

    /// Limbs per field element (the `limbs` parameter every kernel takes).
    pub fn limbs(self) -> u32 {
        match self {
            Self::Limb16 => 16,
            Self::Limb32 => 8,
        }
    }

    /// Bits per limb.
    pub fn limb_bits(self) -> u32 {
        256 / self.limbs()
    }

    /// Device features the path needs.
    pub fn required_features(self) -> wgpu::Features {
        match self {
            Self::Limb16 => wgpu::Features::empty(),
            Self::Limb32 => wgpu::Features::SHADER_INT64,
        }
    }

    /// The fastest path an adapter offering `features` runs.
    pub fn best_for(features: wgpu::Features) -> Self {
        if features.contains(wgpu::Features::SHADER_INT64) {
            Self::Limb32
        } else {
            Self::Limb16
        }
    }

    /// Resolves a requested path: `requested`, else [`FIELD_PATH_ENV`] when set, else
    /// [`FieldPath::best_for`]. A path the adapter cannot run is [`GpuError::MissingFeature`];
    /// an unparsable [`FIELD_PATH_ENV`] is [`GpuError::BadFieldPath`].
    pub fn resolve(requested: Option<Self>, features: wgpu::Features) -> Result<Self, GpuError> {
        let path = match requested {
            Some(path) => path,
            None => match std::env::var(FIELD_PATH_ENV) {
                Ok(value) => value.parse()?,
                Err(_) => Self::best_for(features),
            },
        };
        if features.contains(path.required_features()) {
            Ok(path)
        } else {
            Err(GpuError::MissingFeature {
                path,
                feature: "SHADER_INT64",
            })
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Limb16 => f.write_str("16-bit limbs"),
            Self::Limb32 => f.write_str("32-bit limbs, u64 products"),
        }
    }
}

impl FromStr for FieldPath {
    type Err = GpuError;

    /// `16` or `32`, the limb width in bits.
    fn from_str(s: &str) -> Result<Self, GpuError> {
        match s.trim() {
            "16" => Ok(Self::Limb16),
            "32" => Ok(Self::Limb32),
            other => Err(GpuError::BadFieldPath(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_limb_widths() {
        assert_eq!("16".parse::<FieldPath>().ok(), Some(FieldPath::Limb16));
        assert_eq!(" 32".parse::<FieldPath>().ok(), Some(FieldPath::Limb32));
        assert!(matches!(
            "64".parse::<FieldPath>(),
            Err(GpuError::BadFieldPath(s)) if s == "64"
        ));
    }

    #[test]
    fn checks_adapter_features() {
        let none = wgpu::Features::empty();
        let int64 = wgpu::Features::SHADER_INT64;
        assert_eq!(FieldPath::best_for(none), FieldPath::Limb16);
        assert_eq!(FieldPath::best_for(int64), FieldPath::Limb32);
        assert!(matches!(
            FieldPath::resolve(Some(FieldPath::Limb32), none),
            Err(GpuError::MissingFeature {
                path: FieldPath::Limb32,
                ..
            })
        ));
        for path in FieldPath::ALL {
            assert_eq!(FieldPath::resolve(Some(path), int64).ok(), Some(path));
        }
    }
}

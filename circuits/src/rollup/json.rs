//! JSON encodings of field elements (decimal strings, the snarkjs convention), points
//! (`["x", "y"]`) and signatures (`{"r8": ["x", "y"], "s": "…"}`).

use ark_ff::PrimeField;
use num_bigint::BigUint;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

use super::RollupError;
use crate::Fr;
use crate::babyjubjub::Point;
use crate::eddsa::Signature;

/// The decimal string of a field element.
pub(crate) fn to_decimal(f: &Fr) -> String {
    BigUint::from(f.into_bigint()).to_string()
}

/// Parses a decimal string below the modulus.
pub(crate) fn from_decimal(s: &str) -> Result<Fr, RollupError> {
    let n = BigUint::parse_bytes(s.as_bytes(), 10)
        .filter(|n| *n < BigUint::from(Fr::MODULUS))
        .ok_or_else(|| RollupError::InvalidFieldElement(s.to_owned()))?;
    Ok(Fr::from(n))
}

/// `#[serde(with = "fr")]`: a field element as a decimal string.
pub(crate) mod fr {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(f: &Fr, s: S) -> Result<S::Ok, S::Error> {
        to_decimal(f).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Fr, D::Error> {
        from_decimal(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// `#[serde(with = "point")]`: a point as `["x", "y"]`.
pub(crate) mod point {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(p: &Point, s: S) -> Result<S::Ok, S::Error> {
        [to_decimal(&p.x), to_decimal(&p.y)].serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Point, D::Error> {
        let [x, y] = <[String; 2]>::deserialize(d)?;
        let x = from_decimal(&x).map_err(D::Error::custom)?;
        let y = from_decimal(&y).map_err(D::Error::custom)?;
        Ok(Point::new(x, y))
    }
}

/// `#[serde(with = "signature")]`: `{"r8": ["x", "y"], "s": "…"}`.
pub(crate) mod signature {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Repr {
        #[serde(with = "point")]
        r8: Point,
        #[serde(with = "fr")]
        s: Fr,
    }

    pub(crate) fn serialize<S: Serializer>(sig: &Signature, s: S) -> Result<S::Ok, S::Error> {
        Repr {
            r8: sig.r8,
            s: sig.s,
        }
        .serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Signature, D::Error> {
        let Repr { r8, s } = Repr::deserialize(d)?;
        Ok(Signature { r8, s })
    }
}

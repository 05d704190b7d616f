//! The shape every solvency key is generated for.

use super::SolvencyError;
use crate::merkle::MAX_DEPTH;

/// The shape of a solvency proof: `K` assets, batches of `2^b` users, `2^t` batches; the
/// book's sum tree has depth `d = b + t`. Keys are generated per shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SolvencyParams {
    assets: usize,
    batch_bits: usize,
    top_bits: usize,
}

impl SolvencyParams {
    /// Validates `assets >= 1`, `batch_bits >= 1` and `batch_bits + top_bits <= 32`.
    pub fn new(assets: usize, batch_bits: usize, top_bits: usize) -> Result<Self, SolvencyError> {
        if assets == 0 || batch_bits == 0 || batch_bits + top_bits > MAX_DEPTH {
            return Err(SolvencyError::InvalidParams {
                assets,
                batch_bits,
                top_bits,
            });
        }
        Ok(Self {
            assets,
            batch_bits,
            top_bits,
        })
    }

    /// The number of assets `K`.
    pub fn assets(&self) -> usize {
        self.assets
    }

    /// `b`: a batch holds `2^b` leaves.
    pub fn batch_bits(&self) -> usize {
        self.batch_bits
    }

    /// `t`: the book has `2^t` batches.
    pub fn top_bits(&self) -> usize {
        self.top_bits
    }

    /// The depth `d = b + t` of the book's sum tree.
    pub fn depth(&self) -> usize {
        self.batch_bits + self.top_bits
    }

    /// Leaves per batch, `2^b`.
    pub fn batch_size(&self) -> usize {
        1 << self.batch_bits
    }

    /// Batches, `2^t`.
    pub fn batches(&self) -> usize {
        1 << self.top_bits
    }

    /// Users the book can hold, `2^d`.
    pub fn capacity(&self) -> u64 {
        1 << self.depth()
    }
}

//! Typed errors: every rejected batch names the operation index and the broken rule.

use crate::eddsa::EddsaError;
use crate::merkle::MerkleError;

/// Why a batch, a state or a parameter set was rejected.
#[derive(Debug, thiserror::Error)]
pub enum RollupError {
    /// The tree depth is outside `1..=32`.
    #[error("rollup depth {depth} is outside 1..=32")]
    InvalidDepth {
        /// The requested depth.
        depth: usize,
    },
    /// A batch must hold at least one slot.
    #[error("batch size must be at least 1")]
    ZeroBatchSize,
    /// The state's tree depth differs from the parameters'.
    #[error("state has depth {state}, parameters say {params}")]
    DepthMismatch {
        /// The state's depth.
        state: usize,
        /// The parameters' depth.
        params: usize,
    },
    /// The batch holds more operations than the circuit has slots.
    #[error("batch has {len} operations, more than the batch size {max}")]
    BatchTooLarge {
        /// Operations in the batch.
        len: usize,
        /// Slots per batch.
        max: usize,
    },
    /// One operation breaks a rule.
    #[error("operation {index}: {rule}")]
    Operation {
        /// The operation's position in the batch.
        index: usize,
        /// The broken rule.
        rule: Rule,
    },
    /// The batch's operator (the fee recipient) has no account.
    #[error("operator account {operator} does not exist")]
    UnknownOperator {
        /// The operator's account index.
        operator: u64,
    },
    /// The operator's account is out of the tree's range.
    #[error("operator index {operator} is out of range for depth {depth}")]
    OperatorOutOfRange {
        /// The operator's account index.
        operator: u64,
        /// The tree depth.
        depth: usize,
    },
    /// Crediting the batch's fees would overflow the operator's 64-bit balance.
    #[error("operator balance {balance} plus fees {fees} overflows 64 bits")]
    OperatorOverflow {
        /// The operator's balance before the credit.
        balance: u64,
        /// The batch's fee total.
        fees: u128,
    },
    /// A state file lists one account index twice.
    #[error("account {index} listed twice")]
    DuplicateAccount {
        /// The repeated index.
        index: u64,
    },
    /// A decimal field element in JSON is malformed or not below the modulus.
    #[error("invalid field element {0:?}: expected a decimal string below the BN254 modulus")]
    InvalidFieldElement(String),
    /// A witness does not have the shape (depth, slots) of the circuit's parameters.
    #[error("witness shape does not match parameters: {0}")]
    WitnessShape(&'static str),
    /// A sample needs `2 <= accounts < 2^depth`.
    #[error("a sample needs 2 <= accounts < 2^depth; got {accounts} accounts at depth {depth}")]
    SampleSize {
        /// The requested number of accounts.
        accounts: u64,
        /// The tree depth.
        depth: usize,
    },
    /// A tree operation failed.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
}

/// The rule an operation breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rule {
    /// An account index does not fit the tree.
    #[error("account index {index} is out of range for depth {depth}")]
    IndexOutOfRange {
        /// The offending index.
        index: u64,
        /// The tree depth.
        depth: usize,
    },
    /// The operation names an account that does not exist.
    #[error("account {index} does not exist")]
    UnknownAccount {
        /// The missing account.
        index: u64,
    },
    /// The signature does not verify under the sender's key.
    #[error("bad signature: {0}")]
    BadSignature(EddsaError),
    /// The operation's nonce is not the sender's current nonce (a replay, or out of order).
    #[error("wrong nonce: expected {expected}, got {got}")]
    WrongNonce {
        /// The sender's current nonce.
        expected: u64,
        /// The nonce in the operation.
        got: u64,
    },
    /// The sender's nonce is `u64::MAX` and cannot be incremented.
    #[error("nonce {nonce} cannot be incremented")]
    NonceOverflow {
        /// The sender's nonce.
        nonce: u64,
    },
    /// The sender cannot pay `amount + fee`.
    #[error("insufficient balance: has {balance}, needs {needed}")]
    InsufficientBalance {
        /// The sender's balance.
        balance: u64,
        /// `amount + fee`.
        needed: u128,
    },
    /// Crediting the receiver would overflow its 64-bit balance.
    #[error("balance overflow: {balance} + {amount} exceeds 64 bits")]
    BalanceOverflow {
        /// The receiver's balance.
        balance: u64,
        /// The credited amount.
        amount: u64,
    },
    /// A deposit targets an existing account whose key differs from the deposit's key.
    #[error("deposit to account {index}, which belongs to another key")]
    DepositToAnotherKey {
        /// The targeted account.
        index: u64,
    },
    /// A deposit would create an account under the reserved no-op signing key.
    #[error("deposit key is the reserved no-op signing key")]
    ReservedKey,
    /// A withdrawal's L1 address does not fit 160 bits.
    #[error("L1 address does not fit 160 bits")]
    L1AddressTooLarge,
}

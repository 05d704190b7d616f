//! The rollup state: the account tree and the accounts behind its leaves.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::tree::AccountTree;
use super::{Account, AccountPath, RollupError};
use crate::Fr;

/// Accounts by index and the tree over their leaves; the two always agree.
///
/// JSON: `{"depth": 24, "accounts": [{"index": 0, "public_key": ["x", "y"], "balance": 5,
/// "nonce": 0}, …]}` with key coordinates as decimal strings; loading rebuilds the tree.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "StateRepr", into = "StateRepr")]
pub struct State {
    tree: AccountTree,
    accounts: BTreeMap<u64, Account>,
}

#[derive(Serialize, Deserialize)]
struct StateRepr {
    depth: usize,
    accounts: Vec<IndexedAccount>,
}

#[derive(Serialize, Deserialize)]
struct IndexedAccount {
    index: u64,
    #[serde(flatten)]
    account: Account,
}

impl TryFrom<StateRepr> for State {
    type Error = RollupError;

    fn try_from(repr: StateRepr) -> Result<Self, RollupError> {
        Self::from_accounts(
            repr.depth,
            repr.accounts.into_iter().map(|a| (a.index, a.account)),
        )
    }
}

impl From<State> for StateRepr {
    fn from(state: State) -> Self {
        Self {
            depth: state.depth(),
            accounts: state
                .accounts
                .into_iter()
                .map(|(index, account)| IndexedAccount { index, account })
                .collect(),
        }
    }
}

impl State {
    /// An empty state with a tree of `depth` (`1..=32`).
    pub fn new(depth: usize) -> Result<Self, RollupError> {
        Ok(Self {
            tree: AccountTree::new(depth)?,
            accounts: BTreeMap::new(),
        })
    }

    /// A state holding `accounts`, hashed in parallel; errors on a repeated or out-of-range index.
    pub fn from_accounts(
        depth: usize,
        accounts: impl IntoIterator<Item = (u64, Account)>,
    ) -> Result<Self, RollupError> {
        let mut map = BTreeMap::new();
        for (index, account) in accounts {
            if map.insert(index, account).is_some() {
                return Err(RollupError::DuplicateAccount { index });
            }
        }
        let leaves = map.iter().map(|(i, a)| (*i, a.leaf())).collect();
        Ok(Self {
            tree: AccountTree::build(depth, leaves)?,
            accounts: map,
        })
    }

    /// Inserts or replaces the account at `index`.
    pub fn insert(&mut self, index: u64, account: Account) -> Result<(), RollupError> {
        self.tree.set(index, account.leaf())?;
        self.accounts.insert(index, account);
        Ok(())
    }

    /// The account at `index`, if any.
    pub fn get(&self, index: u64) -> Option<&Account> {
        self.accounts.get(&index)
    }

    /// All accounts by index.
    pub fn accounts(&self) -> &BTreeMap<u64, Account> {
        &self.accounts
    }

    /// The tree root.
    pub fn root(&self) -> Fr {
        self.tree.root()
    }

    /// The tree depth.
    pub fn depth(&self) -> usize {
        self.tree.depth()
    }

    /// The leaf at `index` (`0` if empty).
    pub fn leaf(&self, index: u64) -> Result<Fr, RollupError> {
        self.tree.leaf(index)
    }

    /// The inclusion path of `index`.
    pub fn path(&self, index: u64) -> Result<AccountPath, RollupError> {
        self.tree.path(index)
    }
}

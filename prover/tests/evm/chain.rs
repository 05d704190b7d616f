//! Chains with the example contracts deployed: the rollup (with circomlib's Poseidon) and
//! the solvency contracts, and the calls the tests and the gas table make on them.

use bulwark_circuits::{rollup::RollupParams, solvency::SolvencyParams};
use bulwark_prover::{
    Fr, Proof, VerifyingKey,
    solidity::{field_word, proof_calldata, rollup_example, solvency_example},
};
use revm::primitives::Address;

use crate::support::{
    Arg, Evm, Outcome, Word, address_word, calldata, compile, encode_args, poseidon_bytecode, word,
};

/// The two Poseidon contracts and a `RollupExample` (which is also its own verifier).
pub struct Rollup {
    /// The chain.
    pub evm: Evm,
    /// circomlib Poseidon with 2 inputs.
    pub poseidon2: Address,
    /// circomlib Poseidon with 4 inputs.
    pub poseidon4: Address,
    /// `RollupExample`.
    pub rollup: Address,
}

impl Rollup {
    /// Deploys the contracts for `vk` and `params`, with state root `genesis`.
    pub fn deploy(vk: &VerifyingKey, params: &RollupParams, genesis: Fr) -> Self {
        let mut evm = Evm::new();
        let (p2, p4) = poseidon_bytecode();
        let poseidon2 = evm.deploy(p2);
        let poseidon4 = evm.deploy(p4);
        let sources = rollup_example(vk, params).expect("generate the rollup contracts");
        let mut code = compile(&sources).remove("RollupExample").expect("bytecode");
        code.extend(encode_args(&[
            Arg::Word(field_word(&genesis)),
            Arg::Word(address_word(poseidon2)),
            Arg::Word(address_word(poseidon4)),
        ]));
        let rollup = evm.deploy(code);
        Self {
            evm,
            poseidon2,
            poseidon4,
            rollup,
        }
    }

    /// `stateRoot()`.
    pub fn state_root(&mut self) -> Word {
        let data = calldata("stateRoot()", &[]);
        self.evm.call(self.rollup, data).returned_word()
    }

    /// `submitBatch(newRoot, l1Data, proof)`.
    pub fn submit(&mut self, new_root: Word, l1_data: Vec<Word>, proof: Vec<u8>) -> Outcome {
        let data = calldata(
            "submitBatch(uint256,uint256[],bytes)",
            &[Arg::Word(new_root), Arg::Array(l1_data), Arg::Bytes(proof)],
        );
        self.evm.call(self.rollup, data)
    }

    /// `poseidon(uint256[n])` on 1, 2, ..., n through the contract for `n` = 2 or 4.
    pub fn poseidon(&mut self, n: u64) -> Outcome {
        let to = if n == 2 {
            self.poseidon2
        } else {
            self.poseidon4
        };
        let data = calldata(
            &format!("poseidon(uint256[{n}])"),
            &[Arg::Fixed((1..=n).map(word).collect())],
        );
        self.evm.call(to, data)
    }
}

/// Calls a generated verifier's `verifyProof(proof, inputs)` as a transaction; returns the
/// outcome and the calldata (for the floor's calldata term).
pub fn verify_proof(
    evm: &mut Evm,
    verifier: Address,
    proof: &Proof,
    inputs: &[Fr],
) -> (Outcome, Vec<u8>) {
    let data = calldata(
        &format!("verifyProof(bytes,uint256[{}])", inputs.len()),
        &[
            Arg::Bytes(proof_calldata(proof).to_vec()),
            Arg::Fixed(inputs.iter().map(field_word).collect()),
        ],
    );
    (evm.call(verifier, data.clone()), data)
}

/// A `SolvencyExample` (deployed by [`crate::support::CALLER`], its custodian) and the two
/// verifiers its constructor deployed.
pub struct Solvency {
    /// The chain.
    pub evm: Evm,
    /// `SolvencyExample`.
    pub contract: Address,
    /// Its `topVerifier()`.
    pub top_verifier: Address,
    /// Its `inclusionVerifier()`.
    pub inclusion_verifier: Address,
    assets: usize,
}

impl Solvency {
    /// Deploys the contracts for the solvency keys of `params`.
    pub fn deploy(
        top_vk: &VerifyingKey,
        inclusion_vk: &VerifyingKey,
        params: &SolvencyParams,
    ) -> Self {
        let mut evm = Evm::new();
        let sources = solvency_example(top_vk, inclusion_vk, params).expect("generate");
        let code = compile(&sources)
            .remove("SolvencyExample")
            .expect("bytecode");
        let contract = evm.deploy(code);
        let mut getter = |name: &str| {
            let out = evm.view(contract, calldata(&format!("{name}()"), &[]));
            Address::from_slice(&out.returned_word()[12..])
        };
        let top_verifier = getter("topVerifier");
        let inclusion_verifier = getter("inclusionVerifier");
        Self {
            evm,
            contract,
            top_verifier,
            inclusion_verifier,
            assets: params.assets(),
        }
    }

    /// The calldata of `publish(bookCommitment, batchDigest, reserves, proof)`.
    pub fn publish_calldata(
        &self,
        commitment: Word,
        digest: Word,
        reserves: &[Word],
        proof: &[u8],
    ) -> Vec<u8> {
        assert_eq!(reserves.len(), self.assets, "one reserve per asset");
        calldata(
            &format!("publish(uint256,uint256,uint128[{}],bytes)", self.assets),
            &[
                Arg::Word(commitment),
                Arg::Word(digest),
                Arg::Fixed(reserves.to_vec()),
                Arg::Bytes(proof.to_vec()),
            ],
        )
    }

    /// `publish(...)` from the custodian, with the top proof's public inputs
    /// `[C, digest, R_1..R_K]` as words.
    pub fn publish(&mut self, inputs: &[Word], proof: &[u8]) -> Outcome {
        let data = self.publish_calldata(inputs[0], inputs[1], &inputs[2..], proof);
        self.evm.call(self.contract, data)
    }

    /// `publicationCount()`.
    pub fn publication_count(&mut self) -> Word {
        let data = calldata("publicationCount()", &[]);
        self.evm.view(self.contract, data).returned_word()
    }

    /// `verifyInclusion(idHash, balances, proof)` through eth_call, with the inclusion
    /// proof's public inputs after `C` (`[id_hash, b_1..b_K]`) as words.
    pub fn verify_inclusion(&mut self, claim: &[Word], proof: &[u8]) -> Outcome {
        let data = calldata(
            &format!("verifyInclusion(uint256,uint64[{}],bytes)", self.assets),
            &self.inclusion_args(claim, proof),
        );
        self.evm.view(self.contract, data)
    }

    /// `verifyInclusionAt(index, idHash, balances, proof)` through eth_call.
    pub fn verify_inclusion_at(&mut self, index: u64, claim: &[Word], proof: &[u8]) -> Outcome {
        let mut args = vec![Arg::Word(word(index))];
        args.extend(self.inclusion_args(claim, proof));
        let data = calldata(
            &format!(
                "verifyInclusionAt(uint256,uint256,uint64[{}],bytes)",
                self.assets
            ),
            &args,
        );
        self.evm.view(self.contract, data)
    }

    fn inclusion_args(&self, claim: &[Word], proof: &[u8]) -> Vec<Arg> {
        assert_eq!(
            claim.len(),
            1 + self.assets,
            "id hash and one balance per asset"
        );
        vec![
            Arg::Word(claim[0]),
            Arg::Fixed(claim[1..].to_vec()),
            Arg::Bytes(proof.to_vec()),
        ]
    }
}

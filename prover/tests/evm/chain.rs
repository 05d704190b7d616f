//! A chain with the rollup contracts deployed, and the gas report built on it. Shared by the
//! tests and by `examples/solidity_gas.rs`.

use bulwark_circuits::rollup::RollupParams;
use bulwark_prover::{
    Fr, Proof, VerifyingKey,
    solidity::{field_word, proof_calldata, rollup_example},
};
use revm::primitives::Address;

use crate::support::{
    Arg, Evm, Outcome, Word, address_word, calldata, calldata_gas, compile, encode_args,
    poseidon_bytecode, word,
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

    /// `verifyProof(proof, inputs)` (inherited from the verifier).
    pub fn verify(&mut self, proof: &Proof, inputs: &[Fr]) -> (Outcome, Vec<u8>) {
        let data = calldata(
            &format!("verifyProof(bytes,uint256[{}])", inputs.len()),
            &[
                Arg::Bytes(proof_calldata(proof).to_vec()),
                Arg::Fixed(inputs.iter().map(field_word).collect()),
            ],
        );
        (self.evm.call(self.rollup, data.clone()), data)
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

/// Transaction gas (21,000 base and calldata included) of the rollup contracts.
#[derive(Debug)]
pub struct GasReport {
    /// `verifyProof` with the rollup's 3 public inputs.
    pub verify: u64,
    /// The Groth16 floor for that call: 21,000 + 181,000 (4 pairings) + 6,150 per input +
    /// its calldata (16 per non-zero byte, 4 per zero byte).
    pub floor: u64,
    /// `poseidon(uint256[2])`.
    pub poseidon2: u64,
    /// `poseidon(uint256[4])`.
    pub poseidon4: u64,
    /// `submitBatch` of a valid batch (the first one: storage writes from zero).
    pub submit_batch: u64,
}

impl GasReport {
    /// Deploys fresh contracts at the batch's old root, verifies `proof` for `inputs`
    /// (`[old_root, new_root, commitment]`) and submits it with `l1_data`; panics if either
    /// is rejected.
    pub fn measure(
        vk: &VerifyingKey,
        params: &RollupParams,
        inputs: &[Fr],
        l1_data: &[Fr],
        proof: &Proof,
    ) -> Self {
        let mut r = Rollup::deploy(vk, params, inputs[0]);
        let (verify, data) = r.verify(proof, inputs);
        assert!(verify.returned_bool(), "valid proof");
        let floor = 21_000 + 181_000 + 6_150 * inputs.len() as u64 + calldata_gas(&data);
        let poseidon2 = r.poseidon(2).gas_used;
        let poseidon4 = r.poseidon(4).gas_used;
        let submit = r.submit(
            field_word(&inputs[1]),
            l1_data.iter().map(field_word).collect(),
            proof_calldata(proof).to_vec(),
        );
        assert!(submit.success, "valid batch rejected: {submit:?}");
        Self {
            verify: verify.gas_used,
            floor,
            poseidon2,
            poseidon4,
            submit_batch: submit.gas_used,
        }
    }

    /// Prints the table to stderr.
    pub fn print(&self, batch_size: usize) {
        eprintln!("gas per transaction (21,000 base and calldata included)");
        eprintln!("  verifyProof, 3 public inputs   {:>8}", self.verify);
        eprintln!(
            "  floor (21,000 + 181,000 + 3 x 6,150 + calldata) {:>8}   measured / floor = {:.4}",
            self.floor,
            self.verify as f64 / self.floor as f64
        );
        eprintln!("  poseidon(uint256[2])           {:>8}", self.poseidon2);
        eprintln!("  poseidon(uint256[4])           {:>8}", self.poseidon4);
        eprintln!(
            "  submitBatch, B = {batch_size:<3}           {:>8}",
            self.submit_batch
        );
    }
}

//! The EVM test harness: solc (the pinned npm package, through `prover/js/compile.mjs`),
//! circomlibjs' Poseidon bytecode (`prover/js/poseidon_bytecode.mjs`), a minimal ABI encoder
//! and an in-memory revm.
//!
//! Without `node` or `npm ci` in `prover/js` the tests print SKIPPED and pass, except under
//! `CI=true`, where they fail.

use std::{
    collections::HashMap,
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
};

use bulwark_prover::solidity::SoliditySource;
use revm::{
    Context, DatabaseRef, ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext, MainnetEvm,
    context::{
        ContextTr, TxEnv,
        result::{ExecutionResult, Output},
    },
    database::{CacheDB, EmptyDB},
    handler::MainnetContext,
    primitives::{Address, Bytes, Log, TxKind, hardfork::SpecId, keccak256},
};

/// A big-endian 256-bit word.
pub type Word = [u8; 32];

/// `prover/js`, found from this crate or a sibling (the service's tests include this file).
fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../prover/js")
}

/// True when node and the npm install are present; otherwise prints why and returns false,
/// or panics under `CI=true`.
pub fn js_available() -> bool {
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let solc = js_dir().join("node_modules/solc");
    let circomlibjs = js_dir().join("node_modules/circomlibjs");
    if node_ok && solc.exists() && circomlibjs.exists() {
        return true;
    }
    let why = format!(
        "EVM tests need `node` on PATH (found: {node_ok}) and `npm ci` in {} (solc: {}, circomlibjs: {})",
        js_dir().display(),
        solc.exists(),
        circomlibjs.exists()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("SKIPPED: {why}");
    false
}

fn node(script: &str, stdin: &str) -> String {
    let mut child = Command::new("node")
        .arg(js_dir().join(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn node");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("node");
    assert!(
        out.status.success(),
        "{script} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn unhex(map: HashMap<String, String>) -> HashMap<String, Vec<u8>> {
    map.into_iter()
        .map(|(k, v)| (k, revm::primitives::hex::decode(v).expect("hex bytecode")))
        .collect()
}

/// Compiles the sources together; returns each contract's creation bytecode by name.
pub fn compile(sources: &[SoliditySource]) -> HashMap<String, Vec<u8>> {
    compile_with(sources, true)
}

/// [`compile`] with solc's Yul optimizer off (snark-verifier's PLONK verifiers: one assembly
/// block too large for its stack allocation).
pub fn compile_without_yul_optimizer(sources: &[SoliditySource]) -> HashMap<String, Vec<u8>> {
    compile_with(sources, false)
}

fn compile_with(sources: &[SoliditySource], yul_optimizer: bool) -> HashMap<String, Vec<u8>> {
    let files: HashMap<String, &str> = sources
        .iter()
        .map(|s| (s.file_name(), s.source.as_str()))
        .collect();
    let input = serde_json::json!({ "sources": files, "yulOptimizer": yul_optimizer }).to_string();
    unhex(serde_json::from_str(&node("compile.mjs", &input)).expect("compile.mjs output"))
}

/// Creation bytecode of circomlib's Poseidon contracts with 2 and 4 inputs.
pub fn poseidon_bytecode() -> (Vec<u8>, Vec<u8>) {
    let mut code = unhex(serde_json::from_str(&node("poseidon_bytecode.mjs", "")).expect("json"));
    (
        code.remove("2").expect("Poseidon(2)"),
        code.remove("4").expect("Poseidon(4)"),
    )
}

/// An ABI argument.
pub enum Arg {
    /// A static word (`uint256`, `address`).
    Word(Word),
    /// A static array `T[n]` of words, encoded in place.
    Fixed(Vec<Word>),
    /// A dynamic array `uint256[]`.
    Array(Vec<Word>),
    /// `bytes`.
    Bytes(Vec<u8>),
}

/// A `u64` as a word.
pub fn word(x: u64) -> Word {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&x.to_be_bytes());
    w
}

/// An address as a word.
pub fn address_word(a: Address) -> Word {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a.as_slice());
    w
}

/// The ABI encoding of `args` (no selector).
pub fn encode_args(args: &[Arg]) -> Vec<u8> {
    let head_len: usize = args
        .iter()
        .map(|a| match a {
            Arg::Fixed(ws) => 32 * ws.len(),
            _ => 32,
        })
        .sum();
    let (mut head, mut tail) = (Vec::new(), Vec::new());
    for a in args {
        match a {
            Arg::Word(w) => head.extend_from_slice(w),
            Arg::Fixed(ws) => ws.iter().for_each(|w| head.extend_from_slice(w)),
            Arg::Array(ws) => {
                head.extend_from_slice(&word((head_len + tail.len()) as u64));
                tail.extend_from_slice(&word(ws.len() as u64));
                ws.iter().for_each(|w| tail.extend_from_slice(w));
            }
            Arg::Bytes(b) => {
                head.extend_from_slice(&word((head_len + tail.len()) as u64));
                tail.extend_from_slice(&word(b.len() as u64));
                tail.extend_from_slice(b);
                tail.resize(tail.len().next_multiple_of(32), 0);
            }
        }
    }
    head.extend(tail);
    head
}

/// Selector of `signature` followed by the encoded `args`.
pub fn calldata(signature: &str, args: &[Arg]) -> Vec<u8> {
    let mut data = keccak256(signature.as_bytes())[..4].to_vec();
    data.extend(encode_args(args));
    data
}

/// What a call did.
#[derive(Debug)]
pub struct Outcome {
    /// Whether it returned without reverting.
    pub success: bool,
    /// Return data (or revert data).
    pub output: Vec<u8>,
    /// Gas the transaction used, 21,000 base and calldata included.
    pub gas_used: u64,
    /// Logs it emitted.
    pub logs: Vec<Log>,
}

impl Outcome {
    /// The return value decoded as one `bool`; panics unless the call succeeded.
    pub fn returned_bool(&self) -> bool {
        assert!(self.success, "call reverted: {self:?}");
        assert_eq!(self.output.len(), 32, "not one word: {self:?}");
        self.output[31] == 1 && self.output[..31].iter().all(|b| *b == 0)
    }

    /// The return value as one word; panics unless the call succeeded.
    pub fn returned_word(&self) -> Word {
        assert!(self.success, "call reverted: {self:?}");
        self.output.as_slice().try_into().expect("one word")
    }
}

/// An in-memory EVM (Prague rules); transactions come from [`CALLER`] unless a call names
/// another sender.
pub struct Evm {
    evm: MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>,
    nonces: HashMap<Address, u64>,
    /// Every transaction's gas limit.
    gas_limit: u64,
}

/// The default sender, which also deploys every contract.
pub const CALLER: Address = Address::repeat_byte(0xca);

impl Evm {
    /// An empty chain.
    pub fn new() -> Self {
        Self::with_code_limits(None)
    }

    /// An empty chain that deploys code of any size (EIP-170 and EIP-3860 lifted), to measure
    /// contracts that do not fit mainnet's limits; transactions may use a whole block's 30M
    /// gas (deploying a 50 KB contract alone costs over 10M).
    pub fn without_code_size_limits() -> Self {
        Self {
            gas_limit: 30_000_000,
            ..Self::with_code_limits(Some(usize::MAX))
        }
    }

    fn with_code_limits(limit: Option<usize>) -> Self {
        let evm = Context::mainnet()
            .modify_cfg_chained(|c| {
                c.set_spec_and_mainnet_gas_params(SpecId::PRAGUE);
                c.limit_contract_code_size = limit;
                c.limit_contract_initcode_size = limit;
            })
            .with_db(CacheDB::<EmptyDB>::default())
            .build_mainnet();
        Self {
            evm,
            nonces: HashMap::new(),
            gas_limit: 10_000_000,
        }
    }

    fn tx(&self, caller: Address, kind: TxKind, data: Vec<u8>) -> TxEnv {
        TxEnv::builder()
            .caller(caller)
            .kind(kind)
            .data(Bytes::from(data))
            .gas_limit(self.gas_limit)
            .nonce(self.nonces.get(&caller).copied().unwrap_or(0))
            .build()
            .expect("tx")
    }

    fn transact_from(&mut self, caller: Address, kind: TxKind, data: Vec<u8>) -> ExecutionResult {
        let tx = self.tx(caller, kind, data);
        let result = self.evm.transact_commit(tx).expect("transaction is valid");
        *self.nonces.entry(caller).or_default() += 1;
        result
    }

    fn transact(&mut self, kind: TxKind, data: Vec<u8>) -> ExecutionResult {
        self.transact_from(CALLER, kind, data)
    }

    /// Deploys `code` (creation bytecode with constructor arguments appended).
    pub fn deploy(&mut self, code: Vec<u8>) -> Address {
        self.try_deploy(code)
            .unwrap_or_else(|e| panic!("deployment failed: {e}"))
    }

    /// [`Self::deploy`], returning why the deployment failed (a revert, or a halt such as
    /// EIP-170's code size limit) instead of panicking.
    pub fn try_deploy(&mut self, code: Vec<u8>) -> Result<Address, String> {
        match self.transact(TxKind::Create, code) {
            ExecutionResult::Success {
                output: Output::Create(_, Some(address)),
                ..
            } => Ok(address),
            other => Err(format!("{other:?}")),
        }
    }

    /// Sends a transaction calling `to` with `data`, committing its effects.
    pub fn call(&mut self, to: Address, data: Vec<u8>) -> Outcome {
        self.call_from(CALLER, to, data)
    }

    /// [`Self::call`] sent by `caller`.
    pub fn call_from(&mut self, caller: Address, to: Address, data: Vec<u8>) -> Outcome {
        let result = self.transact_from(caller, TxKind::Call(to), data);
        Outcome::from(result)
    }

    /// Calls `to` with `data` as `eth_call` does: executed, nothing committed. The gas is
    /// what the same call would cost as a transaction (`eth_estimateGas`).
    pub fn view(&mut self, to: Address, data: Vec<u8>) -> Outcome {
        let tx = self.tx(CALLER, TxKind::Call(to), data);
        Outcome::from(self.evm.transact(tx).expect("transaction is valid").result)
    }

    /// The size in bytes of the code deployed at `address` (0 for none).
    pub fn code_size(&self, address: Address) -> usize {
        self.evm
            .ctx
            .db_ref()
            .basic_ref(address)
            .expect("in-memory database")
            .and_then(|info| info.code)
            .map_or(0, |code| code.original_byte_slice().len())
    }
}

impl From<ExecutionResult> for Outcome {
    fn from(result: ExecutionResult) -> Self {
        let gas_used = result.tx_gas_used();
        match result {
            ExecutionResult::Success { output, logs, .. } => Outcome {
                success: true,
                output: output.into_data().to_vec(),
                gas_used,
                logs,
            },
            ExecutionResult::Revert { output, logs, .. } => Outcome {
                success: false,
                output: output.to_vec(),
                gas_used,
                logs,
            },
            ExecutionResult::Halt { logs, .. } => Outcome {
                success: false,
                output: Vec::new(),
                gas_used,
                logs,
            },
        }
    }
}

/// Compiles the parts of a PLONK verifier (in call order, as
/// `PlonkVerifierContracts::parts` lists them) and deploys them on `evm`, the last part first
/// and each with the address of the one after it as constructor argument; returns their
/// addresses in call order (the entry part first).
pub fn deploy_plonk(evm: &mut Evm, parts: &[SoliditySource]) -> Vec<Address> {
    let mut code = compile_without_yul_optimizer(parts);
    let mut next: Option<Address> = None;
    let mut addresses = Vec::new();
    for part in parts.iter().rev() {
        let mut bytecode = code.remove(&part.contract_name).expect("compiled part");
        if let Some(next) = next {
            bytecode.extend(address_word(next));
        }
        let address = evm.deploy(bytecode);
        addresses.push(address);
        next = Some(address);
    }
    addresses.reverse();
    addresses
}

/// The calldata cost of `data` as the floor counts it (EIP-2028: 16 per non-zero byte, 4 per
/// zero byte).
pub fn calldata_gas(data: &[u8]) -> u64 {
    data.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum()
}

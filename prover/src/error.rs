use ark_relations::gr1cs::SynthesisError;
use ark_serialize::SerializationError;

use crate::format::{ArtifactKind, CurveId, ProofSystem};

/// Everything that can go wrong in setup, proving, verification or (de)serialization.
#[derive(Debug, thiserror::Error)]
pub enum ProverError {
    /// The circuit's `generate_constraints` (or arkworks' key generation / witness map) failed.
    #[error("constraint synthesis failed during {stage}: {source}")]
    Synthesis {
        /// Which stage was running: `"setup"`, `"prove"` or `"verify"`.
        stage: &'static str,
        /// The underlying arkworks error.
        source: SynthesisError,
    },
    /// The witness does not satisfy the circuit; no proof was attempted.
    #[error("witness does not satisfy the circuit: first unsatisfied constraint is `{constraint}`")]
    Unsatisfied {
        /// arkworks' name for the first unsatisfied constraint (`which_is_unsatisfied`): the
        /// namespace path when a `ConstraintLayer` is installed in the tracing subscriber,
        /// otherwise `"<predicate> - <index>"`.
        constraint: String,
    },
    /// The circuit uses a constraint predicate other than R1CS, which Groth16 cannot prove.
    #[error(
        "circuit has {count} constraint(s) in predicate `{predicate}`; Groth16 proves only R1CS"
    )]
    UnsupportedPredicate {
        /// The predicate label.
        predicate: String,
        /// How many constraints use it.
        count: usize,
    },
    /// The circuit being proved does not have the shape the proving key was generated for.
    #[error(
        "circuit does not match the proving key: {what} is {circuit} in the circuit but {key} in the key"
    )]
    KeyMismatch {
        /// Which dimension differs.
        what: &'static str,
        /// The circuit's value.
        circuit: usize,
        /// The key's value.
        key: usize,
    },
    /// The freshly made proof did not verify against the key's own verifying key. The circuit
    /// has the key's shape but not its constraints (it is a different circuit).
    #[error(
        "the proof made with this key does not verify against it: the circuit differs from the one the key was generated for"
    )]
    ProofSelfCheckFailed,
    /// `verify` was called with the wrong number of public inputs.
    #[error("wrong number of public inputs: the verifying key expects {expected}, got {got}")]
    PublicInputCount {
        /// The number the verifying key expects.
        expected: usize,
        /// The number supplied.
        got: usize,
    },
    /// An MSM engine rejected its inputs (a prepared key whose queries do not match the
    /// circuit's dimensions).
    #[error(transparent)]
    Msm(#[from] crate::msm::MsmError),
    /// [`crate::prove_cancellable`] stopped because its token was cancelled.
    #[error("proving was cancelled")]
    Cancelled,
    /// halo2 failed in a PLONK stage (key generation, proving, verification).
    #[error("PLONK {stage} failed: {message}")]
    Plonk {
        /// `"keygen"`, `"prove"` or `"verify"`.
        stage: &'static str,
        /// halo2's error, in words.
        message: String,
    },
    /// A PLONK circuit needs more rows than the KZG parameters provide.
    #[error("the circuit needs 2^{needed} rows but the KZG parameters have 2^{available}")]
    ParamsTooSmall {
        /// The circuit's `k`.
        needed: u32,
        /// The parameters' `k`.
        available: u32,
    },
    /// A KZG parameter size outside what BN254's FFT domain allows.
    #[error("KZG parameters of size 2^{k} requested; 1 <= k <= 28")]
    InvalidParamsSize {
        /// The requested `k`.
        k: u32,
    },
    /// The proof is well formed but does not verify for these public inputs.
    #[error("proof rejected: the pairing check failed for these public inputs")]
    InvalidProof,
    /// A key or proof file could not be read or written.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A snarkjs JSON export could not be encoded or written.
    #[error("writing snarkjs JSON failed: {0}")]
    Json(#[from] serde_json::Error),
    /// A circom / snarkjs file (`.r1cs`, `.wtns`, `.ptau`, `.zkey`) was malformed or unusable.
    #[error(transparent)]
    Circom(#[from] CircomError),
    /// A phase-2 ceremony transcript does not verify.
    #[error(transparent)]
    Setup(#[from] crate::SetupError),
    /// snarkjs JSON (proof, verification key, public inputs) that does not describe valid
    /// BN254 values.
    #[error("invalid snarkjs JSON: {what}")]
    SnarkjsJson {
        /// What was wrong.
        what: String,
    },
    /// A file could not be created or written.
    #[error("I/O error on {path}: {source}", path = path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What was wrong with a serialized key or proof (see the [crate docs](crate#file-format) for
/// the layout).
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file does not start with the bulwark magic bytes.
    #[error("not a bulwark file: magic bytes are {found:02x?}, expected {expected:02x?}")]
    BadMagic {
        /// The four bytes found.
        found: [u8; 4],
        /// The four bytes expected.
        expected: [u8; 4],
    },
    /// The format version is one this build does not read.
    #[error("unsupported format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// The version found in the header.
        found: u16,
        /// The version this build reads and writes.
        supported: u16,
    },
    /// The proof-system tag is unknown or not the one expected.
    #[error("proof system tag {found} is not {expected:?}")]
    WrongProofSystem {
        /// The tag found in the header.
        found: u8,
        /// The proof system expected.
        expected: ProofSystem,
    },
    /// The kind tag is unknown or names another kind of artifact (e.g. a proof where a
    /// verifying key was expected).
    #[error("wrong artifact kind: expected {expected:?}, header says {found}")]
    WrongKind {
        /// What the caller asked to read.
        expected: ArtifactKind,
        /// The header's kind, in words (`"Proof"`, or `"unknown tag 9"`).
        found: String,
    },
    /// The curve id is unknown or not BN254.
    #[error("curve id {found} is not {expected:?}")]
    WrongCurve {
        /// The id found in the header.
        found: u8,
        /// The curve expected.
        expected: CurveId,
    },
    /// The input ended before the header or body was complete.
    #[error("truncated {kind:?} file: input ended inside the {part}")]
    Truncated {
        /// What was being read.
        kind: ArtifactKind,
        /// `"header"` or `"body"`.
        part: &'static str,
    },
    /// The body is not a valid canonical encoding (a point off the curve or outside the
    /// prime-order subgroup, a non-canonical field element, a bad length).
    #[error("invalid {kind:?} body: {source}")]
    InvalidBody {
        /// What was being read.
        kind: ArtifactKind,
        /// arkworks' description of the problem.
        source: SerializationError,
    },
    /// A halo2 body (KZG parameters, PLONK key or proof) could not be decoded.
    #[error("invalid {kind:?} body: {source}")]
    InvalidHalo2Body {
        /// What was being read.
        kind: ArtifactKind,
        /// halo2's description of the problem.
        source: std::io::Error,
    },
    /// Bytes follow the end of the artifact.
    #[error("trailing bytes after the {kind:?} body")]
    TrailingBytes {
        /// What was being read.
        kind: ArtifactKind,
    },
    /// The underlying reader or writer failed.
    #[error("I/O error on {kind:?} file: {source}")]
    Io {
        /// What was being read or written.
        kind: ArtifactKind,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The iden3 binary container a circom / snarkjs file uses (`.r1cs`, `.wtns`, `.ptau`, `.zkey`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinFileKind {
    /// circom's constraint system, `.r1cs`.
    R1cs,
    /// circom's witness, `.wtns`.
    Wtns,
    /// snarkjs Powers of Tau, `.ptau`.
    Ptau,
    /// snarkjs proving key, `.zkey`.
    Zkey,
}

/// What was wrong with a circom or snarkjs file, or with what it was used for.
#[derive(Debug, thiserror::Error)]
pub enum CircomError {
    /// The file does not start with the magic of its kind (`r1cs`, `wtns`, `ptau`, `zkey`).
    #[error("not a {kind:?} file: magic bytes are {found:02x?}")]
    BadMagic {
        /// The kind expected.
        kind: BinFileKind,
        /// The four bytes found.
        found: [u8; 4],
    },
    /// The container version is newer than this build reads.
    #[error("{kind:?} file version {found} is not supported (this build reads up to {max})")]
    UnsupportedVersion {
        /// The kind of file.
        kind: BinFileKind,
        /// The version in the file.
        found: u32,
        /// The highest version this build reads.
        max: u32,
    },
    /// The file ended before what its headers announce.
    #[error("truncated {kind:?} file: input ended inside {what}")]
    Truncated {
        /// The kind of file.
        kind: BinFileKind,
        /// What was being read.
        what: String,
    },
    /// A section the file must have is absent.
    #[error("{kind:?} file has no section {id} ({name})")]
    MissingSection {
        /// The kind of file.
        kind: BinFileKind,
        /// The section id.
        id: u32,
        /// What the section holds.
        name: &'static str,
    },
    /// A section that must be unique appears more than once.
    #[error("{kind:?} file has section {id} more than once")]
    DuplicateSection {
        /// The kind of file.
        kind: BinFileKind,
        /// The section id.
        id: u32,
    },
    /// A section's length disagrees with what its contents or the header imply.
    #[error("{kind:?} section {id} is {found} bytes, expected {expected}")]
    SectionSize {
        /// The kind of file.
        kind: BinFileKind,
        /// The section id.
        id: u32,
        /// The size the header or contents imply.
        expected: u64,
        /// The size in the file.
        found: u64,
    },
    /// The file is over another field or curve than BN254.
    #[error("{kind:?} file is over {what} {found}, not BN254's")]
    WrongCurve {
        /// The kind of file.
        kind: BinFileKind,
        /// `"scalar field prime"` or `"base field prime"`.
        what: &'static str,
        /// The prime in the file, in decimal.
        found: String,
    },
    /// A field element is not below the modulus.
    #[error("{kind:?} file: {what} is not a canonical field element")]
    NonCanonical {
        /// The kind of file.
        kind: BinFileKind,
        /// Which element.
        what: String,
    },
    /// A point is not on the curve or not in the prime-order subgroup.
    #[error("{kind:?} file: {what} is not a point of the BN254 prime-order group")]
    InvalidPoint {
        /// The kind of file.
        kind: BinFileKind,
        /// Which point.
        what: String,
    },
    /// Any other structural problem (a wire index out of range, an unsupported feature).
    #[error("malformed {kind:?} file: {what}")]
    Malformed {
        /// The kind of file.
        kind: BinFileKind,
        /// What is wrong.
        what: String,
    },
    /// A witness does not fit the constraint system.
    #[error("witness has {found} values but the constraint system has {expected} wires")]
    WitnessLength {
        /// Wires in the constraint system.
        expected: usize,
        /// Values in the witness.
        found: usize,
    },
    /// Wire 0 is the constant one in circom; the witness says otherwise.
    #[error("witness wire 0 must be 1 (the constant), found {found}")]
    WitnessOne {
        /// The value found.
        found: String,
    },
    /// The witness does not satisfy the constraint system.
    #[error("witness does not satisfy constraint {index} of the .r1cs")]
    Unsatisfied {
        /// Index of the first unsatisfied constraint.
        index: usize,
    },
    /// The Powers of Tau file is too small for the circuit.
    #[error(
        "the circuit needs a Powers of Tau of power {needed} (domain 2^{needed}), this file has power {power}"
    )]
    PtauTooSmall {
        /// The power the circuit's QAP domain needs.
        needed: u32,
        /// The file's power.
        power: u32,
    },
    /// The Powers of Tau file lacks the Lagrange sections `snarkjs powersoftau prepare phase2`
    /// adds.
    #[error(
        "Powers of Tau file is not prepared for phase 2 (no Lagrange sections 12-15): run `snarkjs powersoftau prepare phase2`"
    )]
    PtauNotPrepared,
    /// A pairing or linear-combination consistency check on the Powers of Tau failed.
    #[error("Powers of Tau consistency check failed: {what}")]
    PtauInconsistent {
        /// Which relation does not hold.
        what: String,
    },
    /// Reading or writing failed.
    #[error("I/O error on {kind:?} file: {source}")]
    Io {
        /// The kind of file.
        kind: BinFileKind,
        /// The I/O error.
        source: std::io::Error,
    },
}

//! halo2 chips: known answers against the native models, and for every constraint family a
//! tampered witness that `MockProver` rejects naming that constraint.

use ark_ff::{AdditiveGroup, Field, UniformRand};
use bulwark_circuits::Fr;
use bulwark_circuits::halo2::halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use bulwark_circuits::halo2::halo2_proofs::dev::MockProver;
use bulwark_circuits::halo2::halo2_proofs::halo2curves::ff::Field as _;
use bulwark_circuits::halo2::halo2_proofs::plonk::{Circuit, ConstraintSystem, Error};
use bulwark_circuits::halo2::{
    Fp, GadgetOptions, Gadgets, PoseidonTrace, RangeSteps, RangeTrace, Var, from_halo2,
    poseidon_trace, range_trace, rows_needed, to_halo2,
};
use bulwark_circuits::merkle::{MerkleTree, QuadTree};
use bulwark_circuits::poseidon;
use bulwark_circuits::range::RangeBits;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// What a test circuit builds. Each exposes its outputs as public inputs, in order.
#[derive(Clone)]
enum Case {
    /// `Poseidon(inputs)`, optionally from a given trace; exposes the output.
    Poseidon {
        inputs: Vec<Fp>,
        trace: Option<PoseidonTrace>,
    },
    /// `x < 2^bits`, optionally from given rows; exposes nothing.
    Range {
        x: Fp,
        bits: usize,
        trace: Option<RangeTrace>,
    },
    /// `count` range checks of `x < 2^bits`; exposes nothing (sizes the chip, see
    /// [`rows_needed`]).
    RangeRepeated { x: Fp, bits: usize, count: usize },
    /// `swap(bit, x, y)`, optionally with given outputs; exposes `l, r`.
    Swap {
        inputs: [Fp; 3],
        outputs: Option<(Fp, Fp)>,
    },
    /// `quad_place(low, high, node, siblings)`, optionally with given children; exposes them.
    Quad {
        inputs: [Fp; 6],
        children: Option<[Fp; 4]>,
    },
    /// The arithmetic gate's operations on `a, b`: exposes `a + b` and `a ? 0 : b`, then
    /// enforces `a` boolean and `a · b = 0`.
    Arith { a: Fp, b: Fp },
    /// A binary Merkle root; exposes the leaf and the root.
    Merkle {
        leaf: Fp,
        bits: Vec<Fp>,
        siblings: Vec<Fp>,
    },
    /// A 4-ary Merkle root; exposes the leaf and the root.
    QuadMerkle {
        leaf: Fp,
        bits: Vec<Fp>,
        siblings: Vec<[Fp; 3]>,
        top: Option<Fp>,
    },
}

#[derive(Clone)]
struct TestCircuit {
    case: Case,
    widths: Vec<usize>,
    /// The curve and the range checks' steps ([`Gadgets::configure_with`]).
    options: GadgetOptions,
    /// The public inputs the test passes: the rows [`Gadgets::load`] reserves.
    public: usize,
}

fn known(values: &[Fp]) -> Vec<Value<Fp>> {
    values.iter().copied().map(Value::known).collect()
}

impl Circuit<Fp> for TestCircuit {
    type Config = Gadgets;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = (Vec<usize>, GadgetOptions);

    fn without_witnesses(&self) -> Self {
        self.clone()
    }

    fn params(&self) -> (Vec<usize>, GadgetOptions) {
        (self.widths.clone(), self.options)
    }

    fn configure_with_params(
        meta: &mut ConstraintSystem<Fp>,
        (widths, options): (Vec<usize>, GadgetOptions),
    ) -> Gadgets {
        Gadgets::configure_with(meta, &widths, options)
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> Gadgets {
        Gadgets::configure(meta, &[3])
    }

    fn synthesize(&self, g: Gadgets, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        g.load(self.public);
        let l = &mut layouter;
        let outputs: Vec<Var> = match &self.case {
            Case::Poseidon { inputs, trace } => {
                let inputs = g.witness(l, &known(inputs))?;
                let out = match trace {
                    Some(t) => g.poseidon_with_trace(l, &inputs, Value::known(t.clone()))?,
                    None => g.poseidon(l, &inputs)?,
                };
                vec![out]
            }
            Case::Range { x, bits, trace } => {
                let x = g.witness(l, &known(&[*x]))?[0];
                match trace {
                    Some(t) => g.range_check_with_trace(l, &x, *bits, Value::known(t.clone()))?,
                    None => g.range_check(l, &x, *bits)?,
                }
                vec![]
            }
            Case::RangeRepeated { x, bits, count } => {
                let x = g.witness(l, &known(&[*x]))?[0];
                for _ in 0..*count {
                    g.range_check(l, &x, *bits)?;
                }
                vec![]
            }
            Case::Swap { inputs, outputs } => {
                let v = g.witness(l, &known(inputs))?;
                let (a, b) = match outputs {
                    Some((a, b)) => g.swap_with_outputs(
                        l,
                        [&v[0], &v[1], &v[2]],
                        (Value::known(*a), Value::known(*b)),
                    )?,
                    None => g.swap(l, &v[0], &v[1], &v[2])?,
                };
                vec![a, b]
            }
            Case::Quad { inputs, children } => {
                let v = g.witness(l, &known(inputs))?;
                let siblings = [v[3], v[4], v[5]];
                let out = match children {
                    Some(c) => g.quad_place_with_outputs(
                        l,
                        [&v[0], &v[1], &v[2]],
                        &siblings,
                        c.map(Value::known),
                    )?,
                    None => g.quad_place(l, &v[0], &v[1], &v[2], &siblings)?,
                };
                out.to_vec()
            }
            Case::Arith { a, b } => {
                let v = g.witness(l, &known(&[*a, *b]))?;
                let sum = g.add(l, &v[0], &v[1])?;
                let zeroed = g.zero_if(l, &v[0], &v[1])?;
                g.assert_boolean(l, &v[0])?;
                g.assert_product_zero(l, &v[0], &v[1])?;
                vec![sum, zeroed]
            }
            Case::Merkle {
                leaf,
                bits,
                siblings,
            } => {
                let leaf = g.witness(l, &known(&[*leaf]))?[0];
                let bits = g.witness(l, &known(bits))?;
                let siblings = g.witness(l, &known(siblings))?;
                vec![leaf, g.merkle_root(l, &leaf, &bits, &siblings)?]
            }
            Case::QuadMerkle {
                leaf,
                bits,
                siblings,
                top,
            } => {
                let leaf = g.witness(l, &known(&[*leaf]))?[0];
                let bits = g.witness(l, &known(bits))?;
                let flat: Vec<Fp> = siblings.iter().flatten().copied().collect();
                let flat = g.witness(l, &known(&flat))?;
                let siblings: Vec<[Var; 3]> =
                    flat.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
                let top = match top {
                    Some(t) => Some(g.witness(l, &known(&[*t]))?[0]),
                    None => None,
                };
                vec![leaf, g.quad_root(l, &leaf, &bits, &siblings, top.as_ref())?]
            }
        };
        for (row, out) in outputs.iter().enumerate() {
            g.expose(l, out, row)?;
        }
        Ok(())
    }
}

const K: u32 = 12;

/// How `MockProver` reports a public input other than the exposed value: the zero gate,
/// `slot 0 = instance`, on the public input's row.
const PUBLIC_MISMATCH: &str = "('zero')";

/// `Ok(())` if `MockProver` accepts, else every failure as text.
fn mock(case: Case, widths: &[usize], public: &[Fp]) -> Result<(), Vec<String>> {
    mock_on(false, case, widths, public)
}

/// [`mock`] without the curve (`curve` false) or with it.
fn mock_on(curve: bool, case: Case, widths: &[usize], public: &[Fp]) -> Result<(), Vec<String>> {
    let options = GadgetOptions {
        curve,
        ..GadgetOptions::default()
    };
    mock_with(options, case, widths, public)
}

/// [`mock`] configured with `options`.
fn mock_with(
    options: GadgetOptions,
    case: Case,
    widths: &[usize],
    public: &[Fp],
) -> Result<(), Vec<String>> {
    let circuit = TestCircuit {
        case,
        widths: widths.to_vec(),
        options,
        public: public.len(),
    };
    let prover = MockProver::run(K, &circuit, vec![public.to_vec()])
        .map_err(|e| vec![format!("synthesis: {e}")])?;
    prover
        .verify()
        .map_err(|failures| failures.iter().map(|f| f.to_string()).collect())
}

/// Asserts `MockProver` rejects, with some failure mentioning `expected`.
fn assert_rejected(result: Result<(), Vec<String>>, expected: &str, what: &str) {
    match result {
        Ok(()) => panic!("{what}: accepted"),
        Err(failures) => assert!(
            failures.iter().any(|f| f.contains(expected)),
            "{what}: expected a failure mentioning {expected:?}, got {failures:#?}"
        ),
    }
}

fn fp(x: u64) -> Fp {
    Fp::from(x)
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(9)
}

// ------------------------------------------------------------ field conversion

#[test]
fn field_conversion_is_a_ring_isomorphism() {
    let mut rng = rng();
    let edge = [Fr::ZERO, Fr::ONE, -Fr::ONE, Fr::from(u64::MAX)];
    let random: Vec<Fr> = (0..32).map(|_| Fr::rand(&mut rng)).collect();
    for (a, b) in edge.iter().chain(&random).zip(random.iter().chain(&edge)) {
        assert_eq!(from_halo2(&to_halo2(a)), *a);
        assert_eq!(to_halo2(&(*a + b)), to_halo2(a) + to_halo2(b));
        assert_eq!(to_halo2(&(*a * b)), to_halo2(a) * to_halo2(b));
    }
    // The same modulus: p − 1 maps to −1.
    assert_eq!(to_halo2(&-Fr::ONE), -Fp::from(1u64));
}

// ------------------------------------------------------------ Poseidon

fn random_inputs(n: usize) -> Vec<Fr> {
    let mut rng = rng();
    (0..n).map(|_| Fr::rand(&mut rng)).collect()
}

#[test]
fn poseidon_trace_matches_native_for_every_width() -> TestResult {
    for n in 1..=poseidon::MAX_INPUTS {
        let inputs = random_inputs(n);
        let mut state = vec![Fp::from(0u64)];
        state.extend(inputs.iter().map(to_halo2));
        let trace = poseidon_trace(state)?;
        let out = trace.last().ok_or("empty trace")?[0];
        assert_eq!(from_halo2(&out), poseidon::hash(&inputs)?, "{n} inputs");
    }
    Ok(())
}

#[test]
fn poseidon_chip_matches_native_and_circomlib() -> TestResult {
    // circomlib's published vector: poseidon([1, 2]).
    let expected: Fr =
        "7853200120776062878684798364095072458815029376092732009249414926327459813530"
            .parse()
            .map_err(|()| "vector")?;
    let case = Case::Poseidon {
        inputs: vec![fp(1), fp(2)],
        trace: None,
    };
    assert_eq!(mock(case, &[3], &[to_halo2(&expected)]), Ok(()));
    // The widths the rollup (2, 4 inputs), the sum tree and solvency (K = 2: 3, 4, 6) and
    // wide chains (15, 16) use.
    for n in [1, 2, 3, 4, 5, 6, 15, 16] {
        let inputs = random_inputs(n);
        let out = to_halo2(&poseidon::hash(&inputs)?);
        let case = Case::Poseidon {
            inputs: inputs.iter().map(to_halo2).collect(),
            trace: None,
        };
        assert_eq!(mock(case.clone(), &[n + 1], &[out]), Ok(()), "{n} inputs");
        assert_rejected(
            mock(case, &[n + 1], &[out + Fp::from(1u64)]),
            PUBLIC_MISMATCH,
            "wrong output",
        );
    }
    Ok(())
}

#[test]
fn poseidon_chip_rejects_each_tampered_trace() -> TestResult {
    let inputs = vec![fp(3), fp(4)];
    let honest = poseidon_trace(vec![fp(0), fp(3), fp(4)])?;
    let out = honest.last().ok_or("empty trace")?[0];
    let tamper = |row: usize, lane: usize| {
        let mut trace = honest.clone();
        trace[row][lane] += Fp::from(1u64);
        Case::Poseidon {
            inputs: inputs.clone(),
            trace: Some(trace),
        }
    };
    // Rows 1–3 lie between full rounds, rows 5..61 between partial rounds (R_P = 57).
    assert_rejected(
        mock(tamper(2, 1), &[3], &[out]),
        "poseidon full round",
        "full",
    );
    assert_rejected(
        mock(tamper(30, 2), &[3], &[out]),
        "poseidon partial round",
        "partial",
    );
    // The capacity lane must be 0 (a gate); an input lane must be the input (a copy).
    for (lane, expected, what) in [
        (0, "zero", "capacity"),
        (1, "Equality constraint not satisfied", "input"),
    ] {
        assert_rejected(mock(tamper(0, lane), &[3], &[out]), expected, what);
    }
    // Widths without a circomlib instance are typed errors, natively and in the circuit.
    assert!(poseidon_trace(vec![fp(0)]).is_err());
    assert!(poseidon_trace(vec![fp(0); 18]).is_err());
    // A width the circuit did not configure is refused at synthesis.
    let case = Case::Poseidon {
        inputs: vec![fp(1)],
        trace: None,
    };
    assert_rejected(
        mock(case, &[3], &[fp(0)]),
        "synthesis",
        "unconfigured width",
    );
    Ok(())
}

// ------------------------------------------------------------ range checks

fn range(x: Fp, bits: usize) -> Result<(), Vec<String>> {
    range_on(false, x, bits)
}

/// `x < 2^bits` on the layout without the curve or with it.
fn range_on(curve: bool, x: Fp, bits: usize) -> Result<(), Vec<String>> {
    let case = Case::Range {
        x,
        bits,
        trace: None,
    };
    mock_on(curve, case, &[3], &[])
}

#[test]
fn range_check_accepts_exactly_the_values_below_the_bound() {
    for curve in [false, true] {
        for bits in [1, 7, 8, 9, 16, 63, 64, 65, 96] {
            let bound = Fp::from(2u64).pow_vartime([bits as u64]);
            let layout = if curve {
                "curve layout"
            } else {
                "narrow layout"
            };
            assert_eq!(
                range_on(curve, fp(0), bits),
                Ok(()),
                "{layout}: 0 < 2^{bits}"
            );
            assert_eq!(
                range_on(curve, bound - fp(1), bits),
                Ok(()),
                "{layout}: 2^{bits} - 1"
            );
            assert!(
                range_on(curve, bound, bits).is_err(),
                "{layout}: 2^{bits} accepted"
            );
            assert!(
                range_on(curve, -fp(1), bits).is_err(),
                "{layout}: p - 1 accepted at {bits}"
            );
        }
    }
}

#[test]
fn range_check_rejects_each_tampered_row() -> TestResult {
    let case = |x: u64, bits: usize, trace: RangeTrace| Case::Range {
        x: fp(x),
        bits,
        trace: Some(trace),
    };
    // 6 = 0b110 in 3 bits: the start 0, then the running sums 1, 3, 6.
    assert_eq!(
        range_trace(fp(6), RangeBits::new(3)?, RangeSteps::Bits),
        vec![fp(0), fp(1), fp(3), fp(6)]
    );
    assert_eq!(
        mock(case(6, 3, vec![fp(0), fp(1), fp(3), fp(6)]), &[3], &[]),
        Ok(())
    );
    // A step that appends 2, not a bit (the last sum is still x).
    assert_rejected(
        mock(case(6, 3, vec![fp(0), fp(1), fp(2), fp(6)]), &[3], &[]),
        "range bit",
        "step",
    );
    // A first sum that is not a bit: 8 = 2·2² in 2 bits.
    assert_rejected(
        mock(case(8, 2, vec![fp(0), fp(2), fp(8)]), &[3], &[]),
        "range bit",
        "first",
    );
    // 14 = 1·2³ + 0b110 in 3 bits from the start 1: every step a bit, only the start wrong.
    assert_rejected(
        mock(case(14, 3, vec![fp(1), fp(3), fp(7), fp(14)]), &[3], &[]),
        "zero",
        "start",
    );
    // p − 1 in 2 bits: the last step would append p − 3.
    let wrapped = -fp(1);
    let case_wrapped = Case::Range {
        x: wrapped,
        bits: 2,
        trace: Some(vec![fp(0), fp(1), wrapped]),
    };
    assert_rejected(mock(case_wrapped, &[3], &[]), "range bit", "wrap");
    // Honest bits whose sum is not x.
    assert_rejected(
        mock(case(6, 3, vec![fp(0), fp(1), fp(3), fp(7)]), &[3], &[]),
        "Equality constraint not satisfied",
        "sum is x",
    );
    assert_rejected(
        mock(case(6, 3, vec![fp(1), fp(3), fp(6)]), &[3], &[]),
        "synthesis",
        "short trace",
    );
    assert_rejected(range(fp(1), 0), "synthesis", "zero bits");
    assert_rejected(range(fp(1), 253), "synthesis", "253 bits");
    Ok(())
}

// ------------------------------------------------------------ range checks by byte lookups

/// Byte steps, without the curve (`curve` false) or with it.
fn bytes(curve: bool) -> GadgetOptions {
    GadgetOptions {
        curve,
        range: RangeSteps::Bytes,
    }
}

/// `x < 2^bits` in byte steps, from `trace` if given.
fn range_by_bytes(
    curve: bool,
    x: Fp,
    bits: usize,
    trace: Option<RangeTrace>,
) -> Result<(), Vec<String>> {
    mock_with(bytes(curve), Case::Range { x, bits, trace }, &[3], &[])
}

#[test]
fn range_check_by_bytes_accepts_exactly_the_values_below_the_bound() {
    // Widths with no top bits, only top bits, both, and the largest; the curve's
    // configuration only where it adds nothing new to check but the combination.
    for (curve, widths) in [
        (false, &[1, 7, 8, 9, 13, 16, 63, 64, 65, 96, 252][..]),
        (true, &[13, 64][..]),
    ] {
        for &bits in widths {
            let bound = Fp::from(2u64).pow_vartime([bits as u64]);
            for x in [fp(0), fp(1), bound - fp(1)] {
                assert_eq!(
                    range_by_bytes(curve, x, bits, None),
                    Ok(()),
                    "curve {curve}: {x:?} < 2^{bits}"
                );
            }
            // The honest rows of 2^n are its low n bits, all zero: the last sum is not x.
            assert_rejected(
                range_by_bytes(curve, bound, bits, None),
                "Equality constraint not satisfied",
                &format!("curve {curve}: 2^{bits}"),
            );
            assert!(
                range_by_bytes(curve, -fp(1), bits, None).is_err(),
                "curve {curve}: p - 1 accepted at {bits}"
            );
        }
    }
}

#[test]
fn range_check_by_bytes_rejects_each_tampered_row() -> TestResult {
    let tampered = |x: Fp, bits: usize, trace: Vec<Fp>| range_by_bytes(false, x, bits, Some(trace));
    // 0x1_2345 in 17 bits: the start, one bit step (1), then the bytes 0x23 and 0x45.
    let x = fp(0x1_2345);
    let honest = vec![fp(0), fp(1), fp(0x123), x];
    assert_eq!(
        range_trace(x, RangeBits::new(17)?, RangeSteps::Bytes),
        honest
    );
    assert_eq!(tampered(x, 17, honest), Ok(()));
    // 0x1_0045: the bit step lowered to 0 and the byte after it appending 256 (its byte 0
    // plus the lost bit), so the last sum is still x.
    let x = fp(0x1_0045);
    assert_eq!(tampered(x, 17, vec![fp(0), fp(1), fp(0x100), x]), Ok(()));
    assert_rejected(
        tampered(x, 17, vec![fp(0), fp(0), fp(0x100), x]),
        "range byte",
        "byte step 256",
    );
    // 2^16 in 16 bits as the "bytes" 256 and 0.
    let bound = fp(1 << 16);
    assert_rejected(
        tampered(bound, 16, vec![fp(0), fp(256), bound]),
        "range byte",
        "2^16 as bytes 256, 0",
    );
    // 0x1_2345 with the middle sum raised by 1: its step appends 0x24, the last one
    // 0x45 − 256, a field element near p.
    let x = fp(0x1_2345);
    assert_rejected(
        tampered(x, 17, vec![fp(0), fp(1), fp(0x124), x]),
        "range byte",
        "negative byte step",
    );
    // p − 1 in 8 bits: one byte step appending p − 1.
    assert_rejected(
        tampered(-fp(1), 8, vec![fp(0), -fp(1)]),
        "range byte",
        "wrap",
    );
    // 2^16 + 5 in 16 bits from the start 1: both byte steps in the table (0 and 5), only
    // the start wrong.
    let over = fp((1 << 16) + 5);
    assert_rejected(
        tampered(over, 16, vec![fp(1), fp(256), over]),
        "zero",
        "start",
    );
    // The top bit steps are still the bit gate: 0x200 in 9 bits with the top step 2.
    assert_rejected(
        tampered(fp(0x200), 9, vec![fp(0), fp(2), fp(0x200)]),
        "range bit",
        "top bit step 2",
    );
    // Honest steps whose last sum is not x; a trace of the bit layout's length.
    assert_rejected(
        tampered(x, 17, vec![fp(0), fp(1), fp(0x123), x + fp(1)]),
        "Equality constraint not satisfied",
        "sum is x",
    );
    assert_rejected(
        tampered(fp(6), 9, vec![fp(0); 10]),
        "synthesis",
        "bit-layout trace",
    );
    assert_rejected(
        range_by_bytes(false, fp(1), 253, None),
        "synthesis",
        "253 bits",
    );
    Ok(())
}

/// `cargo test -p bulwark-circuits --test halo2_chips rows_by -- --nocapture` prints the rows
/// of 64- and 252-bit checks (and 8, 13) by bits and by bytes.
#[test]
fn range_check_rows_by_bits_and_by_bytes() -> TestResult {
    // One check of 2^n − 1, then 32 of them: the witness row, then per check the start and
    // a row per step; with bytes, the 256-row table alongside.
    for bits in [8, 13, 64, 252] {
        let x = Fp::from(2u64).pow_vartime([bits as u64]) - fp(1);
        for count in [1, 32] {
            let rows = |range| {
                let circuit = TestCircuit {
                    case: Case::RangeRepeated { x, bits, count },
                    widths: vec![3],
                    options: GadgetOptions {
                        curve: false,
                        range,
                    },
                    public: 0,
                };
                rows_needed(&circuit)
            };
            let (by_bits, by_bytes) = (rows(RangeSteps::Bits)?, rows(RangeSteps::Bytes)?);
            let byte_steps = bits / 8 + bits % 8;
            assert_eq!(by_bits, 1 + count * (bits + 1), "{bits} bits by bits");
            assert_eq!(
                by_bytes,
                (1 + count * (byte_steps + 1)).max(256),
                "{bits} bits by bytes"
            );
            eprintln!(
                "{count} range check(s) of {bits} bits: {by_bits} rows by bits, {by_bytes} by bytes \
                 ({} per check against {})",
                byte_steps + 1,
                bits + 1
            );
        }
    }
    Ok(())
}

// ------------------------------------------------------------ swap and quad placement

#[test]
fn swap_orders_and_rejects_tampering() {
    let (x, y) = (fp(10), fp(20));
    for (bit, out) in [(0, [x, y]), (1, [y, x])] {
        let case = Case::Swap {
            inputs: [fp(bit), x, y],
            outputs: None,
        };
        assert_eq!(mock(case, &[3], &out), Ok(()), "bit {bit}");
    }
    // A non-boolean bit with outputs following the formula.
    let d = fp(2) * (y - x);
    let case = Case::Swap {
        inputs: [fp(2), x, y],
        outputs: Some((x + d, y - d)),
    };
    assert_rejected(
        mock(case, &[3], &[x + d, y - d]),
        "conditional swap",
        "bit 2",
    );
    // Outputs that are not the inputs in order.
    for outputs in [(x, x), (y, y)] {
        let case = Case::Swap {
            inputs: [fp(0), x, y],
            outputs: Some(outputs),
        };
        assert_rejected(
            mock(case, &[3], &[outputs.0, outputs.1]),
            "conditional swap",
            "outputs",
        );
    }
}

#[test]
fn quad_placement_puts_the_node_in_its_slot() {
    let (node, s) = (fp(7), [fp(1), fp(2), fp(3)]);
    for slot in 0..4u64 {
        let mut children = s.to_vec();
        children.insert(slot as usize, node);
        let case = Case::Quad {
            inputs: [fp(slot & 1), fp(slot >> 1), node, s[0], s[1], s[2]],
            children: None,
        };
        assert_eq!(mock(case, &[3], &children), Ok(()), "slot {slot}");
    }
    // Each constraint: non-boolean bits, and each wrong child arrangement.
    let honest = [node, s[0], s[1], s[2]];
    let wrong: [[Fp; 4]; 4] = [
        [s[0], node, s[1], s[2]],
        [node, s[1], s[0], s[2]],
        [node, s[0], s[2], s[1]],
        [node, s[0], s[1], s[1]],
    ];
    for children in wrong {
        let case = Case::Quad {
            inputs: [fp(0), fp(0), node, s[0], s[1], s[2]],
            children: Some(children),
        };
        assert_rejected(mock(case, &[3], &children), "quad placement", "children");
    }
    for (low, high) in [(2, 0), (0, 2)] {
        let case = Case::Quad {
            inputs: [fp(low), fp(high), node, s[0], s[1], s[2]],
            children: Some(honest),
        };
        assert_rejected(mock(case, &[3], &honest), "quad placement", "bits");
    }
}

// ------------------------------------------------------------ arithmetic

#[test]
fn arithmetic_operations_and_their_rejections() {
    let arith =
        |a: u64, b: u64, public: [Fp; 2]| mock(Case::Arith { a: fp(a), b: fp(b) }, &[3], &public);
    // a = 1 (an empty flag) and b = 0: sum 1, zeroed 0; a = 0, b = 9: sum 9, b kept.
    assert_eq!(arith(1, 0, [fp(1), fp(0)]), Ok(()));
    assert_eq!(arith(0, 9, [fp(9), fp(9)]), Ok(()));
    assert_rejected(arith(0, 9, [fp(10), fp(9)]), PUBLIC_MISMATCH, "wrong sum");
    assert_rejected(arith(0, 9, [fp(9), fp(0)]), PUBLIC_MISMATCH, "wrong select");
    // A flag of 2 breaks booleanity; a set flag with a nonzero value breaks `a · b = 0`.
    assert_rejected(arith(2, 0, [fp(2), fp(0)]), "arithmetic", "flag 2");
    assert_rejected(
        arith(1, 9, [fp(10), fp(0)]),
        "arithmetic",
        "flag with value",
    );
}

// ------------------------------------------------------------ Merkle paths

#[test]
fn merkle_path_matches_native_and_rejects_mutations() -> TestResult {
    let depth = 5;
    let leaves: Vec<(u64, Fr)> = (0..9u64).map(|i| (i * 3, Fr::from(100 + i))).collect();
    let tree = MerkleTree::build(depth, leaves)?;
    let index = 12u64;
    let path = tree.path(index)?;
    let leaf = to_halo2(&Fr::from(104u64));
    let root = to_halo2(tree.root());
    let bits: Vec<Fp> = path
        .index_bits()
        .iter()
        .map(|b| fp(u64::from(*b)))
        .collect();
    let siblings: Vec<Fp> = path.siblings().iter().map(to_halo2).collect();
    let case = |bits: Vec<Fp>, siblings: Vec<Fp>| Case::Merkle {
        leaf,
        bits,
        siblings,
    };
    assert_eq!(
        mock(case(bits.clone(), siblings.clone()), &[3], &[leaf, root]),
        Ok(())
    );
    let mut wrong_sibling = siblings.clone();
    wrong_sibling[3] += fp(1);
    let mut wrong_bit = bits.clone();
    wrong_bit[0] = fp(1) - wrong_bit[0];
    let mut two = bits.clone();
    two[1] = fp(2);
    for (what, b, s) in [
        ("sibling", bits.clone(), wrong_sibling),
        ("index bit", wrong_bit, siblings.clone()),
    ] {
        assert_rejected(mock(case(b, s), &[3], &[leaf, root]), PUBLIC_MISMATCH, what);
    }
    assert_rejected(
        mock(case(two, siblings.clone()), &[3], &[leaf, root]),
        "conditional swap",
        "bit 2",
    );
    assert_rejected(
        mock(case(bits, siblings), &[3], &[leaf + fp(1), root]),
        PUBLIC_MISMATCH,
        "leaf",
    );
    Ok(())
}

#[test]
fn quad_path_matches_native_for_even_and_odd_depths() -> TestResult {
    for depth in [4, 5] {
        let leaves: Vec<(u64, Fr)> = (0..7u64).map(|i| (i * 2 + 1, Fr::from(50 + i))).collect();
        let tree = QuadTree::build(depth, leaves)?;
        let index = 13u64;
        let path = tree.path(index)?;
        let leaf = to_halo2(&Fr::from(56u64));
        let root = to_halo2(tree.root());
        let bits: Vec<Fp> = path
            .index_bits()
            .iter()
            .map(|b| fp(u64::from(*b)))
            .collect();
        let siblings: Vec<[Fp; 3]> = path
            .siblings()
            .iter()
            .map(|s| s.map(|x| to_halo2(&x)))
            .collect();
        let top = path.top_sibling().map(to_halo2);
        let case = |bits: Vec<Fp>, siblings: Vec<[Fp; 3]>, top: Option<Fp>| Case::QuadMerkle {
            leaf,
            bits,
            siblings,
            top,
        };
        let widths = [3, 5];
        assert_eq!(
            mock(
                case(bits.clone(), siblings.clone(), top),
                &widths,
                &[leaf, root]
            ),
            Ok(()),
            "depth {depth}"
        );
        let mut wrong = siblings.clone();
        wrong[1][2] += fp(1);
        assert_rejected(
            mock(case(bits.clone(), wrong, top), &widths, &[leaf, root]),
            PUBLIC_MISMATCH,
            "sibling",
        );
        let mut flipped = bits.clone();
        flipped[depth - 1] = fp(1) - flipped[depth - 1];
        assert_rejected(
            mock(case(flipped, siblings.clone(), top), &widths, &[leaf, root]),
            PUBLIC_MISMATCH,
            "top bit",
        );
        assert_rejected(
            mock(
                case(bits[1..].to_vec(), siblings, top),
                &widths,
                &[leaf, root],
            ),
            "synthesis",
            "shape",
        );
    }
    Ok(())
}

// ------------------------------------------------------------ the real prover

/// Proves `circuit` with KZG/SHPLONK and verifies against `public`; `Ok(false)` if the
/// verifier rejects. `MockProver` does not check halo2-axiom's degree cap (5), which a gate or
/// lookup above it breaks silently; this does.
fn proves(circuit: TestCircuit, public: &[Fp]) -> Result<bool, String> {
    use bulwark_circuits::halo2::halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
    use bulwark_circuits::halo2::halo2_proofs::plonk::{
        create_proof, keygen_pk, keygen_vk, verify_proof,
    };
    use bulwark_circuits::halo2::halo2_proofs::poly::commitment::ParamsProver;
    use bulwark_circuits::halo2::halo2_proofs::poly::kzg::commitment::{
        KZGCommitmentScheme, ParamsKZG,
    };
    use bulwark_circuits::halo2::halo2_proofs::poly::kzg::multiopen::{
        ProverSHPLONK, VerifierSHPLONK,
    };
    use bulwark_circuits::halo2::halo2_proofs::poly::kzg::strategy::SingleStrategy;
    use bulwark_circuits::halo2::halo2_proofs::transcript::{
        Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer,
    };
    let err = |e: Error| e.to_string();
    let params = ParamsKZG::<Bn256>::setup(K, rng());
    let vk = keygen_vk(&params, &circuit).map_err(err)?;
    let pk = keygen_pk(&params, vk, &circuit).map_err(err)?;
    let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        &params,
        &pk,
        &[circuit],
        &[&[public]],
        rng(),
        &mut transcript,
    )
    .map_err(err)?;
    let proof = transcript.finalize();
    let mut transcript = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(proof.as_slice());
    Ok(
        verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
            params.verifier_params(),
            pk.get_vk(),
            SingleStrategy::new(&params),
            &[&[public]],
            &mut transcript,
        )
        .is_ok(),
    )
}

#[test]
fn every_chip_proves_and_verifies_with_kzg() -> TestResult {
    let out = to_halo2(&poseidon::hash(&[Fr::from(1u64), Fr::from(2u64)])?);
    let cases = [
        (
            "poseidon",
            Case::Poseidon {
                inputs: vec![fp(1), fp(2)],
                trace: None,
            },
            vec![out],
        ),
        (
            "range",
            Case::Range {
                x: fp(300),
                bits: 12,
                trace: None,
            },
            vec![],
        ),
        (
            "swap",
            Case::Swap {
                inputs: [fp(1), fp(5), fp(6)],
                outputs: None,
            },
            vec![fp(6), fp(5)],
        ),
        (
            "quad placement",
            Case::Quad {
                inputs: [fp(1), fp(0), fp(7), fp(1), fp(2), fp(3)],
                children: None,
            },
            vec![fp(1), fp(7), fp(2), fp(3)],
        ),
    ];
    for (name, case, public) in cases {
        let circuit = |case| TestCircuit {
            case,
            widths: vec![3],
            options: GadgetOptions::default(),
            public: public.len(),
        };
        assert_eq!(proves(circuit(case.clone()), &public), Ok(true), "{name}");
        if let Some(first) = public.first() {
            let mut wrong = public.clone();
            wrong[0] = *first + fp(1);
            assert_eq!(
                proves(circuit(case), &wrong),
                Ok(false),
                "{name}, wrong public input"
            );
        }
    }
    Ok(())
}

#[test]
fn range_check_by_bytes_proves_and_verifies_with_kzg() {
    // Every step of 2^64 − 1 at its bound: 64 bits are eight byte steps, the table's last
    // entry each time; the table is filled once for two checks.
    let x = fp(u64::MAX);
    let circuit = TestCircuit {
        case: Case::RangeRepeated {
            x,
            bits: 64,
            count: 2,
        },
        widths: vec![3],
        options: bytes(false),
        public: 0,
    };
    assert_eq!(proves(circuit, &[]), Ok(true));
}

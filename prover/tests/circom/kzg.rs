//! KZG parameters for the PLONK backend from the snarkjs-made `.ptau`.

use bulwark_circuits::halo2::Fp;
use bulwark_prover::plonk::{
    KzgParams, kzg_dev_params_insecure, params_from_ptau, plonk_keygen, plonk_prove, plonk_verify,
};
use bulwark_prover::{CircomError, Fr, ProverError, Ptau};
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::plonk::{Advice, Circuit, Column, ConstraintSystem, Error, Instance, Selector};
use halo2_proofs::poly::Rotation;

use crate::circuits::rng;
use crate::support::{POWER, ceremony, read, section, work_dir};

/// `c = a·b` with `c` public: one gate, one row.
#[derive(Clone, Default)]
struct Mul {
    a: Value<Fp>,
    b: Value<Fp>,
}

#[derive(Clone)]
struct MulConfig {
    abc: [Column<Advice>; 3],
    mul: Selector,
    instance: Column<Instance>,
}

impl Circuit<Fp> for Mul {
    type Config = MulConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        Self::default()
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> MulConfig {
        let abc = [(); 3].map(|()| meta.advice_column());
        let instance = meta.instance_column();
        meta.enable_equality(abc[2]);
        meta.enable_equality(instance);
        let mul = meta.selector();
        meta.create_gate("mul", |meta| {
            let s = meta.query_selector(mul);
            let [a, b, c] = abc.map(|col| meta.query_advice(col, Rotation::cur()));
            vec![s * (a * b - c)]
        });
        MulConfig { abc, mul, instance }
    }

    fn synthesize(&self, cfg: MulConfig, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        let c = layouter.assign_region(
            || "mul",
            |mut region| {
                cfg.mul.enable(&mut region, 0)?;
                region.assign_advice(cfg.abc[0], 0, self.a);
                region.assign_advice(cfg.abc[1], 0, self.b);
                Ok(region.assign_advice(cfg.abc[2], 0, self.a * self.b).cell())
            },
        )?;
        layouter.constrain_instance(c, cfg.instance, 0);
        Ok(())
    }
}

const K: u32 = 5;

fn mul(a: u64, b: u64) -> Mul {
    Mul {
        a: Value::known(Fp::from(a)),
        b: Value::known(Fp::from(b)),
    }
}

fn prove_and_verify(params: &KzgParams) -> Result<(), ProverError> {
    let pk = plonk_keygen(params, &Mul::default())?;
    let public = [Fr::from(42u64)];
    let proof = plonk_prove(params, &pk, &mul(6, 7), &public, rng(90))?;
    plonk_verify(params, &pk.verifying_key(), &public, &proof)?;
    assert!(matches!(
        plonk_verify(params, &pk.verifying_key(), &[Fr::from(43u64)], &proof),
        Err(ProverError::InvalidProof)
    ));
    Ok(())
}

#[test]
fn kzg_params_from_the_ptau_prove_and_verify() {
    let Some(c) = ceremony() else { return };
    let params = params_from_ptau(&mut Ptau::open(&c.ptau).expect("open"), K).expect("params");
    assert_eq!(params.k(), K);
    prove_and_verify(&params).expect("a proof with ptau params verifies");

    // The parameters are the ceremony's: a key and proof made with other parameters of the
    // same size do not verify under them.
    let dev = kzg_dev_params_insecure(K, 3).expect("dev params");
    let pk = plonk_keygen(&dev, &Mul::default()).expect("keygen");
    let public = [Fr::from(42u64)];
    let proof = plonk_prove(&dev, &pk, &mul(6, 7), &public, rng(91)).expect("prove");
    assert!(plonk_verify(&params, &pk.verifying_key(), &public, &proof).is_err());

    // The unprepared file serves too (KZG needs only the raw powers); the file round-trips.
    let raw = params_from_ptau(&mut Ptau::open(&c.unprepared).expect("open"), K).expect("params");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    params.write_to(&mut a).expect("write");
    raw.write_to(&mut b).expect("write");
    assert_eq!(
        a, b,
        "same parameters from the prepared and unprepared files"
    );
    let back = KzgParams::read_from(&a[..]).expect("read back");
    prove_and_verify(&back).expect("read-back params prove");
}

#[test]
fn kzg_params_from_a_tampered_or_small_ptau_are_refused() {
    let Some(c) = ceremony() else { return };
    let dir = work_dir(c, "kzg-tampered");
    let good = read(&c.unprepared);
    // tauG1[3] replaced by tauG1[4]: still a valid curve point, no longer a power of tau.
    let mut bad = good.clone();
    let s = section(&bad, 2).start;
    bad.copy_within(s + 4 * 64..s + 5 * 64, s + 3 * 64);
    let path = dir.join("bad.ptau");
    std::fs::write(&path, &bad).expect("write");
    let err = params_from_ptau(&mut Ptau::open(&path).expect("open"), K).expect_err("tampered");
    assert!(
        matches!(&err, ProverError::Circom(CircomError::PtauInconsistent { what }) if what.contains("tauG1")),
        "{err}"
    );

    let err = params_from_ptau(&mut Ptau::open(&c.ptau).expect("open"), POWER + 1)
        .expect_err("too small");
    assert!(
        matches!(err, ProverError::Circom(CircomError::PtauTooSmall { .. })),
        "{err}"
    );
    assert!(matches!(
        params_from_ptau(&mut Ptau::open(&c.ptau).expect("open"), 0),
        Err(ProverError::InvalidParamsSize { k: 0 })
    ));
}

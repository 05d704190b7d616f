//! Base-field multiplication for the bucket loops, chosen once per MSM.
//!
//! Batch-affine bucket additions spend most of their time in Fq multiplications (G1) or in Fq2
//! multiplications built from them (G2). [`FieldMul`] is the multiplication the loops are
//! monomorphised over: [`Portable`] is arkworks' own (any CPU), [`Adx`] a Montgomery product
//! written with x86-64's MULX/ADCX/ADOX, which run two carry chains side by side. An [`Adx`]
//! value exists only after run-time detection ([`Adx::detect`]), so the fast loops cannot run on
//! a CPU without BMI2 and ADX; there is no per-multiplication check, and no build flag is needed.
//!
//! Both work on arkworks' representation (Montgomery form, four little-endian 64-bit limbs,
//! fully reduced), so values pass between them with no conversion.

#[cfg(target_arch = "x86_64")]
use ark_bn254::{Fq, Fq2};
use ark_ff::Field;

/// Multiplication and squaring in a curve's base field `F`.
pub trait FieldMul<F>: Copy + Send + Sync {
    /// `a·b`.
    fn mul(self, a: &F, b: &F) -> F;
    /// `a²`.
    fn square(self, a: &F) -> F;
}

/// arkworks' field arithmetic, on every platform.
#[derive(Debug, Clone, Copy, Default)]
pub struct Portable;

impl<F: Field> FieldMul<F> for Portable {
    #[inline(always)]
    fn mul(self, a: &F, b: &F) -> F {
        *a * b
    }

    #[inline(always)]
    fn square(self, a: &F) -> F {
        a.square()
    }
}

/// Proof that the CPU running this process has BMI2 and ADX: BN254 Fq (and Fq2) products by
/// MULX/ADCX/ADOX. Only [`Adx::detect`] makes one, and only where those instructions exist.
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy)]
pub struct Adx(());

/// BMI2/ADX multiplication; never available off x86-64, so this type has no values there.
#[cfg(not(target_arch = "x86_64"))]
#[derive(Debug, Clone, Copy)]
pub enum Adx {}

impl Adx {
    /// `Some` if this CPU executes MULX (BMI2), ADCX and ADOX (ADX).
    pub fn detect() -> Option<Self> {
        #[cfg(target_arch = "x86_64")]
        {
            (std::arch::is_x86_feature_detected!("bmi2")
                && std::arch::is_x86_feature_detected!("adx"))
            .then_some(Adx(()))
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            None
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[allow(
    unsafe_code,
    reason = "calls the assembly product; `Adx` proves the CPU supports it"
)]
impl FieldMul<Fq> for Adx {
    #[inline(always)]
    fn mul(self, a: &Fq, b: &Fq) -> Fq {
        // SAFETY: `self` exists only if `detect` saw BMI2 and ADX on this CPU (see `Adx`).
        Fq::new_unchecked(ark_ff::BigInt(unsafe { montgomery_mul(&a.0.0, &b.0.0) }))
    }

    #[inline(always)]
    fn square(self, a: &Fq) -> Fq {
        self.mul(a, a)
    }
}

#[cfg(target_arch = "x86_64")]
impl FieldMul<Fq2> for Adx {
    /// Karatsuba over `Fq[u]/(u² + 1)` (BN254's Fq2 non-residue is −1): three Fq products.
    #[inline(always)]
    fn mul(self, a: &Fq2, b: &Fq2) -> Fq2 {
        let v0 = self.mul(&a.c0, &b.c0);
        let v1 = self.mul(&a.c1, &b.c1);
        let cross = self.mul(&(a.c0 + a.c1), &(b.c0 + b.c1));
        Fq2::new(v0 - v1, cross - v0 - v1)
    }

    /// `(a₀ + a₁u)² = (a₀ + a₁)(a₀ − a₁) + 2a₀a₁·u`: two Fq products.
    #[inline(always)]
    fn square(self, a: &Fq2) -> Fq2 {
        let c0 = self.mul(&(a.c0 + a.c1), &(a.c0 - a.c1));
        let c1 = self.mul(&a.c0, &a.c1);
        Fq2::new(c0, c1 + c1)
    }
}

#[cfg(not(target_arch = "x86_64"))]
impl<F> FieldMul<F> for Adx {
    fn mul(self, _: &F, _: &F) -> F {
        match self {}
    }

    fn square(self, _: &F) -> F {
        match self {}
    }
}

/// The Fq modulus `p` (little-endian limbs), then `−p⁻¹ mod 2^64`, read by the assembly.
#[cfg(target_arch = "x86_64")]
static MODULUS_AND_INV: [u64; 5] = {
    use ark_ff::fields::MontConfig;
    let p = <ark_bn254::FqConfig as MontConfig<4>>::MODULUS.0;
    [
        p[0],
        p[1],
        p[2],
        p[3],
        <ark_bn254::FqConfig as MontConfig<4>>::INV,
    ]
};

/// Montgomery product `a·b·2^−256 mod p` of `a, b < p`, fully reduced.
///
/// Operand scanning, one limb `aᵢ` per round: `t += aᵢ·b`, then `t += m·p` with
/// `m = t₀·(−p⁻¹) mod 2^64` so the low limb vanishes, and the next round works on `t / 2^64`
/// (the registers rotate instead of moving). Each accumulation runs two independent carry chains,
/// ADOX on the low halves of the MULX products and ADCX on the high halves. Because
/// `p < 2^254`, `t < 2p < 2^255` between rounds and every round fits in five limbs, so no carry
/// leaves the top limb (the "no-carry" condition, Botrel–El Housni); one conditional
/// subtraction of `p` ends the product.
///
/// # Safety
/// The CPU must support BMI2 and ADX.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(
    unsafe_code,
    reason = "inline assembly: MULX/ADCX/ADOX have no safe intrinsics"
)]
unsafe fn montgomery_mul(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let (r0, r1, r2, r3): (u64, u64, u64, u64);
    // SAFETY: the caller guarantees BMI2/ADX; the assembly reads only the 4 limbs of `a` and `b`
    // and the 5 words of `MODULUS_AND_INV`, writes only the registers declared below, and keeps
    // the stack untouched.
    unsafe {
        core::arch::asm!(
            "mov rdx, qword ptr [{a}]",
            "mulx r9, r8, qword ptr [{b}]",
            "mulx r10, rax, qword ptr [{b} + 8]",
            "add r9, rax",
            "mulx r11, rax, qword ptr [{b} + 16]",
            "adc r10, rax",
            "mulx r12, rax, qword ptr [{b} + 24]",
            "adc r11, rax",
            "adc r12, 0",
            "mov rdx, r8",
            "imul rdx, qword ptr [{m} + 32]",
            "xor r13d, r13d",
            "mulx rcx, rax, qword ptr [{m}]",
            "adox r8, rax",
            "adcx r9, rcx",
            "mulx rcx, rax, qword ptr [{m} + 8]",
            "adox r9, rax",
            "adcx r10, rcx",
            "mulx rcx, rax, qword ptr [{m} + 16]",
            "adox r10, rax",
            "adcx r11, rcx",
            "mulx rcx, rax, qword ptr [{m} + 24]",
            "adox r11, rax",
            "adcx r12, rcx",
            "adox r12, r13",
            "mov rdx, qword ptr [{a} + 8]",
            "xor r13d, r13d",
            "mulx rcx, rax, qword ptr [{b}]",
            "adox r9, rax",
            "adcx r10, rcx",
            "mulx rcx, rax, qword ptr [{b} + 8]",
            "adox r10, rax",
            "adcx r11, rcx",
            "mulx rcx, rax, qword ptr [{b} + 16]",
            "adox r11, rax",
            "adcx r12, rcx",
            "mulx r8, rax, qword ptr [{b} + 24]",
            "adox r12, rax",
            "adcx r8, r13",
            "adox r8, r13",
            "mov rdx, r9",
            "imul rdx, qword ptr [{m} + 32]",
            "xor r13d, r13d",
            "mulx rcx, rax, qword ptr [{m}]",
            "adox r9, rax",
            "adcx r10, rcx",
            "mulx rcx, rax, qword ptr [{m} + 8]",
            "adox r10, rax",
            "adcx r11, rcx",
            "mulx rcx, rax, qword ptr [{m} + 16]",
            "adox r11, rax",
            "adcx r12, rcx",
            "mulx rcx, rax, qword ptr [{m} + 24]",
            "adox r12, rax",
            "adcx r8, rcx",
            "adox r8, r13",
            "mov rdx, qword ptr [{a} + 16]",
            "xor r13d, r13d",
            "mulx rcx, rax, qword ptr [{b}]",
            "adox r10, rax",
            "adcx r11, rcx",
            "mulx rcx, rax, qword ptr [{b} + 8]",
            "adox r11, rax",
            "adcx r12, rcx",
            "mulx rcx, rax, qword ptr [{b} + 16]",
            "adox r12, rax",
            "adcx r8, rcx",
            "mulx r9, rax, qword ptr [{b} + 24]",
            "adox r8, rax",
            "adcx r9, r13",
            "adox r9, r13",
            "mov rdx, r10",
            "imul rdx, qword ptr [{m} + 32]",
            "xor r13d, r13d",
            "mulx rcx, rax, qword ptr [{m}]",
            "adox r10, rax",
            "adcx r11, rcx",
            "mulx rcx, rax, qword ptr [{m} + 8]",
            "adox r11, rax",
            "adcx r12, rcx",
            "mulx rcx, rax, qword ptr [{m} + 16]",
            "adox r12, rax",
            "adcx r8, rcx",
            "mulx rcx, rax, qword ptr [{m} + 24]",
            "adox r8, rax",
            "adcx r9, rcx",
            "adox r9, r13",
            "mov rdx, qword ptr [{a} + 24]",
            "xor r13d, r13d",
            "mulx rcx, rax, qword ptr [{b}]",
            "adox r11, rax",
            "adcx r12, rcx",
            "mulx rcx, rax, qword ptr [{b} + 8]",
            "adox r12, rax",
            "adcx r8, rcx",
            "mulx rcx, rax, qword ptr [{b} + 16]",
            "adox r8, rax",
            "adcx r9, rcx",
            "mulx r10, rax, qword ptr [{b} + 24]",
            "adox r9, rax",
            "adcx r10, r13",
            "adox r10, r13",
            "mov rdx, r11",
            "imul rdx, qword ptr [{m} + 32]",
            "xor r13d, r13d",
            "mulx rcx, rax, qword ptr [{m}]",
            "adox r11, rax",
            "adcx r12, rcx",
            "mulx rcx, rax, qword ptr [{m} + 8]",
            "adox r12, rax",
            "adcx r8, rcx",
            "mulx rcx, rax, qword ptr [{m} + 16]",
            "adox r8, rax",
            "adcx r9, rcx",
            "mulx rcx, rax, qword ptr [{m} + 24]",
            "adox r9, rax",
            "adcx r10, rcx",
            "adox r10, r13",
            "mov rax, r12",
            "mov rcx, r8",
            "mov rdx, r9",
            "mov r11, r10",
            "sub rax, qword ptr [{m}]",
            "sbb rcx, qword ptr [{m} + 8]",
            "sbb rdx, qword ptr [{m} + 16]",
            "sbb r11, qword ptr [{m} + 24]",
            "cmovc rax, r12",
            "cmovc rcx, r8",
            "cmovc rdx, r9",
            "cmovc r11, r10",
            a = in(reg) a.as_ptr(),
            b = in(reg) b.as_ptr(),
            m = in(reg) MODULUS_AND_INV.as_ptr(),
            out("rax") r0,
            out("rcx") r1,
            out("rdx") r2,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") r3,
            out("r12") _,
            out("r13") _,
            options(pure, readonly, nostack),
        );
    }
    [r0, r1, r2, r3]
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use ark_ff::{BigInt, MontConfig, UniformRand};
    use rand::{Rng, SeedableRng};

    use super::*;

    fn adx() -> Option<Adx> {
        let adx = Adx::detect();
        if adx.is_none() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but this CPU lacks BMI2/ADX, so the fast path goes untested"
            );
            eprintln!("skipped: this CPU lacks BMI2/ADX");
        }
        adx
    }

    /// Montgomery representations (`< p`) that stress limb carries: 0, 1, `p − 1`, `p − 2^64`,
    /// limbs of all ones below a top limb just under `p`'s, single set limbs, and random limbs.
    fn edge_representations() -> Vec<Fq> {
        let p = <ark_bn254::FqConfig as MontConfig<4>>::MODULUS.0;
        let mut reprs = vec![
            [0, 0, 0, 0],
            [1, 0, 0, 0],
            [p[0] - 1, p[1], p[2], p[3]],
            [p[0] - 2, p[1], p[2], p[3]],
            [p[0], p[1] - 1, p[2], p[3]],
            [u64::MAX, u64::MAX, u64::MAX, p[3] - 1],
            [u64::MAX, 0, u64::MAX, 0],
            [0, u64::MAX, 0, p[3] - 1],
            [u64::MAX, u64::MAX, u64::MAX, 0],
            [0, 0, 0, p[3] - 1],
            [0, 0, 0, 1],
            [0, 0, 1, 0],
            [0, 1, 0, 0],
            [u64::MAX, 0, 0, 0],
        ];
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        for _ in 0..64 {
            let top = rng.gen_range(0..p[3]);
            reprs.push([rng.r#gen(), rng.r#gen(), rng.r#gen(), top]);
        }
        let mut values: Vec<Fq> = reprs
            .into_iter()
            .map(|limbs| Fq::new_unchecked(BigInt(limbs)))
            .collect();
        // Field values whose canonical form is an edge case (their representation is not).
        values.extend([
            Fq::from(1u64),
            -Fq::from(1u64),
            -Fq::from(2u64),
            Fq::from(u64::MAX),
        ]);
        values
    }

    #[test]
    fn fq_products_match_arkworks_on_edge_values() {
        let Some(adx) = adx() else { return };
        let values = edge_representations();
        for a in &values {
            for b in &values {
                assert_eq!(adx.mul(a, b), *a * b, "a = {:?}, b = {:?}", a.0, b.0);
            }
            assert_eq!(adx.square(a), a.square(), "a = {:?}", a.0);
        }
    }

    #[test]
    fn fq_products_match_arkworks_on_random_values() {
        let Some(adx) = adx() else { return };
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
        let mut acc = Fq::from(3u64);
        let mut expected = acc;
        for _ in 0..200_000 {
            let (a, b) = (Fq::rand(&mut rng), Fq::rand(&mut rng));
            assert_eq!(adx.mul(&a, &b), a * b, "a = {a}, b = {b}");
            // A chain of dependent products, as in Montgomery's trick.
            acc = adx.mul(&acc, &a);
            expected *= a;
        }
        assert_eq!(acc, expected);
    }

    #[test]
    fn fq2_products_match_arkworks() {
        let Some(adx) = adx() else { return };
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(13);
        let edges = edge_representations();
        let mut values: Vec<Fq2> = (0..200).map(|_| Fq2::rand(&mut rng)).collect();
        values.extend(
            edges
                .iter()
                .zip(edges.iter().rev())
                .map(|(a, b)| Fq2::new(*a, *b)),
        );
        for a in &values {
            for b in values.iter().step_by(7) {
                assert_eq!(adx.mul(a, b), *a * b, "a = {a}, b = {b}");
            }
            assert_eq!(adx.square(a), a.square(), "a = {a}");
        }
    }
}

// BN254 G1 (y^2 = x^3 + 3) in XYZZ coordinates: x = X/ZZ, y = Y/ZZZ, ZZ^3 = ZZZ^2, identity
// iff ZZ = 0. Formulas: add-2008-s, madd-2008-s, dbl-2008-s-1 (Explicit-Formulas Database,
// "xyzz" for short Weierstrass curves). Affine points encode the identity as y = 0: BN254 G1
// has odd prime order, so no point of the group has y = 0.

struct Xyzz {
    x: Fp,
    y: Fp,
    zz: Fp,
    zzz: Fp,
}

struct Affine {
    x: Fp,
    y: Fp,
}

fn xyzz_identity() -> Xyzz {
    return Xyzz(Fp(), Fp(), Fp(), Fp());
}

fn affine_to_xyzz(a: Affine) -> Xyzz {
    if (fp_is_zero(a.y)) {
        return xyzz_identity();
    }
    return Xyzz(a.x, a.y, R1, R1);
}

fn affine_neg(a: Affine) -> Affine {
    return Affine(a.x, fp_neg(a.y));
}

fn xyzz_dbl(p: Xyzz) -> Xyzz {
    if (fp_is_zero(p.zz)) {
        return p;
    }
    let u = fp_add(p.y, p.y);
    let v = fp_mul(u, u);
    let w = fp_mul(u, v);
    let s = fp_mul(p.x, v);
    let x2 = fp_mul(p.x, p.x);
    let m = fp_add(fp_add(x2, x2), x2);
    let x3 = fp_sub(fp_sub(fp_mul(m, m), s), s);
    let y3 = fp_sub(fp_mul(m, fp_sub(s, x3)), fp_mul(w, p.y));
    return Xyzz(x3, y3, fp_mul(v, p.zz), fp_mul(w, p.zzz));
}

fn xyzz_add_affine(p: Xyzz, q: Affine) -> Xyzz {
    if (fp_is_zero(q.y)) {
        return p;
    }
    if (fp_is_zero(p.zz)) {
        return Xyzz(q.x, q.y, R1, R1);
    }
    let u2 = fp_mul(q.x, p.zz);
    let s2 = fp_mul(q.y, p.zzz);
    let h = fp_sub(u2, p.x);
    let r = fp_sub(s2, p.y);
    if (fp_is_zero(h)) {
        if (fp_is_zero(r)) {
            return xyzz_dbl(Xyzz(q.x, q.y, R1, R1));
        }
        return xyzz_identity();
    }
    let hh = fp_mul(h, h);
    let hhh = fp_mul(h, hh);
    let q1 = fp_mul(p.x, hh);
    let x3 = fp_sub(fp_sub(fp_sub(fp_mul(r, r), hhh), q1), q1);
    let y3 = fp_sub(fp_mul(r, fp_sub(q1, x3)), fp_mul(p.y, hhh));
    return Xyzz(x3, y3, fp_mul(p.zz, hh), fp_mul(p.zzz, hhh));
}

fn xyzz_add(p: Xyzz, q: Xyzz) -> Xyzz {
    if (fp_is_zero(q.zz)) {
        return p;
    }
    if (fp_is_zero(p.zz)) {
        return q;
    }
    let u1 = fp_mul(p.x, q.zz);
    let u2 = fp_mul(q.x, p.zz);
    let s1 = fp_mul(p.y, q.zzz);
    let s2 = fp_mul(q.y, p.zzz);
    let h = fp_sub(u2, u1);
    let r = fp_sub(s2, s1);
    if (fp_is_zero(h)) {
        if (fp_is_zero(r)) {
            return xyzz_dbl(p);
        }
        return xyzz_identity();
    }
    let hh = fp_mul(h, h);
    let hhh = fp_mul(h, hh);
    let q1 = fp_mul(u1, hh);
    let x3 = fp_sub(fp_sub(fp_sub(fp_mul(r, r), hhh), q1), q1);
    let y3 = fp_sub(fp_mul(r, fp_sub(q1, x3)), fp_mul(s1, hhh));
    let zz3 = fp_mul(fp_mul(p.zz, q.zz), hh);
    let zzz3 = fp_mul(fp_mul(p.zzz, q.zzz), hhh);
    return Xyzz(x3, y3, zz3, zzz3);
}

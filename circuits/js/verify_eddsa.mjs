// Cross-checks EdDSA-Poseidon signatures produced elsewhere (bulwark's Rust signer) with
// circomlibjs: `node verify_eddsa.mjs <file.json>` with the fixture format of
// eddsa_vectors.mjs. Every signature must pass `verifyPoseidon`; where a private key is
// given, circomlibjs must also derive the same public key and the same signature.
// Exits 1 on any mismatch, 2 on unusable input.
import { readFileSync } from "node:fs";
import { buildEddsa } from "circomlibjs";

const path = process.argv[2];
if (!path) {
    console.error("usage: node verify_eddsa.mjs <vectors.json>");
    process.exit(2);
}
const { vectors } = JSON.parse(readFileSync(path, "utf8"));
if (!Array.isArray(vectors) || vectors.length === 0) {
    console.error(`${path}: no vectors`);
    process.exit(2);
}

const eddsa = await buildEddsa();
const F = eddsa.babyJub.F;
const dec = (x) => F.toObject(x).toString();
const failures = [];
vectors.forEach((v, i) => {
    const pub = v.public_key.map((c) => F.e(c));
    const msg = F.e(v.msg);
    const sig = { R8: v.signature.R8.map((c) => F.e(c)), S: BigInt(v.signature.S) };
    if (!eddsa.verifyPoseidon(msg, sig, pub)) failures.push(`${i}: verifyPoseidon rejected`);
    if (v.private_key !== undefined) {
        const prv = Buffer.from(v.private_key, "hex");
        const ours = eddsa.prv2pub(prv);
        if (dec(ours[0]) !== v.public_key[0] || dec(ours[1]) !== v.public_key[1]) {
            failures.push(`${i}: public key differs from prv2pub`);
        }
        const theirs = eddsa.signPoseidon(prv, msg);
        if (
            dec(theirs.R8[0]) !== v.signature.R8[0] ||
            dec(theirs.R8[1]) !== v.signature.R8[1] ||
            theirs.S.toString() !== v.signature.S
        ) {
            failures.push(`${i}: signature differs from signPoseidon`);
        }
    }
});
if (failures.length > 0) {
    console.error(failures.join("\n"));
    process.exit(1);
}
console.log(`${vectors.length} signatures verified by circomlibjs`);
process.exit(0);

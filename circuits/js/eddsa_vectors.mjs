// EdDSA-Poseidon (Baby Jubjub) known-answer vectors from circomlibjs `signPoseidon`.
//
// `eddsaVectors()` returns the fixture object (the top-level generator calls it); run
// standalone (`node eddsa_vectors.mjs`) to write ../tests/fixtures/eddsa_circomlibjs.json.
// Everything is deterministic: private keys are SHA-256 of a fixed label and a counter, and
// EdDSA signing is itself deterministic, so rerunning reproduces the file byte for byte.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildEddsa } from "circomlibjs";

const FIELD_MODULUS =
    21888242871839275222246405745257275088548364400416034343698204186575808495617n;

function sha256(label) {
    return createHash("sha256").update(label).digest();
}

function fieldFromLabel(label) {
    return BigInt("0x" + sha256(label).toString("hex")) % FIELD_MODULUS;
}

/** The messages every key signs: edge values of the field and hash-derived ones. */
function messages(keyIndex) {
    return [
        0n,
        1n,
        FIELD_MODULUS - 1n,
        fieldFromLabel(`bulwark-eddsa-msg-${keyIndex}`),
    ];
}

/** Builds the fixture object: one entry per (private key, message) pair. */
export async function eddsaVectors() {
    const eddsa = await buildEddsa();
    const F = eddsa.babyJub.F;
    const dec = (x) => F.toObject(x).toString();
    const vectors = [];
    for (let i = 0; i < 6; i++) {
        const prv = sha256(`bulwark-eddsa-key-${i}`);
        const pub = eddsa.prv2pub(prv);
        for (const msg of messages(i)) {
            const sig = eddsa.signPoseidon(prv, F.e(msg));
            if (!eddsa.verifyPoseidon(F.e(msg), sig, pub)) {
                throw new Error(`circomlibjs rejected its own signature (key ${i}, msg ${msg})`);
            }
            vectors.push({
                private_key: prv.toString("hex"),
                public_key: [dec(pub[0]), dec(pub[1])],
                msg: msg.toString(),
                signature: { R8: [dec(sig.R8[0]), dec(sig.R8[1])], S: sig.S.toString() },
            });
        }
    }
    return {
        description:
            "EdDSA-Poseidon on Baby Jubjub: circomlibjs 0.1.7 prv2pub/signPoseidon; decimal strings",
        vectors,
    };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const out = new URL("../tests/fixtures/eddsa_circomlibjs.json", import.meta.url);
    writeFileSync(out, JSON.stringify(await eddsaVectors(), null, 1) + "\n");
    console.log(`wrote ${fileURLToPath(out)}`);
    process.exit(0);
}

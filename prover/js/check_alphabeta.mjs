// Recomputes e(vk_alpha_1, vk_beta_2) with ffjavascript (snarkjs' own BN254 arithmetic) and
// compares it with the vk_alphabeta_12 of a verification_key.json. Prints "alphabeta OK" and
// exits 0 when they are equal, exits 1 otherwise.
// Usage: node check_alphabeta.mjs verification_key.json
import { readFileSync } from "node:fs";
import { buildBn128, utils } from "ffjavascript";

const vk = utils.unstringifyBigInts(JSON.parse(readFileSync(process.argv[2], "utf8")));
const curve = await buildBn128(true);
const expected = curve.pairing(curve.G1.fromObject(vk.vk_alpha_1), curve.G2.fromObject(vk.vk_beta_2));
const ours = curve.Gt.fromObject(vk.vk_alphabeta_12);
const ok = curve.Gt.eq(expected, ours);
if (ok) {
  console.log("alphabeta OK");
} else {
  console.log("alphabeta MISMATCH; ffjavascript computes", JSON.stringify(utils.stringifyBigInts(curve.Gt.toObject(expected))));
}
await curve.terminate();
process.exit(ok ? 0 : 1);

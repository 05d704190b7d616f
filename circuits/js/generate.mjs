// Regenerates bulwark's circomlibjs fixtures (run from anywhere: `node circuits/js/generate.mjs`).
// The outputs are committed under circuits/tests/fixtures/; tests read them.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { poseidonVectors } from "./poseidon_vectors.mjs";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "tests", "fixtures");

function write(name, value) {
  writeFileSync(join(fixtures, name), JSON.stringify(value, null, 1) + "\n");
  console.log(`wrote ${name}`);
}

write("poseidon_circomlibjs.json", await poseidonVectors());

// Compiles Solidity with the pinned solc-js (package.json) for bulwark-prover's EVM tests.
//
// stdin: {"sources": {"File.sol": "<source>", ...}, "yulOptimizer": true}; stdout: {"ContractName": "<creation
// bytecode hex>", ...} for every contract in every file. Exits 1 with solc's messages on any
// compile error. Optimizer on (200 runs), EVM version prague; "yulOptimizer": false turns off
// its Yul optimizer (snark-verifier's PLONK verifiers are one large assembly block on which
// it runs out of stack slots).
import solc from "solc";

let raw = "";
for await (const chunk of process.stdin) raw += chunk;
const { sources, yulOptimizer = true } = JSON.parse(raw);

const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings: {
        optimizer: { enabled: true, runs: 200, ...(yulOptimizer ? {} : { details: { yul: false } }) },
        evmVersion: "prague",
        outputSelection: { "*": { "*": ["evm.bytecode.object"] } },
    },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length > 0) {
    for (const e of errors) console.error(e.formattedMessage);
    process.exit(1);
}
const bytecode = {};
for (const file of Object.values(output.contracts || {})) {
    for (const [name, contract] of Object.entries(file)) bytecode[name] = contract.evm.bytecode.object;
}
process.stdout.write(JSON.stringify(bytecode));

//! Splitting snark-verifier's verifier into contracts that each fit EIP-170 (24,576 bytes of
//! deployed code).
//!
//! The generator keeps all of its state in memory at fixed offsets (every address is a
//! literal) and declares Yul variables only inside blocks, so between two top-level statements
//! the whole state is `success` and memory. A cut there makes two contracts: part `i` runs its
//! statements, reverts unless `success`, then `staticcall`s part `i + 1` with its memory
//! `[0x80, end)` as calldata (`end`: the highest address any statement so far touches); part
//! `i + 1` checks the length, `calldatacopy`s it back to `0x80` and runs the rest with
//! `success := true`. Every part after the first returns [`PART_OK`] when its checks (and
//! those of the parts after it) hold and reverts otherwise; part `i` accepts only a call that
//! succeeded and returned exactly that word, so a codeless or foreign address never passes.
//!
//! What a later part trusts: only its calldata, which anyone may choose. It decides "the rest
//! of the verification holds for this memory", a pure function with no state, so a direct
//! call with made-up memory changes nothing; the entry part only ever asks it about the
//! memory it computed itself from the proof. The wiring is fixed at deployment: part `i`'s
//! constructor takes part `i + 1`'s address (an immutable), so the parts are deployed last
//! first, and a reader checks the deployed parts as they would check any verifier's code.
//!
//! Calldata scalars are read only by the first part: cuts come after the last
//! `calldataload`.

use super::plonk_memory::{compact, memory_extent};
use super::{SolidityError, SoliditySource};

/// The word a later part returns on success: ASCII `bulwark PLONK verifier part ok`, padded.
const PART_OK: &str = "0x62756c7761726b20504c4f4e4b2076657269666965722070617274206f6b0000";
/// The generator's helper function, after `f_p` and `f_q`; the body follows its end.
const GENERATED_DEFINITIONS: &str = "let f_p :=";
/// The function whose end is where the statements begin.
const GENERATED_FUNCTION: &str = "function validate_ec_point(";
/// The generator's epilogue: where the statements end.
const GENERATED_EPILOGUE: &str = "// Revert if anything fails";
/// Estimated Yul characters (whitespace excluded) per part: snark-verifier's code compiles to
/// about one byte per 3.2 such characters (the rollup's verifier: 38,307 B in two parts from
/// about 125,000), so a part of this weight is about 22 KB, below EIP-170 with room for the
/// denser stretches (32-byte constants). The cuts split the weight evenly, so parts are
/// usually lighter: the rollup's are 19.5 and 18.8 KB.
pub(super) const PART_WEIGHT: usize = 70_000;

/// The pieces of the generator's output that every part is built from.
pub(super) struct Generated<'a> {
    /// `let f_p`, `let f_q` and the `validate_ec_point` function.
    definitions: &'a str,
    /// The top-level statements, in order.
    statements: Vec<String>,
}

impl<'a> Generated<'a> {
    /// Cuts the generator's output into its definitions and top-level statements; an error if
    /// its shape is not the one the module docs rely on.
    pub(super) fn parse(code: &'a str) -> Result<Self, SolidityError> {
        let unexpected = |marker| SolidityError::UnexpectedGeneratorOutput { marker };
        for marker in [
            GENERATED_DEFINITIONS,
            GENERATED_FUNCTION,
            GENERATED_EPILOGUE,
        ] {
            if code.matches(marker).count() != 1 {
                return Err(unexpected(marker));
            }
        }
        let start = code
            .find(GENERATED_DEFINITIONS)
            .ok_or(unexpected(GENERATED_DEFINITIONS))?;
        let function = code
            .find(GENERATED_FUNCTION)
            .ok_or(unexpected(GENERATED_FUNCTION))?;
        let body_start =
            function + block_end(&code[function..]).ok_or(unexpected(GENERATED_FUNCTION))?;
        let body_end = code
            .find(GENERATED_EPILOGUE)
            .ok_or(unexpected(GENERATED_EPILOGUE))?;
        if !(start < function && body_start <= body_end) {
            return Err(unexpected(GENERATED_EPILOGUE));
        }
        Ok(Self {
            definitions: code[start..body_start].trim(),
            statements: top_level_statements(&code[body_start..body_end])?
                .into_iter()
                .map(str::to_owned)
                .collect(),
        })
    }

    /// Moves the statements' values so that memory words are reused (`plonk_memory`).
    pub(super) fn compact_memory(&mut self) -> Result<(), SolidityError> {
        self.statements = compact(&self.statements)?;
        Ok(())
    }

    /// The estimated size of the statements (see [`PART_WEIGHT`]).
    pub(super) fn weight(&self) -> usize {
        self.statements.iter().map(|s| weight(s)).sum()
    }

    /// Writes the verifier as `parts` contracts, the first named `name` and reading the
    /// calldata (with `checks`, the canonical-scalar checks, first), the others
    /// `<name>Part<i>`.
    pub(super) fn contracts(
        &self,
        name: &str,
        checks: &str,
        parts: usize,
    ) -> Result<Vec<SoliditySource>, SolidityError> {
        let cuts = self.cuts(parts)?;
        let names: Vec<String> = (1..=parts)
            .map(|i| {
                if i == 1 {
                    name.to_owned()
                } else {
                    format!("{name}Part{i}")
                }
            })
            .collect();
        let order = if parts == 1 {
            format!("{name}, without constructor arguments")
        } else {
            let order: Vec<&str> = names.iter().rev().map(String::as_str).collect();
            format!(
                "{}\n// (each with the address of the one deployed before it as its constructor \
                 argument); callers call {name}",
                order.join(", then ")
            )
        };
        let mut sources = Vec::with_capacity(parts);
        // The memory the next part needs: everything the statements so far touched.
        let mut memory_end = 0x80;
        let mut from = 0;
        for (i, &to) in cuts.iter().chain([&self.statements.len()]).enumerate() {
            let statements = self.statements[from..to].join("\n");
            let incoming = memory_end;
            for statement in &self.statements[from..to] {
                memory_end = memory_end.max(memory_extent(statement)?);
            }
            let next = names
                .get(i + 1)
                .map(|next| (next.as_str(), memory_end - 0x80));
            sources.push(SoliditySource {
                contract_name: names[i].clone(),
                source: part_source(
                    &names[i],
                    &order,
                    (i > 0).then_some(incoming - 0x80),
                    if i == 0 { checks } else { "" },
                    self.definitions,
                    &statements,
                    next,
                ),
            });
            from = to;
        }
        Ok(sources)
    }

    /// `parts − 1` statement indices to cut before, of about equal weight, all after the last
    /// statement that reads calldata.
    fn cuts(&self, parts: usize) -> Result<Vec<usize>, SolidityError> {
        let first_allowed = self
            .statements
            .iter()
            .rposition(|s| s.contains("calldataload("))
            .map_or(0, |i| i + 1);
        let total = self.weight();
        let mut cuts = Vec::with_capacity(parts.saturating_sub(1));
        let mut done = 0;
        for (i, statement) in self.statements.iter().enumerate() {
            if cuts.len() + 1 >= parts {
                break;
            }
            let target = total * (cuts.len() + 1) / parts;
            if i >= first_allowed.max(1) && done >= target {
                cuts.push(i);
            }
            done += weight(statement);
        }
        if parts == 0 || cuts.len() + 1 != parts {
            return Err(SolidityError::PlonkParts {
                parts,
                statements: self.statements.len() - first_allowed,
            });
        }
        Ok(cuts)
    }
}

/// Non-whitespace characters: the estimate of compiled size [`PART_WEIGHT`] is in.
fn weight(statement: &str) -> usize {
    statement.chars().filter(|c| !c.is_whitespace()).count()
}

/// The length of `code` up to and including the `}` closing its first `{`.
fn block_end(code: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in code.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits the generator's statements at the lines where no block is open. A top-level `let`
/// would be state outside memory and is refused.
fn top_level_statements(body: &str) -> Result<Vec<&str>, SolidityError> {
    let unbalanced = || SolidityError::UnexpectedGeneratorOutput { marker: "}" };
    let mut statements = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if depth == 0 && line.trim_start().starts_with("let ") {
            return Err(SolidityError::UnexpectedGeneratorOutput { marker: "let " });
        }
        for c in line.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.checked_sub(1).ok_or_else(unbalanced)?,
                _ => {}
            }
        }
        offset += line.len();
        if depth == 0 {
            let statement = body[start..offset].trim();
            if !statement.is_empty() {
                statements.push(statement);
            }
            start = offset;
        }
    }
    if depth != 0 {
        return Err(unbalanced());
    }
    Ok(statements)
}

/// One part's source: `incoming` is the memory length it receives (none for the entry
/// part), `next` the next part's name and the memory length it is passed.
fn part_source(
    name: &str,
    order: &str,
    incoming: Option<usize>,
    checks: &str,
    definitions: &str,
    statements: &str,
    next: Option<(&str, usize)>,
) -> String {
    let role = match incoming {
        None => "The entry point: calldata is the public inputs as 32-byte words, then the\n/// \
                 proof; it returns nothing when the proof verifies and reverts otherwise."
            .to_owned(),
        Some(_) => format!(
            "A later part: calldata is the memory of the part before it; it returns\n/// \
             {PART_OK}\n/// when the rest of the verification holds for that memory and reverts \
             otherwise.\n/// Calling it directly proves nothing: only the entry part's call counts."
        ),
    };
    let (wiring, handle, handoff) = match next {
        Some((next, length)) => (
            format!(
                "
    /// `{next}`, which checks the rest of the proof.
    address private immutable NEXT_PART;

    /// Deploy `{next}` first and pass its address.
    constructor(address nextPart) {{
        require(nextPart.code.length > 0, \"{next} is not deployed at nextPart\");
        NEXT_PART = nextPart;
    }}
"
            ),
            "
        address nextPart = NEXT_PART;",
            format!(
                "
            if iszero(success) {{ revert(0, 0) }}
            // {next} checks the rest, from this memory.
            success := staticcall(gas(), nextPart, 0x80, {length:#x}, 0x00, 0x20)
            if iszero(and(success, and(eq(returndatasize(), 0x20), eq(mload(0x00), {PART_OK})))) {{
                revert(0, 0)
            }}"
            ),
        ),
        None => (
            String::new(),
            "",
            "
            if iszero(success) { revert(0, 0) }"
                .to_owned(),
        ),
    };
    let load = match incoming {
        Some(length) => format!(
            "
            // The memory [0x80, {end:#x}) the part before left.
            if iszero(eq(calldatasize(), {length:#x})) {{ revert(0, 0) }}
            calldatacopy(0x80, 0x00, {length:#x})",
            end = 0x80 + length
        ),
        None => String::new(),
    };
    let success = match incoming {
        Some(_) => format!(
            "
            mstore(0x00, {PART_OK})
            return(0x00, 0x20)"
        ),
        None => "
            return(0, 0)"
            .to_owned(),
    };
    format!(
        "// SPDX-License-Identifier: MIT
// Generated by bulwark from snark-verifier's SHPLONK verifier, in parts that each fit EIP-170.
// Deployment order: {order}.

pragma solidity ^0.8.19;

/// {role}
contract {name} {{{wiring}
    fallback(bytes calldata) external returns (bytes memory) {{{handle}
        assembly (\"memory-safe\") {{
            // Enforce that Solidity memory layout is respected
            let data := mload(0x40)
            if iszero(eq(data, 0x80)) {{
                revert(0, 0)
            }}{load}

            let success := true{checks}
            {definitions}
{statements}
{handoff}{success}
        }}
    }}
}}
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_where_no_block_is_open() {
        let body = "mstore(0x80, 1)\n{\n let x := 2\n mstore(0xa0, x)\n}\nmstore(0xc0, 3)\n";
        let statements = top_level_statements(body).expect("statements");
        assert_eq!(statements.len(), 3);
        assert!(statements[1].starts_with('{') && statements[1].ends_with('}'));
        assert!(top_level_statements("let x := 1\n").is_err());
        assert!(top_level_statements("{\n").is_err());
        assert!(top_level_statements("}\n").is_err());
    }
}

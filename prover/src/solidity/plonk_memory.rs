//! The memory of snark-verifier's generated verifier: reading its accesses, and compacting it.
//!
//! The generator stores every value it computes in a memory word of its own and never reuses
//! one, so a verifier's memory grows to tens of kilobytes (0xd9c0 bytes for the rollup's) and
//! the EVM's quadratic memory price comes to about 11k gas, paid again in every later part
//! of a split verifier for the memory it is handed. At any line only a few hundred of those
//! words hold a value that is still to be read. [`compact`] moves the values so that words
//! are reused:
//!
//! 1. **Accesses.** The statements are straight-line code (a statement with `if`, `for`,
//!    `switch` or a function is an error), and every memory access is at a literal address
//!    (anything else is an error): `mstore`, `mstore8`, `mload`, a `keccak256` input and a
//!    precompile `staticcall`'s input and output (any other operation on memory, such as
//!    `return`, `mcopy` or `msize`, is an error). Time is counted in lines: a line's reads
//!    count before its one write (two writes on a line are refused).
//! 2. **Blocks.** The words of one range (a hash input, a precompile's input or output) must
//!    stay adjacent, so overlapping ranges join into one block that moves as a whole; any
//!    other word is a block of its own.
//! 3. **Lifetimes.** A block lives from the first line that touches it to the last. A block
//!    with a word whose first touch reads it (it reads as zero: a hash over a byte `mstore8`
//!    wrote into an untouched word) only goes to words no block has used before.
//! 4. **Placement.** In order of first line, each block takes the lowest addresses from `0x80`
//!    that no block still live on its first line holds: two blocks at one address never share
//!    a line, so the order of operations within a line cannot matter.
//! 5. **Check.** For every read, the line that last wrote each of its words must be the same
//!    before and after (or none: zero memory). Any difference is an error, never a contract.

use std::collections::HashMap;
use std::ops::Range;

use super::SolidityError;

/// The first address the generator uses: below it is Solidity's scratch space and
/// free-memory pointer.
const MEMORY_START: usize = 0x80;

/// How an operation uses one of its memory ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Read.
    Read,
    /// A whole-word write.
    Write,
    /// A write of part of a word (`mstore8`): the rest of the word keeps what it held, so it
    /// counts as a read too.
    Partial,
}

/// One range of an operation: the argument index of its address, the argument index of its
/// length (`None`: the operation's fixed length) and its use.
type RangeArgument = (usize, Option<usize>, Use);

/// The operations that touch memory in the generated code: the call as written, its memory
/// ranges and the length of a range without a length argument.
const MEMORY_OPERATIONS: &[(&str, &[RangeArgument], usize)] = &[
    ("mstore8(", &[(0, None, Use::Partial)], 1),
    ("mstore(", &[(0, None, Use::Write)], 32),
    ("mload(", &[(0, None, Use::Read)], 32),
    ("keccak256(", &[(0, Some(1), Use::Read)], 0),
    (
        "staticcall(",
        &[(2, Some(3), Use::Read), (4, Some(5), Use::Write)],
        0,
    ),
];

/// One memory range an operation in a statement touches.
#[derive(Debug, Clone)]
struct Access {
    /// Where the address argument is written in the statement.
    text: Range<usize>,
    /// The line (counted from the statement's start) the operation is on.
    line: usize,
    /// The byte address.
    address: usize,
    /// The length in bytes.
    length: usize,
    /// How the range is used.
    usage: Use,
}

impl Access {
    /// The words the range covers (word indices, address / 32).
    fn words(&self) -> Range<usize> {
        self.address / 32..(self.address + self.length).div_ceil(32)
    }
}

/// An error naming what the compaction could not handle.
fn unsupported(reason: impl Into<String>) -> SolidityError {
    SolidityError::PlonkMemory {
        reason: reason.into(),
    }
}

/// Every memory range `statement` touches, in text order: an error for an address that is not
/// a literal from `0x80` on, a length that is not a literal, or a multi-word range that does
/// not start on a word.
fn accesses(statement: &str) -> Result<Vec<Access>, SolidityError> {
    if let Some(operation) = other_memory_operation(statement) {
        return Err(unsupported(format!(
            "`{operation}` (memory it touches is not tracked) in `{}`",
            statement.lines().next().unwrap_or_default()
        )));
    }
    let mut found = Vec::new();
    for &(operation, ranges, fixed) in MEMORY_OPERATIONS {
        let bad = |what: &str| {
            unsupported(format!(
                "`{operation}…)` with {what} in `{}`",
                statement.lines().next().unwrap_or_default()
            ))
        };
        for (at, _) in statement.match_indices(operation) {
            // Skip identifiers that merely end in the operation's name.
            let before = statement[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let args = argument_spans(statement, at + operation.len())
                .ok_or_else(|| bad("unbalanced parentheses"))?;
            let line = statement[..at].matches('\n').count();
            for &(address_arg, length_arg, usage) in ranges {
                let text = args
                    .get(address_arg)
                    .cloned()
                    .ok_or_else(|| bad("too few arguments"))?;
                let address = literal(&statement[text.clone()])
                    .filter(|a| *a >= MEMORY_START)
                    .ok_or_else(|| bad("an address that is not a literal from 0x80 on"))?;
                let length = match length_arg {
                    Some(i) => args
                        .get(i)
                        .and_then(|span| literal(&statement[span.clone()]))
                        .ok_or_else(|| bad("a length that is not a literal"))?,
                    None => fixed,
                };
                if length > 32 && address % 32 != 0 {
                    return Err(bad("a range that does not start on a word"));
                }
                found.push(Access {
                    text,
                    line,
                    address,
                    length,
                    usage,
                });
            }
        }
    }
    found.sort_by_key(|a| a.text.start);
    Ok(found)
}

/// The first call in `statement` of an EVM operation that touches memory other than those of
/// [`MEMORY_OPERATIONS`] (or, like `msize`, depends on its extent).
fn other_memory_operation(statement: &str) -> Option<&str> {
    const OTHERS: [&str; 18] = [
        "calldatacopy",
        "codecopy",
        "extcodecopy",
        "returndatacopy",
        "mcopy",
        "return",
        "revert",
        "log0",
        "log1",
        "log2",
        "log3",
        "log4",
        "call",
        "callcode",
        "delegatecall",
        "create",
        "create2",
        "msize",
    ];
    statement.match_indices('(').find_map(|(at, _)| {
        let name = statement[..at]
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()?;
        OTHERS.contains(&name).then_some(name)
    })
}

/// The end of the memory `statement` touches (at least `0x80`); an error as [`accesses`].
pub(super) fn memory_extent(statement: &str) -> Result<usize, SolidityError> {
    Ok(accesses(statement)?
        .iter()
        .map(|a| a.address + a.length)
        .fold(MEMORY_START, usize::max))
}

/// The spans of the comma-separated top-level arguments, trimmed, of the call whose `(` ends
/// just before `open` in `text`.
fn argument_spans(text: &str, open: usize) -> Option<Vec<Range<usize>>> {
    let trimmed = |from: usize, to: usize| {
        let arg = &text[from..to];
        let start = from + (arg.len() - arg.trim_start().len());
        start..start + arg.trim().len()
    };
    let mut args = Vec::new();
    let (mut depth, mut start) = (0usize, open);
    for (i, c) in text[open..].char_indices() {
        let i = open + i;
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                args.push(trimmed(start, i));
                return Some(args);
            }
            ')' => depth -= 1,
            ',' if depth == 0 => {
                args.push(trimmed(start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// A hexadecimal (`0x…`) or decimal literal that fits a `usize`.
fn literal(text: &str) -> Option<usize> {
    match text.strip_prefix("0x") {
        Some(hex) => usize::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// A block of words that moves as a whole (see the module docs).
#[derive(Debug, Clone)]
struct Block {
    /// Its words before compaction.
    words: Range<usize>,
    /// The first line touching it.
    first_line: usize,
    /// The line after the last line touching it.
    end_line: usize,
    /// Whether it must go to words no block used before.
    fresh: bool,
    /// Its first word after compaction.
    to: usize,
}

/// The statements with every value moved so that memory words are reused (module docs);
/// statements without memory accesses are unchanged.
pub(super) fn compact(statements: &[String]) -> Result<Vec<String>, SolidityError> {
    // 1. Every access, with its line counted over all statements.
    let mut all: Vec<(usize, Access)> = Vec::new();
    let mut first_line = 0;
    for (s, statement) in statements.iter().enumerate() {
        if let Some(keyword) = control_flow(statement) {
            return Err(unsupported(format!(
                "`{keyword}` in statement {}: lifetimes are counted in lines of straight-line code",
                s + 1
            )));
        }
        for mut access in accesses(statement)? {
            access.line += first_line;
            all.push((s, access));
        }
        first_line += statement.matches('\n').count() + 1;
    }
    // Statements and their accesses are in text order, so `all` is in line order.
    let accesses: Vec<&Access> = all.iter().map(|(_, a)| a).collect();

    // 2. Blocks: overlapping word ranges joined.
    let mut ranges: Vec<Range<usize>> = accesses.iter().map(|a| a.words()).collect();
    ranges.sort_by_key(|r| r.start);
    let mut blocks: Vec<Block> = Vec::new();
    for range in ranges {
        match blocks.last_mut() {
            Some(block) if range.start < block.words.end => {
                block.words.end = block.words.end.max(range.end);
            }
            _ => blocks.push(Block {
                words: range,
                first_line: usize::MAX,
                end_line: 0,
                fresh: false,
                to: 0,
            }),
        }
    }
    let ends: Vec<usize> = blocks.iter().map(|b| b.words.end).collect();
    let block_of = |word: usize| ends.partition_point(|&end| end <= word);

    // 3. Lifetimes, and which blocks a read touches before any write.
    let mut written = std::collections::HashSet::new();
    for line_accesses in accesses.chunk_by(|a, b| a.line == b.line) {
        let (reads, writes): (Vec<&&Access>, Vec<&&Access>) =
            line_accesses.iter().partition(|a| a.usage != Use::Write);
        if line_accesses
            .iter()
            .filter(|a| a.usage != Use::Read)
            .count()
            > 1
        {
            return Err(unsupported(format!(
                "two memory writes on one line (statement line {})",
                line_accesses[0].line + 1
            )));
        }
        for a in reads.iter().chain(&writes) {
            for word in a.words() {
                let b = block_of(word);
                blocks[b].first_line = blocks[b].first_line.min(a.line);
                blocks[b].end_line = blocks[b].end_line.max(a.line + 1);
                if a.usage != Use::Write && !written.contains(&word) {
                    blocks[b].fresh = true;
                }
            }
        }
        for a in writes {
            written.extend(a.words());
        }
    }

    // 4. Placement, in order of first line.
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by_key(|&b| blocks[b].first_line);
    let mut live: Vec<usize> = Vec::new();
    let mut high = MEMORY_START / 32;
    for b in order {
        let (start, size) = (blocks[b].first_line, blocks[b].words.len());
        live.retain(|&l| blocks[l].end_line > start);
        let to = if blocks[b].fresh {
            high
        } else {
            let mut taken: Vec<Range<usize>> = live
                .iter()
                .map(|&l| blocks[l].to..blocks[l].to + blocks[l].words.len())
                .collect();
            taken.sort_by_key(|r| r.start);
            let mut to = MEMORY_START / 32;
            for r in taken {
                if to + size <= r.start {
                    break;
                }
                to = to.max(r.end);
            }
            to
        };
        blocks[b].to = to;
        high = high.max(to + size);
        live.push(b);
    }
    let moved = |address: usize| {
        let block = &blocks[block_of(address / 32)];
        address + 32 * block.to - 32 * block.words.start
    };

    // 5. Check, then rewrite.
    let before = reaching_writes(&accesses, |a| a);
    let after = reaching_writes(&accesses, moved);
    if before != after {
        return Err(unsupported(
            "a read would see a different write after compaction",
        ));
    }
    let mut edits: Vec<Vec<&Access>> = vec![Vec::new(); statements.len()];
    for (s, a) in &all {
        edits[*s].push(a);
    }
    let mut out = Vec::with_capacity(statements.len());
    for (statement, edits) in statements.iter().zip(edits) {
        let mut text = String::with_capacity(statement.len());
        let mut from = 0;
        for a in edits {
            text.push_str(&statement[from..a.text.start]);
            text.push_str(&format!("{:#x}", moved(a.address)));
            from = a.text.end;
        }
        text.push_str(&statement[from..]);
        out.push(text);
    }
    Ok(out)
}

/// The first Yul keyword of `statement` that makes code run other than once, top to bottom.
fn control_flow(statement: &str) -> Option<&str> {
    const KEYWORDS: [&str; 7] = [
        "if", "for", "switch", "function", "leave", "break", "continue",
    ];
    statement
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$'))
        .find(|token| KEYWORDS.contains(token))
}

/// For every read of `accesses` (in order, a word at a time), the line of the last write to
/// that word before it (`None`: never written), with addresses mapped by `address`. A partial
/// write is a read, then a write.
fn reaching_writes(accesses: &[&Access], address: impl Fn(usize) -> usize) -> Vec<Option<usize>> {
    let mut last_write: HashMap<usize, usize> = HashMap::new();
    let mut reached = Vec::new();
    for line_accesses in accesses.chunk_by(|a, b| a.line == b.line) {
        let words = |a: &Access| {
            let first = address(a.address);
            first / 32..(first + a.length).div_ceil(32)
        };
        for a in line_accesses.iter().filter(|a| a.usage != Use::Write) {
            reached.extend(words(a).map(|w| last_write.get(&w).copied()));
        }
        for a in line_accesses.iter().filter(|a| a.usage != Use::Read) {
            for w in words(a) {
                last_write.insert(w, a.line);
            }
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compacted(code: &[&str]) -> Vec<String> {
        let statements: Vec<String> = code.iter().map(|s| (*s).to_owned()).collect();
        compact(&statements).expect("compacts")
    }

    #[test]
    fn memory_extent_reads_literal_addresses() {
        assert_eq!(
            memory_extent("mstore(0x100, mload(0xa0))").ok(),
            Some(0x120)
        );
        assert_eq!(memory_extent("mstore8(352, 1)").ok(), Some(353));
        assert_eq!(
            memory_extent("mstore(0x100, keccak256(0x80, 640))").ok(),
            Some(0x80 + 640)
        );
        assert_eq!(
            memory_extent(
                "success := and(eq(staticcall(gas(), 0x8, 0xb1a0, 0x180, 0xb1a0, 0x20), 1), success)"
            )
            .ok(),
            Some(0xb1a0 + 0x180)
        );
        assert_eq!(memory_extent("success := and(success, 1)").ok(), Some(0x80));
        assert!(memory_extent("mstore(p, 1)").is_err());
        assert!(memory_extent("mstore(0x40, 1)").is_err());
        assert!(memory_extent("mload(0x20").is_err());
        assert!(memory_extent("mstore(0x100, keccak256(0x90, 64))").is_err());
    }

    #[test]
    fn a_dead_word_is_reused() {
        let out = compacted(&[
            "mstore(0x100, 1)",
            "mstore(0x120, mload(0x100))",
            "mstore(0x140, mload(0x120))",
            "mstore(0x160, mload(0x140))",
        ]);
        // 0x100 dies on line 2, so 0x140 (first written on line 3) takes it; 0x120 dies on
        // line 3, so 0x160 takes it.
        assert_eq!(
            out,
            [
                "mstore(0x80, 1)",
                "mstore(0xa0, mload(0x80))",
                "mstore(0x80, mload(0xa0))",
                "mstore(0xa0, mload(0x80))",
            ]
        );
    }

    #[test]
    fn a_word_read_and_written_on_one_line_is_not_shared() {
        // 0x120 is last read on the line 0x140 is first written: they stay apart.
        let out = compacted(&[
            "mstore(0x120, 1)",
            "mstore(0x140, mload(0x120))",
            "mstore(0x160, mload(0x140))",
        ]);
        assert_eq!(out[1], "mstore(0xa0, mload(0x80))");
        assert_eq!(out[2], "mstore(0x80, mload(0xa0))");
    }

    #[test]
    fn ranges_stay_adjacent_and_zero_reads_get_fresh_words() {
        let out = compacted(&[
            "mstore(0x1000, 7)",
            "mstore(0x2000, 1)\nmstore(0x2020, mload(0x1000))",
            "mstore8(0x2040, 1)",
            "mstore(0x3000, keccak256(0x2000, 65))",
            "success := and(eq(staticcall(gas(), 0x7, 0x3000, 0x60, 0x3000, 0x40), 1), success)",
        ]);
        // The hash input (three words, the third read as zero but for its first byte) moves
        // as one block; the third word is read before any whole-word write, so the block
        // goes above every word used so far.
        assert_eq!(out[1], "mstore(0xa0, 1)\nmstore(0xc0, mload(0x80))");
        assert_eq!(out[2], "mstore8(0xe0, 1)");
        assert_eq!(out[3], "mstore(0x100, keccak256(0xa0, 65))");
        // The precompile's input is read before its last two words are written: fresh.
        assert!(out[4].contains("staticcall(gas(), 0x7, 0x100, 0x60, 0x100, 0x40)"));
    }

    #[test]
    fn unsupported_code_is_an_error() {
        let code = |s: &[&str]| compact(&s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert!(matches!(
            code(&["mstore(0x80, 1) mstore(0xa0, 2)"]),
            Err(SolidityError::PlonkMemory { .. })
        ));
        assert!(code(&["mstore(add(0x80, 1), 2)"]).is_err());
        assert!(code(&["if success { mstore(0x80, 1) }"]).is_err());
        assert!(code(&["mstore(0x80, 1)\nreturn(0x80, 0x20)"]).is_err());
        assert!(code(&["mcopy(0xa0, 0x80, 0x20)"]).is_err());
        assert!(code(&["mstore(0x80, msize())"]).is_err());
        // `staticcall` is tracked, `call` is not; a name ending in `call` is neither.
        assert!(code(&["pop(call(gas(), 1, 0, 0x80, 0x20, 0x80, 0x20))"]).is_err());
        assert!(code(&["mstore(0x80, mycall(1))"]).is_ok());
        assert!(code(&["for { } 1 { } { mstore(0x80, 1) }"]).is_err());
        // A name that merely contains a keyword is fine.
        assert!(code(&["{\nlet iffy := 1\nmstore(0x80, iffy)\n}"]).is_ok());
        assert!(code(&["mstore(0x80, keccak256(0x80, n))"]).is_err());
    }
}

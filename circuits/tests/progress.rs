//! Progress reports of the bulk builds: they end at `(total, total)`, never pass the total,
//! count exactly the hashes done for a book, and leave the results unchanged.

use std::sync::Mutex;

use bulwark_circuits::Fr;
use bulwark_circuits::merkle::MerkleError;
use bulwark_circuits::solvency::{
    BlindingSeed, Book, CommittedBook, Entry, Reserves, SolvencyParams,
};
use bulwark_circuits::sum_tree::{SumLeaf, SumTree, SumTreeError};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Every `(done, total)` report, in arrival order.
#[derive(Default)]
struct Recorder(Mutex<Vec<(u64, u64)>>);

impl Recorder {
    fn reports(&self) -> Vec<(u64, u64)> {
        self.0.lock().expect("not poisoned").clone()
    }

    fn hook(&self) -> impl Fn(u64, u64) + Sync + '_ {
        |done, total| self.0.lock().expect("not poisoned").push((done, total))
    }
}

/// Reports share one total, never exceed it, start at 0 and end at the total.
fn check_reports(reports: &[(u64, u64)]) -> u64 {
    let total = reports[0].1;
    assert!(total > 0);
    assert_eq!(reports[0], (0, total));
    assert!(reports.iter().all(|&(done, t)| t == total && done <= total));
    assert_eq!(reports.last(), Some(&(total, total)));
    total
}

#[test]
fn committed_book_reports_every_hash_and_builds_the_same_book() -> TestResult {
    // 600 users over 3 chunks of leaves, a tree of depth 10, 4 batches of 256.
    let params = SolvencyParams::new(2, 8, 2)?;
    let entries = (0..600u64)
        .map(|i| Entry::new(format!("u{i}"), vec![i, 600 - i]))
        .collect();
    let book = Book::new(vec!["A".into(), "B".into()], entries)?;
    let reserves = Reserves::new(vec![("A".into(), 1 << 20), ("B".into(), 1 << 20)])?;
    let seed = BlindingSeed::random(&mut ChaCha20Rng::seed_from_u64(1));

    let recorder = Recorder::default();
    let with = CommittedBook::new_with_progress(&book, &reserves, params, seed, &recorder.hook())?;
    let without = CommittedBook::new(&book, &reserves, params, seed)?;
    assert_eq!(with.statement(), without.statement());

    let reports = recorder.reports();
    let total = check_reports(&reports);
    // id hashes + leaf hashes + inner nodes (ceil(600 / 2^h) for h = 1..=10) + 4 batch
    // commitments + the book commitment.
    let inner: u64 = (1..=10).map(|h| 600u64.div_ceil(1 << h)).sum();
    assert_eq!(total, 600 + 600 + inner + 4 + 1);
    // The chunks counted every hash before the final report.
    assert!(reports[..reports.len() - 1].contains(&(total, total)));
    // Reported once per chunk, not per hash.
    assert!(reports.len() < 30, "{} reports", reports.len());
    Ok(())
}

#[test]
fn sum_tree_build_reports_and_matches_the_plain_build() -> TestResult {
    let entries: Vec<(u64, SumLeaf)> = [3u64, 9, 10, 700, 701, 1023]
        .into_iter()
        .map(|i| (i, SumLeaf::from_id_hash(Fr::from(i + 7), vec![i, 2 * i])))
        .collect();
    let recorder = Recorder::default();
    let tree = SumTree::build_with_progress(10, 2, entries.clone(), &recorder.hook())?;
    assert_eq!(tree.root(), SumTree::build(10, 2, entries)?.root());
    let total = check_reports(&recorder.reports());
    // 6 leaves; distinct parents per height: {1,4,5,350,511}, {0,2,175,255}, ... counted by
    // shifting the indices.
    let mut level = vec![3u64, 9, 10, 700, 701, 1023];
    let mut inner = 0;
    for _ in 0..10 {
        level = level.iter().map(|i| i >> 1).collect();
        level.dedup();
        inner += level.len() as u64;
    }
    assert_eq!(total, 6 + inner);
    Ok(())
}

#[test]
fn node_at_reads_subtrees_and_refuses_bad_coordinates() -> TestResult {
    let entries: Vec<(u64, SumLeaf)> = (0..4u64)
        .map(|i| (i, SumLeaf::from_id_hash(Fr::from(i + 1), vec![i])))
        .collect();
    let tree = SumTree::build(3, 1, entries.clone())?;
    assert_eq!(tree.node_at(3, 0)?, tree.root());
    assert_eq!(tree.node_at(0, 2)?, tree.leaf(2)?);
    // The left half holds every user: its sum is the total; the right half is empty.
    assert_eq!(tree.node_at(2, 0)?.sums, vec![6]);
    assert_eq!(tree.node_at(2, 1)?.sums, vec![0]);
    assert!(matches!(
        tree.node_at(4, 0),
        Err(SumTreeError::Tree(MerkleError::InvalidHeight {
            height: 4,
            depth: 3
        }))
    ));
    assert!(matches!(
        tree.node_at(2, 2),
        Err(SumTreeError::Tree(MerkleError::IndexOutOfRange {
            index: 2,
            depth: 1
        }))
    ));
    assert!(matches!(
        tree.node_at(3, 1),
        Err(SumTreeError::Tree(MerkleError::IndexOutOfRange {
            index: 1,
            depth: 0
        }))
    ));
    Ok(())
}

//! Solvency inputs: the balances CSV and the reserves JSON, and every error naming where.

use bulwark_circuits::solvency::{BalanceProblem, Book, InputError, Reserves};

fn csv(text: &str) -> Result<Book, InputError> {
    Book::from_csv(text.as_bytes())
}

fn csv_err(text: &str) -> InputError {
    match csv(text) {
        Ok(book) => panic!("expected an error, parsed {book:?}"),
        Err(e) => e,
    }
}

fn reserves(text: &str) -> Result<Reserves, InputError> {
    Reserves::from_json(text.as_bytes())
}

fn reserves_err(text: &str) -> InputError {
    match reserves(text) {
        Ok(r) => panic!("expected an error, parsed {r:?}"),
        Err(e) => e,
    }
}

/// Asserts the message names the place.
fn assert_mentions(e: &InputError, needles: &[&str]) {
    let text = e.to_string();
    for needle in needles {
        assert!(
            text.contains(needle),
            "`{text}` does not mention `{needle}`"
        );
    }
}

#[test]
fn reads_a_well_formed_book() -> Result<(), InputError> {
    let book = csv("user_id,BTC,ETH\n\
         alice,100,5\n\
         \n\
         \"bob, the builder\" , 0 ,007\n\
         carol,18446744073709551615,0\n")?;
    assert_eq!(book.assets(), ["BTC", "ETH"]);
    let ids: Vec<&str> = book.entries().iter().map(|e| e.id()).collect();
    assert_eq!(ids, ["alice", "bob, the builder", "carol"]);
    assert_eq!(book.entries()[1].balances(), [0, 7]);
    assert_eq!(book.entries()[2].balances(), [u64::MAX, 0]);
    assert_eq!(book.totals(), [100 + u128::from(u64::MAX), 12]);
    Ok(())
}

#[test]
fn header_errors_name_line_one_and_the_column() {
    assert!(matches!(csv_err(""), InputError::EmptyCsv));
    let e = csv_err("id,BTC\na,1\n");
    assert!(matches!(&e, InputError::NoIdColumn { found } if found == "id"));
    assert_mentions(&e, &["line 1", "column 1"]);
    assert!(matches!(csv_err("user_id\na\n"), InputError::NoAssets));
    let e = csv_err("user_id,BTC,,ETH\n");
    assert!(matches!(e, InputError::EmptyAssetName { column: 3 }));
    let e = csv_err("user_id,BTC,ETH,BTC\na,1,2,3\n");
    assert!(matches!(
        &e,
        InputError::DuplicateAsset { column: 4, first_column: 2, asset } if asset == "BTC"
    ));
    assert_mentions(&e, &["line 1", "column 4", "BTC"]);
    assert!(matches!(csv_err("user_id,BTC\n"), InputError::NoUsers));
}

#[test]
fn row_errors_name_the_line_and_column() {
    let e = csv_err("user_id,BTC,ETH\na,1,2\nb,1\n");
    assert!(matches!(
        e,
        InputError::FieldCount {
            line: 3,
            expected: 3,
            found: 2
        }
    ));
    assert_mentions(&e, &["line 3"]);

    let e = csv_err("user_id,BTC\na,1\n ,2\n");
    assert!(matches!(e, InputError::EmptyId { line: 3 }));
    assert_mentions(&e, &["line 3", "column 1"]);

    // A blank line in between still counts.
    let e = csv_err("user_id,BTC\nalice,1\n\nbob,2\nalice,3\n");
    assert!(matches!(
        &e,
        InputError::DuplicateId { line: 5, first_line: 2, id } if id == "alice"
    ));
    assert_mentions(&e, &["line 5", "column 1", "line 2", "alice"]);
}

#[test]
fn balance_errors_name_the_line_column_and_problem() {
    let cases: [(&str, BalanceProblem); 9] = [
        ("-5", BalanceProblem::Negative),
        ("-0", BalanceProblem::Negative),
        ("1.5", BalanceProblem::NotAnInteger),
        ("1e3", BalanceProblem::NotAnInteger),
        ("+3", BalanceProblem::NotAnInteger),
        ("0x10", BalanceProblem::NotAnInteger),
        ("ten", BalanceProblem::NotAnInteger),
        ("", BalanceProblem::Empty),
        (
            "18446744073709551616",
            BalanceProblem::TooLarge { bits: 64 },
        ),
    ];
    for (value, expected) in cases {
        let text = format!("user_id,BTC,ETH\nalice,1,2\nbob,3,{value}\n");
        let e = csv_err(&text);
        match &e {
            InputError::Balance {
                line: 3,
                column: 3,
                asset,
                value: v,
                problem,
            } => {
                assert_eq!(asset, "ETH");
                assert_eq!(v, value);
                assert_eq!(*problem, expected, "value `{value}`");
            }
            other => panic!("value `{value}`: unexpected {other:?}"),
        }
        assert_mentions(&e, &["line 3", "column 3", "ETH"]);
    }
    let huge = "340282366920938463463374607431768211456"; // 2^128: beyond any integer type
    assert!(matches!(
        csv_err(&format!("user_id,BTC\na,{huge}\n")),
        InputError::Balance {
            problem: BalanceProblem::TooLarge { bits: 64 },
            ..
        }
    ));
}

#[test]
fn broken_csv_reports_the_line() {
    let mut bytes = b"user_id,BTC\nalice,1\n".to_vec();
    bytes.extend_from_slice(b"b\xffb,2\n");
    let e = match Book::from_csv(bytes.as_slice()) {
        Ok(_) => panic!("invalid UTF-8 accepted"),
        Err(e) => e,
    };
    assert!(matches!(e, InputError::Csv { line: 3, .. }), "{e:?}");
}

#[test]
fn reads_reserves() -> Result<(), InputError> {
    let r = reserves(
        r#"{ "BTC": "123", "ETH": 7,
             "WEI": "340282366920938463463374607431768211455" }"#,
    )?;
    assert_eq!(r.get("BTC"), Some(123));
    assert_eq!(r.get("ETH"), Some(7));
    assert_eq!(r.get("WEI"), Some(u128::MAX));
    assert_eq!(r.get("DOGE"), None);
    let assets = ["ETH".to_owned(), "WEI".to_owned(), "BTC".to_owned()];
    assert_eq!(r.for_assets(&assets)?, [7, u128::MAX, 123]);
    Ok(())
}

#[test]
fn reserve_errors_name_line_and_column() {
    let cases = [
        ("{\n  \"BTC\": \"-1\"\n}", "negative"),
        (
            "{\n  \"BTC\": \"1.5\"\n}",
            "not a non-negative decimal integer",
        ),
        ("{\n  \"BTC\": -3\n}", "negative"),
        ("{\n  \"BTC\": 2.5\n}", "not a non-negative decimal integer"),
        (
            "{\n  \"BTC\": \"340282366920938463463374607431768211456\"\n}",
            "2^128",
        ),
        ("{\n  \"BTC\": \"1\",\n  \"BTC\": \"2\"\n}", "given twice"),
        ("{\n  \"BTC\": [1]\n}", "BTC"),
        ("{\n  \"BTC\": \"1\",\n}", "trailing comma"),
    ];
    for (text, what) in cases {
        let e = reserves_err(text);
        let InputError::ReservesJson { line, column, .. } = &e else {
            panic!("{text}: unexpected {e:?}");
        };
        assert!(*line >= 2 && *column > 0, "{text}: {e}");
        assert_mentions(&e, &[&format!("line {line}"), what]);
    }
    assert!(matches!(
        reserves_err("[1, 2]"),
        InputError::ReservesJson { line: 1, .. }
    ));
}

#[test]
fn reserves_and_columns_must_name_the_same_assets() -> Result<(), InputError> {
    let book = csv("user_id,BTC,ETH\na,1,2\n")?;
    let e = reserves(r#"{"BTC": "5"}"#)?
        .for_assets(book.assets())
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("CSV line 1, column 3: asset `ETH` has no entry in the reserves")
    );
    let e = reserves(r#"{"BTC": "5", "ETH": "5", "DOGE": "1"}"#)?.for_assets(book.assets());
    assert!(matches!(e, Err(InputError::UnknownAsset { asset }) if asset == "DOGE"));
    assert!(matches!(
        Reserves::new(vec![("BTC".into(), 1), ("BTC".into(), 2)]),
        Err(InputError::DuplicateReserve { .. })
    ));
    Ok(())
}

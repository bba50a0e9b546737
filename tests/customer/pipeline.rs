//! The example pipeline on a tiny dataset, through the library: generate → CSV → read →
//! consolidate → profiles CSV.

use relance::customer::*;
use relance::io::{csv, synth};

/// An empty directory of the temporary directory, removed with what it holds when dropped
/// (a failing test's included).
fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("relance-{name}-"))
        .tempdir()
        .unwrap()
}

fn policy(rates: &[FxRate]) -> ConsolidationPolicy {
    let mut p = ConsolidationPolicy::new(
        Currency::EUR,
        csv::parse_instant("2024-06-01T00:00:00Z").unwrap(),
        chrono_tz::Europe::Paris,
    );
    for r in rates {
        p = p.rate(r.from, r.rate);
    }
    p
}

/// EUR, as of 2024-02-01 in UTC.
fn feb_2024_utc() -> ConsolidationPolicy {
    ConsolidationPolicy::new(
        Currency::EUR,
        csv::parse_instant("2024-02-01T00:00:00Z").unwrap(),
        chrono_tz::UTC,
    )
}

fn profiles_csv(ds: &Dataset, rates: &[FxRate]) -> String {
    let mut c = ds.consolidate(&policy(rates)).unwrap();
    c.apply_rfm(&RfmConfig::default());
    let mut out = Vec::new();
    csv::write_profiles(&c, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn generate_write_read_consolidate() {
    let cfg = synth::SynthConfig::new(3_000, 300, 11);
    let shop = synth::generate(&cfg);
    let d1 = temp_dir("a");
    let d2 = temp_dir("b");
    csv::write_dir(&shop.dataset, &shop.rates, d1.path()).unwrap();
    csv::write_dir(&synth::generate(&cfg).dataset, &shop.rates, d2.path()).unwrap();
    for f in [
        "customers.csv",
        "orders.csv",
        "carts.csv",
        "logins.csv",
        "deliveries.csv",
        "rates.csv",
    ] {
        let (a, b) = (
            std::fs::read(d1.path().join(f)).unwrap(),
            std::fs::read(d2.path().join(f)).unwrap(),
        );
        assert!(!a.is_empty());
        assert_eq!(a, b, "{f} is not deterministic");
    }
    let header = std::fs::read_to_string(d1.path().join("orders.csv")).unwrap();
    assert!(header.starts_with(
        "order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount\n"
    ));
    let (ds, rates) = csv::read_dir(d1.path()).unwrap();
    assert_eq!(ds.orders().len(), 3_000);
    assert_eq!(ds.customers().len(), 300);
    assert_eq!(rates, shop.rates);
    // the CSV round trip gives the same profiles as the in-memory dataset
    // (contacts may be numbered in another order: compare sorted rows)
    let direct = profiles_csv(&shop.dataset, &shop.rates);
    let via_csv = profiles_csv(&ds, &rates);
    let sorted = |s: &str| {
        let mut v: Vec<String> = s.lines().map(str::to_owned).collect();
        v.sort();
        v
    };
    // guest emails interned by the generator but never used are absent from the CSV files
    let unused_guest = |l: &String| l.starts_with(',') && l.contains(",0.00,EUR,,,,,,,0,,Unknown,");
    let b = sorted(&via_csv);
    let email = |l: &str| l.split(',').nth(1).unwrap_or("").to_owned();
    let known: std::collections::HashSet<String> = b.iter().map(|l| email(l)).collect();
    let (a, absent): (Vec<String>, Vec<String>) = sorted(&direct)
        .into_iter()
        .partition(|l| known.contains(&email(l)));
    assert!(absent.iter().all(unused_guest), "{absent:?}");
    assert!(b.len() > 300);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    let mut lines = via_csv.lines();
    let cols: Vec<&str> = lines.next().unwrap().split(',').collect();
    for want in [
        "customer_id",
        "orders_count",
        "revenue",
        "first_order_at",
        "last_order_at",
        "last_order_amount",
        "avg_days_between_orders",
        "last_abandoned_cart_at",
        "last_login_at",
        "last_delivery_at",
        "btyd_frequency",
        "btyd_recency",
        "btyd_t",
        "btyd_monetary_value",
    ] {
        assert!(cols.contains(&want), "missing column {want}");
    }
    assert_eq!(lines.count(), ds.contact_count());
    assert!(ds.contact_count() < shop.dataset.contact_count());
    // some of every kind of value is present in the output
    let c = ds.consolidate(&policy(&rates)).unwrap();
    assert!(
        c.iter()
            .any(|p| p.customer_id().is_none() && p.orders_count() > 0)
    );
    assert!(c.iter().any(|p| p.last_abandoned_cart_at().is_some()));
    assert!(c.iter().any(|p| p.last_delivery_at().is_some()));
    assert!(c.iter().any(|p| p.last_login_at().is_some()));
    assert!(c.iter().any(|p| p.orders_count() == 0));
    // only orders.csv is required
    let d3 = temp_dir("c");
    std::fs::copy(d1.path().join("orders.csv"), d3.path().join("orders.csv")).unwrap();
    let (only_orders, _) = csv::read_dir(d3.path()).unwrap();
    assert_eq!(only_orders.orders().len(), 3_000);
    assert!(only_orders.consolidate(&policy(&rates)).is_ok());
    // a USD order without rates.csv is an error naming an order
    let err = only_orders.consolidate(&policy(&[])).unwrap_err();
    assert!(matches!(
        err,
        ConsolidationError::MissingRate {
            currency: Currency::USD,
            ..
        }
    ));
}

#[test]
fn csv_quoting_and_optional_columns() {
    let d = temp_dir("q");
    std::fs::write(
        d.path().join("customers.csv"),
        "customer_id,email,first_name,group_ids,newsletter_optin,birth_date\n\
         7,Ann@X.io,\"Ann, \"\"the\"\" first\",\"2,1\",1,1990-02-03\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("orders.csv"),
        "order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount\n\
         1,7,,2024-01-01T10:00:00+01:00,on-hold,10.5,EUR,\n\
         2,,ANN@x.io ,2024-01-02T10:00:00Z,completed,20,EUR,5.25\n\
         3,8,new@x.io,2024-01-03T10:00:00Z,paid,1,EUR,\n",
    )
    .unwrap();
    let (ds, _) = csv::read_dir(d.path()).unwrap();
    assert_eq!(ds.contact_count(), 2);
    let c = ds.consolidate(&feb_2024_utc()).unwrap();
    let ann = c.by_email("ann@x.io").unwrap();
    assert_eq!(ann.first_name(), Some("Ann, \"the\" first"));
    assert_eq!(ann.customer_group_ids(), ["1", "2"]);
    assert_eq!(ann.newsletter_optin(), OptIn::Yes);
    assert_eq!((ann.orders_count(), ann.revenue().minor), (1, 1475)); // on-hold not counted
    assert_eq!(c.by_email("new@x.io").unwrap().customer_id(), Some("8"));
    let mut out = Vec::new();
    csv::write_profiles(&c, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\"Ann, \"\"the\"\" first\""));
    assert!(text.contains(",\"1,2\","));
    std::fs::write(d.path().join("orders.csv"), "order_id,placed_at\nx,2024\n").unwrap();
    let err = csv::read_dir(d.path()).unwrap_err();
    assert!(err.to_string().contains("orders.csv:2"), "{err}");
}

/// The `customer_id`s of orders resolve to the last customer row of that id, whatever the
/// id's shape (numeric, zero-padded, text), to that row's contact (shared by two rows of
/// one email), and an unknown id makes one bare customer for all its orders.
#[test]
fn order_customer_ids_resolve_to_the_last_row_and_its_contact() {
    let d = temp_dir("ids");
    std::fs::write(
        d.path().join("customers.csv"),
        "customer_id,email\n7,a@x.io\n7,b@x.io\n007,c@x.io\nx-9,d@x.io\n12,A@X.io\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("orders.csv"),
        "order_id,customer_id,email,placed_at,status,amount,currency\n\
         1,7,,2024-01-01T10:00:00Z,paid,1,EUR\n\
         2,007,,2024-01-02T10:00:00Z,paid,2,EUR\n\
         3,x-9,,2024-01-03T10:00:00Z,paid,3,EUR\n\
         4,12,,2024-01-04T10:00:00Z,paid,4,EUR\n\
         5,12,,2024-01-05T10:00:00Z,paid,5,EUR\n\
         6,99,e@x.io,2024-01-06T10:00:00Z,paid,6,EUR\n\
         7,99,,2024-01-07T10:00:00Z,paid,7,EUR\n",
    )
    .unwrap();
    let (ds, _) = csv::read_dir(d.path()).unwrap();
    assert_eq!(ds.contact_count(), 5);
    let c = ds.consolidate(&feb_2024_utc()).unwrap();
    for (email, orders, revenue_minor) in [
        ("a@x.io", 2, 900),
        ("b@x.io", 1, 100),
        ("c@x.io", 1, 200),
        ("d@x.io", 1, 300),
        ("e@x.io", 2, 1300),
    ] {
        let p = c.by_email(email).unwrap();
        assert_eq!(
            (p.orders_count(), p.revenue().minor),
            (orders, revenue_minor),
            "{email}"
        );
    }
    assert_eq!(c.by_email("e@x.io").unwrap().customer_id(), Some("99"));
}

/// A shop directory whose `customers.csv` holds ids 0–99 (`c{k}@x.io`) and 1000: the
/// unknown ids below 1000 are looked up like the known ones.
fn hundred_customers_and_a_far_one(name: &str) -> tempfile::TempDir {
    use std::fmt::Write as _;
    let d = temp_dir(name);
    let mut customers = String::from("customer_id,email\n");
    for k in 0..100 {
        writeln!(customers, "{k},c{k}@x.io").unwrap();
    }
    customers.push_str("1000,far@x.io\n");
    std::fs::write(d.path().join("customers.csv"), customers).unwrap();
    d
}

/// More orders than one run of customer lookups, known and unknown ids mixed: every order
/// goes to its customer's contact, unknown ids make bare customers, and an error after the
/// last full run still names its line.
#[test]
fn order_customers_resolve_across_runs_of_lookups() {
    use std::fmt::Write as _;
    let d = hundred_customers_and_a_far_one("runs");
    let mut orders = String::from("order_id,customer_id,email,placed_at,status,amount,currency\n");
    for i in 0..1000 {
        let k = i % 150;
        writeln!(orders, "{i},{k},u{k}@x.io,2024-01-01T10:00:00Z,paid,1,EUR").unwrap();
    }
    std::fs::write(d.path().join("orders.csv"), &orders).unwrap();
    let (ds, _) = csv::read_dir(d.path()).unwrap();
    assert_eq!(ds.contact_count(), 151);
    let c = ds.consolidate(&feb_2024_utc()).unwrap();
    for k in 0..150 {
        let email = if k < 100 {
            format!("c{k}@x.io")
        } else {
            format!("u{k}@x.io")
        };
        let want = (0..1000).filter(|i| i % 150 == k).count();
        let p = c.by_email(&email).unwrap();
        assert_eq!(p.orders_count() as usize, want, "{email}");
        assert_eq!(p.customer_id(), Some(k.to_string().as_str()), "{email}");
    }
    orders.push_str("1000,5,,2024-01-01T10:00:00Z,paid,1.234,EUR\n");
    std::fs::write(d.path().join("orders.csv"), &orders).unwrap();
    let err = csv::read_dir(d.path()).unwrap_err().to_string();
    assert!(
        err.contains("orders.csv:1002") && err.contains("1.234"),
        "{err}"
    );
}

/// Carts and logins of known and unknown `customer_id`s, more than one run of lookups:
/// each cart goes to its customer (an unknown id makes a bare customer with the cart's
/// email), each login to its customer, those made bare by carts included.
#[test]
fn cart_and_login_customers_resolve_across_runs_of_lookups() {
    use std::fmt::Write as _;
    let d = hundred_customers_and_a_far_one("runs-carts");
    std::fs::write(
        d.path().join("orders.csv"),
        "order_id,customer_id,email,placed_at,status,amount,currency\n\
         1,7,,2024-01-01T10:00:00Z,paid,1,EUR\n",
    )
    .unwrap();
    let (mut carts, mut logins) = (
        String::from(
            "cart_id,customer_id,email,created_at,updated_at,item_count,total,currency,converted_order_id\n",
        ),
        String::from("customer_id,at\n"),
    );
    for i in 0..700 {
        let k = i % 150;
        writeln!(carts, "{i},{k},u{k}@x.io,2024-01-01T10:00:00Z,,1,5,EUR,").unwrap();
        writeln!(logins, "{k},2024-01-02T10:00:00Z").unwrap();
    }
    std::fs::write(d.path().join("carts.csv"), carts).unwrap();
    std::fs::write(d.path().join("logins.csv"), logins).unwrap();
    let (ds, _) = csv::read_dir(d.path()).unwrap();
    let id_of = |b: Buyer| match b {
        Buyer::Customer(c) => ds.customers()[c.0 as usize].id.clone(),
        Buyer::Guest(_) => String::new(),
    };
    assert_eq!(ds.carts().len(), 700);
    for (i, cart) in ds.carts().iter().enumerate() {
        let k = i % 150;
        assert_eq!(id_of(cart.owner), k.to_string(), "cart {i}");
        let email = if k < 100 {
            format!("c{k}@x.io")
        } else {
            format!("u{k}@x.io")
        };
        assert_eq!(
            ds.contact_email(ds.contact_of(cart.owner)),
            email,
            "cart {i}"
        );
    }
    assert_eq!(ds.logins().len(), 700);
    for (i, login) in ds.logins().iter().enumerate() {
        assert_eq!(
            id_of(Buyer::Customer(login.customer)),
            (i % 150).to_string(),
            "login {i}"
        );
    }
}

/// Enough contacts for the profiles to span several output chunks (and both threads): every
/// lookup, the iteration order, the per-contact values and the RFM scores must not depend on
/// the chunking.
#[test]
fn many_contacts_span_several_chunks() {
    use chrono::TimeZone;
    let n: u32 = 100_000;
    let mut ds = Dataset::new();
    let at = chrono::Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    for i in 0..n {
        let g = ds.guest(&format!("g{i}@example.com")).unwrap();
        for k in 0..=(i % 3) {
            ds.add_order(Order::new(
                OrderId(u64::from(i) * 4 + u64::from(k)),
                Buyer::Guest(g),
                at + chrono::Duration::minutes(i64::from(i)) + chrono::Duration::days(i64::from(k)),
                OrderStatus::Paid,
                Money::new(i64::from(i) + 1, Currency::EUR),
            ));
        }
    }
    let mut expected_rfm: Option<Vec<RfmScore>> = None;
    for threads in [1, 2, 3] {
        let mut c = ds.consolidate(&policy(&[]).threads(threads)).unwrap();
        assert_eq!(c.len(), n as usize);
        // RFM scores gathered and applied per group of chunks equal a flat qcut
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let expected = expected_rfm.get_or_insert_with(|| {
            let as_of = c.as_of();
            let days = |p: &CustomerProfile<'_>| {
                (as_of - p.last_order_at().unwrap())
                    .num_microseconds()
                    .unwrap() as f64
                    / 86_400e6
            };
            let r: Vec<f64> = c.iter().map(days).collect();
            let f: Vec<f64> = c.iter().map(|p| f64::from(p.orders_count())).collect();
            let m: Vec<f64> = c.iter().map(|p| p.revenue().minor as f64).collect();
            let ((rb, rk), (fb, _), (mb, _)) =
                (rfm::qcut(&r, 4), rfm::qcut(&f, 4), rfm::qcut(&m, 4));
            (0..r.len())
                .map(|i| RfmScore {
                    r: rk as u8 + 1 - rb[i],
                    f: fb[i],
                    m: mb[i],
                })
                .collect()
        });
        assert_eq!(c.apply_rfm(&RfmConfig::default()), n as usize);
        let got: Vec<RfmScore> = c.iter().map(|p| p.rfm().unwrap()).collect();
        assert!(got == *expected, "RFM with {threads} threads");
        for (pos, p) in c.iter().enumerate() {
            assert_eq!(p.contact().0 as usize, pos);
        }
        for i in [0, 1, 37_448, 37_449, 37_450, 74_899, 74_900, 99_999] {
            let p = c.get(ContactIdx(i)).unwrap();
            assert_eq!(p.contact(), ContactIdx(i));
            assert_eq!(p.email(), format!("g{i}@example.com"));
            assert_eq!(p.orders_count(), i % 3 + 1);
            assert_eq!(p.revenue().minor, i64::from(i % 3 + 1) * (i64::from(i) + 1));
            let last = at
                + chrono::Duration::minutes(i64::from(i))
                + chrono::Duration::days(i64::from(i % 3));
            assert_eq!(p.last_order_at(), Some(last));
        }
        assert!(c.get(ContactIdx(n)).is_none());
    }
}

/// The deliveries are folded apart from the carts and logins: they still land on their
/// orders (the latest of several), and an error is still the first a sequential read meets.
#[test]
fn deliveries_folded_beside_carts_and_logins_keep_their_orders_and_errors() {
    use std::fmt::Write as _;
    let d = temp_dir("deliveries-beside");
    let (mut orders, mut deliveries, mut carts) = (
        String::from("order_id,customer_id,email,placed_at,status,amount,currency\n"),
        String::from("order_id,delivered_at\n"),
        String::from(
            "cart_id,customer_id,email,created_at,updated_at,item_count,total,currency,converted_order_id\n",
        ),
    );
    for i in 0..3000 {
        // ids not positional (every third one skipped): found through the table
        writeln!(
            orders,
            "{},,g{}@x.io,2024-01-01T10:00:00Z,paid,1,EUR",
            i * 3 / 2,
            i % 40
        )
        .unwrap();
        if i % 4 != 1 {
            let day = 2 + i % 20;
            writeln!(deliveries, "{},2024-01-{day:02}T10:00:00Z", i * 3 / 2).unwrap();
        }
        writeln!(
            carts,
            "{i},,g{}@x.io,2024-01-01T10:00:00Z,,1,5,EUR,",
            i % 50
        )
        .unwrap();
    }
    // a later, earlier and unknown delivery
    deliveries
        .push_str("0,2024-01-25T00:00:00Z\n0,2024-01-03T00:00:00Z\n999999,2024-01-05T00:00:00Z\n");
    let write = |name: &str, text: &str| std::fs::write(d.path().join(name), text).unwrap();
    write("orders.csv", &orders);
    write("deliveries.csv", &deliveries);
    write("carts.csv", &carts);
    write("logins.csv", "customer_id,at\n1,2024-01-02T10:00:00Z\n");
    let (ds, _) = csv::read_dir(d.path()).unwrap();
    assert_eq!((ds.orders().len(), ds.carts().len()), (3000, 3000));
    for (i, o) in ds.orders().iter().enumerate() {
        let expected = match i {
            0 => Some("2024-01-25T00:00:00Z".to_owned()),
            _ if i % 4 == 1 => None,
            _ => Some(format!("2024-01-{:02}T10:00:00Z", 2 + i % 20)),
        };
        assert_eq!(
            o.delivered_at.map(csv::format_instant),
            expected,
            "order {i}"
        );
    }
    assert_eq!(ds.contact_count(), 50); // the carts' guests beside the orders'
    let failing = |name: &str| match csv::read_dir(d.path()).unwrap_err() {
        csv::CsvError::Parse { file, line, .. } => {
            assert!(file.ends_with(name), "{file:?}");
            line
        }
        other @ csv::CsvError::Io(..) => panic!("{other:?}"),
    };
    write(
        "carts.csv",
        &format!("{carts}x,,a@x.io,2024-01-01T10:00:00Z,,1,5,EUR,\n"),
    );
    assert_eq!(failing("carts.csv"), 3002);
    write("deliveries.csv", &format!("{deliveries}7,someday\n"));
    assert_eq!(failing("deliveries.csv"), deliveries.lines().count() + 1);
}

//! The dataset builder (`relance::customer::Dataset`): what it keeps and counts as it is
//! filled.

use std::fmt::Write as _;

use chrono::{NaiveDate, TimeZone, Utc};
use relance::customer::{Civility, ContactIdx, Customer, CustomerIdx, Dataset, OptIn};

#[test]
fn input_bytes_count_the_customers_text_as_held() {
    let customer = |id: String, group: &str| Customer {
        id,
        email: "a@x.io".to_owned(),
        first_name: Some("Ann".to_owned()),
        group_ids: vec![group.to_owned(), "z".to_owned()],
        ..Customer::default()
    };
    let mut small = Dataset::new();
    let mut large = Dataset::new();
    small.add_customer(customer("1".repeat(10), "g"));
    large.add_customer(customer("1".repeat(1_010), "gggg"));
    // 1 000 more bytes of id, 3 more in a group id
    assert_eq!(
        large.approx_input_bytes() - small.approx_input_bytes(),
        1_003
    );
    // the text is copied into the dataset: room a string has beyond its text is not held
    let mut roomy = String::with_capacity(5_000);
    roomy.push_str("42");
    small.add_customer(customer(roomy, "h"));
    large.add_customer(customer("42".to_owned(), "h"));
    assert_eq!(
        large.approx_input_bytes() - small.approx_input_bytes(),
        1_003
    );
}

/// Rows with every field set, unset, or odd (empty strings, several spellings of an
/// unknown salutation, duplicate and unsorted group ids, non-ASCII text).
fn varied_rows() -> Vec<Customer> {
    let at = |d| Some(Utc.with_ymd_and_hms(2024, 1, d, 8, 30, 0).unwrap());
    vec![
        Customer {
            id: "c-1".into(),
            email: " Zoé@Example.com".into(),
            first_name: Some("Zoé".into()),
            last_name: Some(String::new()),
            civility: Some(Civility::Other("Dr".into())),
            birth_date: NaiveDate::from_ymd_opt(1990, 2, 28),
            phone: Some("+33600000000".into()),
            postcode: Some("75001".into()),
            signed_up_at: at(1),
            updated_at: at(2),
            last_login_at: at(3),
            newsletter_optin: OptIn::Yes,
            newsletter_optin_at: at(4),
            group_ids: vec!["b".into(), "a".into(), "b".into()],
            shop_id: Some("1".into()),
            is_guest: false,
        },
        Customer::default(),
        Customer {
            id: "c-3".into(),
            email: "zoé@example.com".into(),
            civility: Some(Civility::Mrs),
            group_ids: vec!["only".into()],
            is_guest: true,
            ..Customer::default()
        },
        Customer {
            id: "c-4".into(),
            civility: Some(Civility::Other("Dr".into())),
            newsletter_optin: OptIn::No,
            ..Customer::default()
        },
    ]
}

#[test]
fn rows_read_back_as_added_in_place_and_as_customers() {
    let rows = varied_rows();
    let mut ds = Dataset::new();
    let idx: Vec<CustomerIdx> = rows.iter().cloned().map(|c| ds.add_customer(c)).collect();
    let mut want = rows.clone();
    want[0].group_ids = vec!["a".into(), "b".into()]; // sorted and deduplicated
    assert_eq!(ds.customers(), want.as_slice());
    assert_eq!(ds.customer_count(), 4);
    for (i, c) in idx.iter().zip(&want) {
        let view = ds.customer(*i).unwrap();
        assert_eq!(&view.to_customer(), c);
        assert_eq!(view.first_name(), c.first_name.as_deref());
        assert_eq!(view.civility(), c.civility.as_ref());
    }
    // a row added after the rows were put together shows in the next call
    ds.add_customer(rows[1].clone());
    assert_eq!(ds.customers().len(), 5);
}

#[test]
fn a_consent_change_reaches_every_row_of_the_email_and_the_rows_put_together() {
    let mut ds = Dataset::new();
    for c in varied_rows() {
        ds.add_customer(c);
    }
    assert_eq!(ds.customers()[2].newsletter_optin, OptIn::Unknown);
    let at = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    assert_eq!(
        ds.set_newsletter_optin("ZOÉ@example.com ", OptIn::No, Some(at)),
        2
    );
    for i in [0, 2] {
        assert_eq!(ds.customers()[i].newsletter_optin, OptIn::No);
        assert_eq!(ds.customers()[i].newsletter_optin_at, Some(at));
    }
    assert_eq!(ds.customers()[3].newsletter_optin, OptIn::No, "untouched");
    assert_eq!(
        ds.set_newsletter_optin("nobody@example.com", OptIn::Yes, None),
        0
    );
}

/// The contacts' emails, in contact order.
fn contacts(ds: &Dataset) -> Vec<String> {
    (0..ds.contact_count())
        .map(|i| {
            let i = u32::try_from(i).unwrap();
            ds.contact_email(ContactIdx(i)).to_owned()
        })
        .collect()
}

#[test]
fn loading_interns_emails_as_adding_rows_one_by_one() {
    // emails repeated within one batch (case, spaces), blank ones, guests met again and
    // guests with a customer's email: each first met makes the next contact
    let customers = [
        "a@x.io", " A@X.io", "", "b@x.io", "B@x.io", "c@x.io", "", "a@x.io",
    ];
    let guests = [
        "g@x.io", "G@x.io", "a@x.io", "h@x.io", "g@x.io", "C@x.io", "i@x.io", "h@X.io",
    ];
    let cart_guests = ["k@x.io", "h@x.io", "K@X.io", "b@x.io", "l@x.io"];
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("customer_id,email\n");
    for (i, e) in customers.iter().enumerate() {
        writeln!(text, "{},\"{e}\"", i + 1).unwrap();
    }
    std::fs::write(dir.path().join("customers.csv"), text).unwrap();
    let mut text = String::from(
        "order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount\n",
    );
    for (i, e) in guests.iter().enumerate() {
        writeln!(text, "{i},,{e},2024-01-01T00:00:00Z,paid,10.00,EUR,0").unwrap();
    }
    std::fs::write(dir.path().join("orders.csv"), text).unwrap();
    let mut text = String::from(
        "cart_id,customer_id,email,created_at,updated_at,item_count,total,currency,converted_order_id\n",
    );
    for (i, e) in cart_guests.iter().enumerate() {
        writeln!(
            text,
            "{i},,{e},2024-01-01T00:00:00Z,2024-01-01T00:00:00Z,1,5.00,EUR,"
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("carts.csv"), text).unwrap();
    let (read, _) = relance::io::csv::read_dir(dir.path()).unwrap();

    let mut one_by_one = Dataset::new();
    for (i, e) in customers.iter().enumerate() {
        one_by_one.add_customer(Customer {
            id: (i + 1).to_string(),
            email: (*e).to_owned(),
            ..Customer::default()
        });
    }
    for e in guests.iter().chain(&cart_guests) {
        one_by_one.guest(e);
    }
    assert_eq!(contacts(&read), contacts(&one_by_one));
    assert_eq!(read.contact_count(), 10, "{:?}", contacts(&read));
}

//! The dataset builder (`relance::customer::Dataset`): what it counts as it is filled.

use std::fmt::Write as _;

use relance::customer::{ContactIdx, Customer, Dataset};

#[test]
fn input_bytes_count_the_customers_strings_as_added() {
    let customer = |id_room: usize, group: &str| Customer {
        id: String::with_capacity(id_room),
        email: "a@x.io".to_owned(),
        first_name: Some(String::with_capacity(7)),
        group_ids: vec![group.to_owned(), group.to_owned()],
        ..Customer::default()
    };
    let mut small = Dataset::new();
    let mut large = Dataset::new();
    small.add_customer(customer(10, "g"));
    large.add_customer(customer(1_010, "gggg"));
    // 1 000 more bytes of id, 3 more in each of the (deduplicated: one) group ids
    assert_eq!(
        large.approx_input_bytes() - small.approx_input_bytes(),
        1_003
    );
    small.add_customer(customer(500, "h"));
    large.add_customer(customer(500, "h"));
    assert_eq!(
        large.approx_input_bytes() - small.approx_input_bytes(),
        1_003
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

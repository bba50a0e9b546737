//! Request shapes of contact imports (wiremock): every parameter as a multipart part, and
//! typed contacts written as CSV while uploading.

use std::io::Write;

use relance::sendethic::{
    Contact, ContactImport, DuplicateOption, FieldId, FileEncoding, FileSource, ImportColumn,
    ImportId, OptIn,
};
use serde_json::json;
use wiremock::Mock;
use wiremock::matchers::{method, path};

use crate::support::{created, fields, file, p, pairs, parts_of, setup};

#[tokio::test]
async fn import_sends_every_typed_parameter_as_a_part() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({
            "Id": "41", "Name": "nightly", "StartDate": "2026-11-22 10:00:00",
            "Status": "InProgress", "Link": null,
            "LineRead": "0", "LineDuplicate": 0, "LineAdd": "0", "LineUpdate": 0,
            "LineImport": 0, "LineError": "0", "Unmodelled": true
        })))
        .expect(1)
        .mount(&server)
        .await;
    let latin1: &[u8] = b"skip me\nann@x.fr,Jos\xe9,gold\n";
    let job = client
        .imports()
        .start(
            ContactImport::new("nightly", FileSource::bytes(latin1, "base.csv"))
                .first_line(2)
                .header(false)
                .encoding(FileEncoding::Iso8859_1)
                .separator(',')
                .duplicates(DuplicateOption::SkipExisting)
                .columns([
                    ImportColumn::standard("email"),
                    ImportColumn::standard("firstname"),
                    ImportColumn::Custom(FieldId(26)),
                ]),
        )
        .await
        .unwrap();
    assert_eq!(job.id, ImportId(41));
    assert_eq!(job.name.as_deref(), Some("nightly"));
    assert_eq!(job.status.as_deref(), Some("InProgress"));
    assert!(!job.is_finished());
    assert_eq!(job.extra.get("Unmodelled"), Some(&json!(true)));

    let parts = parts_of(&server, "/contacts/import/add").await;
    assert_eq!(
        fields(&parts),
        pairs(&[
            ("name", "nightly"),
            ("firstLine", "2"),
            ("firstLineAsHeader", "false"),
            ("encoding", "ISO-8859-1"),
            ("separator", ","),
            ("duplicateOption", "disallowdup"),
            ("matchings", r#"["email","firstname","26"]"#),
        ])
    );
    let file = file(&parts);
    assert_eq!(file.file_name.as_deref(), Some("base.csv"));
    assert_eq!(file.content_type.as_deref(), Some("text/csv"));
    assert_eq!(file.data, latin1, "bytes are sent untouched");
}

#[tokio::test]
async fn import_defaults_and_each_duplicate_option() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({"Id": 1})))
        .mount(&server)
        .await;
    for (option, wire) in [
        (DuplicateOption::Update, "disallowdupupdate"),
        (DuplicateOption::SkipExisting, "disallowdup"),
        (DuplicateOption::AllowDuplicates, "allowdup"),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .and(path(p("/contacts/import/add")))
            .respond_with(created(json!({"Id": 1})))
            .mount(&server)
            .await;
        client
            .imports()
            .start(
                ContactImport::new("n", FileSource::bytes("email\na@x.fr\n", "f.csv"))
                    .columns([ImportColumn::standard("email")])
                    .duplicates(option),
            )
            .await
            .unwrap();
        let parts = parts_of(&server, "/contacts/import/add").await;
        assert_eq!(
            fields(&parts),
            pairs(&[
                ("name", "n"),
                ("firstLine", "1"),
                ("firstLineAsHeader", "true"),
                ("encoding", "UTF-8"),
                ("separator", ";"),
                ("duplicateOption", wire),
                ("matchings", r#"["email"]"#),
            ])
        );
    }
}

#[tokio::test]
async fn import_of_typed_contacts_writes_a_header_and_one_csv_line_each() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({"Id": 2})))
        .expect(1)
        .mount(&server)
        .await;
    let contacts = vec![
        Contact::new("ann@x.fr")
            .email("ann@x.fr")
            .first_name("Ann; the \"first\"")
            .email_optin(OptIn::Yes1)
            .custom(FieldId(26), "gold"),
        // No email member: the key fills the email column; a cleared field is empty.
        Contact::new("bob@x.fr").clear_custom(FieldId(26)),
    ];
    let columns = [
        ImportColumn::standard("email"),
        ImportColumn::standard("firstname"),
        ImportColumn::standard("emailoptin"),
        ImportColumn::Custom(FieldId(26)),
    ];
    client
        .imports()
        .start(ContactImport::from_contacts("typed", contacts, columns).separator('|'))
        .await
        .unwrap();
    let parts = parts_of(&server, "/contacts/import/add").await;
    let f = fields(&parts);
    assert!(f.contains(&("firstLineAsHeader".into(), "true".into())));
    assert!(f.contains(&("separator".into(), "|".into())));
    assert!(f.contains(&(
        "matchings".into(),
        r#"["email","firstname","emailoptin","26"]"#.into()
    )));
    let file = file(&parts);
    assert_eq!(file.file_name.as_deref(), Some("contacts.csv"));
    assert_eq!(file.content_type.as_deref(), Some("text/csv"));
    assert_eq!(
        file.text(),
        "email|firstname|emailoptin|26\nann@x.fr|\"Ann; the \"\"first\"\"\"|yes1|gold\nbob@x.fr|||\n"
    );
}

#[tokio::test]
async fn import_from_a_stream_of_contacts_and_a_file_on_disk() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({"Id": 3})))
        .mount(&server)
        .await;
    // 20 000 contacts: more than one 64 KiB chunk.
    let stream =
        futures_util::stream::iter((0..20_000).map(|i| Contact::new(format!("u{i}@x.fr"))));
    client
        .imports()
        .start(
            ContactImport::new(
                "stream",
                FileSource::contact_stream(stream, &[ImportColumn::standard("email")]),
            )
            .columns([ImportColumn::standard("email")]),
        )
        .await
        .unwrap();
    let parts = parts_of(&server, "/contacts/import/add").await;
    let text = file(&parts).text();
    assert!(text.len() > 64 * 1024);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 20_001);
    assert_eq!(lines[0], "email");
    assert_eq!(lines[20_000], "u19999@x.fr");

    server.reset().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({"Id": 4})))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let on_disk = dir.path().join("clients.txt");
    std::fs::File::create(&on_disk)
        .unwrap()
        .write_all(b"email\nz@x.fr\n")
        .unwrap();
    client
        .imports()
        .start(
            ContactImport::new("disk", FileSource::path(&on_disk))
                .columns([ImportColumn::standard("email")]),
        )
        .await
        .unwrap();
    let parts = parts_of(&server, "/contacts/import/add").await;
    let file = file(&parts);
    assert_eq!(file.file_name.as_deref(), Some("clients.txt"));
    assert_eq!(file.content_type.as_deref(), Some("text/csv"));
    assert_eq!(file.text(), "email\nz@x.fr\n");
}

#[tokio::test]
async fn typed_contacts_are_pulled_only_while_uploading() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/import/add")))
        .respond_with(created(json!({"Id": 6})))
        .expect(1)
        .mount(&server)
        .await;
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let contacts = (0..5_000).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        Contact::new(format!("lazy{i}@x.fr"))
    });
    let request = client.imports().start(ContactImport::from_contacts(
        "lazy",
        contacts,
        [ImportColumn::standard("email")],
    ));
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        0,
        "nothing pulled before sending"
    );
    request.await.unwrap();
    assert_eq!(pulled.load(Ordering::SeqCst), 5_000);
    let parts = parts_of(&server, "/contacts/import/add").await;
    assert_eq!(file(&parts).text().lines().count(), 5_001);
}

//! Request shapes of contact purges (wiremock): the key column and the keys.

use relance::sendethic::{ContactPurge, FileEncoding, FileSource, PurgeId};
use serde_json::json;
use wiremock::Mock;
use wiremock::matchers::{method, path};

use crate::support::{created, fields, file, p, pairs, parts_of, setup};

#[tokio::test]
async fn purge_sends_the_key_column_and_the_keys() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/purge/add")))
        .respond_with(created(json!({
            "Id": "9", "StartDate": "2026-11-22 10:00:00", "Status": "InProgress", "LineRead": "2"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let job = client
        .purges()
        .start(ContactPurge::keys(["gone@x.fr", "left;@x.fr"]))
        .await
        .unwrap();
    assert_eq!((job.id, job.line_read), (PurgeId(9), 2));
    let parts = parts_of(&server, "/contacts/purge/add").await;
    assert_eq!(
        fields(&parts),
        pairs(&[
            ("firstLine", "1"),
            ("firstLineAsHeader", "false"),
            ("encoding", "UTF-8"),
            ("separator", ";"),
            ("keyColumn", "1"),
        ])
    );
    let f = file(&parts);
    assert_eq!(f.content_type.as_deref(), Some("text/csv"));
    assert_eq!(f.file_name.as_deref(), Some("contacts.csv"));
    assert_eq!(f.text(), "gone@x.fr\n\"left;@x.fr\"\n");

    server.reset().await;
    Mock::given(method("POST"))
        .and(path(p("/contacts/purge/add")))
        .respond_with(created(json!({"Id": 10})))
        .mount(&server)
        .await;
    client
        .purges()
        .start(
            ContactPurge::file(FileSource::bytes("id,email\n1,a@x.fr\n", "leavers.csv"), 2)
                .first_line(2)
                .header(true)
                .separator(',')
                .encoding(FileEncoding::Iso8859_15),
        )
        .await
        .unwrap();
    let parts = parts_of(&server, "/contacts/purge/add").await;
    assert_eq!(
        fields(&parts),
        pairs(&[
            ("firstLine", "2"),
            ("firstLineAsHeader", "true"),
            ("encoding", "ISO-8859-15"),
            ("separator", ","),
            ("keyColumn", "2"),
        ])
    );
    assert_eq!(file(&parts).file_name.as_deref(), Some("leavers.csv"));
}

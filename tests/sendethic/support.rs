//! Setup and helpers shared by the modules: a mock server and a client under the usual
//! prefix, paths under it, and what the job tests read back from the requests.

use relance::Error;
use relance::sendethic::Client;
use relance::testing::{MultipartPart, parse_multipart};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The base path of the client under test.
pub const PREFIX: &str = "/api/rest/v4";

/// A mock server (anything unmounted answers 500) and a client whose base URL is the server
/// plus [`PREFIX`].
pub async fn setup() -> (MockServer, Client) {
    crate::common::sendethic(PREFIX).await
}

/// `rest` under [`PREFIX`].
pub fn p(rest: &str) -> String {
    format!("{PREFIX}{rest}")
}

/// Mounts a JSON reply to `m` on `route` (under [`PREFIX`]), expected `hits` times.
pub async fn expect(
    server: &MockServer,
    m: &str,
    route: &str,
    status: u16,
    reply: serde_json::Value,
    hits: u64,
) {
    Mock::given(method(m))
        .and(path(p(route)))
        .respond_with(ResponseTemplate::new(status).set_body_json(reply))
        .expect(hits)
        .mount(server)
        .await;
}

/// The `item` of an input error (any other error fails the test).
pub fn invalid_item(e: Error) -> String {
    match e {
        Error::InvalidInput { item, .. } => item,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

/// The multipart parts of the only request received on `route`.
pub async fn parts_of(server: &MockServer, route: &str) -> Vec<MultipartPart> {
    let requests: Vec<Request> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == p(route))
        .collect();
    assert_eq!(requests.len(), 1, "one request on {route}");
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    let content_type = request
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    parse_multipart(content_type, &request.body).expect("a multipart body")
}

/// `(name, text)` of each non-file part, in order.
pub fn fields(parts: &[MultipartPart]) -> Vec<(String, String)> {
    parts
        .iter()
        .filter(|p| p.name != "file")
        .map(|p| (p.name.clone(), p.text()))
        .collect()
}

pub fn file(parts: &[MultipartPart]) -> &MultipartPart {
    let files: Vec<_> = parts.iter().filter(|p| p.name == "file").collect();
    assert_eq!(files.len(), 1, "exactly one file part");
    assert_eq!(
        parts.last().unwrap().name,
        "file",
        "the file part comes last"
    );
    files[0]
}

pub fn created(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(body)
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub fn zip_of(name: &str, content: &[u8]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut zip, content).unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

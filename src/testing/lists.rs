//! The fake's import, export and purge jobs, and a small `multipart/form-data` parser.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use serde_json::{Map, Value, json};

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartPart {
    /// The form field name.
    pub name: String,
    /// The file name, for file parts.
    pub file_name: Option<String>,
    /// The part's content type, when given.
    pub content_type: Option<String>,
    /// The raw content.
    pub data: Vec<u8>,
}

impl MultipartPart {
    /// The content as text (lossy UTF-8).
    ///
    /// ```
    /// # fn show(p: &relance::testing::MultipartPart) {
    /// println!("{}", p.text());
    /// # }
    /// ```
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// Parses a `multipart/form-data` body given its `Content-Type` header value. Returns `None`
/// when the header has no boundary.
///
/// ```
/// let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nnightly\r\n--XyZ--\r\n";
/// let parts = relance::testing::parse_multipart("multipart/form-data; boundary=XyZ", body).unwrap();
/// assert_eq!(parts[0].name, "name");
/// assert_eq!(parts[0].text(), "nightly");
/// ```
#[must_use]
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Option<Vec<MultipartPart>> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut rest = body;
    // Skip the preamble up to the first delimiter.
    let start = find(rest, &delimiter)?;
    rest = &rest[start + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        rest = rest.strip_prefix(b"\r\n").unwrap_or(rest);
        let end = find(rest, &delimiter)?;
        let mut chunk = &rest[..end];
        chunk = chunk.strip_suffix(b"\r\n").unwrap_or(chunk);
        let header_end = find(chunk, b"\r\n\r\n")?;
        let headers = String::from_utf8_lossy(&chunk[..header_end]).into_owned();
        let data = chunk[header_end + 4..].to_vec();
        let mut name = String::new();
        let mut file_name = None;
        let mut part_type = None;
        for line in headers.lines() {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition:") {
                name = attribute(line, "name").unwrap_or_default();
                file_name = attribute(line, "filename");
            } else if lower.starts_with("content-type:") {
                part_type = Some(line["content-type:".len()..].trim().to_owned());
            }
        }
        parts.push(MultipartPart {
            name,
            file_name,
            content_type: part_type,
            data,
        });
        rest = &rest[end + delimiter.len()..];
    }
    Some(parts)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn attribute(line: &str, key: &str) -> Option<String> {
    line.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// What the fake's contact store offers the list jobs.
pub(super) trait ContactStore {
    /// Whether a contact with this (normalised) key exists.
    fn contains(&self, key: &str) -> bool;
    /// Creates or updates a contact from `(field id, value)` pairs.
    fn put(&mut self, key: &str, attrs: Vec<(String, String)>);
    /// Deletes a contact; whether it existed.
    fn remove(&mut self, key: &str) -> bool;
    /// The keys of every contact, or of a segment's members.
    fn keys(&self, segment: Option<i64>) -> Option<Vec<String>>;
    /// A contact's value for a field id (`email`, `firstname`, `26`...).
    fn value(&self, key: &str, field: &str) -> Option<String>;
    /// A new id from the fake's id sequence.
    fn next_id(&mut self) -> i64;
}

#[derive(Debug)]
struct Job {
    body: Map<String, Value>,
    polls: u32,
    file: Option<Vec<u8>>,
}

/// Import, export and purge jobs of the fake.
#[derive(Debug)]
pub(super) struct Lists {
    jobs: BTreeMap<(&'static str, i64), Job>,
    /// GETs of a job before it finishes.
    pub(super) ready_after: u32,
    /// Whether the account allows duplicate contacts (`allowdup` imports).
    pub(super) allow_duplicates: bool,
}

impl Default for Lists {
    fn default() -> Self {
        Self {
            jobs: BTreeMap::new(),
            ready_after: 1,
            allow_duplicates: false,
        }
    }
}

/// A reply of the list routes.
pub(super) enum ListOut {
    Json(u16, Value),
    Bytes(Vec<u8>),
}

fn bad(message: impl Into<String>) -> ListOut {
    ListOut::Json(400, json!({ "Message": message.into() }))
}

fn missing() -> ListOut {
    ListOut::Json(404, json!({ "Message": "Job not found." }))
}

fn field<'a>(parts: &'a [MultipartPart], name: &str) -> Option<&'a MultipartPart> {
    parts.iter().find(|p| p.name == name)
}

fn text_field(parts: &[MultipartPart], name: &str) -> Option<String> {
    field(parts, name).map(|p| p.text().trim().to_owned())
}

/// Decodes file bytes per the declared encoding (UTF-8 or Latin-1/9; others as UTF-8).
fn decode(data: &[u8], encoding: &str) -> String {
    match encoding.to_ascii_uppercase().as_str() {
        "ISO-8859-1" | "ISO-8859-15" => data.iter().map(|&b| char::from(b)).collect(),
        _ => String::from_utf8_lossy(data)
            .trim_start_matches('\u{feff}')
            .to_owned(),
    }
}

/// Splits one CSV line on `sep`, honouring double quotes.
fn split_line(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn file_lines(parts: &[MultipartPart]) -> Result<(Vec<String>, char), ListOut> {
    let Some(file) = field(parts, "file") else {
        return Err(bad("file is required."));
    };
    let encoding = text_field(parts, "encoding").unwrap_or_else(|| "UTF-8".into());
    let sep = text_field(parts, "separator")
        .and_then(|s| s.chars().next())
        .unwrap_or(';');
    let sep = if field(parts, "separator").is_some_and(|p| p.data == b"\t") {
        '\t'
    } else {
        sep
    };
    let sep = if field(parts, "separator").is_some_and(|p| p.data == b" ") {
        ' '
    } else {
        sep
    };
    let first_line: usize = text_field(parts, "firstLine")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let header = text_field(parts, "firstLineAsHeader").is_some_and(|s| s == "true");
    let content = decode(&file.data, &encoding);
    let mut lines: Vec<String> = content
        .lines()
        .skip(first_line.saturating_sub(1))
        .map(str::to_owned)
        .collect();
    if header && !lines.is_empty() {
        lines.remove(0);
    }
    lines.retain(|l| !l.trim().is_empty());
    Ok((lines, sep))
}

fn normalise(key: &str) -> String {
    key.trim().to_lowercase()
}

impl Lists {
    fn new_job(
        &mut self,
        kind: &'static str,
        id: i64,
        mut body: Map<String, Value>,
        file: Option<Vec<u8>>,
    ) -> Value {
        body.insert("Id".into(), json!(id));
        body.insert("Status".into(), json!("InProgress"));
        body.insert(
            "StartDate".into(),
            json!(chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()),
        );
        let out = Value::Object(body.clone());
        self.jobs.insert(
            (kind, id),
            Job {
                body,
                polls: 0,
                file,
            },
        );
        out
    }

    /// Routes `/contacts/{import,export,purge}/...`; `content_type` and `raw` are the request's.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn route(
        &mut self,
        store: &mut dyn ContactStore,
        base_url: &str,
        method: &str,
        segs: &[&str],
        content_type: &str,
        raw: &[u8],
        json_body: Option<&Value>,
    ) -> ListOut {
        let (kind, rest): (&'static str, &[&str]) = match segs {
            ["import", rest @ ..] => ("import", rest),
            ["export", rest @ ..] => ("export", rest),
            ["purge", rest @ ..] => ("purge", rest),
            _ => return ListOut::Json(404, json!({ "Message": "No HTTP resource was found." })),
        };
        match (method, rest) {
            ("POST", ["add"]) => {
                let id = store.next_id();
                match kind {
                    "import" => self.import(store, id, content_type, raw),
                    "purge" => self.purge(store, id, content_type, raw),
                    _ => self.export(store, id, json_body),
                }
            }
            ("GET", []) => ListOut::Json(
                200,
                Value::Array(
                    self.jobs
                        .iter()
                        .filter(|((k, _), _)| *k == kind)
                        .map(|(_, j)| Value::Object(j.body.clone()))
                        .collect(),
                ),
            ),
            ("GET", ["file", name]) => {
                let found = self.jobs.iter().find(|((k, _), j)| {
                    *k == kind
                        && j.body
                            .get("Link")
                            .and_then(Value::as_str)
                            .is_some_and(|l| l.ends_with(&format!("/{name}")))
                });
                match found.and_then(|(_, j)| j.file.clone()) {
                    Some(bytes) => ListOut::Bytes(bytes),
                    None => missing(),
                }
            }
            ("GET", [id]) => {
                let Some(job) = id
                    .parse::<i64>()
                    .ok()
                    .and_then(|id| self.jobs.get_mut(&(kind, id)))
                else {
                    return missing();
                };
                job.polls += 1;
                if job.polls >= self.ready_after
                    && job.body.get("Status") == Some(&json!("InProgress"))
                {
                    let id = job.body.get("Id").and_then(Value::as_i64).unwrap_or(0);
                    job.body.insert("Status".into(), json!("Done"));
                    job.body.insert(
                        "Link".into(),
                        json!(format!("{base_url}contacts/{kind}/file/{kind}_{id}.zip")),
                    );
                }
                ListOut::Json(200, Value::Object(job.body.clone()))
            }
            ("DELETE", [id]) => match id
                .parse::<i64>()
                .ok()
                .and_then(|id| self.jobs.remove(&(kind, id)))
            {
                Some(_) => ListOut::Json(200, json!("Job deleted.")),
                None => missing(),
            },
            _ => ListOut::Json(405, json!({ "Message": "Method not allowed." })),
        }
    }

    fn import(
        &mut self,
        store: &mut dyn ContactStore,
        id: i64,
        content_type: &str,
        raw: &[u8],
    ) -> ListOut {
        let Some(parts) = parse_multipart(content_type, raw) else {
            return bad("A multipart/form-data body is required.");
        };
        let Some(name) = text_field(&parts, "name").filter(|n| !n.is_empty()) else {
            return bad("name is required.");
        };
        let matchings: Vec<String> =
            match text_field(&parts, "matchings").map(|m| serde_json::from_str(&m)) {
                Some(Ok(m)) => m,
                _ => return bad("matchings must be a JSON array of field ids."),
            };
        let Some(key_col) = matchings.iter().position(|m| m == "email") else {
            return bad("One column must match the email field.");
        };
        let option =
            text_field(&parts, "duplicateOption").unwrap_or_else(|| "disallowdupupdate".into());
        if option == "allowdup" && !self.allow_duplicates {
            let mut body = Map::new();
            body.insert("Name".into(), json!(name));
            let out = self.new_job("import", id, body, None);
            if let Some(job) = self.jobs.get_mut(&("import", id)) {
                job.body.insert(
                    "Status".into(),
                    json!("Error: duplicates are not allowed on this account"),
                );
            }
            return ListOut::Json(201, out);
        }
        let (lines, sep) = match file_lines(&parts) {
            Ok(x) => x,
            Err(out) => return out,
        };
        let (mut read, mut add, mut update, mut dup, mut error) = (0, 0, 0, 0, 0);
        let mut report = String::from("line;status\n");
        for (n, line) in lines.iter().enumerate() {
            read += 1;
            let values = split_line(line, sep);
            let key = values
                .get(key_col)
                .map(|k| normalise(k))
                .unwrap_or_default();
            if values.len() != matchings.len() || !key.contains('@') {
                error += 1;
                let _ = writeln!(report, "{};error", n + 1);
                continue;
            }
            let exists = store.contains(&key);
            let attrs: Vec<(String, String)> = matchings.iter().cloned().zip(values).collect();
            match (option.as_str(), exists) {
                ("disallowdup", true) => dup += 1,
                ("allowdup", true) => {
                    dup += 1;
                    add += 1;
                }
                (_, true) => {
                    store.put(&key, attrs);
                    update += 1;
                }
                (_, false) => {
                    store.put(&key, attrs);
                    add += 1;
                }
            }
        }
        let mut body = Map::new();
        body.insert("Name".into(), json!(name));
        for (k, v) in [
            ("LineRead", read),
            ("LineDuplicate", dup),
            ("LineAdd", add),
            ("LineUpdate", update),
            ("LineImport", add + update),
            ("LineError", error),
        ] {
            body.insert(k.into(), json!(v));
        }
        let zip = zip_file(&format!("import_{id}.csv"), &report);
        ListOut::Json(201, self.new_job("import", id, body, zip))
    }

    fn purge(
        &mut self,
        store: &mut dyn ContactStore,
        id: i64,
        content_type: &str,
        raw: &[u8],
    ) -> ListOut {
        let Some(parts) = parse_multipart(content_type, raw) else {
            return bad("A multipart/form-data body is required.");
        };
        let Some(key_column) = text_field(&parts, "keyColumn")
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|k| *k >= 1)
        else {
            return bad("keyColumn is required.");
        };
        let (lines, sep) = match file_lines(&parts) {
            Ok(x) => x,
            Err(out) => return out,
        };
        let mut report = String::from("key;status\n");
        for line in &lines {
            let values = split_line(line, sep);
            let key = values
                .get(key_column - 1)
                .map(|k| normalise(k))
                .unwrap_or_default();
            let status = if store.remove(&key) {
                "deleted"
            } else {
                "not found"
            };
            let _ = writeln!(report, "{key};{status}");
        }
        let mut body = Map::new();
        body.insert("LineRead".into(), json!(lines.len()));
        let zip = zip_file(&format!("purge_{id}.csv"), &report);
        ListOut::Json(201, self.new_job("purge", id, body, zip))
    }

    fn export(&mut self, store: &mut dyn ContactStore, id: i64, body: Option<&Value>) -> ListOut {
        let Some(name) = body
            .and_then(|b| b.get("name"))
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
        else {
            return bad("name is required.");
        };
        let segment = body
            .and_then(|b| b.get("description"))
            .and_then(Value::as_str)
            .and_then(|d| d.strip_prefix("segment:"))
            .and_then(|s| s.trim().parse::<i64>().ok());
        let Some(keys) = store.keys(segment) else {
            return ListOut::Json(404, json!({ "Message": "Segment not found." }));
        };
        let mut fields: Vec<String> = body
            .and_then(|b| b.get("fields"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if fields.is_empty() {
            fields = vec!["email".into()];
        }
        let mut csv = fields.join(";");
        csv.push('\n');
        for key in &keys {
            let row: Vec<String> = fields
                .iter()
                .map(|f| {
                    let v = if f == "email" {
                        Some(key.clone())
                    } else {
                        store.value(key, f)
                    };
                    let v = v.unwrap_or_default();
                    if v.contains([';', '"', '\n', '\r']) {
                        format!("\"{}\"", v.replace('"', "\"\""))
                    } else {
                        v
                    }
                })
                .collect();
            csv.push_str(&row.join(";"));
            csv.push('\n');
        }
        let mut job = Map::new();
        job.insert("Name".into(), json!(name));
        job.insert("TotalContact".into(), json!(keys.len()));
        let zip = zip_file(&format!("export_{id}.csv"), &csv);
        ListOut::Json(201, self.new_job("export", id, job, zip))
    }
}

fn zip_file(name: &str, content: &str) -> Option<Vec<u8>> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(name, options).ok()?;
        zip.write_all(content.as_bytes()).ok()?;
        zip.finish().ok()?;
    }
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_multipart_with_files() {
        let body = b"preamble\r\n--b1\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\na;b\r\n1;2\r\n\r\n--b1--\r\n";
        let parts = parse_multipart("multipart/form-data; boundary=\"b1\"", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].file_name.as_deref(), Some("c.csv"));
        assert_eq!(parts[1].content_type.as_deref(), Some("text/csv"));
        assert_eq!(parts[1].text(), "a;b\r\n1;2\r\n");
        assert!(parse_multipart("multipart/form-data", body).is_none());
    }

    #[test]
    fn splits_quoted_lines() {
        assert_eq!(
            split_line("a;\"b;c\";\"d\"\"e\"", ';'),
            ["a", "b;c", "d\"e"]
        );
    }
}

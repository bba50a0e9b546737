//! A small `multipart/form-data` parser, for the fakes' upload endpoints and for assertions
//! on what a client uploaded.

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
}

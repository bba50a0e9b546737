//! The files uploaded to imports and purges: the form fields that describe them (encoding,
//! separator, first line, header) and their CSV lines.

use super::call::bad_request;
use crate::testing::core::{MultipartPart, Reply};

fn part<'a>(parts: &'a [MultipartPart], name: &str) -> Option<&'a MultipartPart> {
    parts.iter().find(|p| p.name == name)
}

/// A form field's trimmed text.
pub(super) fn text_field(parts: &[MultipartPart], name: &str) -> Option<String> {
    part(parts, name).map(|p| p.text().trim().to_owned())
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
pub(super) fn split_line(line: &str, sep: char) -> Vec<String> {
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

/// The declared separator; a tab or a space survive even though trimming would drop them.
fn separator(parts: &[MultipartPart]) -> char {
    match part(parts, "separator").map(|p| p.data.as_slice()) {
        Some(b"\t") => '\t',
        Some(b" ") => ' ',
        _ => text_field(parts, "separator")
            .and_then(|s| s.chars().next())
            .unwrap_or(';'),
    }
}

/// The data lines of the uploaded `file` (after `firstLine` and the header, blank lines
/// dropped) and the separator.
pub(super) fn file_lines(parts: &[MultipartPart]) -> Result<(Vec<String>, char), Reply> {
    let Some(file) = part(parts, "file") else {
        return Err(bad_request("file is required."));
    };
    let encoding = text_field(parts, "encoding").unwrap_or_else(|| "UTF-8".into());
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
    Ok((lines, separator(parts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_lines() {
        assert_eq!(
            split_line("a;\"b;c\";\"d\"\"e\"", ';'),
            ["a", "b;c", "d\"e"]
        );
    }
}

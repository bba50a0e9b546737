//! The one place where request URLs are built.

use url::Url;

use crate::error::{Error, Result};

/// Validates a base URL: `https`, or `http` to a loopback host only; no query or fragment.
pub(crate) fn validate_base_url(raw: &str) -> Result<Url> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::config(format!("base URL `{raw}` is not a valid URL: {e}")))?;
    if url.cannot_be_a_base() {
        return Err(Error::config(format!("base URL `{raw}` cannot be a base")));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::config(format!(
                "base URL `{raw}` uses plain http to a non-loopback host; use https"
            )));
        }
        other => {
            return Err(Error::config(format!(
                "base URL `{raw}` has unsupported scheme `{other}`"
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "base URL `{raw}` must not have a query or a fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "base URL must not embed credentials; pass them to the client builder",
        ));
    }
    Ok(url)
}

/// Whether the URL's host is a loopback address (`localhost`, 127.0.0.0/8, `::1`).
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Appends `segments` to `base`'s path, each percent-encoded as exactly one path segment
/// (`/`, `?`, `#`, `%`, spaces and non-ASCII are encoded). The base path prefix is kept.
///
/// Segments that are empty, `.` or `..` cannot be sent as one segment (URL normalisation
/// would drop or resolve them) and are rejected with [`Error::InvalidInput`].
pub(crate) fn endpoint(base: &Url, segments: &[&str]) -> Result<Url> {
    if let Some(bad) = segments
        .iter()
        .find(|s| s.is_empty() || **s == "." || **s == "..")
    {
        return Err(Error::invalid(
            *bad,
            "an empty, `.` or `..` value cannot be used in a URL path",
        ));
    }
    let mut url = base.clone();
    url.path_segments_mut()
        .map_err(|()| Error::config("base URL cannot be a base"))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// Percent-decodes a path segment (invalid escapes are kept as they are).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_segments() {
        assert_eq!(percent_decode("a%20b%2Fc%C3%A9%"), "a b/cé%");
        assert_eq!(percent_decode("%2"), "%2");
        assert_eq!(percent_decode("%41%4a"), "AJ");
    }

    #[test]
    fn prefix_survives_and_segments_are_encoded() {
        let base = validate_base_url("https://gw.example/marketing/api/rest/v4/").unwrap();
        let url = endpoint(&base, &["contact", "attribute", "a b/c?d#e%f"]).unwrap();
        assert_eq!(
            url.as_str(),
            "https://gw.example/marketing/api/rest/v4/contact/attribute/a%20b%2Fc%3Fd%23e%25f"
        );
        let base = validate_base_url("https://gw.example/v4").unwrap();
        let url = endpoint(&base, &["segment", "é"]).unwrap();
        assert_eq!(url.as_str(), "https://gw.example/v4/segment/%C3%A9");
    }

    #[test]
    fn dot_segments_are_refused() {
        let base = validate_base_url("https://gw.example/v4/").unwrap();
        for bad in ["..", ".", ""] {
            let err = endpoint(&base, &["contact", bad]).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { ref item, .. } if item == bad));
        }
        assert!(
            endpoint(&base, &["a..b@x.fr"])
                .unwrap()
                .as_str()
                .ends_with("/a..b@x.fr")
        );
    }

    #[test]
    fn http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080/",
            "http://localhost/x",
            "http://[::1]:1/",
            "http://127.9.9.9/",
            "https://example.com/api",
        ] {
            assert!(validate_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/",
            "http://10.0.0.1/",
            "ftp://example.com/",
            "https://example.com/?a=1",
            "https://user:pw@example.com/",
            "not a url",
        ] {
            assert!(
                matches!(validate_base_url(bad), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }
}

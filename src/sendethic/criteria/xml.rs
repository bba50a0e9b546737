//! Writing and reading the criteria XML.

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, Event};

use super::{Criteria, CriteriaItem, Criterion};
use crate::error::{Error, Result};

impl Criteria {
    /// Writes the criteria XML (no declaration, no indentation). Both `value1` and `value2`
    /// are always written; attribute values are XML-escaped (`<`, `>`, `&`, `"`, `'`, and tab,
    /// CR, LF as character references so they survive attribute normalisation). Raw items are
    /// written back exactly as read.
    ///
    /// ```
    /// use relance::sendethic::{Criteria, Criterion};
    /// let xml = Criteria::new()
    ///     .with(Criterion::unsubscribed_from_email().with_guid("ff551463-5614-4174-af40-f26c41942ee4"))
    ///     .to_xml();
    /// assert_eq!(
    ///     xml,
    ///     "<Criterias><Criteria guid=\"ff551463-5614-4174-af40-f26c41942ee4\" \
    ///      reference=\"op-unsubscribing-emailing\" type=\"Operation\" id=\"0,5,0\" \
    ///      op=\"unsubscribingemailing\" is=\"true\" value1=\"\" value2=\"\"/></Criterias>"
    /// );
    /// ```
    #[must_use]
    pub fn to_xml(&self) -> String {
        let mut writer = Writer::new(Vec::new());
        // Writing into a Vec cannot fail.
        let _ = writer.write_event(Event::Start(BytesStart::new("Criterias")));
        for item in &self.items {
            match item {
                CriteriaItem::Known(c) => {
                    let w = c.wire();
                    let mut el = BytesStart::new("Criteria");
                    let is = if w.is { "true" } else { "false" };
                    for (k, v) in [
                        ("guid", c.guid()),
                        ("reference", w.reference),
                        ("type", w.kind),
                        ("id", w.id.as_str()),
                        ("op", w.op),
                        ("is", is),
                        ("value1", w.value1.as_str()),
                        ("value2", ""),
                    ] {
                        el.push_attribute(quick_xml::events::attributes::Attribute {
                            key: quick_xml::name::QName(k.as_bytes()),
                            value: escape_attr(v).into_bytes().into(),
                        });
                    }
                    let _ = writer.write_event(Event::Empty(el));
                }
                CriteriaItem::Raw(raw) => writer.get_mut().extend_from_slice(raw.as_bytes()),
            }
        }
        let _ = writer.write_event(Event::End(BytesEnd::new("Criterias")));
        String::from_utf8(writer.into_inner()).unwrap_or_default()
    }

    /// Parses criteria XML, as found in `Segment.details`.
    ///
    /// Known criteria (the operators of §6, written in the form this crate writes) become
    /// [`CriteriaItem::Known`]; any other `<Criteria>` element is kept as
    /// [`CriteriaItem::Raw`] text, so that [`to_xml`](Self::to_xml) gives it back byte for
    /// byte. An empty string is empty criteria.
    ///
    /// Fails with [`Error::InvalidInput`] on malformed XML or when the root is not
    /// `<Criterias>`.
    ///
    /// ```
    /// let xml = r#"<Criterias><Criteria guid="g" reference="str-future" type="ContactAttribute" id="9" op="str-future" is="true" value1="x" value2="y" /></Criterias>"#;
    /// let parsed = relance::sendethic::Criteria::parse(xml)?;
    /// assert!(matches!(parsed.items()[0], relance::sendethic::CriteriaItem::Raw(_)));
    /// assert_eq!(parsed.to_xml(), xml);
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn parse(xml: &str) -> Result<Self> {
        let bad = |reason: String| Error::invalid("criteria XML", reason);
        let mut items = Vec::new();
        if xml.trim().is_empty() {
            return Ok(Self { items });
        }
        let mut reader = Reader::from_str(xml);
        let mut depth = 0usize;
        let mut seen_root = false;
        loop {
            let start = pos(&reader);
            let event = reader
                .read_event()
                .map_err(|e| bad(format!("malformed XML at byte {start}: {e}")))?;
            match event {
                Event::Start(el) if depth == 0 => {
                    if el.name().as_ref() != b"Criterias" || seen_root {
                        return Err(bad("the root element must be <Criterias>".into()));
                    }
                    seen_root = true;
                    depth = 1;
                }
                Event::Empty(el) if depth == 0 => {
                    if el.name().as_ref() != b"Criterias" || seen_root {
                        return Err(bad("the root element must be <Criterias>".into()));
                    }
                    seen_root = true;
                }
                Event::End(_) if depth == 1 => depth = 0,
                Event::Empty(el) if depth == 1 => {
                    let end = pos(&reader);
                    let known = if el.name().as_ref() == b"Criteria" {
                        read_attrs(&el).and_then(|a| Criterion::from_attrs(&a))
                    } else {
                        None
                    };
                    items.push(match known {
                        Some(c) => CriteriaItem::Known(c),
                        None => CriteriaItem::Raw(xml[start..end].to_owned()),
                    });
                }
                Event::Start(el) if depth == 1 => {
                    // A non-empty child: keep it whole, raw.
                    let name = el.name().as_ref().to_owned();
                    reader
                        .read_to_end(quick_xml::name::QName(&name))
                        .map_err(|e| bad(format!("malformed XML: {e}")))?;
                    let end = pos(&reader);
                    items.push(CriteriaItem::Raw(xml[start..end].to_owned()));
                }
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                Event::Text(_) | Event::CData(_) | Event::Comment(_) if depth == 1 => {
                    let end = pos(&reader);
                    items.push(CriteriaItem::Raw(xml[start..end].to_owned()));
                }
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_)
                    if depth == 0 => {}
                Event::Eof => break,
                other => return Err(bad(format!("unexpected XML content {other:?}"))),
            }
        }
        if !seen_root || depth != 0 {
            return Err(bad("missing or unclosed <Criterias> root".into()));
        }
        Ok(Self { items })
    }
}

fn pos(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

fn read_attrs(el: &BytesStart<'_>) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for attr in el.attributes() {
        let attr = attr.ok()?;
        let key = String::from_utf8(attr.key.as_ref().to_vec()).ok()?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()?
            .into_owned();
        out.push((key, value));
    }
    Some(out)
}

/// Escapes an attribute value: the five XML specials plus tab, CR and LF as character
/// references (which attribute-value normalisation would otherwise turn into spaces).
fn escape_attr(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for ch in v.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

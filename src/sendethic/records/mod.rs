//! Rows of the CSV files Sendethic exports (activity exports, contact exports, import and
//! purge reports): [`Record`], its typed accessors and its contact view. The lenient,
//! streaming parser that yields them is in `reader`.

mod reader;

use std::sync::Arc;

pub use reader::{MAX_RECORD_LINES, RecordReader};

use super::contacts::Contact;
use super::types::Timestamp;

/// One CSV row: values by header name, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    headers: Arc<[String]>,
    values: Vec<String>,
    line: u64,
    columns: usize,
}

impl Record {
    /// The value of column `name` (exact header match first, then case-insensitive).
    /// `None` when the file has no such column or this row is too short.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// if let Some(email) = r.get("email") { println!("{email}"); }
    /// # }
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        let idx = self.headers.iter().position(|h| h == name).or_else(|| {
            self.headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
        })?;
        self.values.get(idx).map(String::as_str)
    }

    /// The value of column `name` when present and non-empty after trimming.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// let city = r.non_empty("city").unwrap_or("unknown");
    /// # }
    /// ```
    #[must_use]
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// `(header, value)` pairs in file order (extra fields under `column_<n>`).
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// for (column, value) in r.iter() { println!("{column} = {value}"); }
    /// # }
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(String::as_str)
            .zip(self.values.iter().map(String::as_str))
    }

    /// The 1-based line number where this row starts in the file.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("row at line {}", r.line());
    /// # }
    /// ```
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The number of fields in this row.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{} fields", r.len());
    /// # }
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the row has exactly as many fields as the header line (rows with more or
    /// fewer fields are still yielded; see [`RecordReader`]).
    ///
    /// ```
    /// let mut rows = relance::sendethic::RecordReader::new("a;b\n1;2\n3\n".as_bytes())?;
    /// assert!(rows.next().unwrap()?.field_count_matches());
    /// assert!(!rows.next().unwrap()?.field_count_matches());
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn field_count_matches(&self) -> bool {
        self.values.len() == self.columns
    }

    /// Whether the row has no field.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// assert!(!r.is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Parses column `name` as an integer (`None` when absent, empty or not a number).
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// let opens = r.int("emailopenings").unwrap_or(0);
    /// # }
    /// ```
    #[must_use]
    pub fn int(&self, name: &str) -> Option<i64> {
        parse_number(self.non_empty(name)?).and_then(|v| {
            #[allow(clippy::cast_possible_truncation)]
            (v.fract() == 0.0).then_some(v as i64)
        })
    }
}

/// Typed accessors for the column names the API documents (contact export fields, §5.5 of the
/// reference); each is `None` when the file has no such column or the value is empty or
/// unparseable.
impl Record {
    /// The `email` column.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{:?}", r.email());
    /// # }
    /// ```
    #[must_use]
    pub fn email(&self) -> Option<&str> {
        self.non_empty("email")
    }

    /// The `emailopenings` column: how many times the recipient opened.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// let opened = r.openings().unwrap_or(0) > 0;
    /// # }
    /// ```
    #[must_use]
    pub fn openings(&self) -> Option<i64> {
        self.int("emailopenings")
    }

    /// The `emailclicks` column: how many times the recipient clicked.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// let clicked = r.clicks().unwrap_or(0) > 0;
    /// # }
    /// ```
    #[must_use]
    pub fn clicks(&self) -> Option<i64> {
        self.int("emailclicks")
    }

    /// The `emailopeninglastdate` column.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{:?}", r.last_opening_at());
    /// # }
    /// ```
    #[must_use]
    pub fn last_opening_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        Timestamp::parse(self.non_empty("emailopeninglastdate")?).datetime()
    }

    /// The `emailclickinglastdate` column.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{:?}", r.last_click_at());
    /// # }
    /// ```
    #[must_use]
    pub fn last_click_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        Timestamp::parse(self.non_empty("emailclickinglastdate")?).datetime()
    }

    /// The `emailclickinglastlink` column.
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{:?}", r.last_click_link());
    /// # }
    /// ```
    #[must_use]
    pub fn last_click_link(&self) -> Option<&str> {
        self.non_empty("emailclickinglastlink")
    }

    /// The `emailstatus` column (free text; values such as `Soft` are seen in bounce exports).
    ///
    /// ```
    /// # fn show(r: &relance::sendethic::Record) {
    /// println!("{:?}", r.email_status());
    /// # }
    /// ```
    #[must_use]
    pub fn email_status(&self) -> Option<&str> {
        self.non_empty("emailstatus")
    }
}

/// The standard field ids a contact export may name as columns (§5.2 and §5.5 of the
/// reference), lower case.
const STANDARD_COLUMNS: &[&str] = &[
    "salutation",
    "firstname",
    "lastname",
    "companyname",
    "jobtitle",
    "email",
    "mobile",
    "phone",
    "fax",
    "address1",
    "address2",
    "zipcode",
    "city",
    "country",
    "emailoptin",
    "emailunsubscriptiondate",
    "emailunsubscriptionreason",
    "emailstatus",
    "emailstatusdate",
    "emailstatusdetail",
    "emailcapping",
    "mobileoptin",
    "mobileunsubscriptiondate",
    "mobileunsubscriptionreason",
    "mobilestatus",
    "mobilestatusdate",
    "mobilestatusdetail",
    "mobilecapping",
    "emailoptinpartners",
    "mobileoptinpartners",
    "creationdate",
    "importcreation",
    "modificationdate",
    "importmodification",
    "type",
    "activity",
    "comments",
    "source",
    "activityrank",
    "influencerank",
    "remotedate",
    "remoteos",
    "remoteip",
    "remoteuamail",
    "remoteuaweb",
    "emailopenings",
    "emailopeninglastdate",
    "emailopeninglastname",
    "emailclicks",
    "emailclickinglastdate",
    "emailclickinglastname",
    "emailclickinglastlink",
];

/// A typed view of a contact export row.
impl Record {
    /// The row as a [`Contact`].
    ///
    /// How Sendethic names the columns of a contact export is **undocumented**, so the
    /// mapping is lenient: a column whose header is a standard field id (§5.2/§5.5 of the
    /// reference, compared case-insensitively: `email`, `FirstName`, `emailopenings`...)
    /// fills the typed member (or [`Contact::other`](crate::sendethic::Contact::other) for ids without
    /// one, such as `creationdate`), and a column whose header is a number fills that custom
    /// field ([`Contact::custom`](crate::sendethic::Contact::custom)). Empty cells read as
    /// [`Patch::Clear`](crate::sendethic::Patch::Clear). Other columns are ignored here and stay
    /// readable through [`get`](Self::get) and [`iter`](Self::iter). The contact key is the
    /// `email` column (or a `contactkey` column), empty when neither is present.
    ///
    /// ```
    /// use relance::sendethic::{FieldId, RecordReader};
    /// let mut rows = RecordReader::new("Email;firstname;26;Segment\nann@x.fr;Ann;gold;VIP\n".as_bytes())?;
    /// let row = rows.next().unwrap()?;
    /// let contact = row.to_contact();
    /// assert_eq!(contact.key, "ann@x.fr");
    /// assert_eq!(contact.first_name.value().map(String::as_str), Some("Ann"));
    /// assert_eq!(contact.custom_value(FieldId(26)), Some("gold"));
    /// assert_eq!(row.get("Segment"), Some("VIP"));
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn to_contact(&self) -> Contact {
        let key = self
            .non_empty("email")
            .or_else(|| self.non_empty("contactkey"))
            .unwrap_or_default();
        let mut contact = Contact::new(key);
        for (header, value) in self.iter() {
            let id = header.trim();
            if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
                contact.set_wire(id, value.to_owned());
            } else {
                let lower = id.to_ascii_lowercase();
                if STANDARD_COLUMNS.contains(&lower.as_str()) {
                    contact.set_wire(&lower, value.to_owned());
                }
            }
        }
        contact
    }
}

/// Parses `12`, `12.5` or `12,5` (decimal comma) as a number.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    s.parse::<f64>()
        .ok()
        .or_else(|| s.replace(',', ".").parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_map_to_typed_contacts() {
        let data = "EMAIL;FirstName;emailoptin;26;creationdate;Mystery\nann@x.fr;Ann;yes1;;2024-01-02 10:00:00;42\n";
        let row = RecordReader::new(data.as_bytes())
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let c = row.to_contact();
        assert_eq!(c.key, "ann@x.fr");
        assert_eq!(c.email, crate::sendethic::Patch::Set("ann@x.fr".into()));
        assert_eq!(c.first_name, crate::sendethic::Patch::Set("Ann".into()));
        assert_eq!(
            c.email_optin,
            crate::sendethic::Patch::Set(crate::sendethic::OptIn::Yes1)
        );
        assert_eq!(
            c.custom.get(&crate::sendethic::FieldId(26)),
            Some(&crate::sendethic::Patch::Clear)
        );
        assert_eq!(
            c.other.get("creationdate"),
            Some(&crate::sendethic::Patch::Set("2024-01-02 10:00:00".into()))
        );
        assert!(!c.other.contains_key("mystery"));
        assert_eq!(row.get("Mystery"), Some("42"));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("12,5"), Some(12.5));
        assert_eq!(parse_number(" 3 "), Some(3.0));
        assert_eq!(parse_number("x"), None);
        assert_eq!(parse_number("NaN"), None);
    }
}

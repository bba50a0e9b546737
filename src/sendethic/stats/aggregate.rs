//! Aggregates of activity rows: per event column, how many recipients had the event.

use crate::sendethic::records::{Record, parse_number};
use crate::sendethic::types::Timestamp;

/// Aggregate counts and rates over activity records, for whatever event columns the file
/// carries.
///
/// A column is an **event column** when every non-empty value in it is a number (a count:
/// a recipient had the event when the count is above zero) or a date (the recipient had the
/// event when the date is set). Other columns (email, names, links) are not aggregated.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CampaignStats {
    /// Number of rows (recipients).
    pub recipients: u64,
    /// One entry per event column, in file order.
    pub columns: Vec<ColumnStats>,
}

/// Aggregates of one event column.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ColumnStats {
    /// Column name as in the file.
    pub column: String,
    /// Recipients with the event (count above zero, or date set).
    pub recipients_with_event: u64,
    /// Sum of the counts (`None` for date columns).
    pub total: Option<f64>,
    /// `recipients_with_event / recipients` (0 when there is no recipient).
    pub rate: f64,
}

impl CampaignStats {
    /// Aggregates `records` whose header is `headers`.
    ///
    /// ```
    /// use relance::sendethic::{CampaignStats, RecordReader};
    /// let data = "email;emailopenings;emailclicks\na@x.fr;2;0\nb@x.fr;0;0\nc@x.fr;1;3\n";
    /// let reader = RecordReader::new(data.as_bytes())?;
    /// let headers = reader.headers().to_vec();
    /// let records = reader.collect::<Result<Vec<_>, _>>()?;
    /// let stats = CampaignStats::from_records(&headers, &records);
    /// assert_eq!(stats.recipients, 3);
    /// let opens = stats.column("emailopenings").unwrap();
    /// assert_eq!((opens.recipients_with_event, opens.total), (2, Some(3.0)));
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn from_records(headers: &[String], records: &[Record]) -> Self {
        let recipients = records.len() as u64;
        let columns = headers
            .iter()
            .filter_map(|column| column_stats(column, records, recipients))
            .collect();
        Self {
            recipients,
            columns,
        }
    }

    /// The aggregates of one column (case-insensitive name).
    ///
    /// ```
    /// # fn show(s: relance::sendethic::CampaignStats) {
    /// if let Some(c) = s.column("emailclicks") { println!("{:.1} %", c.rate * 100.0); }
    /// # }
    /// ```
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&ColumnStats> {
        self.columns
            .iter()
            .find(|c| c.column.eq_ignore_ascii_case(name))
    }
}

#[allow(clippy::cast_precision_loss)]
fn column_stats(column: &str, records: &[Record], recipients: u64) -> Option<ColumnStats> {
    let mut numeric = true;
    let mut dated = true;
    let mut any = false;
    let (mut with_event, mut total) = (0u64, 0.0f64);
    let mut with_date = 0u64;
    for record in records {
        let Some(value) = record.non_empty(column) else {
            continue;
        };
        any = true;
        match parse_number(value) {
            Some(n) if numeric => {
                total += n;
                if n > 0.0 {
                    with_event += 1;
                }
            }
            _ => numeric = false,
        }
        if dated {
            if Timestamp::parse(value).datetime().is_some() {
                with_date += 1;
            } else {
                dated = false;
            }
        }
        if !numeric && !dated {
            return None;
        }
    }
    if !any {
        return None;
    }
    let rate = |n: u64| {
        if recipients == 0 {
            0.0
        } else {
            n as f64 / recipients as f64
        }
    };
    Some(if numeric {
        ColumnStats {
            column: column.to_owned(),
            recipients_with_event: with_event,
            total: Some(total),
            rate: rate(with_event),
        }
    } else {
        ColumnStats {
            column: column.to_owned(),
            recipients_with_event: with_date,
            total: None,
            rate: rate(with_date),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Result;

    #[test]
    fn stats_over_counts_dates_and_text() {
        let data = "email;emailopenings;emailopeninglastdate;emailclickinglastlink;bounced\n\
                    a@x.fr;2;2024-05-01 10:00:00;https://x;\n\
                    b@x.fr;0;;;1\n\
                    c@x.fr;1;2024-05-02 11:00:00;;\n\
                    d@x.fr;;;;\n";
        let reader = crate::sendethic::records::RecordReader::new(data.as_bytes()).unwrap();
        let headers = reader.headers().to_vec();
        let records: Vec<_> = reader.collect::<Result<_>>().unwrap();
        let stats = CampaignStats::from_records(&headers, &records);
        assert_eq!(stats.recipients, 4);
        let names: Vec<_> = stats.columns.iter().map(|c| c.column.as_str()).collect();
        assert_eq!(names, ["emailopenings", "emailopeninglastdate", "bounced"]);
        let opens = stats.column("emailopenings").unwrap();
        assert_eq!((opens.recipients_with_event, opens.total), (2, Some(3.0)));
        assert!((opens.rate - 0.5).abs() < 1e-9);
        let last = stats.column("emailopeninglastdate").unwrap();
        assert_eq!((last.recipients_with_event, last.total), (2, None));
        assert_eq!(stats.column("bounced").unwrap().recipients_with_event, 1);
        assert!(stats.column("email").is_none());
    }
}

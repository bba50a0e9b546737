//! Member imports of `FakeSendsay` (`member.import`): a CSV text (`member.email` first, or a
//! header of data paths) or a list of addresses, optionally into a group, as a job.

use serde_json::{Map, Value};

use super::call::{Answer, Params, bad, s, truthy};
use super::members::{apply_path, upsert};
use super::state::State;
use super::tracks;

/// One imported row: `(column, value)` pairs, `member.email` among them.
type Row = Vec<(String, Value)>;

/// The rows of `users.list`; `None` when it is missing.
fn rows(b: &Params) -> Option<Vec<Row>> {
    let mut rows = Vec::new();
    match b.get("users.list") {
        Some(Value::String(text)) => {
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let header: Option<Vec<String>> = lines
                .first()
                .filter(|l| l.contains(';') || l.starts_with("member."))
                .map(|l| l.split(';').map(str::to_owned).collect());
            let skip = usize::from(header.is_some());
            for line in &lines[skip..] {
                let cells: Vec<&str> = line.split(';').collect();
                let cols = header
                    .clone()
                    .unwrap_or_else(|| vec!["member.email".into()]);
                rows.push(
                    cols.into_iter()
                        .zip(cells)
                        .map(|(c, v)| (c, Value::from(v)))
                        .collect(),
                );
            }
        }
        Some(Value::Array(items)) => {
            for item in items {
                let email = item.as_str().map(str::to_owned).or_else(|| {
                    item.pointer("/member/email")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
                if let Some(e) = email {
                    rows.push(vec![("member.email".into(), e.into())]);
                }
            }
        }
        _ => return None,
    }
    Some(rows)
}

/// `member.import`: counts imported and ignored rows into the job's parameters.
pub(super) fn import(state: &mut State, b: &Params) -> Answer {
    let addr_type = s(b, "addr_type").unwrap_or("email").to_owned();
    let if_exists = s(b, "if_exists").unwrap_or("overwrite").to_owned();
    let Some(rows) = rows(b) else {
        return bad("users.list is required");
    };
    let group = b
        .get("auto_group")
        .and_then(|g| g.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(g) = &group
        && truthy(b.get("clean_group"))
    {
        for m in state.members.values_mut() {
            m.groups.remove(g);
        }
    }
    let (mut imported, mut ignored) = (0, 0);
    for row in rows {
        let Some(email) = row
            .iter()
            .find(|(c, _)| c == "member.email")
            .and_then(|(_, v)| v.as_str())
            .map(str::to_owned)
        else {
            ignored += 1;
            continue;
        };
        let mode = if if_exists != "ignore" {
            if_exists.as_str()
        } else if state.members.contains_key(&email.to_lowercase()) {
            ignored += 1;
            continue;
        } else {
            "update"
        };
        let Ok(key) = upsert(state, &email, &addr_type, mode) else {
            ignored += 1;
            continue;
        };
        if let Some(m) = state.members.get_mut(&key) {
            for (c, v) in &row {
                if c != "member.email" {
                    apply_path(m, c, "set", v);
                }
            }
            if let Some(g) = &group {
                m.groups.insert(g.clone());
            }
        }
        imported += 1;
    }
    let mut param = Map::new();
    param.insert("imported".into(), imported.into());
    param.insert("ignored".into(), ignored.into());
    Ok(serde_json::json!({ "track.id": tracks::start(state, "member.import", param, None) }))
}

//! What a Sendsay action sees of a request (its parameters) and the shapes of its answers.

use serde_json::{Map, Value};

use super::state::State;

/// The parameters of one action (the request body, or one `batch` item).
pub(super) type Params = Map<String, Value>;

/// An action's answer: the result members, or an error id with its `explain`.
pub(super) type Answer = Result<Value, (String, Value)>;

/// An action of the fake.
pub(super) type Action = fn(&mut State, &Params) -> Answer;

/// An error answer.
pub(super) fn err(id: &str, explain: impl Into<Value>) -> Answer {
    Err((id.to_owned(), explain.into()))
}

/// `error/params/invalid` (an error id of the fake's own).
pub(super) fn bad(explain: &str) -> Answer {
    err("error/params/invalid", explain)
}

/// A string parameter.
pub(super) fn s<'a>(b: &'a Params, k: &str) -> Option<&'a str> {
    b.get(k).and_then(Value::as_str)
}

/// An integer parameter, however it is written.
pub(super) fn int(b: &Params, k: &str) -> Option<i64> {
    b.get(k).and_then(crate::wire::lenient::value_int)
}

/// A flag: a non-zero number (however written) or `true`.
pub(super) fn truthy(v: Option<&Value>) -> bool {
    v.is_some_and(|v| {
        crate::wire::lenient::value_int(v).map_or(v.as_bool() == Some(true), |n| n != 0)
    })
}

/// A value as text: strings as they are, anything else as JSON.
pub(super) fn as_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// The `skip` and `first` paging of list answers.
pub(super) fn page<T>(b: &Params, items: Vec<T>) -> Vec<T> {
    let skip = usize::try_from(int(b, "skip").unwrap_or(0)).unwrap_or(0);
    let first = usize::try_from(int(b, "first").unwrap_or(i64::MAX)).unwrap_or(usize::MAX);
    items.into_iter().skip(skip).take(first).collect()
}

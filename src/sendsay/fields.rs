//! Questionnaires (`anketa.*`): profile fields and their questions.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::core::Core;
use super::envelope;
use super::ids::{AnketaId, QuestionId};
use super::params::{Params, id_param, non_empty};
use crate::error::Error;
use crate::http::Request;
use crate::wire::open_enum;

open_enum! {
    /// The type of a question. There are no native boolean or date types: see
    /// [`NewQuestion::boolean`] and [`NewQuestion::date`].
    QuestType in "relance::sendsay" {
        /// Free text (`free`, with a `width`).
        Free => "free",
        /// Date/time (`dt`, with a `dtsubtype` precision).
        DateTime => "dt",
        /// Single choice (`1m`, with `answers`).
        SingleChoice => "1m",
        /// Multiple choice (`nm`, with `answers`).
        MultipleChoice => "nm",
        /// Integer (`int`).
        Int => "int",
    }
}

/// An anketa as `anketa.list` returns it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Anketa {
    /// The id (`base`, `custom`, `a123`).
    #[serde(default)]
    pub id: Option<AnketaId>,
    /// The name.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub name: Option<String>,
    /// Whether it is a system anketa.
    #[serde(default, deserialize_with = "crate::wire::lenient::flag")]
    pub system: bool,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A question of an anketa.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Question {
    /// The name.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub name: Option<String>,
    /// The type.
    #[serde(rename = "type", default)]
    pub quest_type: Option<QuestType>,
    /// Text width (`free`).
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_int")]
    pub width: Option<i64>,
    /// Date precision (`dt`): `yd`, `yh`, `ym`, `ys`.
    #[serde(default, deserialize_with = "crate::wire::lenient::opt_string")]
    pub dtsubtype: Option<String>,
    /// Choices: code → text.
    #[serde(default)]
    pub answers: BTreeMap<String, Value>,
    /// Order of the choice codes.
    #[serde(default)]
    pub order: Vec<Value>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An anketa with its questions (`anketa.get`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnketaDetail {
    /// The id.
    #[serde(default)]
    pub id: Option<AnketaId>,
    /// Parameters (`name`, ...).
    #[serde(default)]
    pub param: Map<String, Value>,
    /// Question ids in order.
    #[serde(default)]
    pub order: Vec<QuestionId>,
    /// Questions by id.
    #[serde(default)]
    pub quests: BTreeMap<QuestionId, Question>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A question to add with [`FieldsHandler::add_questions`].
///
/// ```
/// use relance::sendsay::NewQuestion;
/// let q = NewQuestion::text("City", 256).id("city");
/// assert_eq!(
///     serde_json::to_value(&q).unwrap(),
///     serde_json::json!({"id": "city", "name": "City", "type": "free", "width": 256})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewQuestion {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<QuestionId>,
    name: String,
    #[serde(rename = "type")]
    quest_type: QuestType,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dtsubtype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    answers: Option<BTreeMap<String, String>>,
}

impl NewQuestion {
    fn new(name: impl Into<String>, quest_type: QuestType) -> Self {
        Self {
            id: None,
            name: name.into(),
            quest_type,
            width: None,
            dtsubtype: None,
            answers: None,
        }
    }

    /// Free text of at most `width` characters.
    ///
    /// ```
    /// let q = relance::sendsay::NewQuestion::text("City", 256);
    /// # let _ = q;
    /// ```
    pub fn text(name: impl Into<String>, width: u32) -> Self {
        Self {
            width: Some(width),
            ..Self::new(name, QuestType::Free)
        }
    }

    /// Date and time with a precision: `yd` (day), `yh` (hour), `ym` (minute), `ys` (second).
    ///
    /// ```
    /// let q = relance::sendsay::NewQuestion::datetime("Last order", "ys");
    /// # let _ = q;
    /// ```
    pub fn datetime(name: impl Into<String>, precision: impl Into<String>) -> Self {
        Self {
            dtsubtype: Some(precision.into()),
            ..Self::new(name, QuestType::DateTime)
        }
    }

    /// A date, emulated as `dt` with day precision (`yd`).
    ///
    /// ```
    /// let q = relance::sendsay::NewQuestion::date("Birthday");
    /// # let _ = q;
    /// ```
    pub fn date(name: impl Into<String>) -> Self {
        Self::datetime(name, "yd")
    }

    /// An integer.
    ///
    /// ```
    /// let q = relance::sendsay::NewQuestion::int("Orders");
    /// # let _ = q;
    /// ```
    pub fn int(name: impl Into<String>) -> Self {
        Self::new(name, QuestType::Int)
    }

    /// Single choice among `answers` (code → text).
    ///
    /// ```
    /// let q = relance::sendsay::NewQuestion::single_choice("Role", [("b", "buyer"), ("s", "seller")]);
    /// # let _ = q;
    /// ```
    pub fn single_choice<I, K, V>(name: impl Into<String>, answers: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            answers: Some(
                answers
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
            ..Self::new(name, QuestType::SingleChoice)
        }
    }

    /// Multiple choice among `answers` (code → text).
    ///
    /// ```
    /// let q = relance::sendsay::NewQuestion::multiple_choice("Interests", [("1", "toys")]);
    /// # let _ = q;
    /// ```
    pub fn multiple_choice<I, K, V>(name: impl Into<String>, answers: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            quest_type: QuestType::MultipleChoice,
            ..Self::single_choice(name, answers)
        }
    }

    /// A boolean, emulated as a single choice with answers `{"1":"1","0":"0"}`.
    ///
    /// ```
    /// let q = relance::sendsay::NewQuestion::boolean("Seller");
    /// # let _ = q;
    /// ```
    pub fn boolean(name: impl Into<String>) -> Self {
        Self::single_choice(name, [("1", "1"), ("0", "0")])
    }

    /// A custom question id.
    ///
    /// ```
    /// let q = relance::sendsay::NewQuestion::int("Orders").id("orders");
    /// # let _ = q;
    /// ```
    #[must_use]
    pub fn id(mut self, id: impl Into<QuestionId>) -> Self {
        self.id = Some(id.into());
        self
    }
}

/// Handler for questionnaires. Created by [`Client::fields`](super::Client::fields).
#[derive(Debug, Clone)]
pub struct FieldsHandler {
    core: Arc<Core>,
}

impl FieldsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// `anketa.list`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let anketas = client.fields().list().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<Vec<Anketa>> {
        self.core
            .action("anketa.list", Ok(Map::new()), envelope::list)
    }

    /// `anketa.get`: one anketa with its questions.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let custom = client.fields().get("custom").await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: impl Into<AnketaId>) -> Request<AnketaDetail> {
        self.core
            .action("anketa.get", id_param(id.into().as_str()), envelope::obj)
    }

    /// `anketa.create`: returns the id of the new anketa.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// let id = client.fields().create("Shop", Some("shop")).await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, name: &str, id: Option<&str>) -> Request<AnketaId> {
        let params = non_empty("name", name).and_then(|()| {
            if let Some(id) = id {
                non_empty("id", id)?;
            }
            Params::new().opt("id", id).set("name", name).ok()
        });
        self.core
            .action("anketa.create", params, envelope::created_id)
    }

    /// `anketa.delete`.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// client.fields().delete("shop").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<AnketaId>) -> Request<()> {
        self.core.action(
            "anketa.delete",
            id_param(id.into().as_str()),
            envelope::unit,
        )
    }

    /// `anketa.quest.add`: adds questions to an anketa.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::NewQuestion;
    /// client.fields().add_questions("shop", &[NewQuestion::int("Orders").id("orders")]).await?;
    /// # Ok(()) }
    /// ```
    pub fn add_questions(
        &self,
        anketa: impl Into<AnketaId>,
        questions: &[NewQuestion],
    ) -> Request<Value> {
        let anketa = anketa.into();
        let params = non_empty("anketa.id", anketa.as_str()).and_then(|()| {
            if questions.is_empty() {
                return Err(Error::invalid("obj", "no question to add"));
            }
            if let Some(q) = questions.iter().find(|q| q.name.trim().is_empty()) {
                return Err(Error::invalid(
                    q.id.clone().unwrap_or_default().0,
                    "a question name must not be empty",
                ));
            }
            let obj = serde_json::to_value(questions)
                .map_err(|e| Error::invalid("obj", e.to_string()))?;
            Params::new()
                .set("anketa.id", anketa.0)
                .set("obj", obj)
                .ok()
        });
        self.core.action("anketa.quest.add", params, Ok)
    }
}

//! Typed ids: every id the service hands back and takes again. Each converts from `&str`,
//! `String` and `i64`, so a literal works wherever an id is expected.

use std::borrow::Borrow;

use crate::wire::text_id;

text_id!(
    /// The id of an asynchronous job (`track.id`), received as a number or a string and sent
    /// back as a number when it is numeric.
    TrackId in "relance::sendsay"
);

text_id!(
    /// The id of a group: a list or a segment (`list0004`, `pl99047`, `p24`, `main`). A custom
    /// id is made of `[a-zA-Z0-9]`.
    GroupId in "relance::sendsay"
);

text_id!(
    /// The id of a draft or template (`issue.draft.*`, `letter.draft.id`).
    DraftId in "relance::sendsay"
);

text_id!(
    /// The id of a questionnaire (`anketa.*`): `base`, `custom`, `a123`.
    AnketaId in "relance::sendsay"
);

text_id!(
    /// The id of a question of a questionnaire (`q123`, `city`).
    QuestionId in "relance::sendsay"
);

text_id!(
    /// The id of a sender address (`issue.emailsender.*`).
    SenderId in "relance::sendsay"
);

text_id!(
    /// The id of a workflow (`sequence.*`), an automation set up in the account.
    WorkflowId in "relance::sendsay"
);

/// Maps keyed by these ids are looked up with a plain `&str`.
impl Borrow<str> for GroupId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for QuestionId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_decode_from_numbers_and_strings_and_keep_their_text() {
        let ids: Vec<GroupId> = serde_json::from_str(r#"["p42", 7, null]"#).unwrap();
        assert_eq!(
            ids,
            [GroupId::from("p42"), GroupId::from(7), GroupId::default()]
        );
        assert_eq!(
            serde_json::to_string(&DraftId::from(42)).unwrap(),
            r#""42""#
        );
        let keyed: std::collections::BTreeMap<QuestionId, u8> =
            serde_json::from_str(r#"{"q1": 1}"#).unwrap();
        assert_eq!(keyed.get("q1"), Some(&1));
    }
}

//! Every response type round-trips: `decode(encode(x)) == x` over generated values, and the
//! service's loose forms (numbers as strings, `null` for empty, unknown properties) decode.
//!
//! Values are generated in their canonical form, the one the decoders produce: a contact's
//! set values are not empty (an empty value reads back as `Patch::Clear`) and its status
//! dates are in the offset format it writes; an unknown property never reuses a known name.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use relance::sendethic::{
    ActivityExport, Contact, ContactField, ContactHistory, ContactId, ContactLog, Credits, Culture,
    EmailOperation, EmailOptions, ExportId, ExportJob, ExportJobId, FieldFormat, FieldId,
    FieldValue, FieldValueId, ImportId, ImportJob, Mirror, Mode, OperationId, OperationStatus,
    OptIn, Patch, PurgeId, PurgeJob, Receivers, ScheduleInfo, ScheduleKind, Segment, SegmentId,
    SmsOperation, Timestamp,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// Encodes `x`, decodes it back, and compares.
fn round_trips<T>(x: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let wire = serde_json::to_string(x).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T =
        serde_json::from_str(&wire).map_err(|e| TestCaseError::fail(format!("{e}: {wire}")))?;
    prop_assert_eq!(&back, x, "{}", wire);
    Ok(())
}

/// Assigns `values` to `members`, in order.
fn fill<T>(members: Vec<&mut T>, values: impl IntoIterator<Item = T>) {
    for (member, value) in members.into_iter().zip(values) {
        *member = value;
    }
}

/// A value decoded from `{}`: every member at its default, to be filled in.
fn empty<T: DeserializeOwned>() -> T {
    serde_json::from_value(json!({})).unwrap()
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ._@|-]{0,12}"
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_000_000_000).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

/// A wire date: either format Sendethic sends, or text it may send instead.
fn timestamp() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        instant().prop_map(Timestamp::plain),
        instant().prop_map(Timestamp::with_offset),
        text().prop_map(Timestamp::parse),
    ]
}

fn opt_timestamp() -> impl Strategy<Value = Option<Timestamp>> {
    proptest::option::of(timestamp())
}

/// Unknown properties: names no type of the wing uses, scalar values.
fn extra() -> impl Strategy<Value = Map<String, Value>> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    proptest::collection::btree_map("x_[a-z]{1,6}", leaf, 0..3)
        .prop_map(|m| m.into_iter().collect())
}

fn ids() -> impl Strategy<Value = Vec<i64>> {
    proptest::collection::vec(any::<i64>(), 0..4)
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        Just(Mode::Intersect),
        Just(Mode::Union),
        text().prop_map(|s| Mode::parse(&s)),
    ]
}

fn status() -> impl Strategy<Value = OperationStatus> {
    prop_oneof![
        Just(OperationStatus::Running),
        Just(OperationStatus::Completed),
        text().prop_map(|s| OperationStatus::parse(&s)),
    ]
}

fn receivers() -> impl Strategy<Value = Receivers> {
    (
        ids(),
        ids(),
        ids(),
        opt_text(),
        proptest::option::of(mode()),
    )
        .prop_map(|(segments, imports, contacts, xml, mode)| {
            let mut r = Receivers::default();
            r.segment_ids = segments;
            r.import_ids = imports;
            r.contact_ids = contacts;
            r.conditions_xml = xml;
            r.conditions_mode = mode;
            r
        })
}

fn schedule() -> impl Strategy<Value = ScheduleInfo> {
    let kind = prop_oneof![
        Just(ScheduleKind::Asap),
        Just(ScheduleKind::Triggered),
        text().prop_map(|s| ScheduleKind::parse(&s)),
    ];
    (
        proptest::option::of(kind),
        opt_text(),
        opt_text(),
        opt_text(),
    )
        .prop_map(|(kind, criterias, time, limit)| {
            let mut s = ScheduleInfo::default();
            s.kind = kind;
            s.criterias = criterias;
            s.criterias_time = time;
            s.criterias_limit = limit;
            s
        })
}

fn email_options() -> impl Strategy<Value = EmailOptions> {
    let mirror = prop_oneof![Just(Mirror::Yes), text().prop_map(|s| Mirror::parse(&s))];
    (
        proptest::option::of(mirror),
        proptest::collection::vec(opt_text(), 14),
    )
        .prop_map(|(mirror, t)| {
            let mut o = EmailOptions::default();
            o.mirror = mirror;
            fill(
                vec![
                    &mut o.mirror_paragraph,
                    &mut o.encoding,
                    &mut o.recipient_display,
                    &mut o.redirect_bounce,
                    &mut o.redirect_validation,
                    &mut o.routing_option,
                    &mut o.xiti_prefix,
                    &mut o.xiti_tag,
                    &mut o.ga_source,
                    &mut o.ga_medium,
                    &mut o.ga_campaign,
                    &mut o.ga_content,
                    &mut o.ga_term,
                    &mut o.ga_prefix,
                ],
                t,
            );
            o
        })
}

/// A set value as a contact reads it back: never empty.
fn patch() -> impl Strategy<Value = Patch<String>> {
    prop_oneof![
        Just(Patch::Unset),
        Just(Patch::Clear),
        "[a-zA-Z0-9 ._@-]{1,12}".prop_map(Patch::Set),
    ]
}

fn contact() -> impl Strategy<Value = Contact> {
    let written = prop_oneof![
        Just(Patch::Clear),
        "[a-zA-Z0-9 ._@-]{1,12}".prop_map(Patch::Set)
    ];
    let optin = prop_oneof![
        Just(Patch::Unset),
        Just(Patch::Clear),
        "[a-zA-Z0-9]{1,6}".prop_map(|s| Patch::Set(OptIn::parse(&s))),
    ];
    let date = prop_oneof![
        Just(Patch::Unset),
        instant().prop_map(|at| Patch::Set(Timestamp::with_offset(at))),
        "[a-z]{1,8}".prop_map(|s| Patch::Set(Timestamp::parse(s))),
    ];
    (
        "[a-z0-9@.]{0,12}",
        proptest::option::of(1i64..1_000_000),
        (patch(), patch(), patch(), patch()),
        (optin, date),
        proptest::collection::btree_map(0i64..1_000_000, written.clone(), 0..4),
        proptest::collection::btree_map("x[a-z]{1,6}", written, 0..3),
    )
        .prop_map(
            |(key, id, (email, first, city, mobile), (optin, date), custom, other)| {
                let mut c = Contact::new(key);
                c.id = id.map(ContactId);
                c.email = email;
                c.first_name = first;
                c.city = city;
                c.mobile = mobile;
                c.email_optin = optin;
                c.email_status_date = date;
                c.custom = custom.into_iter().map(|(k, v)| (FieldId(k), v)).collect();
                c.other = other;
                c
            },
        )
}

fn contact_log() -> impl Strategy<Value = ContactLog> {
    (
        any::<i64>(),
        (opt_text(), opt_text(), opt_text(), opt_text()),
        opt_timestamp(),
        any::<i64>(),
        opt_timestamp(),
    )
        .prop_map(|(id, (kind, object, title, group), date, operation, at)| {
            let mut l = ContactLog::default();
            l.id = id;
            l.r#type = kind;
            l.object = object;
            l.title = title;
            l.group = group;
            l.date = date;
            l.operation_id = operation;
            l.log_date = at;
            l
        })
}

proptest! {
    #[test]
    fn contact_fields_and_values(
        (id, name, format, description, options) in (any::<i64>(), text(), text(), opt_text(), opt_text()),
        (created, extra) in (opt_timestamp(), extra()),
        (value_id, index, label, value_created) in (any::<i64>(), any::<i64>(), text(), opt_timestamp()),
    ) {
        let mut f: ContactField = empty();
        f.id = FieldId(id);
        f.name = name;
        f.format = FieldFormat::parse(&format);
        f.description = description;
        f.options = options;
        f.creation_date = created;
        f.extra = extra;
        round_trips(&f)?;
        round_trips(&f.format)?;
        let mut v: FieldValue = empty();
        v.id = FieldValueId(value_id);
        v.index = index;
        v.text = label;
        v.creation_date = value_created;
        round_trips(&v)?;
    }

    #[test]
    fn credits(used in any::<i64>(), remaining in any::<i64>(), total in any::<i64>()) {
        let mut c = Credits::default();
        c.used = used;
        c.remaining = remaining;
        c.total = total;
        round_trips(&c)?;
    }

    #[test]
    fn timestamps(t in timestamp()) {
        round_trips(&t)?;
    }

    #[test]
    fn contacts(c in contact()) {
        round_trips(&c)?;
        round_trips(&vec![c])?;
    }

    #[test]
    fn contact_histories(
        key in opt_text(),
        found in any::<i64>(),
        records in any::<i64>(),
        logs in proptest::collection::vec(contact_log(), 0..3),
    ) {
        let mut h = ContactHistory::default();
        h.contact_key = key;
        h.contact_found = found;
        h.records = records;
        h.logs = logs;
        round_trips(&h)?;
    }

    #[test]
    fn segments(
        (id, name, mode, description) in (any::<i64>(), text(), mode(), opt_text()),
        (created, details, extra) in (opt_timestamp(), text(), extra()),
    ) {
        let mut s: Segment = empty();
        s.id = SegmentId(id);
        s.name = name;
        s.mode = mode;
        s.description = description;
        s.creation_date = created;
        s.details = details;
        s.extra = extra;
        round_trips(&s)?;
        round_trips(&s.mode)?;
    }

    #[test]
    fn email_operations(
        (id, status, culture, date) in (any::<i64>(), proptest::option::of(status()), proptest::option::of(text()), opt_timestamp()),
        texts in proptest::collection::vec(opt_text(), 10),
        (receivers, schedule, options, extra) in (
            proptest::option::of(receivers()),
            proptest::option::of(schedule()),
            proptest::option::of(email_options()),
            extra(),
        ),
    ) {
        let mut op: EmailOperation = empty();
        op.id = OperationId(id);
        op.status = status;
        op.culture = culture.map(|c| Culture::parse(&c));
        op.date = date;
        fill(
            vec![
                &mut op.name,
                &mut op.description,
                &mut op.subject,
                &mut op.from_name,
                &mut op.from_mail,
                &mut op.reply_to,
                &mut op.html_editor,
                &mut op.html,
                &mut op.text,
                &mut op.report_link,
            ],
            texts,
        );
        op.receivers = receivers;
        op.schedule = schedule;
        op.options = options;
        op.extra = extra;
        round_trips(&op)?;
    }

    #[test]
    fn sms_operations(
        (id, status, date) in (any::<i64>(), proptest::option::of(status()), opt_timestamp()),
        texts in proptest::collection::vec(opt_text(), 5),
        (receivers, schedule, extra) in (
            proptest::option::of(receivers()),
            proptest::option::of(schedule()),
            extra(),
        ),
    ) {
        let mut op: SmsOperation = empty();
        op.id = OperationId(id);
        op.status = status;
        op.date = date;
        fill(
            vec![
                &mut op.name,
                &mut op.description,
                &mut op.message,
                &mut op.oadc,
                &mut op.report_link,
            ],
            texts,
        );
        op.receivers = receivers;
        op.schedule = schedule;
        op.extra = extra;
        round_trips(&op)?;
    }

    #[test]
    fn activity_exports(
        (id, reference, name, status) in (any::<i64>(), any::<i64>(), opt_text(), opt_text()),
        (start, end, link, extra) in (opt_timestamp(), opt_timestamp(), opt_text(), extra()),
    ) {
        let mut e: ActivityExport = empty();
        e.id = ExportId(id);
        e.reference_id = OperationId(reference);
        e.name = name;
        e.status = status;
        e.start_date = start;
        e.end_date = end;
        e.link = link;
        e.extra = extra;
        round_trips(&e)?;
    }

    #[test]
    fn contact_jobs(
        (id, name, start, status, link) in (any::<i64>(), opt_text(), opt_timestamp(), opt_text(), opt_text()),
        lines in proptest::collection::vec(any::<i64>(), 6),
        extra in extra(),
    ) {
        let mut import: ImportJob = empty();
        import.id = ImportId(id);
        import.name.clone_from(&name);
        import.start_date.clone_from(&start);
        import.status.clone_from(&status);
        import.link.clone_from(&link);
        fill(
            vec![
                &mut import.line_read,
                &mut import.line_duplicate,
                &mut import.line_add,
                &mut import.line_update,
                &mut import.line_import,
                &mut import.line_error,
            ],
            lines.iter().copied(),
        );
        import.extra.clone_from(&extra);
        round_trips(&import)?;

        let mut export: ExportJob = empty();
        export.id = ExportJobId(id);
        export.name = name;
        export.start_date.clone_from(&start);
        export.status.clone_from(&status);
        export.link.clone_from(&link);
        export.total_contact = lines[0];
        export.extra.clone_from(&extra);
        round_trips(&export)?;

        let mut purge: PurgeJob = empty();
        purge.id = PurgeId(id);
        purge.start_date = start;
        purge.status = status;
        purge.link = link;
        purge.line_read = lines[1];
        purge.extra = extra;
        round_trips(&vec![purge])?;
    }
}

#[test]
fn unknown_fields_are_ignored_or_kept() {
    let f: ContactField =
        serde_json::from_str(r#"{"id":"7","name":"A","format":"Number","brandNew":[1,2]}"#)
            .unwrap();
    assert_eq!(f.id.get(), 7);
    assert_eq!(f.extra["brandNew"], json!([1, 2]));
    let c: Credits =
        serde_json::from_str(r#"{"used":1,"remaining":"2","total":3,"unit":"sms"}"#).unwrap();
    assert_eq!(c.remaining, 2);
}

#[test]
fn contact_segment_and_history_shapes_are_lenient() {
    let c: Contact = serde_json::from_str(
        r#"{"id":"3","contactKey":7,"attributes":[null,{"id":26,"fieldValue":true},{"fieldName":"city","fieldValue":"Paris"}],"new":1}"#,
    )
    .unwrap();
    assert_eq!(c.key, "7");
    assert_eq!(c.custom_value(FieldId(26)), Some("true"));
    assert_eq!(c.city.value().map(String::as_str), Some("Paris"));
    let c: Contact = serde_json::from_str(r#"{"attributes":null}"#).unwrap();
    assert_eq!(c.id, None);
    let h: ContactHistory =
        serde_json::from_str(r#"{"contactKey":"a","contactFound":"1","records":null,"logs":null}"#)
            .unwrap();
    assert_eq!((h.contact_found, h.records, h.logs.len()), (1, 0, 0));
    let s: Segment =
        serde_json::from_str(r#"{"id":"4","name":null,"mode":"UNION","details":null,"x":[]}"#)
            .unwrap();
    assert_eq!(s.mode, Mode::Union);
    assert_eq!(s.extra["x"], json!([]));
}

#[test]
fn field_values_and_history_entries_take_numbers_as_strings() {
    let v: FieldValue =
        serde_json::from_str(r#"{"id":"53","index":"1","text":"Yes","creationDate":null}"#)
            .unwrap();
    assert_eq!(
        (v.id, v.index, v.creation_date),
        (FieldValueId(53), 1, None)
    );
    let l: ContactLog = serde_json::from_str(
        r#"{"Id":"9","Type":3,"Title":null,"OperationId":"42","LogDate":"2024-05-01 10:00:00+0000"}"#,
    )
    .unwrap();
    assert_eq!((l.id, l.operation_id), (9, 42));
    assert_eq!(l.r#type.as_deref(), Some("3"));
    assert_eq!(l.title, None);
    assert!(l.log_date.unwrap().datetime().is_some());
}

#[test]
fn operations_take_string_ids_nulls_and_unknown_statuses() {
    let op: EmailOperation = serde_json::from_str(
        r#"{"id":"42","name":null,"status":"archived","receivers":{"segmentIds":["3"],"importIds":null},"schedule":null,"options":{"mirror":"account"}}"#,
    )
    .unwrap();
    assert_eq!(op.id, OperationId(42));
    assert_eq!(op.name, None);
    assert_eq!(op.status, Some(OperationStatus::Unknown("archived".into())));
    assert_eq!(op.receivers.unwrap().segment_ids, [3]);
    assert_eq!(op.options.unwrap().mirror, Some(Mirror::Account));
    let sms: SmsOperation =
        serde_json::from_str(r#"{"id":"9","status":"RUNNING","date":null,"oadc":12}"#).unwrap();
    assert_eq!(sms.status, Some(OperationStatus::Running));
    assert_eq!(sms.oadc.as_deref(), Some("12"));
    let s: ScheduleInfo =
        serde_json::from_str(r#"{"type":"Triggered","criteriasLimit":true}"#).unwrap();
    assert_eq!(s.kind, Some(ScheduleKind::Triggered));
    assert_eq!(s.criterias_limit.as_deref(), Some("true"));
}

#[test]
fn exports_and_jobs_take_numbers_as_strings_and_keep_unknown_properties() {
    let e: ActivityExport = serde_json::from_str(
        r#"{"id":"3","referenceId":"42","link":null,"startDate":"2024-06-01 00:00:00","rows":5}"#,
    )
    .unwrap();
    assert_eq!((e.id, e.reference_id), (ExportId(3), OperationId(42)));
    assert!(!e.is_ready());
    assert_eq!(e.extra["rows"], json!(5));
    let i: ImportJob =
        serde_json::from_str(r#"{"Id":"5","LineRead":"10","LineError":null,"Name":7}"#).unwrap();
    assert_eq!((i.id, i.line_read, i.line_error), (ImportId(5), 10, 0));
    assert_eq!(i.name.as_deref(), Some("7"));
    let x: ExportJob = serde_json::from_str(r#"{"Id":8,"TotalContact":"3","Owner":"me"}"#).unwrap();
    assert_eq!((x.id, x.total_contact), (ExportJobId(8), 3));
    assert_eq!(x.extra["Owner"], json!("me"));
    let p: Vec<PurgeJob> =
        serde_json::from_str(r#"[{"Id":"2","StartDate":null,"Link":"","LineRead":"4"}]"#).unwrap();
    assert_eq!((p[0].id, p[0].line_read), (PurgeId(2), 4));
    assert_eq!(p[0].file_name(), None);
}

//! The criteria XML dialect: exact output per operator, escaping, parsing back, and raw
//! round trips of unknown criteria.

use proptest::prelude::*;
use relance::Error;
use relance::sendethic::{
    Criteria, CriteriaItem, Criterion, CriterionTest, FieldId, FieldRef, FieldValueId,
};

const G: &str = "28c30297-4706-48af-8afb-b1216c9a394a";

fn one(c: Criterion) -> String {
    Criteria::new().with(c.with_guid(G)).to_xml()
}

fn el(reference: &str, kind: &str, id: &str, op: &str, is: &str, v1: &str) -> String {
    format!(
        "<Criterias><Criteria guid=\"{G}\" reference=\"{reference}\" type=\"{kind}\" id=\"{id}\" \
         op=\"{op}\" is=\"{is}\" value1=\"{v1}\" value2=\"\"/></Criterias>"
    )
}

/// A `ContactAttribute` criterion whose `op` is its `reference`, tested true.
fn attr(reference: &str, id: &str, v1: &str) -> String {
    el(reference, "ContactAttribute", id, reference, "true", v1)
}

#[test]
fn every_known_operator_has_the_documented_form() {
    let f = FieldId(31);
    let cases = [
        (
            Criterion::selection_equals(FieldId(30), FieldValueId(54)),
            attr("selection-equals-list", "30", "0,54,0"),
        ),
        (
            Criterion::text_not_empty(FieldId(27)),
            attr("str-containssomething", "27", ""),
        ),
        (
            Criterion::text_empty(FieldId(27)),
            el(
                "!str-containssomething",
                "ContactAttribute",
                "27",
                "str-containssomething",
                "false",
                "",
            ),
        ),
        (
            Criterion::number_equals(f, 0),
            attr("num-equals", "31", "0"),
        ),
        (
            Criterion::number_at_least(f, 2),
            attr("num-higher", "31", "2"),
        ),
        (
            Criterion::number_greater_than(f, "12.5"),
            attr("num-higher-strict", "31", "12.5"),
        ),
        (
            Criterion::date_set("lastorder"),
            attr("date-containssomething", "lastorder", ""),
        ),
        (
            Criterion::date_within_last_days(FieldId(34), 30),
            attr("date-before-less-absnow", "34", "30"),
        ),
        (
            Criterion::date_older_than_days(FieldId(35), 90),
            attr("date-before-more-absnow", "35", "90"),
        ),
        (
            Criterion::unsubscribed_from_email(),
            el(
                "op-unsubscribing-emailing",
                "Operation",
                "0,5,0",
                "unsubscribingemailing",
                "true",
                "",
            ),
        ),
    ];
    for (criterion, expected) in cases {
        let xml = one(criterion.clone());
        assert_eq!(xml, expected);
        let parsed = Criteria::parse(&xml).unwrap();
        assert_eq!(
            parsed.items(),
            &[CriteriaItem::Known(criterion.with_guid(G))]
        );
    }
}

#[test]
fn the_reference_examples_parse_as_typed() {
    // S1's literal example (with ` />` and line breaks between attributes).
    let s1 = "<Criterias><Criteria guid=\"ff551463-5614-4174-af40-f26c41942ee4\" reference=\"op-unsubscribing-emailing\"\n type=\"Operation\" id=\"0,5,0\" op=\"unsubscribingemailing\" is=\"true\" value1=\"\" value2=\"\" /></Criterias>";
    let c = Criteria::parse(s1).unwrap();
    let known: Vec<&Criterion> = c.known().collect();
    assert_eq!(known.len(), 1);
    assert_eq!(known[0].test(), &CriterionTest::UnsubscribedFromEmail);
    assert_eq!(known[0].guid(), "ff551463-5614-4174-af40-f26c41942ee4");
    // S3's segment 6, attributes in another order and pretty-printed.
    let s3 = "<Criterias>\n  <Criteria value2=\"\" value1=\"0\" is=\"true\" op=\"num-higher-strict\" id=\"31\" type=\"ContactAttribute\" reference=\"num-higher-strict\" guid=\"g\" />\n</Criterias>";
    let c = Criteria::parse(s3).unwrap();
    assert_eq!(
        c.known().next().unwrap().test(),
        &CriterionTest::NumberGreaterThan {
            field: FieldRef::Custom(FieldId(31)),
            value: "0".into()
        }
    );
}

#[test]
fn unknown_criteria_round_trip_byte_for_byte() {
    let raw = [
        // Unknown operator.
        r#"<Criteria guid="a" reference="date-after" type="ContactAttribute" id="9" op="date-after" is="true" value1="2024-01-01" value2="" />"#,
        // Known operator with a value2 range.
        r#"<Criteria guid="b" reference="num-higher" type="ContactAttribute" id="9" op="num-higher" is="true" value1="1" value2="5"/>"#,
        // Extra attribute.
        r#"<Criteria guid="c" reference="num-equals" type="ContactAttribute" id="9" op="num-equals" is="true" value1="1" value2="" extra='x &amp; y'/>"#,
        // Inconsistent negation.
        r#"<Criteria guid="d" reference="str-containssomething" type="ContactAttribute" id="9" op="str-containssomething" is="false" value1="" value2=""/>"#,
        // A non-empty element.
        r#"<Criteria guid="e" reference="group"><Criteria guid="f" reference="x"/></Criteria>"#,
        // A different element.
        r#"<Group mode="union"/>"#,
    ];
    let known = r#"<Criteria guid="k" reference="num-equals" type="ContactAttribute" id="31" op="num-equals" is="true" value1="0" value2=""/>"#;
    let xml = format!(
        "<Criterias>{}{known}{}{}{}{}{}</Criterias>",
        raw[0], raw[1], raw[2], raw[3], raw[4], raw[5]
    );
    let parsed = Criteria::parse(&xml).unwrap();
    assert_eq!(parsed.len(), 7);
    assert!(matches!(&parsed.items()[0], CriteriaItem::Raw(r) if r == raw[0]));
    assert!(matches!(&parsed.items()[1], CriteriaItem::Known(_)));
    for (i, r) in raw.iter().enumerate().skip(1) {
        assert!(
            matches!(&parsed.items()[i + 1], CriteriaItem::Raw(x) if x == r),
            "{i}: {:?}",
            parsed.items()[i + 1]
        );
    }
    assert_eq!(parsed.to_xml(), xml);
    // Adding a criterion keeps the raw ones verbatim.
    let more = parsed.with(Criterion::unsubscribed_from_email().with_guid("z"));
    assert!(more.to_xml().contains(raw[4]));
}

#[test]
fn values_are_escaped_and_come_back_intact() {
    let nasty = "a<b&c\"d'e]]>f\tg\nh";
    let c = Criterion::text_not_empty(FieldRef::Standard(nasty.into())).with_guid(nasty);
    let xml = Criteria::new().with(c.clone()).to_xml();
    for frag in [
        "&lt;", "&amp;", "&quot;", "&apos;", "]]&gt;", "&#9;", "&#10;",
    ] {
        assert!(xml.contains(frag), "{frag} missing in {xml}");
    }
    assert!(!xml.contains("b&c") && !xml.contains("]]>f"));
    let back = Criteria::parse(&xml).unwrap();
    assert_eq!(back.items(), &[CriteriaItem::Known(c)]);
}

#[test]
fn bad_xml_is_an_input_error() {
    for bad in [
        "<Criterias><Criteria guid=\"a\"></Criterias>",
        "<Other/>",
        "<Criterias>",
        "<Criterias/><Criterias/>",
        "not xml",
        "<Criterias><Criteria guid=\"a/></Criterias>",
    ] {
        let err = Criteria::parse(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad}: {err:?}");
    }
    assert!(Criteria::parse("").unwrap().is_empty());
    assert!(Criteria::parse("<Criterias/>").unwrap().is_empty());
    assert!(
        Criteria::parse("<?xml version=\"1.0\"?><Criterias></Criterias>")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn generated_guids_are_unique_v4() {
    let a = Criterion::unsubscribed_from_email();
    let b = Criterion::unsubscribed_from_email();
    assert_ne!(a.guid(), b.guid());
    assert_eq!(a.guid().len(), 36);
    assert_eq!(a.guid().chars().nth(14), Some('4'));
}

proptest! {
    #[test]
    fn arbitrary_text_round_trips(guid in "\\PC{0,16}", field in "[^0-9]\\PC{0,12}", days in any::<u32>()) {
        let criteria = Criteria::new()
            .with(Criterion::text_empty(FieldRef::Standard(field.clone())).with_guid(guid.clone()))
            .with(Criterion::date_within_last_days(FieldRef::Standard(field), days).with_guid(guid));
        let back = Criteria::parse(&criteria.to_xml()).unwrap();
        prop_assert_eq!(back, criteria);
    }

    #[test]
    fn arbitrary_input_never_panics(s in "\\PC{0,80}") {
        let _ = Criteria::parse(&s);
        let wrapped = format!("<Criterias>{s}</Criterias>");
        if let Ok(c) = Criteria::parse(&wrapped) {
            // Whatever parses writes back parseable.
            prop_assert!(Criteria::parse(&c.to_xml()).is_ok());
        }
    }
}

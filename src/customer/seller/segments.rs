//! The default marketplace segments, as data like the customer ones: evaluated by the
//! provider on the synced marketplace fields (roles and seller values).

use crate::customer::OptIn;
use crate::customer::ProfileField as F;
use crate::customer::segment::{Condition, Match, Op, SegmentSpec, Value};

fn yes(field: F) -> Condition {
    Condition::new(field, Op::Equals(Value::OptIn(OptIn::Yes)))
}

fn spec(tag: String, name: String, conditions: Vec<Condition>) -> SegmentSpec {
    SegmentSpec {
        tag,
        name,
        mode: Match::All,
        conditions,
        note: None,
    }
}

/// The default marketplace segments: sellers without products, sellers without sales, one
/// segment per sales milestone (sellers whose highest milestone is it), buyers who are also
/// sellers, and buyers registered without an order. They test the marketplace fields
/// ([`ProfileField::MARKETPLACE`](crate::customer::ProfileField::MARKETPLACE)), so the sync
/// must push them.
///
/// ```
/// let specs = relance::customer::seller::marketplace_defaults(&[1, 100]);
/// let tags: Vec<&str> = specs.iter().map(|s| s.tag.as_str()).collect();
/// assert_eq!(tags, ["relance_sellers_no_products", "relance_sellers_no_sales",
///     "relance_sellers_milestone_1", "relance_sellers_milestone_100",
///     "relance_buyers_sellers", "relance_buyers_no_orders"]);
/// ```
#[must_use]
pub fn marketplace_defaults(milestones: &[u32]) -> Vec<SegmentSpec> {
    let mut out = vec![
        spec(
            "relance_sellers_no_products".into(),
            "Sellers without products".into(),
            vec![yes(F::IsSeller), yes(F::SellerStuckWithoutProducts)],
        ),
        spec(
            "relance_sellers_no_sales".into(),
            "Sellers without sales".into(),
            vec![yes(F::IsSeller), yes(F::SellerStuckWithoutSales)],
        ),
    ];
    for &m in milestones {
        out.push(spec(
            format!("relance_sellers_milestone_{m}"),
            format!("Sellers at {m} sales"),
            vec![Condition::new(
                F::SellerMilestone,
                Op::Equals(Value::Number(f64::from(m))),
            )],
        ));
    }
    out.push(spec(
        "relance_buyers_sellers".into(),
        "Buyers who also sell".into(),
        vec![yes(F::IsBuyer), yes(F::IsSeller)],
    ));
    out.push(spec(
        "relance_buyers_no_orders".into(),
        "Buyers registered without an order".into(),
        vec![
            Condition::new(F::CustomerId, Op::IsSet),
            Condition::new(F::OrdersCount, Op::Equals(Value::Number(0.0))),
        ],
    ));
    out
}

//! [`CustomerView`]: a customer row read in place, its fields borrowed from the store's text.

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    CustomerStore, EMAIL, FIRST_NAME, ID, LAST_NAME, MR, OTHER, PHONE, POSTCODE, Row, SHOP_ID,
    STANDARD,
};
use crate::customer::{Civility, Customer, OptIn};

/// A customer row of a [`Dataset`](crate::customer::Dataset), read in place: the dataset
/// keeps its rows' text in one buffer, and a view borrows each field from it.
///
/// ```
/// use relance::customer::{Customer, CustomerIdx, Dataset};
/// let mut ds = Dataset::new();
/// let c = ds.add_customer(Customer { id: "7".into(), email: "Ann@x.io".into(),
///     group_ids: vec!["b".into(), "a".into()], ..Customer::default() });
/// let view = ds.customer(c).unwrap();
/// assert_eq!((view.id(), view.email()), ("7", "Ann@x.io"));
/// assert_eq!(view.group_ids().collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(view.to_customer().group_ids, ["a", "b"]);
/// ```
#[derive(Clone, Copy)]
pub struct CustomerView<'d> {
    pub(super) store: &'d CustomerStore,
    pub(super) row: &'d Row,
}

impl std::fmt::Debug for CustomerView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerView")
            .field("id", &self.id())
            .field("email", &self.email())
            .finish_non_exhaustive()
    }
}

impl<'d> CustomerView<'d> {
    fn field(&self, i: usize) -> &'d str {
        let start = usize::try_from(self.row.start).unwrap_or(usize::MAX);
        let from = if i == 0 { 0 } else { self.row.ends[i - 1] };
        let (a, b) = (start + from as usize, start + self.row.ends[i] as usize);
        self.store.text.get(a..b).unwrap_or("")
    }

    fn opt(&self, i: usize) -> Option<&'d str> {
        (self.row.present & (1 << i) != 0).then(|| self.field(i))
    }

    /// Shop customer id.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { id: "7".into(), ..Customer::default() });
    /// assert_eq!(ds.customer(c).unwrap().id(), "7");
    /// ```
    #[must_use]
    pub fn id(&self) -> &'d str {
        self.field(ID)
    }

    /// Email as the shop stores it (not normalised).
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { email: "A@x.io".into(), ..Customer::default() });
    /// assert_eq!(ds.customer(c).unwrap().email(), "A@x.io");
    /// ```
    #[must_use]
    pub fn email(&self) -> &'d str {
        self.field(EMAIL)
    }

    /// First name.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { first_name: Some("Ada".into()), ..Customer::default() });
    /// assert_eq!(ds.customer(c).unwrap().first_name(), Some("Ada"));
    /// ```
    #[must_use]
    pub fn first_name(&self) -> Option<&'d str> {
        self.opt(FIRST_NAME)
    }

    /// Last name.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer::default());
    /// assert_eq!(ds.customer(c).unwrap().last_name(), None);
    /// ```
    #[must_use]
    pub fn last_name(&self) -> Option<&'d str> {
        self.opt(LAST_NAME)
    }

    /// Salutation.
    ///
    /// ```
    /// # use relance::customer::{Civility, Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { civility: Some(Civility::Other("Dr".into())), ..Customer::default() });
    /// assert_eq!(ds.customer(c).unwrap().civility().map(Civility::as_str), Some("Dr"));
    /// ```
    #[must_use]
    pub fn civility(&self) -> Option<&'d Civility> {
        match self.row.civility {
            0 => None,
            c if c < OTHER => STANDARD.get((c - MR) as usize),
            c => self.store.others.get((c - OTHER) as usize),
        }
    }

    /// Birth date.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer::default());
    /// assert_eq!(ds.customer(c).unwrap().birth_date(), None);
    /// ```
    #[must_use]
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.row.birth_date
    }

    /// Phone.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { phone: Some("+33600000000".into()), ..Customer::default() });
    /// assert_eq!(ds.customer(c).unwrap().phone(), Some("+33600000000"));
    /// ```
    #[must_use]
    pub fn phone(&self) -> Option<&'d str> {
        self.opt(PHONE)
    }

    /// Postcode.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { postcode: Some("75001".into()), ..Customer::default() });
    /// assert_eq!(ds.customer(c).unwrap().postcode(), Some("75001"));
    /// ```
    #[must_use]
    pub fn postcode(&self) -> Option<&'d str> {
        self.opt(POSTCODE)
    }

    /// Account creation instant.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer::default());
    /// assert_eq!(ds.customer(c).unwrap().signed_up_at(), None);
    /// ```
    #[must_use]
    pub fn signed_up_at(&self) -> Option<DateTime<Utc>> {
        self.row.signed_up_at
    }

    /// Last modification of the row.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer::default());
    /// assert_eq!(ds.customer(c).unwrap().updated_at(), None);
    /// ```
    #[must_use]
    pub fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.row.updated_at
    }

    /// Last login stored on the row.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer::default());
    /// assert_eq!(ds.customer(c).unwrap().last_login_at(), None);
    /// ```
    #[must_use]
    pub fn last_login_at(&self) -> Option<DateTime<Utc>> {
        self.row.last_login_at
    }

    /// Newsletter consent.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset, OptIn};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { newsletter_optin: OptIn::Yes, ..Customer::default() });
    /// assert_eq!(ds.customer(c).unwrap().newsletter_optin(), OptIn::Yes);
    /// ```
    #[must_use]
    pub fn newsletter_optin(&self) -> OptIn {
        self.row.optin
    }

    /// When the consent was given or changed, if known.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer::default());
    /// assert_eq!(ds.customer(c).unwrap().newsletter_optin_at(), None);
    /// ```
    #[must_use]
    pub fn newsletter_optin_at(&self) -> Option<DateTime<Utc>> {
        self.row.optin_at
    }

    /// Customer group ids, sorted and deduplicated.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { group_ids: vec!["2".into(), "1".into(), "2".into()], ..Customer::default() });
    /// assert_eq!(ds.customer(c).unwrap().group_ids().collect::<Vec<_>>(), ["1", "2"]);
    /// ```
    #[must_use]
    pub fn group_ids(&self) -> impl ExactSizeIterator<Item = &'d str> + use<'d> {
        let (store, row) = (self.store, self.row);
        let first = row.groups as usize;
        let spans = store
            .groups
            .get(first..first + usize::from(row.group_count))
            .unwrap_or_default();
        let start = usize::try_from(row.start).unwrap_or(usize::MAX);
        spans.iter().map(move |s| {
            let (a, b) = (start + s[0] as usize, start + s[1] as usize);
            store.text.get(a..b).unwrap_or("")
        })
    }

    /// Shop / store id.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { shop_id: Some("1".into()), ..Customer::default() });
    /// assert_eq!(ds.customer(c).unwrap().shop_id(), Some("1"));
    /// ```
    #[must_use]
    pub fn shop_id(&self) -> Option<&'d str> {
        self.opt(SHOP_ID)
    }

    /// Whether the row is a shop-level guest account.
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(Customer { is_guest: true, ..Customer::default() });
    /// assert!(ds.customer(c).unwrap().is_guest());
    /// ```
    #[must_use]
    pub fn is_guest(&self) -> bool {
        self.row.is_guest
    }

    /// The row as an owned [`Customer`] (its group ids sorted and deduplicated, as the
    /// dataset keeps them).
    ///
    /// ```
    /// # use relance::customer::{Customer, Dataset};
    /// let row = Customer { id: "1".into(), email: "a@x.io".into(), ..Customer::default() };
    /// let mut ds = Dataset::new();
    /// let c = ds.add_customer(row.clone());
    /// assert_eq!(ds.customer(c).unwrap().to_customer(), row);
    /// ```
    #[must_use]
    pub fn to_customer(&self) -> Customer {
        let own = |s: Option<&str>| s.map(str::to_owned);
        Customer {
            id: self.id().to_owned(),
            email: self.email().to_owned(),
            first_name: own(self.first_name()),
            last_name: own(self.last_name()),
            civility: self.civility().cloned(),
            birth_date: self.birth_date(),
            phone: own(self.phone()),
            postcode: own(self.postcode()),
            signed_up_at: self.signed_up_at(),
            updated_at: self.updated_at(),
            last_login_at: self.last_login_at(),
            newsletter_optin: self.newsletter_optin(),
            newsletter_optin_at: self.newsletter_optin_at(),
            group_ids: self.group_ids().map(str::to_owned).collect(),
            shop_id: own(self.shop_id()),
            is_guest: self.is_guest(),
        }
    }
}

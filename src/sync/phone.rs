//! Phone numbers in E.164, the form SMS sending needs, read with a default region (the
//! shop's country) by the `phonenumber` crate (Google's libphonenumber metadata).

use crate::error::{Error, Result};

/// Reads shop phone numbers as E.164 (`+33612345678`): numbers written nationally
/// (`06 12 34 56 78`) are read in the default region, international ones (`+44 …`,
/// `0044 …`) in theirs; a number that is not a valid number is refused with the reason.
///
/// ```
/// let fr = relance::sync::PhoneRegion::new("FR")?;
/// assert_eq!(fr.e164("06 12 34 56 78").unwrap(), "+33612345678");
/// assert_eq!(fr.e164("+44 20 7946 0958").unwrap(), "+442079460958");
/// assert!(fr.e164("12").is_err());
/// # Ok::<(), relance::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneRegion(phonenumber::country::Id);

impl PhoneRegion {
    /// The default region by its ISO 3166-1 alpha-2 code (`FR`, `RU`, `GB`); a typed
    /// configuration error for an unknown one.
    ///
    /// ```
    /// assert!(relance::sync::PhoneRegion::new("XX").is_err());
    /// ```
    pub fn new(code: &str) -> Result<Self> {
        code.trim()
            .to_ascii_uppercase()
            .parse()
            .map(Self)
            .map_err(|_| {
                Error::config(format!(
                    "unknown phone region `{code}` (ISO 3166-1 alpha-2)"
                ))
            })
    }

    /// The number in E.164, or an [`Error::InvalidInput`] naming the number and why it cannot
    /// be read as a valid one.
    ///
    /// ```
    /// let ru = relance::sync::PhoneRegion::new("RU")?;
    /// assert_eq!(ru.e164("8 (912) 345-67-89").unwrap(), "+79123456789");
    /// # Ok::<(), relance::Error>(())
    /// ```
    pub fn e164(&self, raw: &str) -> Result<String> {
        let number = phonenumber::parse(Some(self.0), raw.trim())
            .map_err(|e| Error::invalid(format!("`{raw}`"), format!("not a phone number: {e}")))?;
        if !phonenumber::is_valid(&number) {
            return Err(Error::invalid(
                format!("`{raw}`"),
                format!("not a valid phone number in {:?}", self.0),
            ));
        }
        Ok(number.format().mode(phonenumber::Mode::E164).to_string())
    }
}

//! Mainland China mobile numbers, the login identity of residents and staff.

use std::fmt;

/// A validated mainland mobile number: 11 digits starting 13–19, stored without prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

/// Why a phone number was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("expected an 11-digit mainland mobile number such as 13800138000")]
pub struct InvalidPhone;

impl Phone {
    /// Accepts `13800138000`, `+86 138 0013 8000`, `0086-138-0013-8000`.
    pub fn parse(raw: &str) -> Result<Phone, InvalidPhone> {
        let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}')).collect();
        let digits = compact.strip_prefix("+86").or_else(|| compact.strip_prefix("0086")).unwrap_or(&compact);
        let valid = digits.len() == 11
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits.starts_with('1')
            && digits.as_bytes().get(1).is_some_and(|b| (b'3'..=b'9').contains(b));
        if valid {
            Ok(Phone(digits.to_owned()))
        } else {
            Err(InvalidPhone)
        }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****8000`, for logs and messages to third parties.
    pub fn masked(&self) -> String {
        let head = self.0.get(..3).unwrap_or_default();
        let tail = self.0.get(7..).unwrap_or_default();
        format!("{head}****{tail}")
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_spellings() {
        for raw in ["13800138000", "+86 138 0013 8000", "0086-138-0013-8000", "138\u{3000}0013 8000"] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "13800138000", "{raw}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_mobile_number() {
        for raw in [
            "",
            "1380013800",
            "138001380001",
            "12800138000",
            "23800138000",
            "1380013800x",
            "010-12345678",
            "１３８００１３８０００",
        ] {
            assert_eq!(Phone::parse(raw), Err(InvalidPhone), "{raw}");
        }
    }

    #[test]
    fn display_masks_the_middle() {
        assert_eq!(Phone::parse("13800138000").unwrap().to_string(), "138****8000");
    }
}

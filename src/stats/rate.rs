//! Rates and means from whole numbers: the numerator and denominator travel with every rate so an
//! office can check it, and the rounding is stated once here (half up, two decimals).

use serde::Serialize;
use utoipa::ToSchema;

/// A share with its parts: `percent` = `numerator` ÷ `denominator` × 100, rounded half up to two
/// decimals; null when the denominator is 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Rate {
    /// What is counted.
    pub numerator: i64,
    /// What it is counted out of.
    pub denominator: i64,
    /// Percent, two decimals, half up; null when the denominator is 0.
    pub percent: Option<f64>,
}

impl Rate {
    /// The rate `numerator` of `denominator`.
    pub fn new(numerator: i64, denominator: i64) -> Rate {
        Rate { numerator, denominator, percent: percent(numerator, denominator) }
    }

    /// Orders two rates by value exactly (cross-multiplied, no floating point); `None` when either has
    /// no value.
    pub fn cmp_value(&self, other: &Rate) -> Option<std::cmp::Ordering> {
        if self.denominator <= 0 || other.denominator <= 0 {
            return None;
        }
        let left = i128::from(self.numerator) * i128::from(other.denominator);
        let right = i128::from(other.numerator) * i128::from(self.denominator);
        Some(left.cmp(&right))
    }

    /// This rate minus `before`, in percentage points rounded half up to two decimals (from the exact
    /// fractions, not the rounded percents); `None` when either has no value.
    pub fn points_since(&self, before: &Rate) -> Option<f64> {
        if self.denominator <= 0 || before.denominator <= 0 {
            return None;
        }
        // a/b − c/d = (ad − cb) / bd, in hundredths of a point: × 10 000.
        let num = i128::from(self.numerator) * i128::from(before.denominator)
            - i128::from(before.numerator) * i128::from(self.denominator);
        let den = i128::from(self.denominator) * i128::from(before.denominator);
        Some(round_hundredths(num * 10_000, den))
    }
}

/// `numerator ÷ denominator × 100`, half up to two decimals; `None` when the denominator is not positive.
pub fn percent(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| round_hundredths(i128::from(numerator) * 10_000, i128::from(denominator)))
}

/// `num ÷ den ÷ 100` rounded half away from zero to two decimals (`den` > 0).
fn round_hundredths(num: i128, den: i128) -> f64 {
    let half = den / 2;
    let hundredths = if num >= 0 { (num + half) / den } else { -((-num + half) / den) };
    // Within f64's exact integer range for any count this service sees.
    hundredths as f64 / 100.0
}

/// A mean with its parts: `value` = `sum` ÷ `count`, half up to two decimals; null when nothing was counted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Mean {
    /// Sum of the values.
    pub sum: i64,
    /// How many values.
    pub count: i64,
    /// The mean, two decimals, half up; null when `count` is 0.
    pub value: Option<f64>,
}

impl Mean {
    /// The mean of `count` values adding up to `sum`.
    pub fn new(sum: i64, count: i64) -> Mean {
        let value = (count > 0).then(|| round_hundredths(i128::from(sum) * 100, i128::from(count)));
        Mean { sum, count, value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_half_up_from_their_own_counts() {
        // The published series whose rates disagree with their counts: computed from the counts.
        assert_eq!(percent(465 - 25, 465), Some(94.62));
        assert_eq!(percent(1325 - 336, 1325), Some(74.64));
        assert_eq!(percent(2084 - 248, 2084), Some(88.1));
        assert_eq!(percent(326, 330), Some(98.79));
        assert_eq!(percent(1, 8), Some(12.5));
        assert_eq!(percent(1, 3), Some(33.33));
        assert_eq!(percent(2, 3), Some(66.67));
        assert_eq!(percent(1, 40_000), Some(0.0), "0.0025 % rounds down");
        assert_eq!(percent(1, 20_000), Some(0.01), "0.005 % rounds up");
        assert_eq!(percent(0, 0), None);
        assert_eq!(Rate::new(3, 0).percent, None);
    }

    #[test]
    fn means_and_point_changes_use_exact_fractions() {
        assert_eq!(Mean::new(13, 3).value, Some(4.33));
        assert_eq!(Mean::new(9, 2).value, Some(4.5));
        assert_eq!(Mean::new(0, 0).value, None);
        let now = Rate::new(2, 3);
        let before = Rate::new(1, 2);
        assert_eq!(now.points_since(&before), Some(16.67));
        assert_eq!(before.points_since(&now), Some(-16.67));
        assert_eq!(now.points_since(&Rate::new(0, 0)), None);
        assert_eq!(Rate::new(1, 3).cmp_value(&Rate::new(2, 6)), Some(std::cmp::Ordering::Equal));
        assert_eq!(Rate::new(1, 3).cmp_value(&Rate::new(1, 2)), Some(std::cmp::Ordering::Less));
        assert_eq!(Rate::new(1, 3).cmp_value(&Rate::new(0, 0)), None);
    }
}

//! Ranking (排名) as bulletins do it: best first, equal values share a rank and the next rank skips
//! (1, 2, 2, 4), and an entry with nothing to rank on (a rate whose denominator is 0) gets no rank.

use std::cmp::Ordering;

/// The competition rank of each item, in the items' order: `better(a, b)` orders two rankable items
/// best first (`Less` when `a` is better); `None` for the items `better` cannot compare with anything
/// (no value). Ranks start at 1.
pub fn ranks<T>(items: &[T], better: impl Fn(&T, &T) -> Option<Ordering>) -> Vec<Option<u32>> {
    items
        .iter()
        .map(|item| {
            // Rankable: comparable with itself.
            better(item, item)?;
            let ahead = items.iter().filter(|other| better(other, item) == Some(Ordering::Less)).count();
            Some(u32::try_from(ahead).unwrap_or(u32::MAX).saturating_add(1))
        })
        .collect()
}

/// Places moved up from `before` to `now` (positive: climbed); `None` unless ranked both times.
pub fn climbed(now: Option<u32>, before: Option<u32>) -> Option<i64> {
    Some(i64::from(before?) - i64::from(now?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rate::Rate;

    #[test]
    fn equal_values_share_a_rank_and_the_next_rank_skips() {
        let rates = [Rate::new(9, 10), Rate::new(1, 2), Rate::new(18, 20), Rate::new(0, 0), Rate::new(1, 1)];
        let r = ranks(&rates, |a, b| b.cmp_value(a));
        assert_eq!(r, [Some(2), Some(4), Some(2), None, Some(1)]);
        let overdue = [3i64, 0, 3, 7];
        assert_eq!(ranks(&overdue, |a, b| Some(a.cmp(b))), [Some(2), Some(1), Some(2), Some(4)]);
        assert!(ranks::<i64>(&[], |a, b| Some(a.cmp(b))).is_empty());
    }

    #[test]
    fn climbing_needs_both_ranks() {
        assert_eq!(climbed(Some(2), Some(5)), Some(3));
        assert_eq!(climbed(Some(5), Some(2)), Some(-3));
        assert_eq!(climbed(Some(1), None), None);
    }
}

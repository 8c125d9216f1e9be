//! What makes a campaign definition valid, pure: the name, the window, the lists. Whether the
//! categories and regions exist, and whether a dispatcher may target the regions, is the service's.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::FieldError;

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Most categories or regions in one campaign.
pub const MAX_ITEMS: usize = 50;

/// A checked campaign definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// Trimmed name.
    pub name: String,
    /// Trimmed description.
    pub description: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End (exclusive).
    pub ends_at: DateTime<Utc>,
    /// Category codes, deduplicated, in the given order.
    pub categories: Vec<String>,
    /// Region ids, deduplicated, in the given order.
    pub regions: Vec<Uuid>,
}

fn dedup<T: PartialEq + Clone>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

impl Definition {
    /// Checks every field, reporting all problems at once.
    pub fn parse(
        name: &str,
        description: &str,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        categories: &[String],
        regions: &[Uuid],
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = name.trim().to_owned();
        if name.is_empty() {
            errors.push(FieldError::new("name", "blank", "name the campaign"));
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.push(FieldError::new("name", "too_long", format!("at most {MAX_NAME_CHARS} characters")));
        }
        let description = description.trim().to_owned();
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            errors.push(FieldError::new(
                "description",
                "too_long",
                format!("at most {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        if ends_at <= starts_at {
            errors.push(FieldError::new("ends_at", "before_start", "the window must end after it starts"));
        }
        let categories: Vec<String> = dedup(&categories.iter().map(|c| c.trim().to_owned()).collect::<Vec<_>>());
        if categories.is_empty() || categories.iter().any(String::is_empty) {
            errors.push(FieldError::new("categories", "empty", "name at least one category, none blank"));
        } else if categories.len() > MAX_ITEMS {
            errors.push(FieldError::new("categories", "too_many", format!("at most {MAX_ITEMS}")));
        }
        let regions = dedup(regions);
        if regions.is_empty() {
            errors.push(FieldError::new("regions", "empty", "name at least one region"));
        } else if regions.len() > MAX_ITEMS {
            errors.push(FieldError::new("regions", "too_many", format!("at most {MAX_ITEMS}")));
        }
        if errors.is_empty() {
            Ok(Self { name, description, starts_at, ends_at, categories, regions })
        } else {
            Err(errors)
        }
    }

    /// Whether a ticket reported at `at` in `category` under the regions of `region_path` belongs.
    pub fn covers(&self, at: DateTime<Utc>, category: &str, region_path: &str) -> bool {
        self.starts_at <= at
            && at < self.ends_at
            && self.categories.iter().any(|c| c == category)
            && self.regions.iter().any(|r| region_path.contains(&format!("/{r}/")))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn every_problem_is_named() {
        let now = Utc::now();
        let errors = Definition::parse(" ", &"x".repeat(2001), now, now, &[], &[]).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "description", "ends_at", "categories", "regions"]);
    }

    #[test]
    fn a_ticket_belongs_inside_the_window_category_and_regions() {
        let (now, r) = (Utc::now(), Uuid::from_u128(7));
        let d =
            Definition::parse(" 燃气专项 ", "", now, now + TimeDelta::days(30), &["gas".into(), "gas".into()], &[r, r])
                .unwrap();
        assert_eq!((d.name.as_str(), d.categories.len(), d.regions.len()), ("燃气专项", 1, 1));
        let path = format!("/{}/{r}/", Uuid::from_u128(1));
        assert!(d.covers(now, "gas", &path));
        assert!(!d.covers(now + TimeDelta::days(30), "gas", &path), "the end is exclusive");
        assert!(!d.covers(now, "fire", &path));
        assert!(!d.covers(now, "gas", "/"));
    }
}

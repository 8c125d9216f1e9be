//! Roles and what they may do.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a user is to the system. Stored as snake_case strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Role {
    /// A member of the public reporting hazards.
    Resident,
    /// 网格员: patrols a grid, verifies reports on site.
    GridWorker,
    /// Staff of a responsible department.
    DeptStaff,
    /// 调度员: assigns unrouted reports, approves transfers.
    Dispatcher,
    /// Runs the system.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [Role::Resident, Role::GridWorker, Role::DeptStaff, Role::Dispatcher, Role::Admin];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::GridWorker => "grid_worker",
            Role::DeptStaff => "dept_staff",
            Role::Dispatcher => "dispatcher",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Staff roles log in with a password and work at a desk or in the field.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Resident)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert_eq!(Role::parse("root"), None);
    }
}

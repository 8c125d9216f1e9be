//! Geography: where a point is and who answers for it there (属地管理).
//!
//! This module owns coordinates (`GeoPoint`, WGS-84 ⇄ GCJ-02), the region tree district → street →
//! community → grid with its boundaries, the in-memory R-tree that locates a point in that tree, the
//! pure GeoJSON import with its validation and tree checks, and the pure routing decision
//! (category × place → department, 安委办 fallback, grid workers). Everything here is pure: no I/O,
//! no database, no clock. Loading boundaries and rules from storage, rebuilding the index when the
//! bus announces a change, and the HTTP endpoints belong to `service.rs` and `routes.rs`; ticket
//! state and notifications belong to `tickets` and `notifications`.

pub mod admin;
pub mod categories;
pub mod demo_city;
pub mod dto;
pub mod import;
pub mod import_service;
pub mod index;
pub mod planar;
pub mod point;
pub mod region;
pub mod routes;
pub mod routing;
pub mod seed;
pub mod service;
pub mod store;
pub mod tree;

#[cfg(test)]
mod testdata_tests;

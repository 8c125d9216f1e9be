//! Workflow tests: shared fixtures, the whole table, paths end to end, guards, two-step requests, random walk.

mod fixtures;
mod guards;
mod paths;
mod requests;
mod table;
mod walk;

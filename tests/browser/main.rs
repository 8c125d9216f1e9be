//! Browser tests: the web pages in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver against the real application. Without
//! `/usr/bin/chromedriver` each test says so and passes, unless `HAZARDLINE_REQUIRE_BROWSER=1`.
//! Screenshots of every page at phone and desktop sizes land in `target/screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod a11y;
mod admin;
mod desk;
mod desk_views;
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
mod journey;
mod login;
mod resident;
mod support;
mod webdriver;
mod worker;

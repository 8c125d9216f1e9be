//! Tests against the real photos and hostile files in shared/testdata (skipped when it is absent).

mod bad_images;
mod photos;
mod support;

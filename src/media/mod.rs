//! Photos for hazard reports: validation, processing, storage, private serving and clean-up.
//!
//! The pure, I/O-free core owns everything that happens to an uploaded photo's bytes before they are
//! stored: sniffing the real format from magic bytes ([`sniff`]), enforcing size, pixel and
//! decoder-memory limits from the header before any pixels are decoded ([`header`], [`MediaLimits`]),
//! reading orientation, GPS and capture time from EXIF ([`exif`]), and producing metadata-free JPEG
//! display and thumbnail variants, a SHA-256 content hash and a perceptual hash ([`process`],
//! [`phash`]); [`strip`] removes metadata from kept originals without re-encoding.
//!
//! The shell around it: [`upload`] reads the request body within the byte limit, [`pool`] runs the
//! core on a bounded set of blocking threads, [`service`] dedupes, stores variants in the
//! [`crate::infra::blob_store`] and records the `media` row, [`query`] serves them to who may see them, [`signing`] makes the expiring links,
//! [`gc`] deletes uploads nothing uses, [`routes`] is the HTTP surface. Attaching a photo to a
//! ticket or message is [`service::attach`], called by those domains; media knows nothing of them.

pub mod decode;
mod decode_png;
pub mod dto;
pub mod error;
pub mod exif;
pub mod gc;
pub mod header;
pub mod limits;
pub mod phash;
pub mod pool;
pub mod process;
pub mod query;
pub mod raster;
pub mod routes;
pub mod service;
pub mod signing;
pub mod sniff;
pub mod strip;
pub mod upload;

#[cfg(test)]
mod tests;

pub use error::MediaError;
pub use exif::{GpsPosition, Orientation};
pub use limits::MediaLimits;
pub use process::{process, Processed, Variant};
pub use sniff::ImageFormat;

//! Photo processing for hazard reports: the pure, I/O-free core of the media pipeline.
//!
//! It owns everything that happens to an uploaded photo's bytes before they are stored: sniffing the
//! real format from magic bytes ([`sniff`]), enforcing size, pixel and decoder-memory limits from the
//! header before any pixels are decoded ([`header`], [`MediaLimits`]), reading orientation, GPS and
//! capture time from EXIF ([`exif`]), and producing metadata-free JPEG display and thumbnail variants,
//! a SHA-256 content hash and a perceptual hash ([`process`], [`phash`]). It does not own HTTP, storage,
//! the database or threading: callers run [`process::process`] on a blocking pool and map
//! [`MediaError::code`] to API errors.

pub mod decode;
mod decode_png;
pub mod error;
pub mod exif;
pub mod header;
pub mod limits;
pub mod phash;
pub mod process;
pub mod raster;
pub mod sniff;

#[cfg(test)]
mod tests;

pub use error::MediaError;
pub use exif::{GpsPosition, Orientation};
pub use limits::MediaLimits;
pub use process::{process, Processed, Variant};
pub use sniff::ImageFormat;

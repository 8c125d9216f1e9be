//! The upload pipeline: validate, decode once, orient, strip metadata, resize, re-encode, hash.

use std::{
    fmt::Write as _,
    panic::{catch_unwind, AssertUnwindSafe},
};

use chrono::NaiveDateTime;
use fast_image_resize::Resizer;
use sha2::{Digest, Sha256};

use super::exif::{GpsPosition, Orientation};
use super::{
    decode::decode,
    exif,
    header::{self, Dimensions},
    phash::phash,
    sniff::sniff,
    ImageFormat, MediaError, MediaLimits,
};

/// Long edge of the display variant in pixels (never upscaled).
pub const DISPLAY_EDGE: u32 = 1600;
/// Long edge of the thumbnail in pixels (never upscaled).
pub const THUMB_EDGE: u32 = 320;
/// JPEG quality of both variants.
pub const JPEG_QUALITY: u8 = 80;

/// One re-encoded output: a baseline JPEG with no metadata segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The JPEG file bytes.
    pub jpeg: Vec<u8>,
    /// Width in pixels, upright.
    pub width: u32,
    /// Height in pixels, upright.
    pub height: u32,
}

/// Everything the service stores about one accepted photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Processed {
    /// Format sniffed from the bytes.
    pub format: ImageFormat,
    /// Width of the original as displayed (after orientation).
    pub width: u32,
    /// Height of the original as displayed (after orientation).
    pub height: u32,
    /// Size of the original upload in bytes.
    pub bytes: usize,
    /// Lowercase hex SHA-256 of the original bytes.
    pub sha256: String,
    /// Perceptual hash of the upright picture (see [`super::phash`]).
    pub phash: u64,
    /// EXIF orientation that was applied to the variants.
    pub orientation: Orientation,
    /// EXIF DateTimeOriginal (camera local time, no zone).
    pub taken_at: Option<NaiveDateTime>,
    /// EXIF GPS position, WGS84 decimal degrees.
    pub gps: Option<GpsPosition>,
    /// Display variant: long edge at most [`DISPLAY_EDGE`].
    pub display: Variant,
    /// Thumbnail: long edge at most [`THUMB_EDGE`].
    pub thumb: Variant,
}

/// Validates and processes one uploaded photo; pure and CPU-bound (run it on a blocking pool).
pub fn process(bytes: &[u8], limits: &MediaLimits) -> Result<Processed, MediaError> {
    if bytes.len() > limits.max_bytes {
        return Err(MediaError::TooLarge { bytes: bytes.len(), limit: limits.max_bytes });
    }
    let format = sniff(bytes)?;
    let stored = header::dimensions(format, bytes)?;
    header::check_pixels(stored, limits)?;
    let display_size = fit(stored, DISPLAY_EDGE);
    let thumb_size = fit(stored, THUMB_EDGE);

    // Codecs are fuzzed but third-party: a panic in one must not take the worker down.
    let decoded = catch_unwind(AssertUnwindSafe(|| decode(format, bytes, display_size, limits)))
        .map_err(|_| MediaError::Corrupt("decoder panicked".into()))??;
    let metadata = decoded
        .exif
        .as_deref()
        .filter(|raw| raw.len() <= limits.max_metadata_bytes)
        .map(exif::parse)
        .unwrap_or_default();

    let mut resizer = Resizer::new();
    let display = decoded.raster.resize(display_size.width, display_size.height, &mut resizer)?;
    let thumb = display.resize(thumb_size.width, thumb_size.height, &mut resizer)?;
    let display = display.oriented(metadata.orientation)?;
    let thumb = thumb.oriented(metadata.orientation)?;
    let phash = phash(&thumb.luma(), thumb.width() as usize, thumb.height() as usize)
        .ok_or_else(|| MediaError::Internal("perceptual hash of an empty thumbnail".into()))?;

    let (width, height) = if metadata.orientation.swaps_dimensions() {
        (stored.height, stored.width)
    } else {
        (stored.width, stored.height)
    };
    Ok(Processed {
        format,
        width,
        height,
        bytes: bytes.len(),
        sha256: sha256_hex(bytes),
        phash,
        orientation: metadata.orientation,
        taken_at: metadata.taken_at,
        gps: metadata.gps,
        display: Variant { jpeg: display.encode_jpeg(JPEG_QUALITY)?, width: display.width(), height: display.height() },
        thumb: Variant { jpeg: thumb.encode_jpeg(JPEG_QUALITY)?, width: thumb.width(), height: thumb.height() },
    })
}

/// Scales `size` so its long edge is at most `edge`, keeping the aspect ratio; never upscales.
pub fn fit(size: Dimensions, edge: u32) -> Dimensions {
    let long = size.width.max(size.height);
    if long <= edge {
        return size;
    }
    let scale = |v: u32| {
        let scaled = (u64::from(v) * u64::from(edge) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(edge).clamp(1, edge)
    };
    Dimensions { width: scale(size.width), height: scale(size.height) }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_scales_long_edge_and_never_upscales() {
        let d = |width, height| Dimensions { width, height };
        assert_eq!(fit(d(4608, 1976), 1600), d(1600, 686));
        assert_eq!(fit(d(1200, 1800), 1600), d(1067, 1600));
        assert_eq!(fit(d(640, 480), 1600), d(640, 480));
        assert_eq!(fit(d(3, 62728), 320), d(1, 320));
        assert_eq!(fit(d(1600, 1600), 1600), d(1600, 1600));
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn oversized_upload_is_refused_before_sniffing() {
        let limits = MediaLimits { max_bytes: 4, ..MediaLimits::default() };
        assert_eq!(process(b"hello", &limits), Err(MediaError::TooLarge { bytes: 5, limit: 4 }));
    }
}

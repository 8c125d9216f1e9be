//! The one error type of the media pipeline, with stable codes for the API layer.

use thiserror::Error;

/// Why an uploaded photo was refused or could not be processed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MediaError {
    /// The upload is larger than the byte limit.
    #[error("image is {bytes} bytes, more than the limit of {limit}")]
    TooLarge {
        /// Size of the upload in bytes.
        bytes: usize,
        /// Configured maximum in bytes.
        limit: usize,
    },
    /// The header declares more pixels than allowed (checked before decoding).
    #[error("image is {width}x{height} pixels, more than the limit of {limit}")]
    TooManyPixels {
        /// Declared width in pixels.
        width: u32,
        /// Declared height in pixels.
        height: u32,
        /// Configured maximum pixel count.
        limit: u64,
    },
    /// The bytes are not JPEG, PNG, WebP or HEIF.
    #[error("unsupported image format")]
    UnsupportedFormat,
    /// The bytes are HEIC/HEIF, which is recognised but not decoded.
    #[error("HEIC/HEIF images are not supported; please send JPEG")]
    HeicNotSupported,
    /// The file claims a supported format but its structure or pixel data is broken.
    #[error("corrupt image: {0}")]
    Corrupt(String),
    /// Decoding would need more memory than the decoder limit allows.
    #[error("image exceeds the decoder memory limit: {0}")]
    DecodeLimit(String),
    /// Compressed metadata (e.g. PNG zTXt/iTXt) inflates past the metadata limit.
    #[error("image metadata inflates past the limit of {limit} bytes")]
    MetadataTooLarge {
        /// Configured maximum of inflated metadata in bytes.
        limit: usize,
    },
    /// Resizing or encoding an output variant failed (our bug, not the client's).
    #[error("failed to produce output image: {0}")]
    Internal(String),
}

impl MediaError {
    /// Stable snake_case code for the API error body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "image_too_large",
            Self::TooManyPixels { .. } => "image_too_many_pixels",
            Self::UnsupportedFormat => "image_unsupported_format",
            Self::HeicNotSupported => "image_heic_not_supported",
            Self::Corrupt(_) => "image_corrupt",
            Self::DecodeLimit(_) => "image_decode_limit",
            Self::MetadataTooLarge { .. } => "image_metadata_too_large",
            Self::Internal(_) => "image_processing_failed",
        }
    }

    /// True when the client sent something unacceptable (4xx), false for our own failures (5xx).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Internal(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_snake_case() {
        let all = [
            MediaError::TooLarge { bytes: 2, limit: 1 },
            MediaError::TooManyPixels { width: 2, height: 2, limit: 1 },
            MediaError::UnsupportedFormat,
            MediaError::HeicNotSupported,
            MediaError::Corrupt("x".into()),
            MediaError::DecodeLimit("x".into()),
            MediaError::MetadataTooLarge { limit: 1 },
            MediaError::Internal("x".into()),
        ];
        let mut codes: Vec<_> = all.iter().map(MediaError::code).collect();
        assert!(codes.iter().all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert!(!MediaError::Internal("x".into()).is_client_error());
        assert!(MediaError::HeicNotSupported.is_client_error());
    }
}

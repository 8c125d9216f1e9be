//! Resource limits applied to every upload before and during decoding.

/// Limits on what an upload may cost; [`Default`] gives the production values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLimits {
    /// Maximum upload size in bytes (default 15 MiB).
    pub max_bytes: usize,
    /// Maximum width × height declared in the header (default 50 megapixels).
    pub max_pixels: u64,
    /// Maximum bytes a decoder may allocate for one image (default 512 MiB).
    pub max_decode_bytes: usize,
    /// Maximum bytes of metadata after inflating compressed chunks, summed per image (default 1 MiB).
    pub max_metadata_bytes: usize,
}

impl Default for MediaLimits {
    fn default() -> Self {
        Self {
            max_bytes: 15 * 1024 * 1024,
            max_pixels: 50_000_000,
            max_decode_bytes: 512 * 1024 * 1024,
            max_metadata_bytes: 1024 * 1024,
        }
    }
}

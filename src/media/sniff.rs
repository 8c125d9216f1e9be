//! Format detection from magic bytes, never from file names or client headers.

use super::MediaError;

/// An image format the pipeline decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// JPEG / JFIF / EXIF.
    Jpeg,
    /// PNG (including APNG, whose default image is used).
    Png,
    /// WebP, lossy or lossless, simple or extended (VP8X).
    Webp,
}

impl ImageFormat {
    /// The IANA media type of the format.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// ISO-BMFF brands that mean an HEVC-coded HEIF image (or a generic HEIF container).
const HEIF_BRANDS: [&[u8; 4]; 11] =
    [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1", b"mif2"];
/// AVIF shares the HEIF container; it is reported as unsupported, not as HEIC.
const AVIF_BRANDS: [&[u8; 4]; 2] = [b"avif", b"avis"];
/// Brands beyond this many bytes of the ftyp box are not inspected.
const MAX_FTYP_SCAN: usize = 1024;

/// Detects the format from the leading bytes: HEIC/HEIF and anything unknown are errors.
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat, MediaError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(ImageFormat::Jpeg);
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        return Ok(ImageFormat::Png);
    }
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP".as_slice()) {
        return Ok(ImageFormat::Webp);
    }
    match ftyp_brands(bytes) {
        Some(brands) if brands.iter().any(|b| AVIF_BRANDS.contains(b)) => Err(MediaError::UnsupportedFormat),
        Some(brands) if brands.iter().any(|b| HEIF_BRANDS.contains(b)) => Err(MediaError::HeicNotSupported),
        _ => Err(MediaError::UnsupportedFormat),
    }
}

/// Major and compatible brands of a leading ISO-BMFF `ftyp` box, bounded by the input and a cap.
fn ftyp_brands(bytes: &[u8]) -> Option<Vec<&[u8; 4]>> {
    if bytes.get(4..8)? != b"ftyp" {
        return None;
    }
    let size = u32::from_be_bytes(bytes.get(0..4)?.try_into().ok()?);
    // size 1 means a 64-bit size follows, 0 means "to the end of the file"; either way stay in bounds.
    let (header, declared) = match size {
        0 => (8, bytes.len()),
        1 => {
            let large = u64::from_be_bytes(bytes.get(8..16)?.try_into().ok()?);
            (16, usize::try_from(large).unwrap_or(usize::MAX))
        }
        n => (8, usize::try_from(n).unwrap_or(usize::MAX)),
    };
    let end = declared.min(bytes.len()).min(MAX_FTYP_SCAN);
    let body = bytes.get(header..end)?;
    // Layout: major brand, minor version, then compatible brands.
    let major = body.get(0..4)?.try_into().ok()?;
    let compatible = body.get(8..).unwrap_or_default().chunks_exact(4);
    let mut brands = vec![major];
    brands.extend(compatible.filter_map(|c| <&[u8; 4]>::try_from(c).ok()));
    Some(brands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut b = (size as u32).to_be_bytes().to_vec();
        b.extend_from_slice(b"ftyp");
        b.extend_from_slice(major);
        b.extend_from_slice(&[0, 0, 0, 0]);
        for c in compatible {
            b.extend_from_slice(*c);
        }
        b.extend_from_slice(&[0; 16]);
        b
    }

    #[test]
    fn recognises_accepted_formats_by_magic() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Ok(ImageFormat::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Ok(ImageFormat::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(ImageFormat::Webp));
    }

    #[test]
    fn heif_brands_are_heic_errors() {
        assert_eq!(sniff(&ftyp(b"heic", &[b"mif1"])), Err(MediaError::HeicNotSupported));
        assert_eq!(sniff(&ftyp(b"mif1", &[b"heic"])), Err(MediaError::HeicNotSupported));
        assert_eq!(sniff(&ftyp(b"msf1", &[])), Err(MediaError::HeicNotSupported));
    }

    #[test]
    fn avif_and_video_are_unsupported_not_heic() {
        assert_eq!(sniff(&ftyp(b"avif", &[b"mif1", b"miaf"])), Err(MediaError::UnsupportedFormat));
        assert_eq!(sniff(&ftyp(b"isom", &[b"mp41"])), Err(MediaError::UnsupportedFormat));
    }

    #[test]
    fn other_formats_and_garbage_are_unsupported() {
        for bytes in [
            b"GIF89a....".as_slice(),
            b"BM\0\0\0\0",
            b"II*\0\x08\0\0\0",
            b"RIFF\0\0\0\0WAVE",
            b"\x89PNG\r\n",
            b"\xFF\xD8",
            b"",
            b"%PDF-1.7",
        ] {
            assert_eq!(sniff(bytes), Err(MediaError::UnsupportedFormat), "{bytes:?}");
        }
    }

    #[test]
    fn huge_or_odd_ftyp_sizes_stay_in_bounds() {
        let mut b = ftyp(b"heic", &[]);
        b[0..4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(sniff(&b), Err(MediaError::HeicNotSupported));
        let mut large = vec![0, 0, 0, 1];
        large.extend_from_slice(b"ftyp");
        large.extend_from_slice(&u64::MAX.to_be_bytes());
        large.extend_from_slice(b"heic\0\0\0\0");
        assert_eq!(sniff(&large), Err(MediaError::HeicNotSupported));
        assert_eq!(sniff(b"\0\0\0\0ftyp"), Err(MediaError::UnsupportedFormat));
    }
}

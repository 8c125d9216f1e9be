//! Image dimensions read from the container header alone, so limits apply before any decoder runs.

use super::{ImageFormat, MediaError, MediaLimits};

/// Stored (pre-orientation) pixel dimensions declared by a file's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dimensions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Dimensions {
    /// Width × height without overflow.
    pub fn pixels(self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// Reads the declared dimensions of a sniffed file without touching its pixel data.
pub fn dimensions(format: ImageFormat, bytes: &[u8]) -> Result<Dimensions, MediaError> {
    let dims = match format {
        ImageFormat::Jpeg => jpeg(bytes),
        ImageFormat::Png => png(bytes),
        ImageFormat::Webp => webp(bytes),
    }
    .ok_or_else(|| MediaError::Corrupt(format!("unreadable {} header", format.mime())))?;
    if dims.width == 0 || dims.height == 0 {
        return Err(MediaError::Corrupt("image has a zero dimension".into()));
    }
    Ok(dims)
}

/// Refuses dimensions whose pixel count exceeds the limit.
pub fn check_pixels(dims: Dimensions, limits: &MediaLimits) -> Result<(), MediaError> {
    if dims.pixels() > limits.max_pixels {
        return Err(MediaError::TooManyPixels { width: dims.width, height: dims.height, limit: limits.max_pixels });
    }
    Ok(())
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn le_bytes(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(n)?)?;
    Some(bytes.iter().rev().fold(0u32, |acc, &x| (acc << 8) | u32::from(x)))
}

/// Walks JPEG markers up to the first SOFn and reads its height and width.
///
/// Like libjpeg (and jpeg-decoder), stray bytes between segments are skipped: some cameras write
/// them, and phones write APP1 lengths that overshoot.
fn jpeg(b: &[u8]) -> Option<Dimensions> {
    let mut pos = 2; // after SOI
    loop {
        let rest = b.get(pos..)?;
        let ff = rest.iter().position(|&x| x == 0xFF)?;
        // Any number of 0xFF fill bytes may precede the marker code.
        let code_at = ff + rest.get(ff..)?.iter().position(|&x| x != 0xFF)?;
        let marker = *rest.get(code_at)?;
        pos += code_at + 1;
        match marker {
            0x00 | 0x01 | 0xD0..=0xD7 => continue, // stuffed zero, TEM, RSTn: no length
            0xD8..=0xDA => return None,            // SOI, EOI or SOS before any SOF
            _ => {}
        }
        let len = usize::from(be16(b, pos)?);
        if len < 2 {
            return None;
        }
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            // Segment: length(2) precision(1) height(2) width(2).
            let height = u32::from(be16(b, pos + 3)?);
            let width = u32::from(be16(b, pos + 5)?);
            return Some(Dimensions { width, height });
        }
        pos = pos.checked_add(len)?;
    }
}

/// Reads IHDR, which the PNG specification requires to be the first chunk.
fn png(b: &[u8]) -> Option<Dimensions> {
    if b.get(12..16)? != b"IHDR" || be32(b, 8)? != 13 {
        return None;
    }
    let (width, height) = (be32(b, 16)?, be32(b, 20)?);
    // The PNG specification caps each dimension at 2^31 - 1.
    (width <= i32::MAX as u32 && height <= i32::MAX as u32).then_some(Dimensions { width, height })
}

/// Reads the canvas (VP8X) or frame (VP8, VP8L) size from the first WebP chunk.
fn webp(b: &[u8]) -> Option<Dimensions> {
    let chunk = b.get(12..16)?;
    let (width, height) = match chunk {
        b"VP8X" => (le_bytes(b, 24, 3)? + 1, le_bytes(b, 27, 3)? + 1),
        b"VP8L" => {
            if *b.get(20)? != 0x2F {
                return None;
            }
            let bits = le_bytes(b, 21, 4)?;
            ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        }
        b"VP8 " => {
            if b.get(23..26)? != [0x9D, 0x01, 0x2A] {
                return None;
            }
            (le_bytes(b, 26, 2)? & 0x3FFF, le_bytes(b, 28, 2)? & 0x3FFF)
        }
        _ => return None,
    };
    Some(Dimensions { width, height })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 2, 0, 0, 0]);
        b
    }

    #[test]
    fn png_ihdr_is_read() {
        let d = dimensions(ImageFormat::Png, &png_header(640, 480)).unwrap();
        assert_eq!(d, Dimensions { width: 640, height: 480 });
        assert!(dimensions(ImageFormat::Png, &png_header(0, 480)).is_err());
        assert!(dimensions(ImageFormat::Png, &png_header(u32::MAX, 1)).is_err());
        assert!(dimensions(ImageFormat::Png, b"\x89PNG\r\n\x1a\n").is_err());
    }

    #[test]
    fn jpeg_sof_after_app_segments_is_read() {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xFF];
        b.extend_from_slice(&[0xFF, 0xC2, 0, 11, 8, 0x01, 0x2C, 0x02, 0x58, 1, 1, 0x11, 0]);
        let d = dimensions(ImageFormat::Jpeg, &b).unwrap();
        assert_eq!(d, Dimensions { width: 600, height: 300 });
    }

    #[test]
    fn jpeg_stray_bytes_between_segments_are_skipped() {
        // APP1 claims 2 bytes more than it has, so the walk lands inside the next segment.
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE1, 0, 6, 1, 2, 0xFF, 0xE0, 0, 2];
        b.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 10, 0, 20, 1, 1, 0x11, 0]);
        let d = dimensions(ImageFormat::Jpeg, &b).unwrap();
        assert_eq!(d, Dimensions { width: 20, height: 10 });
    }

    #[test]
    fn jpeg_without_sof_or_with_bad_lengths_is_corrupt() {
        for b in [
            vec![0xFF, 0xD8, 0xFF, 0xDA, 0, 2],
            vec![0xFF, 0xD8, 0xFF, 0xE1, 0, 0],
            vec![0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 1, 2],
            vec![0xFF, 0xD8, 0x00],
            vec![0xFF, 0xD8],
        ] {
            assert!(dimensions(ImageFormat::Jpeg, &b).is_err(), "{b:?}");
        }
    }

    #[test]
    fn webp_variants_are_read() {
        let mut vp8x = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\x08\0\0\0".to_vec();
        vp8x.extend_from_slice(&[0x7F, 0, 0, 0x3F, 0, 0]);
        assert_eq!(dimensions(ImageFormat::Webp, &vp8x).unwrap(), Dimensions { width: 128, height: 64 });
        let mut vp8l = b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2F".to_vec();
        let bits: u32 = 99 | (49 << 14);
        vp8l.extend_from_slice(&bits.to_le_bytes());
        assert_eq!(dimensions(ImageFormat::Webp, &vp8l).unwrap(), Dimensions { width: 100, height: 50 });
        let mut vp8 = b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0\0\0\x9d\x01\x2a".to_vec();
        vp8.extend_from_slice(&[0xE0, 0x01, 0x68, 0x01]);
        assert_eq!(dimensions(ImageFormat::Webp, &vp8).unwrap(), Dimensions { width: 480, height: 360 });
    }

    #[test]
    fn pixel_limit_is_inclusive() {
        let limits = MediaLimits { max_pixels: 100, ..MediaLimits::default() };
        assert!(check_pixels(Dimensions { width: 10, height: 10 }, &limits).is_ok());
        let err = check_pixels(Dimensions { width: 11, height: 10 }, &limits).unwrap_err();
        assert_eq!(err, MediaError::TooManyPixels { width: 11, height: 10, limit: 100 });
    }
}

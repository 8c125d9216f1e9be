//! PNG decoding: pixels through the `png` crate, metadata through a bounded chunk walk.
//!
//! Text chunks are never handed to the pixel decoder. The walk inflates compressed text (zTXt, iTXt)
//! against one per-image budget, so a decompression bomb is refused after at most
//! [`MediaLimits::max_metadata_bytes`] of output, and it finds EXIF in `eXIf` or in ImageMagick's
//! "Raw profile type exif" text.

use std::io::Cursor;

use fdeflate::BoundedDecompressionError;

use super::{
    decode::{check_buffer, Decoded},
    exif,
    header::{check_pixels, Dimensions},
    raster::Raster,
    MediaError, MediaLimits,
};

/// More compressed text chunks than this is treated as a metadata bomb.
const MAX_COMPRESSED_TEXT_CHUNKS: usize = 64;
/// Text keywords under which ImageMagick stores a hex-encoded EXIF block.
const EXIF_PROFILE_KEYWORDS: [&[u8]; 2] = [b"Raw profile type exif", b"Raw profile type APP1"];

/// Decodes a PNG to opaque 8-bit pixels (alpha composited onto white) plus its EXIF block.
pub fn decode(bytes: &[u8], limits: &MediaLimits) -> Result<Decoded, MediaError> {
    let exif = scan_metadata(bytes, limits)?;
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: limits.max_decode_bytes });
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    // The default skips the zlib Adler-32 check; a broken image stream must not pass as a picture.
    decoder.ignore_checksums(false);
    let mut reader = decoder.read_info().map_err(png_error)?;
    let info = reader.info();
    check_pixels(Dimensions { width: info.width, height: info.height }, limits)?;
    let size = check_buffer(reader.output_buffer_size(), limits)?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(png_error)?;
    buf.truncate(frame.buffer_size());
    let (w, h) = (frame.width, frame.height);
    let raster = match frame.color_type {
        png::ColorType::Grayscale => Raster::new(w, h, 1, buf)?,
        png::ColorType::GrayscaleAlpha => Raster::flatten_alpha(w, h, 2, &buf)?,
        png::ColorType::Rgb => Raster::new(w, h, 3, buf)?,
        png::ColorType::Rgba => Raster::flatten_alpha(w, h, 4, &buf)?,
        png::ColorType::Indexed => return Err(MediaError::Corrupt("palette was not expanded".into())),
    };
    Ok(Decoded { raster, exif })
}

fn png_error(e: png::DecodingError) -> MediaError {
    match e {
        png::DecodingError::LimitsExceeded => MediaError::DecodeLimit("PNG decoder memory limit".into()),
        other => MediaError::Corrupt(format!("PNG: {other}")),
    }
}

/// Walks every chunk once; returns the EXIF block, or an error when compressed text is a bomb.
fn scan_metadata(bytes: &[u8], limits: &MediaLimits) -> Result<Option<Vec<u8>>, MediaError> {
    let mut budget = Inflater { remaining: limits.max_metadata_bytes, chunks: 0, limit: limits.max_metadata_bytes };
    let mut exif = None;
    let mut pos: usize = 8;
    // A truncated chunk ends the walk; the pixel decoder reports truncation if it matters.
    while let Some((kind, data)) = chunk_at(bytes, pos) {
        match kind {
            b"IEND" => break,
            b"eXIf" => exif = Some(data.to_vec()),
            b"tEXt" => {
                if let Some((key, text)) = split_nul(data) {
                    if EXIF_PROFILE_KEYWORDS.contains(&key) {
                        exif = profile(text, limits).or(exif);
                    }
                }
            }
            b"zTXt" => {
                // keyword NUL method compressed-text
                if let Some((key, rest)) = split_nul(data) {
                    if let Some(text) = budget.inflate(rest.get(1..).unwrap_or_default())? {
                        if EXIF_PROFILE_KEYWORDS.contains(&key) {
                            exif = profile(&text, limits).or(exif);
                        }
                    }
                }
            }
            b"iTXt" => {
                // keyword NUL flag method language NUL translated-keyword NUL text
                if let Some((_, rest)) = split_nul(data) {
                    let compressed = rest.first() == Some(&1);
                    let text = rest.get(2..).and_then(split_nul).and_then(|(_, r)| split_nul(r));
                    if let (true, Some((_, text))) = (compressed, text) {
                        budget.inflate(text)?;
                    }
                }
            }
            _ => {}
        }
        // length(4) + type(4) + data + crc(4)
        pos = match pos.checked_add(12).and_then(|p| p.checked_add(data.len())) {
            Some(next) => next,
            None => break,
        };
    }
    Ok(exif)
}

fn chunk_at(bytes: &[u8], pos: usize) -> Option<(&[u8], &[u8])> {
    let len = u32::from_be_bytes(bytes.get(pos..pos.checked_add(4)?)?.try_into().ok()?);
    let kind = bytes.get(pos + 4..pos.checked_add(8)?)?;
    let start = pos.checked_add(8)?;
    let data = bytes.get(start..start.checked_add(usize::try_from(len).ok()?)?)?;
    Some((kind, data))
}

fn split_nul(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = data.iter().position(|&b| b == 0)?;
    Some((data.get(..at)?, data.get(at + 1..)?))
}

fn profile(text: &[u8], limits: &MediaLimits) -> Option<Vec<u8>> {
    exif::from_raw_profile(std::str::from_utf8(text).ok()?, limits.max_metadata_bytes)
}

/// Inflates compressed text against a shared output budget and a chunk count cap.
struct Inflater {
    remaining: usize,
    chunks: usize,
    limit: usize,
}

impl Inflater {
    /// `Ok(None)` for a corrupt stream (the chunk is dropped), `Err` once the budget is exceeded.
    fn inflate(&mut self, zlib: &[u8]) -> Result<Option<Vec<u8>>, MediaError> {
        self.chunks += 1;
        let too_large = MediaError::MetadataTooLarge { limit: self.limit };
        if self.chunks > MAX_COMPRESSED_TEXT_CHUNKS || self.remaining == 0 {
            return Err(too_large);
        }
        match fdeflate::decompress_to_vec_bounded(zlib, self.remaining) {
            Ok(out) => {
                self.remaining = self.remaining.saturating_sub(out.len());
                Ok(Some(out))
            }
            Err(BoundedDecompressionError::OutputTooLarge { .. }) => Err(too_large),
            Err(_) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0; 4]);
        c
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        // Stored (uncompressed) deflate blocks inside a zlib wrapper; checksum ignored by the budget test.
        let mut out = vec![0x78, 0x01];
        let blocks: Vec<_> = data.chunks(65535).collect();
        for (i, block) in blocks.iter().enumerate() {
            out.push(u8::from(i + 1 == blocks.len()));
            let len = block.len() as u16;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&(!len).to_le_bytes());
            out.extend_from_slice(block);
        }
        let (mut a, mut b) = (1u32, 0u32);
        for &x in data {
            a = (a + u32::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        out.extend_from_slice(&((b << 16) | a).to_be_bytes());
        out
    }

    fn png_with(chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        chunks.iter().for_each(|c| b.extend_from_slice(c));
        b.extend(chunk(b"IEND", &[]));
        b
    }

    #[test]
    fn exif_is_found_in_exif_chunk_and_raw_profiles() {
        let limits = MediaLimits::default();
        let direct = png_with(&[chunk(b"eXIf", b"MM\0\x2a")]);
        assert_eq!(scan_metadata(&direct, &limits).unwrap().unwrap(), b"MM\0\x2a");
        let text = chunk(b"tEXt", b"Raw profile type exif\0\nexif\n 4\n4d4d002a\n");
        assert_eq!(scan_metadata(&png_with(&[text]), &limits).unwrap().unwrap(), b"MM\0\x2a");
        let mut z = b"Raw profile type APP1\0\0".to_vec();
        z.extend(zlib(b"\nexif\n 4\n4d4d002a\n"));
        assert_eq!(scan_metadata(&png_with(&[chunk(b"zTXt", &z)]), &limits).unwrap().unwrap(), b"MM\0\x2a");
    }

    #[test]
    fn compressed_text_past_the_budget_is_refused() {
        let limits = MediaLimits { max_metadata_bytes: 1000, ..MediaLimits::default() };
        let mut z = b"big\0\0".to_vec();
        z.extend(zlib(&[b'a'; 1001]));
        let err = scan_metadata(&png_with(&[chunk(b"zTXt", &z)]), &limits).unwrap_err();
        assert_eq!(err, MediaError::MetadataTooLarge { limit: 1000 });
        let mut small = b"k\0\0".to_vec();
        small.extend(zlib(&[b'a'; 600]));
        let two = png_with(&[chunk(b"zTXt", &small), chunk(b"zTXt", &small)]);
        assert!(scan_metadata(&two, &limits).is_err(), "budget is per image, not per chunk");
        let mut itxt = b"k\0\x01\0\0\0".to_vec();
        itxt.extend(zlib(&[b'a'; 1001]));
        assert!(scan_metadata(&png_with(&[chunk(b"iTXt", &itxt)]), &limits).is_err());
    }

    #[test]
    fn too_many_compressed_chunks_are_refused_and_corrupt_ones_dropped() {
        let limits = MediaLimits::default();
        let tiny = chunk(b"zTXt", &[b"k\0\0".as_slice(), &zlib(b"x")].concat());
        let many = png_with(&vec![tiny; MAX_COMPRESSED_TEXT_CHUNKS + 1]);
        assert!(scan_metadata(&many, &limits).is_err());
        let corrupt = png_with(&[chunk(b"zTXt", b"k\0\0\xFF\xFF\xFF")]);
        assert_eq!(scan_metadata(&corrupt, &limits), Ok(None));
    }

    #[test]
    fn truncated_and_oversized_chunks_end_the_walk() {
        let limits = MediaLimits::default();
        let mut b = png_with(&[]);
        b.truncate(20);
        assert_eq!(scan_metadata(&b, &limits), Ok(None));
        let mut huge = b"\x89PNG\r\n\x1a\n".to_vec();
        huge.extend_from_slice(&[0x3F, 0xFF, 0xFF, 0xFF]);
        huge.extend_from_slice(b"tEXt");
        assert_eq!(scan_metadata(&huge, &limits), Ok(None));
    }
}

//! Pixel decoding per format under the configured memory limit; pixels stay in stored orientation.
//!
//! JPEGs are decoded with IDCT scaling (1/2, 1/4, 1/8) at the smallest scale that still covers the
//! requested size, which is what makes large phone photos cheap. jpeg-decoder (built without rayon)
//! runs each colour component on a short-lived std thread for images wider than 128 px, so one call
//! may briefly use more than one core; its panics are caught in [`super::process::process`].

use std::io::Cursor;

use super::{
    decode_png,
    header::{check_pixels, Dimensions},
    raster::Raster,
    ImageFormat, MediaError, MediaLimits,
};

/// Pixels in stored orientation plus the raw EXIF block found in the container, if any.
#[derive(Debug)]
pub struct Decoded {
    /// Decoded pixels; JPEGs may be smaller than the stored size (never below the requested size).
    pub raster: Raster,
    /// The TIFF-structured EXIF block, possibly with an `Exif\0\0` prefix.
    pub exif: Option<Vec<u8>>,
}

/// Decodes `bytes` of a sniffed format; `min_size` lets JPEG decoding skip detail finer than needed.
pub fn decode(
    format: ImageFormat,
    bytes: &[u8],
    min_size: Dimensions,
    limits: &MediaLimits,
) -> Result<Decoded, MediaError> {
    match format {
        ImageFormat::Jpeg => jpeg(bytes, min_size, limits),
        ImageFormat::Png => decode_png::decode(bytes, limits),
        ImageFormat::Webp => webp(bytes, limits),
    }
}

/// Refuses an output buffer larger than the decoder memory limit before allocating it.
pub(crate) fn check_buffer(size: Option<usize>, limits: &MediaLimits) -> Result<usize, MediaError> {
    match size {
        Some(n) if n <= limits.max_decode_bytes => Ok(n),
        _ => Err(MediaError::DecodeLimit(format!("output buffer exceeds {} bytes", limits.max_decode_bytes))),
    }
}

fn jpeg(bytes: &[u8], min_size: Dimensions, limits: &MediaLimits) -> Result<Decoded, MediaError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(limits.max_decode_bytes);
    decoder.read_info().map_err(jpeg_error)?;
    let info = decoder.info().ok_or_else(|| MediaError::Corrupt("JPEG has no frame".into()))?;
    let full = Dimensions { width: info.width.into(), height: info.height.into() };
    check_pixels(full, limits)?;
    // Progressive JPEGs keep 2-byte coefficients for every sample until the end of the file.
    let components = info.pixel_format.pixel_bytes() as u64;
    let estimate = full.pixels().saturating_mul(components * 2);
    check_buffer(usize::try_from(estimate).ok(), limits)?;
    let clamp = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
    decoder.scale(clamp(min_size.width), clamp(min_size.height)).map_err(jpeg_error)?;
    let pixels = decoder.decode().map_err(jpeg_error)?;
    let info = decoder.info().ok_or_else(|| MediaError::Corrupt("JPEG has no frame".into()))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let raster = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => Raster::new(w, h, 1, pixels)?,
        // 16-bit (lossless) samples are native-endian u16; keep the high byte.
        jpeg_decoder::PixelFormat::L16 => {
            let narrow = pixels.chunks_exact(2).map(|p| match p {
                [a, b] => (u16::from_ne_bytes([*a, *b]) >> 8) as u8,
                _ => 0,
            });
            Raster::new(w, h, 1, narrow.collect())?
        }
        jpeg_decoder::PixelFormat::RGB24 => Raster::new(w, h, 3, pixels)?,
        jpeg_decoder::PixelFormat::CMYK32 => Raster::new(w, h, 3, cmyk_to_rgb(&pixels))?,
    };
    let exif = decoder.exif_data().map(<[u8]>::to_vec);
    Ok(Decoded { raster, exif })
}

/// JPEG CMYK is stored inverted (Adobe), so each channel already is "amount of light".
fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(cmyk.len() / 4 * 3);
    for px in cmyk.chunks_exact(4) {
        if let [c, m, y, k] = px {
            let k = u32::from(*k);
            out.extend([c, m, y].map(|v| ((u32::from(*v) * k + 127) / 255) as u8));
        }
    }
    out
}

fn jpeg_error(e: jpeg_decoder::Error) -> MediaError {
    match e {
        jpeg_decoder::Error::Unsupported(f) => MediaError::Corrupt(format!("unsupported JPEG feature: {f:?}")),
        other => {
            let msg = other.to_string();
            if msg.contains("exceeds") || msg.contains("limit") {
                MediaError::DecodeLimit(msg)
            } else {
                MediaError::Corrupt(msg)
            }
        }
    }
}

fn webp(bytes: &[u8], limits: &MediaLimits) -> Result<Decoded, MediaError> {
    let corrupt = |e: image_webp::DecodingError| MediaError::Corrupt(format!("WebP: {e}"));
    let mut decoder = image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(corrupt)?;
    decoder.set_memory_limit(limits.max_decode_bytes);
    let (w, h) = decoder.dimensions();
    check_pixels(Dimensions { width: w, height: h }, limits)?;
    let size = check_buffer(decoder.output_buffer_size(), limits)?;
    let mut buf = vec![0; size];
    decoder.read_image(&mut buf).map_err(corrupt)?;
    // Metadata problems never fail the upload: broken EXIF is dropped.
    let exif = decoder.exif_metadata().ok().flatten();
    let raster = if decoder.has_alpha() { Raster::flatten_alpha(w, h, 4, &buf)? } else { Raster::new(w, h, 3, buf)? };
    Ok(Decoded { raster, exif })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmyk_inverted_black_and_white() {
        assert_eq!(cmyk_to_rgb(&[255, 255, 255, 255, 0, 0, 0, 0]), vec![255, 255, 255, 0, 0, 0]);
    }

    #[test]
    fn buffer_limit_is_checked_before_allocation() {
        let limits = MediaLimits { max_decode_bytes: 10, ..MediaLimits::default() };
        assert_eq!(check_buffer(Some(10), &limits), Ok(10));
        assert!(matches!(check_buffer(Some(11), &limits), Err(MediaError::DecodeLimit(_))));
        assert!(matches!(check_buffer(None, &limits), Err(MediaError::DecodeLimit(_))));
    }
}

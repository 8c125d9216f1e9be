//! An 8-bit gray or RGB pixel buffer with the few operations the pipeline needs.

use fast_image_resize::{self as fir, images::ImageRef, PixelType, ResizeOptions, Resizer};

use super::{exif::Orientation, MediaError};

/// Packed 8-bit pixels, row-major, one (gray) or three (RGB) channels, no padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raster {
    width: u32,
    height: u32,
    channels: u8,
    data: Vec<u8>,
}

impl Raster {
    /// Wraps a buffer after checking that its length matches the dimensions.
    pub fn new(width: u32, height: u32, channels: u8, data: Vec<u8>) -> Result<Self, MediaError> {
        let expected = (width as usize).checked_mul(height as usize).and_then(|n| n.checked_mul(usize::from(channels)));
        if !matches!(channels, 1 | 3) || expected != Some(data.len()) || width == 0 || height == 0 {
            return Err(MediaError::Corrupt(format!(
                "decoder returned {} bytes for {width}x{height}x{channels}",
                data.len()
            )));
        }
        Ok(Self { width, height, channels, data })
    }

    /// Builds an opaque raster from gray+alpha or RGBA by compositing onto white.
    pub fn flatten_alpha(width: u32, height: u32, channels: u8, data: &[u8]) -> Result<Self, MediaError> {
        let color = usize::from(channels.saturating_sub(1));
        let mut out = Vec::with_capacity(data.len() / usize::from(channels.max(1)) * color);
        for px in data.chunks_exact(usize::from(channels.max(1))) {
            if let Some((&alpha, rest)) = px.split_last() {
                let a = u32::from(alpha);
                out.extend(rest.iter().map(|&c| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8));
            }
        }
        Self::new(width, height, channels.saturating_sub(1), out)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes per pixel: 1 (gray) or 3 (RGB).
    pub fn channels(&self) -> u8 {
        self.channels
    }

    /// The packed pixel bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    fn pixel_type(&self) -> PixelType {
        if self.channels == 1 {
            PixelType::U8
        } else {
            PixelType::U8x3
        }
    }

    /// Resamples to exactly `width`×`height` with a Lanczos3 convolution (a copy when sizes match).
    pub fn resize(&self, width: u32, height: u32, resizer: &mut Resizer) -> Result<Self, MediaError> {
        if (width, height) == (self.width, self.height) {
            return Ok(self.clone());
        }
        let internal = |e: &dyn std::fmt::Display| MediaError::Internal(format!("resize: {e}"));
        let src = ImageRef::new(self.width, self.height, &self.data, self.pixel_type()).map_err(|e| internal(&e))?;
        let mut dst = fir::images::Image::new(width, height, self.pixel_type());
        let options = ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
        resizer.resize(&src, &mut dst, &options).map_err(|e| internal(&e))?;
        Self::new(width, height, self.channels, dst.into_vec())
    }

    /// Applies an EXIF orientation so the pixels are upright.
    pub fn oriented(self, orientation: Orientation) -> Result<Self, MediaError> {
        let (w, h) = (self.width as isize, self.height as isize);
        // Source pixel index = base + x'·dx + y'·dy for output pixel (x', y').
        let (base, dx, dy) = match orientation {
            Orientation::Normal => return Ok(self),
            Orientation::FlipHorizontal => (w - 1, -1, w),
            Orientation::Rotate180 => (w * h - 1, -1, -w),
            Orientation::FlipVertical => ((h - 1) * w, 1, -w),
            Orientation::Transpose => (0, w, 1),
            Orientation::Rotate90 => ((h - 1) * w, -w, 1),
            Orientation::Transverse => (w * h - 1, -w, -1),
            Orientation::Rotate270 => (w - 1, w, -1),
        };
        let (ow, oh) =
            if orientation.swaps_dimensions() { (self.height, self.width) } else { (self.width, self.height) };
        let map = Remap { width: ow as usize, base, dx, dy };
        let data = match self.channels {
            1 => map.apply::<1>(&self.data),
            _ => map.apply::<3>(&self.data),
        }
        .ok_or_else(|| MediaError::Internal("orientation index out of range".into()))?;
        Self::new(ow, oh, self.channels, data)
    }

    /// Rec. 601 luma, one byte per pixel.
    pub fn luma(&self) -> Vec<u8> {
        if self.channels == 1 {
            return self.data.clone();
        }
        self.data
            .chunks_exact(3)
            .map(|p| match p {
                [r, g, b] => ((77 * u32::from(*r) + 150 * u32::from(*g) + 29 * u32::from(*b) + 128) >> 8) as u8,
                _ => 0,
            })
            .collect()
    }

    /// Encodes as a baseline JFIF JPEG (4:2:0 below quality 90) with no EXIF, XMP or ICC segments.
    pub fn encode_jpeg(&self, quality: u8) -> Result<Vec<u8>, MediaError> {
        let internal = |e: &dyn std::fmt::Display| MediaError::Internal(format!("jpeg encode: {e}"));
        let w = u16::try_from(self.width).map_err(|e| internal(&e))?;
        let h = u16::try_from(self.height).map_err(|e| internal(&e))?;
        let color = if self.channels == 1 { jpeg_encoder::ColorType::Luma } else { jpeg_encoder::ColorType::Rgb };
        let mut out = Vec::with_capacity(self.data.len() / 8);
        jpeg_encoder::Encoder::new(&mut out, quality).encode(&self.data, w, h, color).map_err(|e| internal(&e))?;
        Ok(out)
    }
}

/// A linear mapping from output pixel coordinates to source pixel indices.
struct Remap {
    width: usize,
    base: isize,
    dx: isize,
    dy: isize,
}

impl Remap {
    fn apply<const C: usize>(&self, src: &[u8]) -> Option<Vec<u8>> {
        let mut out = vec![0; src.len()];
        for (y, row) in out.chunks_exact_mut(self.width.checked_mul(C)?).enumerate() {
            let start = self.base + y as isize * self.dy;
            for (x, px) in row.chunks_exact_mut(C).enumerate() {
                let i = usize::try_from(start + x as isize * self.dx).ok()? * C;
                px.copy_from_slice(src.get(i..i + C)?);
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 3x2 gray image with values 1..=6 in row-major order:
    /// 1 2 3
    /// 4 5 6
    fn sample() -> Raster {
        Raster::new(3, 2, 1, vec![1, 2, 3, 4, 5, 6]).unwrap()
    }

    fn oriented(value: u32) -> (u32, u32, Vec<u8>) {
        let r = sample().oriented(Orientation::from_exif(value)).unwrap();
        (r.width(), r.height(), r.data().to_vec())
    }

    #[test]
    fn all_eight_orientations_map_pixels_correctly() {
        assert_eq!(oriented(1), (3, 2, vec![1, 2, 3, 4, 5, 6]));
        assert_eq!(oriented(2), (3, 2, vec![3, 2, 1, 6, 5, 4]));
        assert_eq!(oriented(3), (3, 2, vec![6, 5, 4, 3, 2, 1]));
        assert_eq!(oriented(4), (3, 2, vec![4, 5, 6, 1, 2, 3]));
        assert_eq!(oriented(5), (2, 3, vec![1, 4, 2, 5, 3, 6]));
        assert_eq!(oriented(6), (2, 3, vec![4, 1, 5, 2, 6, 3]));
        assert_eq!(oriented(7), (2, 3, vec![6, 3, 5, 2, 4, 1]));
        assert_eq!(oriented(8), (2, 3, vec![3, 6, 2, 5, 1, 4]));
    }

    #[test]
    fn rgb_orientation_moves_whole_pixels() {
        let r = Raster::new(2, 1, 3, vec![1, 2, 3, 4, 5, 6]).unwrap();
        let o = r.oriented(Orientation::Rotate90).unwrap();
        assert_eq!((o.width(), o.height(), o.data()), (1, 2, [1, 2, 3, 4, 5, 6].as_slice()));
    }

    #[test]
    fn wrong_buffer_length_is_rejected() {
        assert!(Raster::new(2, 2, 3, vec![0; 11]).is_err());
        assert!(Raster::new(0, 2, 1, vec![]).is_err());
        assert!(Raster::new(1, 1, 2, vec![0; 2]).is_err());
    }

    #[test]
    fn alpha_is_composited_onto_white() {
        let r = Raster::flatten_alpha(2, 1, 4, &[255, 0, 0, 0, 10, 20, 30, 255]).unwrap();
        assert_eq!(r.data(), &[255, 255, 255, 10, 20, 30]);
        let g = Raster::flatten_alpha(1, 1, 2, &[0, 128]).unwrap();
        assert_eq!(g.data(), &[127]);
    }

    #[test]
    fn resize_and_encode_produce_a_jpeg() {
        let r = Raster::new(64, 32, 3, vec![128; 64 * 32 * 3]).unwrap();
        let small = r.resize(16, 8, &mut Resizer::new()).unwrap();
        assert_eq!((small.width(), small.height()), (16, 8));
        let jpeg = small.encode_jpeg(80).unwrap();
        assert!(jpeg.starts_with(&[0xFF, 0xD8]) && jpeg.ends_with(&[0xFF, 0xD9]));
    }
}

//! Helpers for tests that read shared/testdata and inspect output JPEGs.

use std::path::{Path, PathBuf};

use crate::media::{MediaLimits, Processed};

/// `<CARGO_MANIFEST_DIR>/../shared/testdata/<rel>`, or `None` (with a note) when it is absent.
pub fn shared_testdata(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata").join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipping: {} not found (shared/ must sit beside the repository)", path.display());
        None
    }
}

/// Reads a testdata file, or `None` when shared/testdata is absent.
pub fn read(rel: &str) -> Option<Vec<u8>> {
    shared_testdata(rel).map(|p| std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
}

/// Processes a testdata photo with default limits, panicking with the file name on error.
pub fn process_photo(rel: &str) -> Option<Processed> {
    let bytes = read(rel)?;
    Some(crate::media::process(&bytes, &MediaLimits::default()).unwrap_or_else(|e| panic!("{rel}: {e}")))
}

/// Marker bytes of every segment before the first SOS (0xE0 = APP0, 0xE1 = APP1/EXIF/XMP, 0xE2 = ICC).
pub fn jpeg_segment_markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut markers = Vec::new();
    let mut pos = 2;
    while pos + 4 <= jpeg.len() {
        assert_eq!(jpeg[pos], 0xFF, "expected a marker at {pos}");
        let marker = jpeg[pos + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        pos += 2 + usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
    }
    markers
}

/// Decoded RGB pixels of an output JPEG: (width, height, rgb).
pub fn decode_rgb(jpeg: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut d = jpeg_decoder::Decoder::new(jpeg);
    let px = d.decode().expect("output JPEG decodes");
    let info = d.info().expect("info after decode");
    assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
    (usize::from(info.width), usize::from(info.height), px)
}

/// Mean RGB of the rectangle [x0, x1) × [y0, y1) given as fractions of the image size.
pub fn region_mean(img: &(usize, usize, Vec<u8>), x: (f64, f64), y: (f64, f64)) -> [f64; 3] {
    let (w, h, px) = img;
    let (x0, x1) = ((x.0 * *w as f64) as usize, (x.1 * *w as f64) as usize);
    let (y0, y1) = ((y.0 * *h as f64) as usize, (y.1 * *h as f64) as usize);
    let mut sum = [0.0; 3];
    for row in y0..y1 {
        for col in x0..x1 {
            for (c, s) in sum.iter_mut().enumerate() {
                *s += f64::from(px[(row * w + col) * 3 + c]);
            }
        }
    }
    let n = ((x1 - x0) * (y1 - y0)) as f64;
    sum.map(|s| s / n)
}

/// Largest per-channel difference between two mean colours.
pub fn colour_distance(a: [f64; 3], b: [f64; 3]) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max)
}

//! Real phone and camera photos: orientation, GPS, stripping, sizes and hashes.

use super::support::{colour_distance, decode_rgb, jpeg_segment_markers, process_photo, read, region_mean};
use crate::media::{
    header::Dimensions,
    phash::hamming,
    process,
    process::{fit, DISPLAY_EDGE, THUMB_EDGE},
    ImageFormat, MediaError, MediaLimits, Orientation,
};

struct Photo {
    file: &'static str,
    format: ImageFormat,
    orientation: u32,
    /// Width × height as displayed, after orientation (SOURCES.md).
    shown: (u32, u32),
    gps: Option<(f64, f64)>,
}

const fn photo(file: &'static str, orientation: u32, shown: (u32, u32), gps: Option<(f64, f64)>) -> Photo {
    Photo { file, format: ImageFormat::Jpeg, orientation, shown, gps }
}

const PHOTOS: &[Photo] = &[
    photo("Landscape_1.jpg", 1, (1800, 1200), None),
    photo("Landscape_3.jpg", 3, (1800, 1200), None),
    photo("Landscape_5.jpg", 5, (1800, 1200), None),
    photo("Landscape_6.jpg", 6, (1800, 1200), None),
    photo("Landscape_8.jpg", 8, (1800, 1200), None),
    photo("Portrait_6.jpg", 6, (1200, 1800), None),
    photo("DSCN0010.jpg", 1, (640, 480), Some((43.467448, 11.885127))),
    photo("DSCN0021.jpg", 1, (640, 480), Some((43.467082, 11.884538))),
    photo("HMD_Nokia_8.3_5G.jpg", 1, (4608, 1976), Some((60.146706, 24.906772))),
    photo("jolla.jpg", 1, (3264, 2448), None),
    photo("67-0_length_string.jpg", 1, (4032, 2012), Some((51.025000, 7.591944))),
    photo("nom-exif_exif.jpg", 1, (3072, 4096), Some((22.531133, 114.021481))),
    Photo { file: "flower.webp", format: ImageFormat::Webp, orientation: 1, shown: (480, 360), gps: None },
    Photo {
        file: "hopper_orientation_6.webp",
        format: ImageFormat::Webp,
        orientation: 6,
        shown: (128, 128),
        gps: None,
    },
    Photo {
        file: "exif_imagemagick_orientation.png",
        format: ImageFormat::Png,
        orientation: 3,
        shown: (512, 512),
        gps: None,
    },
];

#[test]
fn every_photo_matches_its_sources_entry() {
    for p in PHOTOS {
        let Some(out) = process_photo(&format!("photos/{}", p.file)) else {
            return;
        };
        let ctx = p.file;
        assert_eq!(out.format, p.format, "{ctx}");
        assert_eq!(out.orientation, Orientation::from_exif(p.orientation), "{ctx}");
        assert_eq!((out.width, out.height), p.shown, "{ctx}: dimensions after orientation");
        let shown = Dimensions { width: p.shown.0, height: p.shown.1 };
        let display = fit(shown, DISPLAY_EDGE);
        let thumb = fit(shown, THUMB_EDGE);
        assert_eq!((out.display.width, out.display.height), (display.width, display.height), "{ctx}");
        assert_eq!((out.thumb.width, out.thumb.height), (thumb.width, thumb.height), "{ctx}");
        assert!(out.thumb.width.max(out.thumb.height) <= THUMB_EDGE, "{ctx}");
        match (p.gps, out.gps) {
            (Some((lat, lng)), Some(gps)) => {
                assert!((gps.lat - lat).abs() < 1e-5 && (gps.lng - lng).abs() < 1e-5, "{ctx}: {gps:?}");
            }
            (None, None) => {}
            (want, got) => panic!("{ctx}: gps {got:?}, expected {want:?}"),
        }
    }
}

#[test]
fn outputs_are_fresh_jpegs_without_exif_xmp_or_icc() {
    for p in PHOTOS {
        let Some(out) = process_photo(&format!("photos/{}", p.file)) else {
            return;
        };
        for (name, variant) in [("display", &out.display), ("thumb", &out.thumb)] {
            let markers = jpeg_segment_markers(&variant.jpeg);
            let app: Vec<_> = markers.iter().filter(|m| (0xE1..=0xEF).contains(*m)).collect();
            assert!(app.is_empty(), "{} {name}: APPn segments {app:x?}", p.file);
            assert!(!markers.contains(&0xFE), "{} {name}: comment segment", p.file);
            let (w, h, _) = decode_rgb(&variant.jpeg);
            assert_eq!((w as u32, h as u32), (variant.width, variant.height), "{} {name}", p.file);
        }
    }
}

#[test]
fn orientation_is_applied_to_pixels() {
    let Some(reference) = process_photo("photos/Landscape_1.jpg") else {
        return;
    };
    let reference = decode_rgb(&reference.display.jpeg);
    // Corners avoid the "top/left/right/bottom" labels and the big orientation digit.
    let corners = [
        ((0.0, 0.12), (0.0, 0.12)),
        ((0.88, 1.0), (0.0, 0.12)),
        ((0.0, 0.12), (0.88, 1.0)),
        ((0.88, 1.0), (0.88, 1.0)),
    ];
    let means = |img: &(usize, usize, Vec<u8>)| corners.map(|(x, y)| region_mean(img, x, y));
    let want = means(&reference);
    // The check has power: sky (top-left) and rock (bottom-right) differ a lot.
    assert!(colour_distance(want[0], want[3]) > 40.0);
    for n in [3, 5, 6, 8] {
        let Some(out) = process_photo(&format!("photos/Landscape_{n}.jpg")) else {
            return;
        };
        let got = means(&decode_rgb(&out.display.jpeg));
        for (i, (a, b)) in want.iter().zip(got).enumerate() {
            assert!(colour_distance(*a, b) < 8.0, "Landscape_{n} corner {i}: {a:?} vs {b:?}");
        }
    }
}

#[test]
fn capture_time_is_read_when_present() {
    let Some(out) = process_photo("photos/nom-exif_exif.jpg") else {
        return;
    };
    let taken = out.taken_at.expect("DateTimeOriginal");
    assert_eq!(taken.date().to_string(), "2023-07-09");
    let Some(landscape) = process_photo("photos/Landscape_1.jpg") else {
        return;
    };
    assert_eq!(landscape.taken_at, None);
}

#[test]
fn heic_is_refused_with_its_own_error() {
    let Some(bytes) = read("photos/IMG_5195.HEIC") else {
        return;
    };
    assert_eq!(process(&bytes, &MediaLimits::default()), Err(MediaError::HeicNotSupported));
}

#[test]
fn sha256_and_size_describe_the_original_bytes() {
    let Some(bytes) = read("photos/DSCN0010.jpg") else {
        return;
    };
    let out = process(&bytes, &MediaLimits::default()).unwrap();
    assert_eq!(out.bytes, 161_713);
    assert_eq!(out.sha256, crate::media::process::sha256_hex(&bytes));
    assert_eq!(out.sha256.len(), 64);
}

#[test]
fn perceptual_hash_survives_rotation_and_recompression_but_not_a_new_scene() {
    let Some(base) = process_photo("photos/Landscape_1.jpg") else {
        return;
    };
    for n in [3, 6, 8] {
        let Some(rotated) = process_photo(&format!("photos/Landscape_{n}.jpg")) else {
            return;
        };
        let d = hamming(base.phash, rotated.phash);
        assert!(d <= 10, "Landscape_{n} after orientation: distance {d}");
    }
    // The display variant is itself a resized, recompressed copy.
    let again = process(&base.display.jpeg, &MediaLimits::default()).unwrap();
    assert!(hamming(base.phash, again.phash) <= 6, "{}", hamming(base.phash, again.phash));
    for other in ["DSCN0010.jpg", "jolla.jpg", "HMD_Nokia_8.3_5G.jpg", "flower.webp"] {
        let Some(out) = process_photo(&format!("photos/{other}")) else {
            return;
        };
        let d = hamming(base.phash, out.phash);
        assert!(d >= 20, "{other}: distance {d}");
    }
}

//! Every file in shared/testdata/bad-images: refused with a stable error, or (broken metadata only)
//! accepted with the bad metadata dropped. Never a panic, never unbounded memory.

use super::support::{read, shared_testdata};
use crate::media::{process, MediaError, MediaLimits, Orientation};

enum Expect {
    Refused(&'static str),
    /// Decodable picture with broken or empty metadata: upright size and orientation after processing.
    Accepted {
        shown: (u32, u32),
        orientation: u32,
    },
}
use Expect::{Accepted, Refused};

const CASES: &[(&str, Expect)] = &[
    ("image-rs_oss-fuzz-36829.jpeg", Refused("image_corrupt")),
    ("libpng_badadler.png", Refused("image_corrupt")),
    // Zero-length bKGD/cHRM/...: ancillary chunks a decoder may ignore; the 1x1 pixels are fine.
    ("libpng_empty_ancillary_chunks.png", Accepted { shown: (1, 1), orientation: 1 }),
    ("libpng_huge_IDAT.png", Refused("image_corrupt")),
    ("libpng_huge_iCCP_chunk.png", Refused("image_corrupt")),
    ("libpng_huge_tEXt_chunk.png", Refused("image_corrupt")),
    ("nom-exif_broken.jpg", Accepted { shown: (1152, 2048), orientation: 6 }),
    ("nom-exif_endless_loop.jpg", Accepted { shown: (1, 1), orientation: 1 }),
    ("nom-exif_oom_large_box.heic", Refused("image_heic_not_supported")),
    ("pillow_broken.png", Refused("image_corrupt")),
    ("pillow_empty_gps_ifd.jpg", Accepted { shown: (10, 10), orientation: 6 }),
    ("pillow_png_decompression_dos.png", Refused("image_metadata_too_large")),
    ("pillow_truncated_image.png", Refused("image_corrupt")),
    ("pillow_truncated_jpeg.jpg", Refused("image_corrupt")),
    ("pngsuite_xc9n2c08.png", Refused("image_corrupt")),
    ("pngsuite_xcrn0g04.png", Refused("image_unsupported_format")),
    ("pngsuite_xcsn0g01.png", Refused("image_corrupt")),
    ("pngsuite_xd9n2c08.png", Refused("image_corrupt")),
    ("pngsuite_xdtn0g01.png", Refused("image_corrupt")),
    ("pngsuite_xhdn0g08.png", Refused("image_corrupt")),
    ("pngsuite_xs1n0g01.png", Refused("image_unsupported_format")),
    ("sharp_65536-uint32-limit.png", Refused("image_too_many_pixels")),
    ("sharp_corrupt-header.jpg", Refused("image_corrupt")),
    ("sharp_truncated.jpg", Refused("image_corrupt")),
];

#[test]
fn every_bad_image_is_refused_or_accepted_without_its_bad_metadata() {
    let Some(dir) = shared_testdata("bad-images") else {
        return;
    };
    let mut files: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    let listed: Vec<&str> = CASES.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, listed, "bad-images/ changed: give every file an expectation");

    for (file, expect) in CASES {
        let bytes = read(&format!("bad-images/{file}")).unwrap();
        let result = process(&bytes, &MediaLimits::default());
        match (expect, result) {
            (Refused(code), Err(e)) => assert_eq!(e.code(), *code, "{file}: {e}"),
            (Accepted { shown, orientation }, Ok(out)) => {
                assert_eq!((out.width, out.height), *shown, "{file}");
                assert_eq!(out.orientation, Orientation::from_exif(*orientation), "{file}");
                assert_eq!(out.gps, None, "{file}: broken GPS must be dropped");
            }
            (Refused(code), Ok(_)) => panic!("{file}: accepted, expected {code}"),
            (Accepted { .. }, Err(e)) => panic!("{file}: refused with {e}, expected acceptance"),
        }
    }
}

#[test]
fn pixel_bomb_is_refused_from_the_header_alone() {
    let Some(bytes) = read("bad-images/sharp_65536-uint32-limit.png") else {
        return;
    };
    let expected = MediaError::TooManyPixels { width: 65536, height: 65536, limit: 50_000_000 };
    assert_eq!(process(&bytes, &MediaLimits::default()), Err(expected.clone()));
    // Signature + IHDR only (33 of 521,990 bytes): the same error, so no pixel data was read,
    // let alone the 17 GB of pixels allocated.
    assert_eq!(process(&bytes[..33], &MediaLimits::default()), Err(expected));
}

#[test]
fn pixel_bomb_is_refused_by_the_memory_limit_before_allocating_when_pixels_are_allowed() {
    let Some(bytes) = read("bad-images/sharp_65536-uint32-limit.png") else {
        return;
    };
    let limits = MediaLimits { max_pixels: u64::MAX, max_decode_bytes: 64 << 20, ..MediaLimits::default() };
    let err = process(&bytes, &limits).unwrap_err();
    assert!(matches!(err, MediaError::DecodeLimit(_)), "{err}");
}

#[test]
fn text_chunk_bomb_is_refused_after_a_bounded_inflate() {
    let Some(bytes) = read("bad-images/pillow_png_decompression_dos.png") else {
        return;
    };
    let err = process(&bytes, &MediaLimits::default()).unwrap_err();
    assert_eq!(err, MediaError::MetadataTooLarge { limit: 1 << 20 });
}

#[test]
fn truncated_prefixes_of_real_photos_never_panic() {
    for file in ["photos/DSCN0010.jpg", "photos/flower.webp", "photos/exif_imagemagick_orientation.png"] {
        let Some(bytes) = read(file) else { return };
        for len in (0..bytes.len()).step_by(bytes.len() / 40 + 1) {
            let result = process(&bytes[..len], &MediaLimits::default());
            let panicked = MediaError::Corrupt("decoder panicked".into());
            assert_ne!(result.err(), Some(panicked), "{file} cut at {len}");
        }
    }
}

//! Photo uploads over HTTP with the real photos and hostile files in ../shared/testdata: what is
//! accepted, what is refused and how, and what is stored (upright, resized, no metadata).

use hazardline::media::{
    header::Dimensions,
    process::{fit, DISPLAY_EDGE, THUMB_EDGE},
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    helpers::{problem, spawn_app, spawn_app_with},
    media_support::{assert_no_metadata, follow, jpeg_size, testdata, upload, upload_ok, upload_raw},
};

struct Photo {
    file: &'static str,
    format: &'static str,
    /// Width × height as shown, EXIF orientation applied (SOURCES.md).
    shown: (u32, u32),
    gps: Option<(f64, f64)>,
}

const fn jpeg(file: &'static str, shown: (u32, u32), gps: Option<(f64, f64)>) -> Photo {
    Photo { file, format: "jpeg", shown, gps }
}

const PHOTOS: &[Photo] = &[
    jpeg("Landscape_1.jpg", (1800, 1200), None),
    jpeg("Landscape_3.jpg", (1800, 1200), None),
    jpeg("Landscape_5.jpg", (1800, 1200), None),
    jpeg("Landscape_6.jpg", (1800, 1200), None),
    jpeg("Landscape_8.jpg", (1800, 1200), None),
    jpeg("Portrait_6.jpg", (1200, 1800), None),
    jpeg("DSCN0010.jpg", (640, 480), Some((43.467448, 11.885127))),
    jpeg("DSCN0021.jpg", (640, 480), Some((43.467082, 11.884538))),
    jpeg("HMD_Nokia_8.3_5G.jpg", (4608, 1976), Some((60.146706, 24.906772))),
    jpeg("jolla.jpg", (3264, 2448), None),
    jpeg("67-0_length_string.jpg", (4032, 2012), Some((51.025000, 7.591944))),
    jpeg("nom-exif_exif.jpg", (3072, 4096), Some((22.531133, 114.021481))),
    Photo { file: "flower.webp", format: "webp", shown: (480, 360), gps: None },
    Photo { file: "hopper_orientation_6.webp", format: "webp", shown: (128, 128), gps: None },
    Photo { file: "exif_imagemagick_orientation.png", format: "png", shown: (512, 512), gps: None },
];

fn fitted(shown: (u32, u32), edge: u32) -> (u32, u32) {
    let d = fit(Dimensions { width: shown.0, height: shown.1 }, edge);
    (d.width, d.height)
}

#[tokio::test]
async fn real_photos_are_stored_upright_resized_and_without_metadata() {
    let app = spawn_app().await;
    let s = app.resident("13800138401").await;
    for p in PHOTOS {
        let Some(bytes) = testdata(&format!("photos/{}", p.file)) else { return };
        let body = upload_ok(&app, &s.access_token, p.file, &bytes).await;
        let ctx = p.file;
        assert_eq!(body["format"], p.format, "{ctx}");
        assert_eq!(
            (body["width"].as_u64().unwrap(), body["height"].as_u64().unwrap()),
            (p.shown.0.into(), p.shown.1.into()),
            "{ctx}"
        );
        assert_eq!(body["bytes"], bytes.len(), "{ctx}");
        assert_eq!(body["sha256"].as_str().unwrap().len(), 64, "{ctx}");
        assert_eq!(body["phash"].as_str().unwrap().len(), 16, "{ctx}");
        match (p.gps, &body["gps"]) {
            (Some((lat, lng)), gps) => {
                assert!((gps["lat"].as_f64().unwrap() - lat).abs() < 1e-5, "{ctx}: {gps}");
                assert!((gps["lng"].as_f64().unwrap() - lng).abs() < 1e-5, "{ctx}: {gps}");
            }
            (None, gps) => assert_eq!(gps, &Value::Null, "{ctx}"),
        }
        for (variant, edge) in [("display", DISPLAY_EDGE), ("thumb", THUMB_EDGE)] {
            let served = follow(&app, &body["urls"][variant]).await;
            assert_no_metadata(&served, &format!("{ctx} {variant}"));
            let size = jpeg_size(&served);
            assert_eq!(size, fitted(p.shown, edge), "{ctx} {variant}");
            assert!(size.0.max(size.1) <= edge, "{ctx} {variant}");
        }
    }
}

#[tokio::test]
async fn capture_time_and_gps_come_from_exif() {
    let app = spawn_app().await;
    let s = app.resident("13800138402").await;
    let Some(vivo) = testdata("photos/nom-exif_exif.jpg") else { return };
    let body = upload_ok(&app, &s.access_token, "exif.jpg", &vivo).await;
    assert!(body["taken_at"].as_str().unwrap().starts_with("2023-07-09T"), "{body}");
    // Shenzhen, Futian: WGS-84 as the phone recorded it.
    assert!((body["gps"]["lat"].as_f64().unwrap() - 22.531133).abs() < 1e-5);
    let Some(landscape) = testdata("photos/Landscape_1.jpg") else { return };
    let body = upload_ok(&app, &s.access_token, "l1.jpg", &landscape).await;
    assert_eq!(body["taken_at"], Value::Null);
}

fn mean_rgb(jpeg: &[u8], x: (f64, f64), y: (f64, f64)) -> [f64; 3] {
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    let px = decoder.decode().unwrap();
    let info = decoder.info().unwrap();
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    let (x0, x1) = ((x.0 * w as f64) as usize, (x.1 * w as f64) as usize);
    let (y0, y1) = ((y.0 * h as f64) as usize, (y.1 * h as f64) as usize);
    let mut sum = [0.0; 3];
    for row in y0..y1 {
        for col in x0..x1 {
            for (c, s) in sum.iter_mut().enumerate() {
                *s += f64::from(px[(row * w + col) * 3 + c]);
            }
        }
    }
    sum.map(|s| s / ((x1 - x0) * (y1 - y0)) as f64)
}

#[tokio::test]
async fn a_phone_photo_held_upright_is_served_the_right_way_up() {
    let app = spawn_app().await;
    let s = app.resident("13800138403").await;
    let (Some(upright), Some(rotated)) = (testdata("photos/Landscape_1.jpg"), testdata("photos/Landscape_6.jpg"))
    else {
        return;
    };
    let reference = follow(&app, &upload_ok(&app, &s.access_token, "1.jpg", &upright).await["urls"]["display"]).await;
    let body = upload_ok(&app, &s.access_token, "6.jpg", &rotated).await;
    // Stored 1200x1800 with Orientation 6: shown (and served) landscape.
    assert_eq!((body["width"].as_u64(), body["height"].as_u64()), (Some(1800), Some(1200)));
    let served = follow(&app, &body["urls"]["display"]).await;
    assert_eq!(jpeg_size(&served), (1600, 1067));
    let corners = [
        ((0.0, 0.12), (0.0, 0.12)),
        ((0.88, 1.0), (0.0, 0.12)),
        ((0.0, 0.12), (0.88, 1.0)),
        ((0.88, 1.0), (0.88, 1.0)),
    ];
    let (sky, rock) =
        (mean_rgb(&reference, corners[0].0, corners[0].1), mean_rgb(&reference, corners[3].0, corners[3].1));
    assert!(sky.iter().zip(rock).any(|(a, b)| (a - b).abs() > 40.0), "the check can tell corners apart");
    for (x, y) in corners {
        let (want, got) = (mean_rgb(&reference, x, y), mean_rgb(&served, x, y));
        assert!(want.iter().zip(got).all(|(a, b)| (a - b).abs() < 8.0), "corner {x:?},{y:?}: {want:?} vs {got:?}");
    }
}

/// How each file in bad-images/ is answered over HTTP: `(status, code)`, or accepted (201).
const BAD_IMAGES: &[(&str, Option<(u16, &str)>)] = &[
    ("image-rs_oss-fuzz-36829.jpeg", Some((422, "image_corrupt"))),
    ("libpng_badadler.png", Some((422, "image_corrupt"))),
    ("libpng_empty_ancillary_chunks.png", None),
    ("libpng_huge_IDAT.png", Some((422, "image_corrupt"))),
    ("libpng_huge_iCCP_chunk.png", Some((422, "image_corrupt"))),
    ("libpng_huge_tEXt_chunk.png", Some((422, "image_corrupt"))),
    ("nom-exif_broken.jpg", None),
    ("nom-exif_endless_loop.jpg", None),
    ("nom-exif_oom_large_box.heic", Some((415, "image_heic_not_supported"))),
    ("pillow_broken.png", Some((422, "image_corrupt"))),
    ("pillow_empty_gps_ifd.jpg", None),
    ("pillow_png_decompression_dos.png", Some((422, "image_metadata_too_large"))),
    ("pillow_truncated_image.png", Some((422, "image_corrupt"))),
    ("pillow_truncated_jpeg.jpg", Some((422, "image_corrupt"))),
    ("pngsuite_xc9n2c08.png", Some((422, "image_corrupt"))),
    ("pngsuite_xcrn0g04.png", Some((415, "image_unsupported_format"))),
    ("pngsuite_xcsn0g01.png", Some((422, "image_corrupt"))),
    ("pngsuite_xd9n2c08.png", Some((422, "image_corrupt"))),
    ("pngsuite_xdtn0g01.png", Some((422, "image_corrupt"))),
    ("pngsuite_xhdn0g08.png", Some((422, "image_corrupt"))),
    ("pngsuite_xs1n0g01.png", Some((415, "image_unsupported_format"))),
    ("sharp_65536-uint32-limit.png", Some((422, "image_too_many_pixels"))),
    ("sharp_corrupt-header.jpg", Some((422, "image_corrupt"))),
    ("sharp_truncated.jpg", Some((422, "image_corrupt"))),
];

#[tokio::test]
async fn every_bad_image_gets_a_4xx_or_is_accepted_without_its_broken_metadata() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/bad-images");
    if !root.is_dir() {
        eprintln!("skipped: shared test data {} not found", root.display());
        return;
    }
    let app = spawn_app().await;
    let s = app.resident("13800138404").await;
    let mut files: Vec<String> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    assert_eq!(files, BAD_IMAGES.iter().map(|(f, _)| *f).collect::<Vec<_>>(), "give every bad image an expectation");
    for (file, expect) in BAD_IMAGES {
        let bytes = std::fs::read(root.join(file)).unwrap();
        let res = upload(&app, &s.access_token, file, &bytes).await;
        match expect {
            Some((status, code)) => {
                let body = problem(res, StatusCode::from_u16(*status).unwrap()).await;
                assert_eq!(body["code"], *code, "{file}: {body}");
            }
            None => {
                assert_eq!(res.status(), StatusCode::CREATED, "{file}");
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["gps"], Value::Null, "{file}: broken GPS is dropped");
                assert_no_metadata(&follow(&app, &body["urls"]["display"]).await, file);
            }
        }
    }
    // The bomb is refused from its header: the first 33 bytes (signature + IHDR) get the same answer.
    let bomb = std::fs::read(root.join("sharp_65536-uint32-limit.png")).unwrap();
    let res = upload_raw(&app, &s.access_token, "image/png", bomb[..33].to_vec()).await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["code"], "image_too_many_pixels");
}

#[tokio::test]
async fn heic_is_refused_with_a_request_for_jpeg_in_chinese_and_english() {
    let app = spawn_app().await;
    let s = app.resident("13800138405").await;
    let Some(heic) = testdata("photos/IMG_5195.HEIC") else { return };
    let res = upload_raw(&app, &s.access_token, "image/heic", heic).await;
    let body = problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_eq!(body["code"], "image_heic_not_supported");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("请改用 JPEG") && detail.contains("please send JPEG"), "{detail}");
}

#[tokio::test]
async fn a_raw_body_is_sniffed_not_trusted() {
    let app = spawn_app().await;
    let s = app.resident("13800138406").await;
    let Some(jpeg) = testdata("photos/DSCN0010.jpg") else { return };
    // Labelled PNG, really JPEG: the bytes decide.
    let res = upload_raw(&app, &s.access_token, "image/png", jpeg).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["format"].as_str(), body["width"].as_u64()), (Some("jpeg"), Some(640)));
    let res = upload_raw(&app, &s.access_token, "image/jpeg", b"GIF89a not a photo".to_vec()).await;
    assert_eq!(problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await["code"], "image_unsupported_format");
    let res = upload_raw(&app, &s.access_token, "text/plain", b"hello".to_vec()).await;
    assert_eq!(problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await["code"], "unsupported_media_type");
    let res = app.post_raw("/api/v1/media", "image/jpeg", b"x".to_vec()).await;
    assert_eq!(problem(res, StatusCode::UNAUTHORIZED).await["code"], "missing_token");
}

#[tokio::test]
async fn an_upload_over_the_byte_limit_is_refused_while_it_streams() {
    let app = spawn_app_with(|s| s.media.max_bytes = 100 * 1024).await;
    let s = app.resident("13800138407").await;
    let Some(photo) = testdata("photos/DSCN0010.jpg") else { return };
    let res = upload_raw(&app, &s.access_token, "image/jpeg", photo.clone()).await;
    assert_eq!(problem(res, StatusCode::PAYLOAD_TOO_LARGE).await["code"], "image_too_large");
    let res = upload(&app, &s.access_token, "big.jpg", &photo).await;
    assert_eq!(problem(res, StatusCode::PAYLOAD_TOO_LARGE).await["code"], "image_too_large");
    // Chunked, so no Content-Length to refuse up front: the limit applies as the bytes arrive.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = photo.chunks(16 * 1024).map(|c| Ok(c.to_vec())).collect();
    let res = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(&s.access_token)
        .header("content-type", "image/jpeg")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, StatusCode::PAYLOAD_TOO_LARGE).await["code"], "image_too_large");
}

#[tokio::test]
async fn a_multipart_body_without_a_file_is_a_400() {
    let app = spawn_app().await;
    let s = app.resident("13800138408").await;
    let res = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(&s.access_token)
        .header("content-type", "multipart/form-data; boundary=b")
        .body("--b\r\nContent-Disposition: form-data; name=\"photo\"\r\n\r\nx\r\n--b--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "missing_file");
}

#[tokio::test]
async fn the_same_bytes_twice_are_one_photo_per_uploader() {
    let app = spawn_app().await;
    let (a, b) = (app.resident("13800138409").await, app.resident("13800138410").await);
    let Some(photo) = testdata("photos/DSCN0021.jpg") else { return };
    let first = upload_ok(&app, &a.access_token, "a.jpg", &photo).await;
    let again = upload(&app, &a.access_token, "renamed.jpg", &photo).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    let other = upload_ok(&app, &b.access_token, "b.jpg", &photo).await;
    assert_ne!(other["id"], first["id"]);
    assert_eq!(other["sha256"], first["sha256"]);
}

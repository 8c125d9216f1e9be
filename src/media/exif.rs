//! Orientation, GPS position and capture time from a raw EXIF (TIFF) block; never panics.
//!
//! Containers hand over the block: JPEG APP1, PNG `eXIf` or ImageMagick's hex "Raw profile type
//! exif" text, WebP `EXIF`. Corrupt or implausible fields are dropped one by one, so a broken GPS IFD
//! still leaves a usable orientation.

use chrono::{NaiveDate, NaiveDateTime};
use exif::{In, Reader, Tag, Value};

/// How stored pixels must be transformed for display (EXIF tag 0x0112, values 1–8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    /// 1: as stored.
    #[default]
    Normal,
    /// 2: mirrored left–right.
    FlipHorizontal,
    /// 3: rotated 180°.
    Rotate180,
    /// 4: mirrored top–bottom.
    FlipVertical,
    /// 5: mirrored along the top-left/bottom-right diagonal.
    Transpose,
    /// 6: rotate 90° clockwise to display.
    Rotate90,
    /// 7: mirrored along the top-right/bottom-left diagonal.
    Transverse,
    /// 8: rotate 270° clockwise (90° counter-clockwise) to display.
    Rotate270,
}

impl Orientation {
    /// Maps the EXIF value; anything outside 1–8 is treated as 1.
    pub fn from_exif(value: u32) -> Self {
        match value {
            2 => Self::FlipHorizontal,
            3 => Self::Rotate180,
            4 => Self::FlipVertical,
            5 => Self::Transpose,
            6 => Self::Rotate90,
            7 => Self::Transverse,
            8 => Self::Rotate270,
            _ => Self::Normal,
        }
    }

    /// True when displaying swaps width and height (values 5–8).
    pub fn swaps_dimensions(self) -> bool {
        matches!(self, Self::Transpose | Self::Rotate90 | Self::Transverse | Self::Rotate270)
    }
}

/// A WGS84 position in decimal degrees (north and east positive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpsPosition {
    /// Latitude in degrees, −90 to 90.
    pub lat: f64,
    /// Longitude in degrees, −180 to 180.
    pub lng: f64,
}

/// The EXIF fields the pipeline uses.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metadata {
    /// Display orientation ([`Orientation::Normal`] when absent).
    pub orientation: Orientation,
    /// GPS position, `None` when absent, empty, corrupt or out of range.
    pub gps: Option<GpsPosition>,
    /// DateTimeOriginal as recorded by the camera: local time, no zone.
    pub taken_at: Option<NaiveDateTime>,
}

const EXIF_PREFIX: &[u8] = b"Exif\0\0";

/// Parses a TIFF-structured EXIF block, with or without the `Exif\0\0` prefix some writers add.
pub fn parse(raw: &[u8]) -> Metadata {
    let tiff = raw.strip_prefix(EXIF_PREFIX).unwrap_or(raw);
    let exif = match Reader::new().continue_on_error(true).read_raw(tiff.to_vec()) {
        Ok(exif) => exif,
        // Keep whatever fields parsed before the damage.
        Err(e) => match e.distill_partial_result(|_| {}) {
            Ok(exif) => exif,
            Err(_) => return Metadata::default(),
        },
    };
    Metadata {
        orientation: exif
            .get_field(Tag::Orientation, In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            .map(Orientation::from_exif)
            .unwrap_or_default(),
        gps: gps(&exif),
        taken_at: taken_at(&exif),
    }
}

fn ascii_first_byte(exif: &exif::Exif, tag: Tag) -> Option<u8> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(parts) => parts.first()?.first().copied(),
        _ => None,
    }
}

/// Degrees + minutes/60 + seconds/3600 from up to three (signed or unsigned) rationals.
///
/// Zero denominators and negative parts (the sign belongs in the Ref tag) make the value unusable.
fn dms(exif: &exif::Exif, tag: Tag) -> Option<f64> {
    let parts: Vec<(f64, f64)> = match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) => v.iter().map(|r| (f64::from(r.num), f64::from(r.denom))).collect(),
        // Some phones (e.g. HMD/Nokia) write SRATIONAL.
        Value::SRational(v) => v.iter().map(|r| (f64::from(r.num), f64::from(r.denom))).collect(),
        _ => return None,
    };
    let mut total = 0.0;
    for ((num, denom), scale) in parts.iter().zip([1.0, 60.0, 3600.0]) {
        let part = num / denom;
        if !part.is_finite() || part < 0.0 {
            return None;
        }
        total += part / scale;
    }
    (!parts.is_empty()).then_some(total)
}

fn gps(exif: &exif::Exif) -> Option<GpsPosition> {
    let lat = match ascii_first_byte(exif, Tag::GPSLatitudeRef)? {
        b'N' | b'n' => dms(exif, Tag::GPSLatitude)?,
        b'S' | b's' => -dms(exif, Tag::GPSLatitude)?,
        _ => return None,
    };
    let lng = match ascii_first_byte(exif, Tag::GPSLongitudeRef)? {
        b'E' | b'e' => dms(exif, Tag::GPSLongitude)?,
        b'W' | b'w' => -dms(exif, Tag::GPSLongitude)?,
        _ => return None,
    };
    // Exactly 0,0 is what receivers write without a fix; no hazard is reported from null island.
    let plausible = lat.abs() <= 90.0 && lng.abs() <= 180.0 && (lat, lng) != (0.0, 0.0);
    plausible.then_some(GpsPosition { lat, lng })
}

fn taken_at(exif: &exif::Exif) -> Option<NaiveDateTime> {
    let Value::Ascii(parts) = &exif.get_field(Tag::DateTimeOriginal, In::PRIMARY)?.value else {
        return None;
    };
    let dt = exif::DateTime::from_ascii(parts.first()?).ok()?;
    NaiveDate::from_ymd_opt(i32::from(dt.year), u32::from(dt.month), u32::from(dt.day))?.and_hms_opt(
        u32::from(dt.hour),
        u32::from(dt.minute),
        u32::from(dt.second),
    )
}

/// Decodes ImageMagick's PNG text profile ("\nexif\n  LEN\nHEX…") into raw EXIF bytes, up to `limit`.
pub fn from_raw_profile(text: &str, limit: usize) -> Option<Vec<u8>> {
    let mut tokens = text.split_ascii_whitespace();
    let _name = tokens.next()?;
    let len: usize = tokens.next()?.parse().ok()?;
    if len > limit {
        return None;
    }
    let mut out = Vec::with_capacity(len);
    let mut digits = tokens.flat_map(str::bytes);
    while out.len() < len {
        let hi = hex_value(digits.next()?)?;
        let lo = hex_value(digits.next()?)?;
        out.push(hi << 4 | lo);
    }
    Some(out)
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A big-endian TIFF with IFD0 holding Orientation and a pointer to a GPS IFD.
    fn tiff_with_gps(orientation: u16, lat_ref: u8, lat: [(u32, u32); 3]) -> Vec<u8> {
        let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
        // IFD0 at 8: 2 entries.
        t.extend_from_slice(&[0, 2]);
        t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
        t.extend_from_slice(&orientation.to_be_bytes());
        t.extend_from_slice(&[0, 0]);
        t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]);
        t.extend_from_slice(&[0, 0, 0, 0]);
        // GPS IFD at 38: LatitudeRef, Latitude (at 92), LongitudeRef, Longitude (at 116).
        t.extend_from_slice(&[0, 4]);
        t.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, lat_ref, 0, 0, 0]);
        t.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 92]);
        t.extend_from_slice(&[0, 3, 0, 2, 0, 0, 0, 2, b'W', 0, 0, 0]);
        t.extend_from_slice(&[0, 4, 0, 5, 0, 0, 0, 3, 0, 0, 0, 116]);
        t.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(t.len(), 92);
        for (n, d) in lat.into_iter().chain([(94, 1), (17, 1), (1978, 100)]) {
            t.extend_from_slice(&n.to_be_bytes());
            t.extend_from_slice(&d.to_be_bytes());
        }
        t
    }

    #[test]
    fn orientation_and_gps_are_read() {
        let m = parse(&tiff_with_gps(6, b'S', [(22, 1), (31, 1), (5208, 100)]));
        assert_eq!(m.orientation, Orientation::Rotate90);
        let gps = m.gps.unwrap();
        assert!((gps.lat + 22.531_133).abs() < 1e-5, "{gps:?}");
        assert!((gps.lng + 94.288_828).abs() < 1e-5, "{gps:?}");
    }

    #[test]
    fn prefix_is_optional() {
        let mut prefixed = EXIF_PREFIX.to_vec();
        prefixed.extend(tiff_with_gps(8, b'N', [(1, 1), (0, 1), (0, 1)]));
        assert_eq!(parse(&prefixed).orientation, Orientation::Rotate270);
    }

    #[test]
    fn bad_gps_is_dropped_but_orientation_kept() {
        let zero_denominator = parse(&tiff_with_gps(3, b'N', [(1, 0), (0, 1), (0, 1)]));
        assert_eq!(zero_denominator.orientation, Orientation::Rotate180);
        assert_eq!(zero_denominator.gps, None);
        assert_eq!(parse(&tiff_with_gps(1, b'X', [(1, 1), (0, 1), (0, 1)])).gps, None);
        assert_eq!(parse(&tiff_with_gps(1, b'N', [(91, 1), (0, 1), (0, 1)])).gps, None);
    }

    #[test]
    fn garbage_and_truncation_never_panic() {
        let full = tiff_with_gps(6, b'N', [(1, 1), (2, 1), (3, 1)]);
        for cut in 0..full.len() {
            let _ = parse(&full[..cut]);
        }
        assert_eq!(parse(b"not exif at all"), Metadata::default());
        assert_eq!(parse(&[]), Metadata::default());
    }

    #[test]
    fn out_of_range_orientation_is_normal() {
        assert_eq!(Orientation::from_exif(0), Orientation::Normal);
        assert_eq!(Orientation::from_exif(9), Orientation::Normal);
        assert!(Orientation::from_exif(5).swaps_dimensions());
        assert!(!Orientation::from_exif(4).swaps_dimensions());
    }

    #[test]
    fn raw_profile_hex_is_decoded_within_limit() {
        let text = "\nexif\n      8\n45786966\n0000\n4d4d\n";
        assert_eq!(from_raw_profile(text, 64).unwrap(), b"Exif\0\0MM");
        assert_eq!(from_raw_profile(text, 4), None);
        assert_eq!(from_raw_profile("\nexif\n 8\n4578zz", 64), None);
        assert_eq!(from_raw_profile("\nexif\n 8\n45", 64), None);
    }
}

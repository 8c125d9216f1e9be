//! `GeoPoint` (a validated lat/lng), the WGS-84 ⇄ GCJ-02 datum shift and great-circle distance.
//!
//! Phones report WGS-84 (raw GPS) or GCJ-02 (Chinese map SDKs); boundaries are stored in GCJ-02.
//! The shift is the widely published GCJ-02 formula on the Krasovsky ellipsoid; inside the usual
//! "out of China" rectangle test it is applied, outside it the two systems are equal.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use thiserror::Error;

/// Mean earth radius (IUGG) used for haversine distances, in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Krasovsky 1940 semi-major axis used by the GCJ-02 formula.
const KRASOVSKY_A: f64 = 6_378_245.0;
/// Krasovsky 1940 first eccentricity squared.
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;
/// GCJ-02 → WGS-84 iteration stops when the residual is below this (degrees, ≈ 0.1 mm).
const INVERSE_TOLERANCE_DEG: f64 = 1e-10;
/// Safety cap on inverse iterations; the map is a near-identity, so 3–5 steps are typical.
const INVERSE_MAX_STEPS: usize = 30;

/// Coordinate reference system of an incoming point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoordSystem {
    /// Raw GPS (EXIF, browser geolocation, most foreign map SDKs).
    Wgs84,
    /// China's mandated offset datum (AMap, Tencent, WeChat `gcj02` location); the canonical CRS here.
    Gcj02,
}

/// Why a latitude/longitude pair was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum GeoPointError {
    /// Latitude is NaN or infinite.
    #[error("latitude is not a finite number")]
    LatitudeNotFinite,
    /// Longitude is NaN or infinite.
    #[error("longitude is not a finite number")]
    LongitudeNotFinite,
    /// Latitude outside -90..=90.
    #[error("latitude {0} is outside -90..=90")]
    LatitudeOutOfRange(f64),
    /// Longitude outside -180..=180.
    #[error("longitude {0} is outside -180..=180")]
    LongitudeOutOfRange(f64),
}

impl GeoPointError {
    /// Stable snake_case code for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::LatitudeNotFinite | Self::LongitudeNotFinite => "coordinate_not_finite",
            Self::LatitudeOutOfRange(_) => "latitude_out_of_range",
            Self::LongitudeOutOfRange(_) => "longitude_out_of_range",
        }
    }
}

/// A finite latitude/longitude in degrees; `parse` is the only way to build one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGeoPoint")]
pub struct GeoPoint {
    lat: f64,
    lng: f64,
}

/// Wire shape of a point before validation.
#[derive(Deserialize)]
struct RawGeoPoint {
    lat: f64,
    lng: f64,
}

impl TryFrom<RawGeoPoint> for GeoPoint {
    type Error = GeoPointError;

    fn try_from(raw: RawGeoPoint) -> Result<Self, Self::Error> {
        GeoPoint::parse(raw.lat, raw.lng)
    }
}

impl GeoPoint {
    /// Validates latitude and longitude (degrees) and builds a point.
    pub fn parse(lat: f64, lng: f64) -> Result<Self, GeoPointError> {
        if !lat.is_finite() {
            return Err(GeoPointError::LatitudeNotFinite);
        }
        if !lng.is_finite() {
            return Err(GeoPointError::LongitudeNotFinite);
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(GeoPointError::LatitudeOutOfRange(lat));
        }
        if !(-180.0..=180.0).contains(&lng) {
            return Err(GeoPointError::LongitudeOutOfRange(lng));
        }
        Ok(Self { lat, lng })
    }

    /// Latitude in degrees.
    pub fn lat(self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    pub fn lng(self) -> f64 {
        self.lng
    }

    /// The point as a `geo` coordinate (x = longitude, y = latitude).
    pub fn coord(self) -> geo::Coord<f64> {
        geo::Coord { x: self.lng, y: self.lat }
    }

    /// Converts a point given in `from` into `to`.
    pub fn convert(self, from: CoordSystem, to: CoordSystem) -> Self {
        match (from, to) {
            (CoordSystem::Wgs84, CoordSystem::Gcj02) => self.wgs84_to_gcj02(),
            (CoordSystem::Gcj02, CoordSystem::Wgs84) => self.gcj02_to_wgs84(),
            _ => self,
        }
    }

    /// Converts a point given in `from` into GCJ-02, the CRS of stored boundaries.
    pub fn to_gcj02(self, from: CoordSystem) -> Self {
        self.convert(from, CoordSystem::Gcj02)
    }

    /// Treats `self` as WGS-84 and returns the GCJ-02 point (unchanged outside China).
    pub fn wgs84_to_gcj02(self) -> Self {
        if out_of_china(self.lat, self.lng) {
            return self;
        }
        let (dlat, dlng) = gcj_offset(self.lat, self.lng);
        // The offset is below 0.01° and only applied inside the China rectangle: still in range.
        Self { lat: self.lat + dlat, lng: self.lng + dlng }
    }

    /// Treats `self` as GCJ-02 and returns the WGS-84 point, solved by fixed-point iteration.
    pub fn gcj02_to_wgs84(self) -> Self {
        if out_of_china(self.lat, self.lng) {
            return self;
        }
        let mut guess = self;
        for _ in 0..INVERSE_MAX_STEPS {
            let forward = guess.wgs84_to_gcj02();
            let err_lat = forward.lat - self.lat;
            let err_lng = forward.lng - self.lng;
            if err_lat.abs() < INVERSE_TOLERANCE_DEG && err_lng.abs() < INVERSE_TOLERANCE_DEG {
                break;
            }
            guess = Self { lat: guess.lat - err_lat, lng: guess.lng - err_lng };
        }
        guess
    }

    /// Great-circle (haversine) distance to `other` in metres, on a sphere of `EARTH_RADIUS_M`.
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        let phi1 = self.lat.to_radians();
        let phi2 = other.lat.to_radians();
        let dphi = phi2 - phi1;
        let dlambda = (other.lng - self.lng).to_radians();
        let h = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * h.clamp(0.0, 1.0).sqrt().asin()
    }
}

/// The customary rectangle outside which GCJ-02 equals WGS-84 (coarse: it includes some neighbours).
pub fn out_of_china(lat: f64, lng: f64) -> bool {
    !(72.004..=137.8347).contains(&lng) || !(0.8293..=55.8271).contains(&lat)
}

/// GCJ-02 minus WGS-84 at a WGS-84 position, in degrees (lat, lng).
fn gcj_offset(lat: f64, lng: f64) -> (f64, f64) {
    let x = lng - 105.0;
    let y = lat - 35.0;
    let wave_x = (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    let shift_lat = -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + wave_x
        + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
        + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    let shift_lng = 300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + wave_x
        + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
        + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    let rad_lat = lat.to_radians();
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let dlat = shift_lat * 180.0 / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let dlng = shift_lng * 180.0 / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    (dlat, dlng)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint::parse(lat, lng).unwrap()
    }

    /// Published WGS-84 → GCJ-02 pairs: (wgs lat, wgs lng, gcj lat, gcj lng, tolerance in degrees).
    /// Sources: shared/testdata/SOURCES.md (Shenzhen photo, 6 decimals); wandergis/coordtransform
    /// README (Krasovsky a, as here: exact); geoToolbox and googollee/eviltransform tests (these
    /// use a = 6378137, which moves results by ~1e-7°, hence the looser tolerance).
    const REFERENCE: [(f64, f64, f64, f64, f64); 6] = [
        (22.531133, 114.021481, 22.528329, 114.026527, 1e-6),
        (39.915, 116.404, 39.91640428150164, 116.41024449916938, 1e-9),
        (40.0, 116.0, 40.001213650174, 116.006141221789, 5e-7),
        (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215, 5e-7),
        (22.543847, 113.912316, 22.540796131694766, 113.9171764808363, 5e-7),
        (39.911954, 116.377817, 39.91334545536069, 116.38404722455657, 5e-7),
    ];

    #[test]
    fn parse_accepts_valid_and_extreme_coordinates() {
        assert!(GeoPoint::parse(22.5, 114.0).is_ok());
        assert!(GeoPoint::parse(90.0, 180.0).is_ok());
        assert!(GeoPoint::parse(-90.0, -180.0).is_ok());
    }

    #[test]
    fn parse_rejects_bad_numbers_with_typed_errors() {
        assert_eq!(GeoPoint::parse(95.0, 114.0), Err(GeoPointError::LatitudeOutOfRange(95.0)));
        assert_eq!(GeoPoint::parse(-90.5, 114.0), Err(GeoPointError::LatitudeOutOfRange(-90.5)));
        assert_eq!(GeoPoint::parse(22.0, 180.1), Err(GeoPointError::LongitudeOutOfRange(180.1)));
        assert_eq!(GeoPoint::parse(f64::NAN, 114.0), Err(GeoPointError::LatitudeNotFinite));
        assert_eq!(GeoPoint::parse(22.0, f64::INFINITY), Err(GeoPointError::LongitudeNotFinite));
        assert_eq!(GeoPoint::parse(f64::NEG_INFINITY, 0.0).map_err(|e| e.code()), Err("coordinate_not_finite"));
    }

    #[test]
    fn deserialising_goes_through_parse() {
        let ok: GeoPoint = serde_json::from_str(r#"{"lat":22.5,"lng":114.1}"#).unwrap();
        assert_eq!((ok.lat(), ok.lng()), (22.5, 114.1));
        let err = serde_json::from_str::<GeoPoint>(r#"{"lat":95,"lng":114.1}"#).unwrap_err();
        assert!(err.to_string().contains("latitude 95"), "{err}");
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#"{"lat":22.5,"lng":114.1}"#);
    }

    #[test]
    fn coord_system_is_snake_case_on_the_wire() {
        assert_eq!(serde_json::to_string(&CoordSystem::Wgs84).unwrap(), r#""wgs84""#);
        let gcj: CoordSystem = serde_json::from_str(r#""gcj02""#).unwrap();
        assert_eq!(gcj, CoordSystem::Gcj02);
        assert!(serde_json::from_str::<CoordSystem>(r#""bd09""#).is_err());
    }

    #[test]
    fn wgs84_to_gcj02_matches_published_reference_values() {
        for (wlat, wlng, glat, glng, tol) in REFERENCE {
            let got = p(wlat, wlng).wgs84_to_gcj02();
            assert!((got.lat() - glat).abs() < tol, "lat {wlat},{wlng}: {got:?}");
            assert!((got.lng() - glng).abs() < tol, "lng {wlat},{wlng}: {got:?}");
        }
    }

    #[test]
    fn gcj02_to_wgs84_inverts_reference_values() {
        for (wlat, wlng, glat, glng, tol) in REFERENCE {
            let got = p(glat, glng).gcj02_to_wgs84();
            assert!((got.lat() - wlat).abs() < tol, "lat {glat},{glng}: {got:?}");
            assert!((got.lng() - wlng).abs() < tol, "lng {glat},{glng}: {got:?}");
        }
    }

    #[test]
    fn round_trip_is_far_below_a_micro_degree_across_china() {
        for lat10 in (185..=535).step_by(35) {
            for lng10 in (740..=1340).step_by(50) {
                let w = p(f64::from(lat10) / 10.0 + 0.0123, f64::from(lng10) / 10.0 + 0.0456);
                let back = w.wgs84_to_gcj02().gcj02_to_wgs84();
                assert!((back.lat() - w.lat()).abs() < 1e-9, "{w:?} -> {back:?}");
                assert!((back.lng() - w.lng()).abs() < 1e-9, "{w:?} -> {back:?}");
            }
        }
    }

    #[test]
    fn outside_china_both_systems_are_equal() {
        for (lat, lng) in [(0.0, 0.0), (51.5007, -0.1246), (-33.8568, 151.2153), (60.0, 100.0)] {
            let w = p(lat, lng);
            assert_eq!(w.wgs84_to_gcj02(), w);
            assert_eq!(w.gcj02_to_wgs84(), w);
            assert_eq!(w.to_gcj02(CoordSystem::Wgs84), w);
        }
        assert!(out_of_china(0.0, 0.0));
        assert!(!out_of_china(22.54, 114.05));
    }

    #[test]
    fn convert_is_identity_within_one_system() {
        let w = p(22.54, 114.05);
        assert_eq!(w.convert(CoordSystem::Gcj02, CoordSystem::Gcj02), w);
        assert_eq!(w.to_gcj02(CoordSystem::Gcj02), w);
        assert_eq!(w.convert(CoordSystem::Wgs84, CoordSystem::Gcj02), w.wgs84_to_gcj02());
    }

    #[test]
    fn haversine_distance_in_metres() {
        let one_degree = p(22.0, 114.0).distance_m(p(23.0, 114.0));
        assert!((one_degree - 111_195.08).abs() < 0.1, "{one_degree}");
        assert_eq!(p(22.5, 114.0).distance_m(p(22.5, 114.0)), 0.0);
        // SOURCES.md: at 114.05,22.54 the GCJ-02 point is ~525 m east and ~302 m south.
        let w = p(22.54, 114.05);
        let shift = w.distance_m(w.wgs84_to_gcj02());
        assert!((shift - 605.7).abs() < 5.0, "{shift}");
        let antipodal = p(0.0, 0.0).distance_m(p(0.0, 180.0));
        assert!((antipodal - PI * EARTH_RADIUS_M).abs() < 1e-6);
    }
}

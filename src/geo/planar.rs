//! Metric helpers on a local equirectangular frame, accurate to well under 1 % for the tens to
//! hundreds of metres that border and containment checks care about.

use crate::geo::point::EARTH_RADIUS_M;
use geo::{Coord, Polygon};

/// Metres per degree of latitude on the mean-radius sphere.
pub const METRES_PER_DEGREE: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// A tangent-plane frame centred on one coordinate (lon/lat degrees → metres east/north).
#[derive(Debug, Clone, Copy)]
pub struct LocalFrame {
    origin: Coord<f64>,
    metres_per_deg_lng: f64,
}

impl LocalFrame {
    /// A frame centred on `origin`.
    pub fn at(origin: Coord<f64>) -> Self {
        // Clamp so that frames near the poles stay finite; no region lives there.
        let cos_lat = origin.y.to_radians().cos().max(1e-6);
        Self { origin, metres_per_deg_lng: METRES_PER_DEGREE * cos_lat }
    }

    /// `c` in metres east and north of the origin.
    pub fn project(&self, c: Coord<f64>) -> (f64, f64) {
        ((c.x - self.origin.x) * self.metres_per_deg_lng, (c.y - self.origin.y) * METRES_PER_DEGREE)
    }

    /// Half-widths in degrees (lng, lat) of a box reaching `metres` around the origin.
    pub fn degree_margin(&self, metres: f64) -> (f64, f64) {
        (metres / self.metres_per_deg_lng, metres / METRES_PER_DEGREE)
    }

    /// Distance in metres from the origin to the segment `a`–`b`.
    pub fn distance_to_segment_m(&self, a: Coord<f64>, b: Coord<f64>) -> f64 {
        let (ax, ay) = self.project(a);
        let (bx, by) = self.project(b);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 { (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
        let (px, py) = (ax + t * dx, ay + t * dy);
        // Plain sqrt: `hypot` is a libm call and the values here are far from overflow.
        (px * px + py * py).sqrt()
    }

    /// Distance in metres from the origin to the nearest ring (outer or hole) of `polygon`.
    pub fn distance_to_boundary_m(&self, polygon: &Polygon<f64>) -> f64 {
        std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .flat_map(|ring| ring.lines())
            .map(|line| self.distance_to_segment_m(line.start, line.end))
            .fold(f64::INFINITY, f64::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, polygon};

    #[test]
    fn segment_distance_in_metres() {
        let frame = LocalFrame::at(coord! { x: 114.0, y: 22.5 });
        let north = frame.degree_margin(100.0).1;
        let d = frame.distance_to_segment_m(coord! { x: 113.9, y: 22.5 + north }, coord! { x: 114.1, y: 22.5 + north });
        assert!((d - 100.0).abs() < 1e-6, "{d}");
        // Past the end of the segment the distance is to the endpoint.
        let east = frame.degree_margin(30.0).0;
        let d = frame.distance_to_segment_m(coord! { x: 114.0 + east, y: 22.5 }, coord! { x: 114.0 + east, y: 22.6 });
        assert!((d - 30.0).abs() < 1e-6, "{d}");
        let same = coord! { x: 114.0, y: 22.5 };
        assert_eq!(frame.distance_to_segment_m(same, same), 0.0);
    }

    #[test]
    fn boundary_distance_includes_holes() {
        let poly = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 0.01, y: 0.0), (x: 0.01, y: 0.01), (x: 0.0, y: 0.01)],
            interiors: [[(x: 0.004, y: 0.004), (x: 0.006, y: 0.004), (x: 0.006, y: 0.006), (x: 0.004, y: 0.006)]],
        );
        let frame = LocalFrame::at(coord! { x: 0.0035, y: 0.005 });
        let d = frame.distance_to_boundary_m(&poly);
        assert!((d - 0.0005 * METRES_PER_DEGREE).abs() < 0.01, "{d}");
    }
}

//! The desk map's geometry, pure: a Web Mercator frame fitted to a box of GCJ-02 degrees (the
//! SVG's `viewBox`, about `SIDE` units on its longer side), region outlines projected into it and
//! simplified to what the frame can show within a point budget, the label point of a region, and
//! the XYZ tiles (when configured) that cover the frame. No I/O: the page supplies the regions.

use geo::{BoundingRect, Coord, InteriorPoint, LineString, MultiPolygon, Simplify};

use crate::{
    geo::region::{RegionLevel, RegionShape},
    ledger::map::BBox,
};

/// The longer side of the viewBox, in its units (about CSS pixels on a desktop).
pub const SIDE: f64 = 1000.0;

/// Web Mercator's latitude limit.
const MAX_LAT: f64 = 85.051_128_78;

/// A point on the Web Mercator square, both in 0..1 (x east, y south).
fn mercator(lng: f64, lat: f64) -> (f64, f64) {
    let phi = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (lng + 180.0) / 360.0;
    let y = (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / std::f64::consts::PI) / 2.0;
    (x, y)
}

/// The drawing frame: where the padded box sits on the Mercator square and how far it is scaled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Top-left corner on the Mercator square.
    x0: f64,
    y0: f64,
    /// viewBox units per unit of the Mercator square.
    scale: f64,
    /// viewBox size.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
}

impl Frame {
    /// The frame showing `bbox` with a 4 % margin, its longer side `SIDE` units (a box of no size
    /// is widened to about 200 m).
    pub fn fit(bbox: BBox) -> Frame {
        let (mut a, mut b) = (mercator(bbox.min_lng, bbox.max_lat), mercator(bbox.max_lng, bbox.min_lat));
        let min_span = 200.0 / 40_075_000.0;
        for (lo, hi) in [(&mut a.0, &mut b.0), (&mut a.1, &mut b.1)] {
            let pad = ((*hi - *lo) * 0.04).max(min_span / 2.0);
            *lo -= pad;
            *hi += pad;
        }
        let (w, h) = (b.0 - a.0, b.1 - a.1);
        let scale = SIDE / w.max(h);
        Frame { x0: a.0, y0: a.1, scale, width: round1(w * scale), height: round1(h * scale) }
    }

    /// A GCJ-02 point in viewBox units (to a tenth).
    pub fn project(&self, lng: f64, lat: f64) -> (f64, f64) {
        let (x, y) = mercator(lng, lat);
        (round1((x - self.x0) * self.scale), round1((y - self.y0) * self.scale))
    }

    /// Whether a projected point lies inside the frame.
    pub fn holds(&self, (x, y): (f64, f64)) -> bool {
        (0.0..=self.width).contains(&x) && (0.0..=self.height).contains(&y)
    }

    /// The `viewBox` attribute.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", self.width, self.height)
    }

    /// The tiles of the XYZ `template` that cover the frame, at the zoom closest to its scale
    /// (at most `max` tiles; none when more would be needed).
    pub fn tiles(&self, template: &str, max: usize) -> Vec<Tile> {
        let zoom = (self.scale / 256.0).log2().round().clamp(0.0, 19.0);
        let n = 2f64.powf(zoom);
        let size = self.scale / n;
        let first = ((self.x0 * n).floor(), (self.y0 * n).floor().max(0.0));
        let last = (
            ((self.x0 + self.width / self.scale) * n).floor(),
            ((self.y0 + self.height / self.scale) * n).floor().min(n - 1.0),
        );
        let count = (last.0 - first.0 + 1.0) * (last.1 - first.1 + 1.0);
        if !(count.is_finite() && count >= 1.0 && count <= max as f64) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut ty = first.1;
        while ty <= last.1 {
            let mut tx = first.0;
            while tx <= last.0 {
                let wrapped = tx.rem_euclid(n);
                let href = template
                    .replace("{z}", &format!("{zoom}"))
                    .replace("{x}", &format!("{wrapped}"))
                    .replace("{y}", &format!("{ty}"));
                let (x, y) = (round1((tx / n - self.x0) * self.scale), round1((ty / n - self.y0) * self.scale));
                out.push(Tile { href, x, y, size: round1(size) + 0.5 });
                tx += 1.0;
            }
            ty += 1.0;
        }
        out
    }
}

/// One map tile: its URL and where it is drawn (the size overlaps by half a unit so no seam shows).
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    /// The image URL.
    pub href: String,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Side.
    pub size: f64,
}

/// A region drawn on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    /// The region's id.
    pub id: uuid::Uuid,
    /// Its level.
    pub level: RegionLevel,
    /// Its name.
    pub name: String,
    /// The SVG path (`M … Z` per ring; holes by the even-odd rule).
    pub d: String,
    /// Where its name goes (a point inside it), when it has an area.
    pub label_at: Option<(f64, f64)>,
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The rings of `geometry` projected and simplified to `tolerance` units; rings smaller than a
/// unit are dropped.
fn rings(frame: &Frame, geometry: &MultiPolygon<f64>, tolerance: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    for polygon in &geometry.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let projected: LineString<f64> = ring
                .coords()
                .map(|c| {
                    let (x, y) = frame.project(c.x, c.y);
                    Coord { x, y }
                })
                .collect();
            let simple = projected.simplify(tolerance);
            let big = simple.bounding_rect().is_some_and(|r| r.width().max(r.height()) >= 1.0);
            if simple.0.len() >= 4 && big {
                out.push(simple.coords().map(|c| (c.x, c.y)).collect());
            }
        }
    }
    out
}

fn path(rings: &[Vec<(f64, f64)>]) -> String {
    let mut d = String::new();
    for ring in rings {
        for (i, (x, y)) in ring.iter().take(ring.len().saturating_sub(1)).enumerate() {
            d.push_str(if i == 0 { "M" } else { "L" });
            d.push_str(&format!("{x} {y}"));
        }
        d.push('Z');
    }
    d
}

/// The outlines of `regions` in `frame`, coarsest level first, each level simplified to about
/// half a unit and drawn only while the points drawn so far stay within `budget` (a city of
/// thousands of grids keeps its districts and streets and drops the grids). Regions entirely
/// outside the frame are left out.
pub fn outlines(frame: &Frame, regions: &[&RegionShape], budget: usize) -> Vec<Outline> {
    let mut out = Vec::new();
    let mut used = 0;
    for level in RegionLevel::ALL {
        let mut drawn = Vec::new();
        let mut points = 0;
        for r in regions.iter().filter(|r| r.level == level) {
            let rings = rings(frame, &r.geometry, 0.5);
            let inside = rings.iter().flatten().any(|p| frame.holds(*p));
            if rings.is_empty() || !inside {
                continue;
            }
            points += rings.iter().map(Vec::len).sum::<usize>();
            let label_at = r.geometry.interior_point().map(|p| frame.project(p.x(), p.y()));
            drawn.push(Outline { id: r.id, level, name: r.name.clone(), d: path(&rings), label_at });
        }
        if used + points > budget {
            break;
        }
        used += points;
        out.extend(drawn);
    }
    out
}

/// The box of the given regions' boundaries, `None` without any.
pub fn extent<'a>(regions: impl IntoIterator<Item = &'a RegionShape>) -> Option<BBox> {
    let mut b: Option<BBox> = None;
    for r in regions {
        let Some(rect) = r.geometry.bounding_rect() else { continue };
        let (lo, hi) = (rect.min(), rect.max());
        b = Some(match b {
            None => BBox { min_lng: lo.x, min_lat: lo.y, max_lng: hi.x, max_lat: hi.y },
            Some(b) => BBox {
                min_lng: b.min_lng.min(lo.x),
                min_lat: b.min_lat.min(lo.y),
                max_lng: b.max_lng.max(hi.x),
                max_lat: b.max_lat.max(hi.y),
            },
        });
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};
    use uuid::Uuid;

    fn square(level: RegionLevel, lng: f64, lat: f64, side: f64) -> RegionShape {
        RegionShape {
            id: Uuid::now_v7(),
            parent_id: None,
            level,
            code: "x".into(),
            name: "测试区".into(),
            geometry: MultiPolygon(vec![polygon![
                (x: lng, y: lat), (x: lng + side, y: lat), (x: lng + side, y: lat + side), (x: lng, y: lat + side), (x: lng, y: lat)
            ]]),
        }
    }

    #[test]
    fn the_frame_fits_the_box_with_a_margin_north_up() {
        let b = BBox { min_lng: 112.9, min_lat: 28.18, max_lng: 112.96, max_lat: 28.21 };
        let f = Frame::fit(b);
        assert_eq!(f.width, SIDE, "wider than tall");
        assert!(f.height > 400.0 && f.height < 600.0, "{}", f.height);
        let (x0, y0) = f.project(b.min_lng, b.max_lat);
        let (x1, y1) = f.project(b.max_lng, b.min_lat);
        assert!(x0 > 30.0 && x0 < 45.0 && y0 > 10.0, "{x0} {y0}");
        assert!(x1 < SIDE - 30.0 && y1 < f.height && y1 > y0, "north is up: {y0} < {y1}");
        assert!(f.holds((x0, y0)) && !f.holds((-1.0, 1.0)));
        let point = Frame::fit(BBox { min_lng: 113.0, min_lat: 28.0, max_lng: 113.0, max_lat: 28.0 });
        assert!(point.width.is_finite() && point.width > 0.0);
    }

    #[test]
    fn outlines_are_simplified_paths_and_fine_levels_give_way_to_the_budget() {
        let district = square(RegionLevel::District, 113.0, 28.0, 0.1);
        let mut wiggly = square(RegionLevel::Street, 113.0, 28.0, 0.05);
        // A thousand collinear points on one edge are one segment on the map.
        let edge: Vec<Coord<f64>> =
            (0..=1000).map(|i| Coord { x: 113.0 + 0.05 * f64::from(i) / 1000.0, y: 28.0 }).collect();
        let mut ring = edge;
        ring.extend([Coord { x: 113.05, y: 28.05 }, Coord { x: 113.0, y: 28.05 }, Coord { x: 113.0, y: 28.0 }]);
        wiggly.geometry = MultiPolygon(vec![geo::Polygon::new(LineString(ring), vec![])]);
        let far = square(RegionLevel::Street, 120.0, 30.0, 0.05);
        let frame = Frame::fit(extent([&district]).unwrap());
        let all = outlines(&frame, &[&district, &wiggly, &far], 1000);
        assert_eq!(all.len(), 2, "the street far away is not drawn");
        assert_eq!(all[0].level, RegionLevel::District);
        assert!(all[1].d.starts_with('M') && all[1].d.ends_with('Z'));
        assert_eq!(all[1].d.matches('L').count(), 3, "simplified: {}", all[1].d);
        let (lx, ly) = all[0].label_at.unwrap();
        assert!(frame.holds((lx, ly)));
        let coarse = outlines(&frame, &[&district, &wiggly], 5);
        assert_eq!(coarse.len(), 1, "the street level does not fit the budget");
    }

    #[test]
    fn tiles_cover_the_frame_at_the_nearest_zoom() {
        let frame = Frame::fit(BBox { min_lng: 112.9, min_lat: 28.18, max_lng: 112.96, max_lat: 28.21 });
        let tiles = frame.tiles("https://t.example/{z}/{x}/{y}.png", 100);
        assert!(!tiles.is_empty());
        let first = &tiles[0];
        assert!(first.href.starts_with("https://t.example/"), "{}", first.href);
        let z: u32 = first.href.split('/').nth(3).unwrap().parse().unwrap();
        assert!((13..=15).contains(&z), "{z}");
        assert!(first.x <= 0.0 && first.y <= 0.0, "the first tile starts at or before the corner");
        let last = tiles.last().unwrap();
        assert!(last.x + last.size >= frame.width && last.y + last.size >= frame.height, "{last:?}");
        assert!(frame.tiles("https://t.example/{z}/{x}/{y}.png", 1).is_empty(), "too many tiles: none");
    }

    #[test]
    fn the_real_shenzhen_districts_draw_small_and_whole() {
        use crate::geo::import::{import_regions, ImportOptions};
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/testdata/boundaries/shenzhen-districts.geojson");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipping: {} not found", path.display());
            return;
        };
        let mut options = ImportOptions::new(RegionLevel::District);
        options.code_field = "adcode".into();
        options.parent_code_field = Some("parent.adcode".into());
        let regions = import_regions(&text, &options, &[], Uuid::now_v7).unwrap().imported;
        let raw: usize = regions.iter().map(|r| r.geometry.0.iter().map(|p| p.exterior().0.len()).sum::<usize>()).sum();
        let refs: Vec<&RegionShape> = regions.iter().collect();
        let frame = Frame::fit(extent(refs.iter().copied()).unwrap());
        let drawn = outlines(&frame, &refs, 20_000);
        assert_eq!(drawn.len(), regions.len(), "every district");
        let points: usize = drawn.iter().map(|o| o.d.matches(['M', 'L']).count()).sum();
        assert!(points < raw, "simplified: {points} of {raw}");
        let bytes: usize = drawn.iter().map(|o| o.d.len()).sum();
        assert!(bytes < 40_000, "the page stays small: {bytes} bytes of outlines");
        for o in &drawn {
            assert!(frame.holds(o.label_at.unwrap()), "{}", o.name);
        }
    }
}

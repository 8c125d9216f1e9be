//! Locate and rebuild benchmarks on a synthetic city: 4 districts → 100 streets → 400 communities
//! → 10,000 grids of ~49 vertices each, tiled without gaps over a 100 × 100 jittered lattice
//! (~30 km square). Compares `RegionIndex::locate` with a linear scan over the grids.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use geo::{coordinate_position::CoordPos, BoundingRect, Coord, CoordinatePosition, Polygon, Rect, Validation};
use hazardline::geo::{
    index::{IndexConfig, RegionIndex},
    point::GeoPoint,
    region::{RegionLevel, RegionShape},
    tree::{check_tree, DEFAULT_CONTAINMENT_TOLERANCE_M},
};
use std::{
    hint::black_box,
    time::{Duration, Instant},
};
use uuid::Uuid;

const CELLS: usize = 100;
const CELL_DEG: f64 = 0.003;
const ORIGIN: Coord<f64> = Coord { x: 113.85, y: 22.45 };
/// Segments per cell side: 4 × 12 = 48 distinct vertices per grid.
const SEGMENTS: usize = 12;
const POINTS: usize = 4096;

/// splitmix64: a tiny deterministic generator, so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Deterministic value in [-1, 1) for a lattice feature, so neighbours agree on shared edges.
fn jitter(a: usize, b: usize, salt: u64) -> f64 {
    let seed = (a as u64) << 40 ^ (b as u64) << 20 ^ salt;
    Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D)).next_f64() * 2.0 - 1.0
}

fn corner(i: usize, j: usize) -> Coord<f64> {
    let (jx, jy) = (jitter(i, j, 1), jitter(i, j, 2));
    // Corners on the outer frame stay put so the city outline is a plain rectangle.
    let inner = |k: usize| if k == 0 || k == CELLS { 0.0 } else { 0.15 };
    Coord { x: ORIGIN.x + (i as f64 + jx * inner(i)) * CELL_DEG, y: ORIGIN.y + (j as f64 + jy * inner(j)) * CELL_DEG }
}

/// Points of the lattice edge from corner `a` to corner `b` (both included), wiggled sideways.
fn edge(a: (usize, usize), b: (usize, usize), salt: u64) -> Vec<Coord<f64>> {
    let (ca, cb) = (corner(a.0, a.1), corner(b.0, b.1));
    let (dx, dy) = (cb.x - ca.x, cb.y - ca.y);
    let len = dx.hypot(dy);
    let (nx, ny) = (-dy / len, dx / len);
    let on_frame = (a.0 == b.0 && (a.0 == 0 || a.0 == CELLS)) || (a.1 == b.1 && (a.1 == 0 || a.1 == CELLS));
    (0..=SEGMENTS)
        .map(|k| {
            let t = k as f64 / SEGMENTS as f64;
            let wiggle = if k == 0 || k == SEGMENTS || on_frame {
                0.0
            } else {
                jitter(a.0 * 1000 + a.1, k, salt) * 0.03 * CELL_DEG
            };
            Coord { x: ca.x + t * dx + wiggle * nx, y: ca.y + t * dy + wiggle * ny }
        })
        .collect()
}

/// Outline of the block of cells [c0, c1) × [r0, r1), counter-clockwise.
fn block(c0: usize, c1: usize, r0: usize, r1: usize) -> Polygon<f64> {
    let mut ring = Vec::new();
    let mut push = |mut pts: Vec<Coord<f64>>, reverse: bool| {
        if reverse {
            pts.reverse();
        }
        pts.pop();
        ring.extend(pts);
    };
    for i in c0..c1 {
        push(edge((i, r0), (i + 1, r0), 3), false);
    }
    for j in r0..r1 {
        push(edge((c1, j), (c1, j + 1), 4), false);
    }
    for i in (c0..c1).rev() {
        push(edge((i, r1), (i + 1, r1), 3), true);
    }
    for j in (r0..r1).rev() {
        push(edge((c0, j), (c0, j + 1), 4), true);
    }
    if let Some(first) = ring.first().copied() {
        ring.push(first);
    }
    Polygon::new(ring.into(), vec![])
}

fn region(level: RegionLevel, parent: Option<Uuid>, code: String, poly: Polygon<f64>) -> RegionShape {
    RegionShape { id: Uuid::now_v7(), parent_id: parent, level, code: code.clone(), name: code, geometry: poly.into() }
}

/// Districts of 50×50 cells, streets of 10×10, communities of 5×5, grids of 1×1.
fn synthetic_city() -> Vec<RegionShape> {
    let mut out = Vec::with_capacity(10_504);
    let nest =
        |parent: Option<Uuid>, level: RegionLevel, c0: usize, r0: usize, span: usize, out: &mut Vec<RegionShape>| {
            let code = format!("{level:?}-{c0}-{r0}");
            let shape = region(level, parent, code, block(c0, c0 + span, r0, r0 + span));
            let id = shape.id;
            out.push(shape);
            id
        };
    for (dc, dr) in [(0, 0), (50, 0), (0, 50), (50, 50)] {
        let d = nest(None, RegionLevel::District, dc, dr, 50, &mut out);
        for sc in (dc..dc + 50).step_by(10) {
            for sr in (dr..dr + 50).step_by(10) {
                let s = nest(Some(d), RegionLevel::Street, sc, sr, 10, &mut out);
                for cc in (sc..sc + 10).step_by(5) {
                    for cr in (sr..sr + 10).step_by(5) {
                        let c = nest(Some(s), RegionLevel::Community, cc, cr, 5, &mut out);
                        for gc in cc..cc + 5 {
                            for gr in cr..cr + 5 {
                                nest(Some(c), RegionLevel::Grid, gc, gr, 1, &mut out);
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn random_points() -> Vec<GeoPoint> {
    let mut rng = Rng(4403);
    let span = CELLS as f64 * CELL_DEG;
    (0..POINTS)
        .filter_map(|_| GeoPoint::parse(ORIGIN.y + rng.next_f64() * span, ORIGIN.x + rng.next_f64() * span).ok())
        .collect()
}

/// Optimistic baseline: grids only, bounding-box precheck, exact test, stop at the first hit.
fn scan_grids_first_hit<'a>(grids: &'a [(Rect<f64>, &'a RegionShape)], p: Coord<f64>) -> Option<&'a RegionShape> {
    grids.iter().find_map(|(rect, shape)| covers(rect, shape, p).then_some(*shape))
}

/// Full baseline: every polygon of every level (what the chain needs), bounding-box precheck,
/// exact test, keep the most specific hit.
fn scan_all<'a>(all: &'a [(Rect<f64>, &'a RegionShape)], p: Coord<f64>) -> Option<&'a RegionShape> {
    all.iter().filter(|(rect, shape)| covers(rect, shape, p)).map(|(_, shape)| *shape).max_by_key(|shape| shape.level)
}

fn covers(rect: &Rect<f64>, shape: &RegionShape, p: Coord<f64>) -> bool {
    let in_box = rect.min().x <= p.x && p.x <= rect.max().x && rect.min().y <= p.y && p.y <= rect.max().y;
    in_box && shape.geometry.coordinate_position(&p) != CoordPos::Outside
}

/// Median of individually timed lookups (each point timed on its own, 5 rounds over all points);
/// includes ~20–40 ns of `Instant` overhead per lookup.
fn median_ns(points: &[GeoPoint], mut f: impl FnMut(GeoPoint)) -> f64 {
    let mut times: Vec<u128> = Vec::with_capacity(points.len() * 5);
    for _ in 0..5 {
        for p in points {
            let started = Instant::now();
            f(black_box(*p));
            times.push(started.elapsed().as_nanos());
        }
    }
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or_default() as f64
}

fn report_per_lookup_medians(
    index: &RegionIndex,
    bare: &RegionIndex,
    grids: &[(Rect<f64>, &RegionShape)],
    all: &[(Rect<f64>, &RegionShape)],
    points: &[GeoPoint],
) {
    let rows = [
        ("index", median_ns(points, |p| drop(black_box(index.locate(p))))),
        ("index_without_near_border", median_ns(points, |p| drop(black_box(bare.locate(p))))),
        (
            "linear_scan_grids_first_hit",
            median_ns(points, |p| {
                black_box(scan_grids_first_hit(grids, p.coord()));
            }),
        ),
        (
            "linear_scan_all_levels",
            median_ns(points, |p| {
                black_box(scan_all(all, p.coord()));
            }),
        ),
    ];
    for (name, ns) in rows {
        eprintln!("per-lookup median {name}: {:.2} µs", ns / 1000.0);
    }
}

fn build(shapes: Vec<RegionShape>, config: IndexConfig) -> RegionIndex {
    match RegionIndex::build(shapes, config) {
        Ok(index) => index,
        Err(e) => panic!("synthetic city is not a valid tree: {e}"),
    }
}

fn bench_locate(c: &mut Criterion) {
    let shapes = synthetic_city();
    let all: Vec<(Rect<f64>, &RegionShape)> =
        shapes.iter().filter_map(|s| Some((s.geometry.bounding_rect()?, s))).collect();
    let grids: Vec<(Rect<f64>, &RegionShape)> =
        all.iter().filter(|(_, s)| s.level == RegionLevel::Grid).copied().collect();
    let index = build(shapes.clone(), IndexConfig::default());
    let bare = build(shapes.clone(), IndexConfig { near_border_m: 0.0 });
    let points = random_points();
    let started = Instant::now();
    let violations = check_tree(&shapes, DEFAULT_CONTAINMENT_TOLERANCE_M);
    let invalid = shapes.iter().filter(|s| !s.geometry.is_valid()).count();
    eprintln!("tree check {:?}: {} violations, {invalid} invalid polygons", started.elapsed(), violations.len());
    assert!(violations.is_empty() && invalid == 0, "{violations:?}");
    // Sanity: the index and the scan agree on every sample point.
    let mut near = 0;
    for p in &points {
        let located = index.locate(*p);
        let scanned = scan_grids_first_hit(&grids, p.coord()).map(|s| s.id);
        assert_eq!(scan_all(&all, p.coord()).map(|s| s.level), scanned.map(|_| RegionLevel::Grid));
        assert_eq!(located.chain.first().map(|r| r.id), scanned, "disagree at {p:?}");
        assert!(scanned.is_none() || located.chain.len() == 4);
        near += usize::from(located.near_border.is_some());
    }
    eprintln!(
        "{} regions, {} grids; {near} of {} sample points are near a border",
        shapes.len(),
        grids.len(),
        points.len()
    );

    report_per_lookup_medians(&index, &bare, &grids, &all, &points);

    let mut group = c.benchmark_group("locate");
    let cycle = |i: &mut usize| {
        *i = (*i + 1) % points.len();
        points.get(*i).copied()
    };
    let mut i = 0;
    group.bench_function("index", |b| b.iter(|| cycle(&mut i).map(|p| index.locate(black_box(p)))));
    group.bench_function("index_without_near_border", |b| b.iter(|| cycle(&mut i).map(|p| bare.locate(black_box(p)))));
    group.bench_function("linear_scan_grids_first_hit", |b| {
        b.iter(|| cycle(&mut i).and_then(|p| scan_grids_first_hit(&grids, black_box(p.coord())).map(|s| s.id)))
    });
    group.bench_function("linear_scan_all_levels", |b| {
        b.iter(|| cycle(&mut i).and_then(|p| scan_all(&all, black_box(p.coord())).map(|s| s.id)))
    });
    group.finish();

    let mut group = c.benchmark_group("rebuild");
    group.sample_size(10);
    group.bench_function("10k_grids", |b| {
        b.iter_batched(|| shapes.clone(), |s| build(s, IndexConfig::default()), BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = bench_locate
}
criterion_main!(benches);

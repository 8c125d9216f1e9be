//! Reading feature properties and turning GeoJSON polygons into validated `geo` shapes.

use super::SkipReason;
use geo::{
    algorithm::validation::{InvalidPolygon, Validation},
    Coord, LineString, MultiPolygon, Polygon,
};
use geojson::{GeometryValue, JsonObject, JsonValue, Position};

/// Property at a dotted path (the literal key wins if it exists).
fn property<'a>(props: &'a JsonObject, path: &str) -> Option<&'a JsonValue> {
    if let Some(v) = props.get(path) {
        return Some(v);
    }
    let mut parts = path.split('.');
    let first = props.get(parts.next()?)?;
    parts.try_fold(first, |v, key| v.as_object()?.get(key))
}

pub(super) fn name_value(props: &JsonObject, path: &str) -> Option<String> {
    let name = property(props, path)?.as_str()?.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

pub(super) fn code_value(props: &JsonObject, path: &str) -> Option<String> {
    match property(props, path)? {
        JsonValue::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        JsonValue::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn json_kind(v: &JsonValue) -> &'static str {
    match v {
        JsonValue::Null => "null",
        JsonValue::Bool(_) => "a boolean",
        JsonValue::Number(_) => "a number",
        JsonValue::String(_) => "a string",
        JsonValue::Array(_) => "an array",
        JsonValue::Object(_) => "an object",
    }
}

pub(super) fn geometry_to_multipolygon(value: &GeometryValue) -> Result<MultiPolygon<f64>, SkipReason> {
    let polygons: Vec<Polygon<f64>> = match value {
        GeometryValue::Polygon { coordinates } => vec![to_polygon(coordinates, 1)?],
        GeometryValue::MultiPolygon { coordinates } => {
            coordinates.iter().enumerate().map(|(i, rings)| to_polygon(rings, i + 1)).collect::<Result<_, _>>()?
        }
        other => return Err(SkipReason::NotAPolygon { geometry_type: other.type_name().into() }),
    };
    if polygons.is_empty() {
        return Err(SkipReason::MissingGeometry);
    }
    for (i, polygon) in polygons.iter().enumerate() {
        polygon.check_validation().map_err(|e| polygon_reason(i + 1, &e))?;
    }
    let multi = MultiPolygon(polygons);
    // Parts that are each valid may still overlap one another.
    multi.check_validation().map_err(|e| SkipReason::InvalidGeometry { detail: e.to_string() })?;
    Ok(multi)
}

fn polygon_reason(part: usize, e: &InvalidPolygon) -> SkipReason {
    match e {
        InvalidPolygon::SelfIntersection(_) => SkipReason::SelfIntersection { part, detail: e.to_string() },
        _ => SkipReason::InvalidGeometry { detail: format!("第 {part} 个面：{e}") },
    }
}

fn to_polygon(rings: &[Vec<Position>], part: usize) -> Result<Polygon<f64>, SkipReason> {
    let mut converted = Vec::with_capacity(rings.len());
    for (i, ring) in rings.iter().enumerate() {
        converted.push(to_ring(ring, part, i + 1)?);
    }
    let mut converted = converted.into_iter();
    let exterior = converted.next().ok_or(SkipReason::MissingGeometry)?;
    Ok(Polygon::new(exterior, converted.collect()))
}

fn to_ring(ring: &[Position], part: usize, ring_no: usize) -> Result<LineString<f64>, SkipReason> {
    let mut coords = Vec::with_capacity(ring.len());
    for position in ring {
        let (Some(&lng), Some(&lat)) = (position.as_slice().first(), position.as_slice().get(1)) else {
            return Err(SkipReason::MalformedFeature { detail: "position with fewer than 2 numbers".into() });
        };
        if !(-180.0..=180.0).contains(&lng) || !(-90.0..=90.0).contains(&lat) {
            return Err(SkipReason::CoordinateOutOfRange { lng, lat });
        }
        coords.push(Coord { x: lng, y: lat });
    }
    if coords.len() < 4 {
        return Err(SkipReason::TooFewPoints { part, ring: ring_no, points: coords.len() });
    }
    if coords.first() != coords.last() {
        return Err(SkipReason::UnclosedRing { part, ring: ring_no });
    }
    Ok(LineString(coords))
}

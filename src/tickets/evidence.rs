//! Evidence that holds up: photo GPS and capture time, and the actor's position on site, compared
//! with the hazard's place and the claimed time. Mismatches become flags for staff; nothing is refused.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::{dto::EvidenceFlag, sla::CST_OFFSET_SECS, status::Action};
use crate::geo::point::GeoPoint;

/// What a photo says about itself.
#[derive(Debug, Clone, Copy)]
pub struct PhotoFacts {
    /// Media id.
    pub id: Uuid,
    /// EXIF GPS (WGS-84).
    pub gps: Option<GeoPoint>,
    /// EXIF capture time, the camera's local clock (taken as China time).
    pub taken_at: Option<NaiveDateTime>,
}

/// The thresholds (from `tickets.*`).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Farther than this from the hazard is flagged, metres.
    pub radius_m: f64,
    /// A report photo older than this is flagged, hours.
    pub max_age_hours: u32,
}

fn flag(kind: &str, action: Action, at: DateTime<Utc>) -> EvidenceFlag {
    EvidenceFlag { kind: kind.to_owned(), action, media_id: None, user_id: None, distance_m: None, hours: None, at }
}

/// Flags for photos attached to `action` at `now`, for a hazard at `place` (WGS-84). Capture times are
/// only judged on the report (later photos may be taken any time before the move).
pub fn check_photos(
    photos: &[PhotoFacts],
    place: GeoPoint,
    action: Action,
    now: DateTime<Utc>,
    t: Thresholds,
) -> Vec<EvidenceFlag> {
    let mut flags = Vec::new();
    for photo in photos {
        if let Some(gps) = photo.gps {
            let distance = gps.distance_m(place);
            if distance > t.radius_m {
                let mut f = flag("photo_far_from_place", action, now);
                f.media_id = Some(photo.id);
                f.distance_m = Some(distance.round());
                flags.push(f);
            }
        }
        if let Some(taken) = photo.taken_at {
            let taken_utc = taken - TimeDelta::seconds(i64::from(CST_OFFSET_SECS));
            let hours = now.naive_utc().signed_duration_since(taken_utc).num_minutes() as f64 / 60.0;
            // A camera clock a little ahead is common; an hour ahead is not a photo of the past.
            let kind = if hours < -1.0 {
                Some("photo_taken_after")
            } else if action == Action::Submit && hours > f64::from(t.max_age_hours) {
                Some("photo_taken_long_before")
            } else {
                None
            };
            if let Some(kind) = kind {
                let mut f = flag(kind, action, now);
                f.media_id = Some(photo.id);
                f.hours = Some((hours * 10.0).round() / 10.0);
                flags.push(f);
            }
        }
    }
    flags
}

/// Flags for where the actor says they are when confirming or checking on site.
pub fn check_position(
    actor: Uuid,
    position: Option<GeoPoint>,
    place: GeoPoint,
    action: Action,
    now: DateTime<Utc>,
    t: Thresholds,
) -> Option<EvidenceFlag> {
    let (kind, distance) = match position {
        None => ("actor_position_missing", None),
        Some(p) => {
            let d = p.distance_m(place);
            if d <= t.radius_m {
                return None;
            }
            ("actor_far_from_place", Some(d.round()))
        }
    };
    let mut f = flag(kind, action, now);
    f.user_id = Some(actor);
    f.distance_m = distance;
    Some(f)
}

/// Whether a move is made on site and so should come with the actor's position.
pub fn on_site(action: Action) -> bool {
    matches!(action, Action::Confirm | Action::ResolveOnSpot | Action::Pass | Action::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const T: Thresholds = Thresholds { radius_m: 300.0, max_age_hours: 72 };

    fn p(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint::parse(lat, lng).unwrap()
    }

    #[test]
    fn photos_far_away_or_old_or_from_the_future_are_flagged_and_others_are_not() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 4, 0, 0).unwrap(); // 12:00 CST
        let place = p(30.0, 104.0);
        let local = |d, h| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap().and_hms_opt(h, 0, 0).unwrap();
        let photos = [
            PhotoFacts { id: Uuid::from_u128(1), gps: Some(p(30.0005, 104.0)), taken_at: Some(local(23, 11)) },
            PhotoFacts { id: Uuid::from_u128(2), gps: Some(p(30.01, 104.0)), taken_at: None },
            PhotoFacts { id: Uuid::from_u128(3), gps: None, taken_at: Some(local(18, 12)) },
            PhotoFacts { id: Uuid::from_u128(4), gps: None, taken_at: Some(local(23, 15)) },
        ];
        let flags = check_photos(&photos, place, Action::Submit, now, T);
        let kinds: Vec<_> = flags.iter().map(|f| (f.kind.as_str(), f.media_id.unwrap().as_u128())).collect();
        assert_eq!(kinds, [("photo_far_from_place", 2), ("photo_taken_long_before", 3), ("photo_taken_after", 4)]);
        assert_eq!(flags[0].distance_m, Some(1112.0));
        assert_eq!(flags[1].hours, Some(120.0));
        // Old photos are fine on later moves (a fix photographed yesterday).
        assert_eq!(check_photos(&photos[2..3], place, Action::Complete, now, T), []);
    }

    #[test]
    fn the_actor_must_be_near_the_place_and_say_where_they_are() {
        let now = Utc::now();
        let place = p(30.0, 104.0);
        let me = Uuid::from_u128(7);
        assert_eq!(check_position(me, Some(p(30.001, 104.0)), place, Action::Confirm, now, T), None);
        let far = check_position(me, Some(p(30.1, 104.0)), place, Action::Pass, now, T).unwrap();
        assert_eq!((far.kind.as_str(), far.user_id), ("actor_far_from_place", Some(me)));
        assert!(far.distance_m.unwrap() > 11_000.0);
        let missing = check_position(me, None, place, Action::Confirm, now, T).unwrap();
        assert_eq!(missing.kind, "actor_position_missing");
        assert!(on_site(Action::Pass) && !on_site(Action::Complete));
    }
}

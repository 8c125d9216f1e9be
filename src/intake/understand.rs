//! The cached vocabulary and gazetteer, and understanding a message on behalf of the endpoint.
//!
//! Building a `Lexicon` loads the segmenter's dictionary (tens of milliseconds optimised), so one
//! is kept per version of the reference data: the cache remembers which `Reference` (and which
//! `RegionIndex`) it was built from and rebuilds when `geo` swaps in a new one, which happens on
//! every category, region or rule change on any instance (through the bus). Both are built on first
//! use while a lock is held, so call `lexicon`/`gazetteer` from blocking code (as
//! `understand_text` does) or `warm_up` after start-up.

use std::sync::{Arc, Mutex, Weak};

use super::{
    dto::{CategoryCandidateView, PlaceMatchView, UnderstandingView},
    nlu::{understand, Lexicon},
    places::Gazetteer,
};
use crate::{
    error::{ApiError, FieldError},
    geo::{dto::PointView, index::RegionIndex, service::Reference},
    state::AppState,
    telemetry::spawn_blocking_with_tracing,
};

/// Place matches returned per message.
pub const MATCH_LIMIT: usize = 5;

type Slot<K, V> = Mutex<Option<(Weak<K>, Arc<V>)>>;

/// The lexicon and gazetteer built from the reference data and region index in force.
#[derive(Default)]
pub struct Cache {
    lexicon: Slot<Reference, Lexicon>,
    gazetteer: Slot<RegionIndex, Gazetteer>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").finish_non_exhaustive()
    }
}

fn cached<K, V>(slot: &Slot<K, V>, source: &Arc<K>, build: impl FnOnce(&K) -> V) -> Arc<V> {
    // Held while building, so concurrent callers wait for one build instead of each making one.
    let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((built_from, value)) = guard.as_ref() {
        if built_from.ptr_eq(&Arc::downgrade(source)) {
            return value.clone();
        }
    }
    let value = Arc::new(build(source));
    *guard = Some((Arc::downgrade(source), value.clone()));
    value
}

/// The lexicon of the active categories in force (built on first use after a change).
pub fn lexicon(state: &AppState) -> Arc<Lexicon> {
    let reference = state.jurisdiction().reference();
    cached(&state.intake().lexicon, &reference, |r| {
        let rows: Vec<entity::category::Model> = r.categories().into_iter().cloned().collect();
        Lexicon::from_models(&rows)
    })
}

/// The gazetteer of the region index in force (built on first use after a change).
pub fn gazetteer(state: &AppState) -> Arc<Gazetteer> {
    let index = state.jurisdiction().current();
    cached(&state.intake().gazetteer, &index, Gazetteer::from_index)
}

/// Builds the lexicon and gazetteer for the data in force off the async threads, so that the
/// first message after start-up or a change does not wait for them (call after a reload).
pub async fn warm_up(state: &AppState) -> anyhow::Result<()> {
    let state = state.clone();
    spawn_blocking_with_tracing(move || {
        lexicon(&state);
        gazetteer(&state);
    })
    .await?;
    Ok(())
}

/// Validates the text (422 `blank` / `too_long` on `text`) and understands it off the async
/// threads: categories with names, triage, place phrases and matching regions.
pub async fn understand_text(state: &AppState, text: String) -> Result<UnderstandingView, ApiError> {
    let text = text.trim().to_owned();
    let max = state.settings().tickets.max_description_chars;
    if text.is_empty() {
        return Err(ApiError::validation(vec![FieldError::new("text", "blank", "say what you see")]));
    }
    if text.chars().count() > max {
        return Err(ApiError::validation(vec![FieldError::new(
            "text",
            "too_long",
            format!("at most {max} characters"),
        )]));
    }
    let state = state.clone();
    spawn_blocking_with_tracing(move || view(&lexicon(&state), &gazetteer(&state), &text))
        .await
        .map_err(|e| ApiError::internal(anyhow::Error::new(e).context("understanding task failed")))
}

/// The endpoint's answer for `text`.
pub fn view(lex: &Lexicon, places: &Gazetteer, text: &str) -> UnderstandingView {
    let u = understand(lex, text);
    UnderstandingView {
        categories: u
            .categories
            .iter()
            .map(|c| CategoryCandidateView {
                code: c.code.clone(),
                name: lex.category(&c.code).map(|k| k.name_zh.clone()).unwrap_or_default(),
                score: c.score,
            })
            .collect(),
        confident: u.confident,
        urgency: u.triage.urgency,
        cues: u.triage.cues,
        call: u.triage.call.iter().map(|s| s.number().to_owned()).collect(),
        places: u.places,
        matches: places
            .lookup(text, MATCH_LIMIT)
            .into_iter()
            .map(|m| PlaceMatchView {
                region_id: m.region_id,
                name: m.name,
                label: m.label,
                level: m.level,
                score: m.score,
                center: PointView { lat: m.center.lat(), lng: m.center.lng() },
            })
            .collect(),
    }
}

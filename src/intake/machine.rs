//! The intake conversation as a pure function: `(session, inbound, now) -> (session, replies, effects)`.
//!
//! No I/O and no clock: the service loads the session, enriches the inbound (a photo's GPS, the place a
//! pin falls in), runs [`step`], carries out the effects and feeds each outcome back in as
//! [`Inbound::Outcome`]. Channel-agnostic: the in-app chat and WeChat drive the same function.
//!
//! Order of questions for a report: description → category (only when unclear) → location → photos →
//! anonymous → summary. Whatever one message already says fills its slots, so a full first message
//! goes straight to the remaining questions. Emergencies skip everything: the first reply says whom to
//! call, and the ticket is created as soon as a place is known.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::{
    intake::{
        nlu::{self, Command, Lexicon, Understanding},
        places::{Gazetteer, PlaceHintKind, PlaceMatch},
        prompts::{self, Button, Locale},
        triage::Service,
    },
    tickets::status::Urgency,
};

mod choices;
mod filing;
mod types;

pub use types::*;

/// Most photos on one report.
pub const MAX_PHOTOS: usize = 9;
/// Most place matches offered as buttons.
const PLACE_CHOICES: usize = 3;
/// Most category candidates offered as buttons.
const CATEGORY_CHOICES: usize = 4;

/// What the engine reads besides the session: the classifier, the place names, what is running.
pub struct Context<'a> {
    /// Category classifier.
    pub lexicon: &'a Lexicon,
    /// Street, community and grid names.
    pub gazetteer: &'a Gazetteer,
    /// Category code → (Chinese, English) name, for display.
    pub category_names: &'a (dyn Fn(&str) -> Option<(String, String)> + Sync),
    /// An active campaign (专项整治) to mention in the greeting.
    pub campaign: Option<&'a str>,
    /// Inactivity after which a session ends and its draft is offered once.
    pub ttl: TimeDelta,
    /// Whether the person writes from WeChat, whose ＋ menu shares a location (the web chat has a
    /// location button instead).
    pub wechat: bool,
}

impl Context<'_> {
    fn category_label(&self, code: &str, locale: Locale) -> String {
        match ((self.category_names)(code), locale) {
            (Some((zh, _)), Locale::Zh) => zh,
            (Some((_, en)), Locale::En) => en,
            (None, _) => code.to_owned(),
        }
    }
}

struct Bot<'c, 'a> {
    ctx: &'c Context<'a>,
    s: Session,
    replies: Vec<Reply>,
    effects: Vec<Effect>,
    now: DateTime<Utc>,
}

/// Runs one step of the conversation. Deterministic: the same session, inbound and time give the same
/// turn. Every inbound except a tick, an outcome of a quiet effect, or text while a person has taken
/// over gets at least one reply.
pub fn step(ctx: &Context<'_>, session: Session, inbound: Inbound, now: DateTime<Utc>) -> Turn {
    let mut bot = Bot { ctx, s: session, replies: Vec::new(), effects: Vec::new(), now };
    bot.run(inbound);
    Turn { session: bot.s, replies: bot.replies, effects: bot.effects }
}

impl Bot<'_, '_> {
    fn l(&self) -> Locale {
        self.s.locale
    }

    fn say(&mut self, text: impl Into<String>) {
        self.replies.push(Reply::Text(text.into()));
    }

    fn card(&mut self, title: impl Into<String>, text: Option<String>, buttons: Vec<Button>) {
        self.replies.push(Reply::Card { title: title.into(), text, ticket_id: None, buttons });
    }

    fn run(&mut self, inbound: Inbound) {
        match inbound {
            Inbound::Tick => self.expire_if_idle(),
            Inbound::Outcome(outcome) => self.outcome(outcome),
            other => {
                self.expire_if_idle();
                self.s.last_active = Some(self.now);
                if self.s.stage == Stage::Idle
                    && self.s.expired.is_some()
                    && !is_resume_answer(&other)
                    && self.offer_resume(&other)
                {
                    return;
                }
                self.input(other);
            }
        }
    }

    /// Ends a session idle longer than the TTL: a draft with content is kept to offer once.
    fn expire_if_idle(&mut self) {
        let Some(last) = self.s.last_active else { return };
        if self.now - last <= self.ctx.ttl {
            return;
        }
        let draft = std::mem::take(&mut self.s.draft);
        let in_report = matches!(
            self.s.stage,
            Stage::Asking { .. } | Stage::Confirming | Stage::EditPick | Stage::Duplicates { .. }
        );
        self.s.expired = (in_report && !draft.is_empty() && draft.filed.is_none()).then_some(draft);
        self.s.stage = Stage::Idle;
        self.s.last_active = None;
    }

    /// Offers the expired draft once; `true` when the offer is the whole answer.
    fn offer_resume(&mut self, inbound: &Inbound) -> bool {
        let Some(expired) = &self.s.expired else { return false };
        if let Inbound::Text(t) = inbound {
            if nlu::command(t).is_some() || nlu::ticket_number(t).is_some() {
                self.s.expired = None;
                return false;
            }
        }
        let what = expired.description.clone().unwrap_or_default();
        let l = self.l();
        self.card(prompts::resume_title(l), Some(prompts::resume_text(l, &what)), prompts::resume_buttons(l));
        self.s.stage = Stage::ResumeOffer;
        true
    }

    fn input(&mut self, inbound: Inbound) {
        match inbound {
            Inbound::Text(text) => self.text(text.trim()),
            Inbound::Choice(value) => self.choice(&value),
            Inbound::Image { media_id, gps, gps_label } => self.image(media_id, gps, gps_label),
            Inbound::Location { point, label, located } => self.location(point, label, located),
            Inbound::Tick | Inbound::Outcome(_) => {}
        }
    }

    // ----- text -----

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            self.reask();
            return;
        }
        if let Some(value) = self.numbered_choice(text) {
            self.choice(&value);
            return;
        }
        if let Some(command) = nlu::command(text) {
            self.command(command);
            return;
        }
        if self.s.stage == Stage::Human {
            return;
        }
        if self.s.stage == Stage::ResumeOffer {
            self.s.expired = None;
            self.s.stage = Stage::Idle;
        }
        if let Some(number) = nlu::ticket_number(text) {
            self.effects.push(Effect::Query(TicketQuery::Number(number)));
            return;
        }
        let u = nlu::understand(self.ctx.lexicon, text);
        // Danger now comes before any question, whatever the stage.
        if u.triage.urgency == Urgency::Emergency && !self.s.draft.emergency() && self.s.draft.filed.is_none() {
            self.emergency(text, &u);
            return;
        }
        match self.s.stage.clone() {
            Stage::Idle => self.idle_text(text, &u),
            Stage::AskNumber => {
                let l = self.l();
                self.card(prompts::ask_number(l), Some(prompts::number_hint(l)), prompts::menu_buttons(l));
            }
            Stage::Asking { slot, editing } => self.answer(slot, editing, text, &u),
            Stage::Confirming | Stage::EditPick => self.correction(text, &u),
            Stage::Duplicates { .. } => match nlu::yes_no(text) {
                Some(true) => self.follow_first_duplicate(),
                Some(false) => self.submit(false),
                None => self.reask(),
            },
            Stage::Submitting => {
                let l = self.l();
                self.say(prompts::submitting(l));
            }
            Stage::ResumeOffer | Stage::Human => {}
        }
    }

    /// "1", "2", … picks the numbered button of the last card (WeChat has no buttons).
    fn numbered_choice(&self, text: &str) -> Option<String> {
        let n: usize = text.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok()?;
        if text.chars().count() > 3 || n == 0 {
            return None;
        }
        let buttons = self.current_buttons();
        buttons.into_iter().nth(n - 1).map(|b| b.value)
    }

    /// The buttons the person is answering now.
    fn current_buttons(&self) -> Vec<Button> {
        let l = self.l();
        match &self.s.stage {
            Stage::Idle | Stage::AskNumber => prompts::menu_buttons(l),
            Stage::Asking { slot: Slot::Category, .. } => self.category_buttons(),
            Stage::Asking { slot: Slot::Location, .. } => self.offer_buttons(),
            Stage::Asking { slot: Slot::Photos, .. } => prompts::photo_buttons(l, self.s.draft.photos.len()),
            Stage::Asking { slot: Slot::Anonymous, .. } => prompts::anonymous_buttons(l),
            Stage::Asking { slot: Slot::Urgency, .. } => prompts::urgency_buttons(l),
            Stage::Confirming => prompts::summary_buttons(l),
            Stage::EditPick => prompts::edit_buttons(l),
            Stage::Duplicates { candidates } => prompts::duplicate_buttons(l, candidates),
            Stage::ResumeOffer => prompts::resume_buttons(l),
            Stage::Asking { .. } | Stage::Submitting | Stage::Human => Vec::new(),
        }
    }

    fn idle_text(&mut self, text: &str, u: &Understanding) {
        let l = self.l();
        match prompts::intent(text) {
            Some(prompts::Intent::Greeting) => self.greet(),
            Some(prompts::Intent::Mine) => self.effects.push(Effect::Query(TicketQuery::Mine)),
            Some(prompts::Intent::Lookup) => {
                self.s.stage = Stage::AskNumber;
                self.say(prompts::ask_number(l));
            }
            Some(prompts::Intent::Report) => self.start_report(),
            None => {
                // Anything else is taken as the start of a report.
                self.s.draft = Draft::default();
                self.absorb(text, u, true);
                self.next();
            }
        }
    }

    fn greet(&mut self) {
        let l = self.l();
        self.card(prompts::greeting(l, self.ctx.campaign), None, prompts::menu_buttons(l));
        self.s.stage = Stage::Idle;
    }

    fn start_report(&mut self) {
        self.s.draft = Draft::default();
        self.s.stage = Stage::Asking { slot: Slot::Description, editing: false };
        let l = self.l();
        self.say(prompts::ask_description(l));
    }

    /// Fills what a message says: description (when `describe`), category, place words, urgency.
    fn absorb(&mut self, text: &str, u: &Understanding, describe: bool) {
        let d = &mut self.s.draft;
        if describe && d.description.is_none() {
            d.description = Some(text.to_owned());
            d.mark(Slot::Description);
        }
        if d.category.is_none() {
            if let Some(code) = &u.confident {
                d.category = Some(code.clone());
                d.mark(Slot::Category);
            } else if !u.categories.is_empty() {
                d.candidates = u.categories.iter().take(CATEGORY_CHOICES).map(|c| c.code.clone()).collect();
            }
        }
        let urgency = u.triage.urgency;
        if d.urgency.is_none_or(|current| rank(urgency) > rank(current)) {
            d.urgency = Some(urgency);
        }
        for hint in &u.places {
            match hint.kind {
                PlaceHintKind::Named => {
                    if d.place_words.is_none() {
                        d.place_words = Some(hint.text.clone());
                    }
                }
                PlaceHintKind::Building | PlaceHintKind::Spot => {
                    if !d.place_details.contains(&hint.text) {
                        d.place_details.push(hint.text.clone());
                    }
                }
            }
        }
        if d.place.is_none() && d.offers.is_empty() {
            if let Some(words) = d.place_words.clone() {
                self.find_place(&words, false);
            }
        }
    }

    /// Looks typed words up in the gazetteer and keeps the best matches as offers.
    fn find_place(&mut self, words: &str, announce_miss: bool) -> bool {
        let matches = self.ctx.gazetteer.lookup(words, PLACE_CHOICES);
        let d = &mut self.s.draft;
        d.offers =
            matches.iter().enumerate().map(|(i, m)| Offer { value: format!("#place:{i}"), place: area(m) }).collect();
        if d.offers.is_empty() && announce_miss {
            let l = self.l();
            self.say(prompts::place_not_found(l, words));
        }
        !self.s.draft.offers.is_empty()
    }

    fn answer(&mut self, slot: Slot, editing: bool, text: &str, u: &Understanding) {
        let l = self.l();
        match slot {
            Slot::Description => {
                self.s.draft.description = None;
                self.absorb(text, u, true);
            }
            Slot::Category => {
                if let Some(code) = self.category_from_text(text, u) {
                    self.s.draft.category = Some(code);
                    self.s.draft.mark(Slot::Category);
                } else {
                    self.say(prompts::category_unclear(l));
                    self.ask(Slot::Category, editing);
                    return;
                }
            }
            Slot::Location => {
                let named = u.places.iter().any(|h| h.kind == PlaceHintKind::Named);
                if !named && self.ctx.gazetteer.lookup(text, 1).is_empty() && self.s.draft.description.is_none() {
                    // Not a place but the description the photo came without: keep it, ask the place again.
                    self.absorb(text, u, true);
                    self.ask(Slot::Location, editing);
                    return;
                }
                // A typed place: words of the region tree, offered as buttons.
                for hint in &u.places {
                    if hint.kind != PlaceHintKind::Named && !self.s.draft.place_details.contains(&hint.text) {
                        self.s.draft.place_details.push(hint.text.clone());
                    }
                }
                self.s.draft.place_words = Some(text.to_owned());
                self.find_place(text, true);
                self.ask(Slot::Location, editing);
                return;
            }
            Slot::Photos => {
                if prompts::is_done(text) || nlu::yes_no(text) == Some(false) {
                    self.s.draft.photos_done = true;
                    self.s.draft.mark(Slot::Photos);
                } else {
                    // Words while photos are asked: more description, and keep asking.
                    self.add_detail(text, u);
                    self.ask(Slot::Photos, editing);
                    return;
                }
            }
            Slot::Anonymous => match prompts::anonymous_answer(text).or_else(|| nlu::yes_no(text)) {
                Some(anonymous) => {
                    self.s.draft.anonymous = Some(anonymous);
                    self.s.draft.mark(Slot::Anonymous);
                }
                None => {
                    self.ask(Slot::Anonymous, editing);
                    return;
                }
            },
            Slot::Urgency => match prompts::urgency_answer(text) {
                Some(urgency) => {
                    self.s.draft.urgency = Some(urgency);
                    self.s.draft.mark(Slot::Urgency);
                }
                None => {
                    self.ask(Slot::Urgency, editing);
                    return;
                }
            },
        }
        self.next();
    }

    /// More words while the report is being filled (or after an emergency ticket was filed).
    fn add_detail(&mut self, text: &str, u: &Understanding) {
        if let Some(filed) = &self.s.draft.filed {
            self.effects.push(Effect::AddToTicket { ticket_id: filed.id, text: Some(text.to_owned()), media_id: None });
            return;
        }
        let d = &mut self.s.draft;
        match &mut d.description {
            Some(desc) if !desc.contains(text) => {
                desc.push('，');
                desc.push_str(text);
            }
            Some(_) => {}
            None => d.description = Some(text.to_owned()),
        }
        self.absorb(text, u, false);
    }

    fn category_from_text(&self, text: &str, u: &Understanding) -> Option<String> {
        let names = self.s.draft.candidates.iter().chain(u.categories.iter().map(|c| &c.code));
        for code in names {
            let (zh, en) = (self.ctx.category_names)(code).unwrap_or_default();
            if (!zh.is_empty() && text.contains(&zh)) || (!en.is_empty() && text.eq_ignore_ascii_case(&en)) {
                return Some(code.clone());
            }
        }
        u.confident.clone().or_else(|| u.categories.first().map(|c| c.code.clone()))
    }

    /// "不对，是5栋": corrections on the summary. Building/spot words replace the old ones (also in
    /// the description), a named place is looked up again, a clear category replaces the old one.
    fn correction(&mut self, text: &str, u: &Understanding) {
        let body = prompts::strip_correction(text);
        let corrected = nlu::understand(self.ctx.lexicon, body);
        let u = if body.len() == text.len() { u } else { &corrected };
        let mut changed = false;
        let d = &mut self.s.draft;
        for hint in &u.places {
            match hint.kind {
                PlaceHintKind::Building | PlaceHintKind::Spot => {
                    let old = d.place_details.iter().position(|w| same_kind(w, &hint.text));
                    if let Some(i) = old {
                        if let Some(old_word) = d.place_details.get(i).cloned() {
                            if let Some(desc) = &mut d.description {
                                *desc = desc.replace(&old_word, &hint.text);
                            }
                            if let Some(w) = d.place_details.get_mut(i) {
                                *w = hint.text.clone();
                            }
                        }
                    } else {
                        d.place_details.push(hint.text.clone());
                    }
                    changed = true;
                }
                PlaceHintKind::Named => {
                    d.place_words = Some(hint.text.clone());
                    d.place = None;
                    changed = true;
                }
            }
        }
        if let Some(code) = &u.confident {
            if d.category.as_deref() != Some(code) {
                d.category = Some(code.clone());
                changed = true;
            }
        }
        if !changed {
            // Nothing recognisable: take the words as more description.
            let text = body.to_owned();
            self.add_detail(&text, u);
        } else if self.s.draft.place.is_none() {
            if let Some(words) = self.s.draft.place_words.clone() {
                self.find_place(&words, true);
            }
        }
        self.next();
    }

    // ----- photos and places -----

    fn image(&mut self, media_id: Uuid, gps: Option<Point>, gps_label: Option<String>) {
        let l = self.l();
        if self.s.stage == Stage::Human {
            return;
        }
        if let Some(filed) = &self.s.draft.filed {
            self.effects.push(Effect::AddToTicket { ticket_id: filed.id, text: None, media_id: Some(media_id) });
            return;
        }
        if !matches!(self.s.stage, Stage::Asking { .. } | Stage::Confirming | Stage::EditPick) {
            // A photo first: a report starts with it.
            self.s.draft = Draft::default();
        }
        let d = &mut self.s.draft;
        if d.photos.contains(&media_id) {
            self.reask();
            return;
        }
        if d.photos.len() >= MAX_PHOTOS {
            self.say(prompts::too_many_photos(l, MAX_PHOTOS));
            self.next();
            return;
        }
        d.photos.push(media_id);
        d.mark(Slot::Photos);
        let count = d.photos.len();
        if count >= MAX_PHOTOS {
            d.photos_done = true;
        }
        let mut offered = false;
        if let (Some(point), None) = (gps, &d.place) {
            if d.offers.iter().all(|o| o.value != "#gps") {
                let label = gps_label.unwrap_or_else(|| prompts::photo_place(l));
                d.offers.insert(0, Offer { value: "#gps".into(), place: Place { point, label, approximate: false } });
                offered = true;
            }
        }
        self.say(prompts::photo_received(l, count));
        if offered {
            // Where the photo was taken is the quickest answer to "where": ask it now.
            self.ask(Slot::Location, false);
        } else {
            self.next();
        }
    }

    fn location(&mut self, point: Point, label: Option<String>, located: Option<String>) {
        if self.s.stage == Stage::Human {
            return;
        }
        if !matches!(self.s.stage, Stage::Asking { .. } | Stage::Confirming | Stage::EditPick)
            && self.s.draft.filed.is_none()
        {
            self.s.draft = Draft::default();
        }
        let label = match (label, located) {
            (Some(l), Some(r)) => format!("{l}（{r}）"),
            (Some(l), None) => l,
            (None, Some(r)) => r,
            (None, None) => format!("{:.5}, {:.5}", point.lat, point.lng),
        };
        self.set_place(Place { point, label, approximate: false });
    }

    fn set_place(&mut self, place: Place) {
        let d = &mut self.s.draft;
        d.place = Some(place);
        d.offers.clear();
        d.mark(Slot::Location);
        if d.filed.is_none() && d.emergency() {
            if let Some(draft) = self.ticket_draft(false) {
                self.s.stage = Stage::Submitting;
                self.effects.push(Effect::CreateTicket(draft));
                return;
            }
        }
        self.next();
    }

    // ----- asking -----

    /// Asks the next missing slot, or shows the summary.
    fn next(&mut self) {
        if self.s.draft.filed.is_some() {
            self.after_filed();
            return;
        }
        match self.s.draft.missing() {
            Some(slot) => self.ask(slot, false),
            None => self.summary(),
        }
    }

    fn ask(&mut self, slot: Slot, editing: bool) {
        let l = self.l();
        self.s.stage = Stage::Asking { slot, editing };
        match slot {
            Slot::Description => self.say(prompts::ask_description(l)),
            Slot::Category => {
                let buttons = self.category_buttons();
                self.card(prompts::ask_category(l), None, buttons);
            }
            Slot::Location => {
                if self.s.draft.offers.is_empty() {
                    self.say(prompts::ask_location(l, self.ctx.wechat));
                } else {
                    let gps = self.s.draft.offers.iter().find(|o| o.value == "#gps").map(|o| o.place.label.clone());
                    let text = match gps {
                        Some(label) => prompts::offer_photo_place(l, &label),
                        None => prompts::offer_places(l),
                    };
                    let buttons = self.offer_buttons();
                    self.card(prompts::where_title(l), Some(text), buttons);
                }
            }
            Slot::Photos => {
                let n = self.s.draft.photos.len();
                self.card(prompts::ask_photos(l, n), None, prompts::photo_buttons(l, n));
            }
            Slot::Anonymous => self.card(prompts::ask_anonymous(l), None, prompts::anonymous_buttons(l)),
            Slot::Urgency => self.card(prompts::ask_urgency(l), None, prompts::urgency_buttons(l)),
        }
        if editing {
            // Filled from the edit menu: the summary follows once the slot has a value.
            self.s.stage = Stage::Asking { slot, editing: true };
        }
    }

    fn category_buttons(&self) -> Vec<Button> {
        let l = self.l();
        let mut codes: Vec<String> = self.s.draft.candidates.clone();
        for fallback in prompts::COMMON_CATEGORIES {
            if codes.len() > CATEGORY_CHOICES {
                break;
            }
            if !codes.iter().any(|c| c == fallback) && (self.ctx.category_names)(fallback).is_some() {
                codes.push((*fallback).to_owned());
            }
        }
        if !codes.iter().any(|c| c == "other") {
            codes.push("other".into());
        }
        codes
            .into_iter()
            .map(|code| Button { label: self.ctx.category_label(&code, l), value: format!("#cat:{code}") })
            .collect()
    }

    fn offer_buttons(&self) -> Vec<Button> {
        let l = self.l();
        let mut buttons: Vec<Button> = self
            .s
            .draft
            .offers
            .iter()
            .map(|o| Button { label: o.place.label.clone(), value: o.value.clone() })
            .collect();
        if !buttons.is_empty() {
            buttons.push(Button { label: prompts::none_of_these(l), value: "#noplace".into() });
        }
        buttons
    }

    fn summary(&mut self) {
        let l = self.l();
        let d = &self.s.draft;
        let category = d.category.as_deref().map(|c| self.ctx.category_label(c, l)).unwrap_or_default();
        let place = d.address().unwrap_or_default();
        let approximate = d.place.as_ref().is_some_and(|p| p.approximate);
        let text = prompts::summary(
            l,
            &prompts::SummaryFields {
                category: &category,
                description: d.description.as_deref().unwrap_or_default(),
                place: &place,
                approximate,
                photos: d.photos.len(),
                urgency: d.urgency.unwrap_or(Urgency::Normal),
                anonymous: d.anonymous.unwrap_or(false),
            },
        );
        self.s.stage = Stage::Confirming;
        self.card(prompts::summary_title(l), Some(text), prompts::summary_buttons(l));
    }

    /// Repeats the current question (after help, a stale button, an empty message).
    fn reask(&mut self) {
        let l = self.l();
        match self.s.stage.clone() {
            Stage::Idle | Stage::ResumeOffer => self.greet(),
            Stage::Asking { slot, editing } => self.ask(slot, editing),
            Stage::Confirming => self.summary(),
            Stage::EditPick => self.card(prompts::edit_title(l), None, prompts::edit_buttons(l)),
            Stage::Duplicates { candidates } => self.show_duplicates(candidates),
            Stage::AskNumber => self.say(prompts::ask_number(l)),
            Stage::Submitting => self.say(prompts::submitting(l)),
            Stage::Human => self.say(prompts::handed_off(l)),
        }
    }
}

fn is_resume_answer(inbound: &Inbound) -> bool {
    matches!(inbound, Inbound::Choice(v) if v == "#resume" || v == "#restart")
}

/// Orders urgencies so triage only raises.
fn rank(u: Urgency) -> u8 {
    match u {
        Urgency::Normal => 0,
        Urgency::Urgent => 1,
        Urgency::Emergency => 2,
    }
}

/// A gazetteer match as an approximate place.
fn area(m: &PlaceMatch) -> Place {
    Place { point: Point { lat: m.center.lat(), lng: m.center.lng() }, label: m.label.clone(), approximate: true }
}

/// Two address details of the same kind (3栋 and 5栋, 2单元 and 3单元).
fn same_kind(a: &str, b: &str) -> bool {
    let tail = |s: &str| s.chars().filter(|c| !c.is_ascii_digit() && !prompts::is_cn_digit(*c)).collect::<String>();
    tail(a) == tail(b)
}

fn slot_named(name: &str) -> Option<Slot> {
    Some(match name {
        "description" => Slot::Description,
        "category" => Slot::Category,
        "location" => Slot::Location,
        "photos" => Slot::Photos,
        "anonymous" => Slot::Anonymous,
        "urgency" => Slot::Urgency,
        _ => return None,
    })
}

#[cfg(test)]
mod tests;

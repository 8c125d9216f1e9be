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
use serde::{Deserialize, Serialize};
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

/// A point in GCJ-02 (what maps in China and WeChat use).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lng: f64,
}

/// Something the person did, or what an effect came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// Typed text (a tapped quick reply arrives as [`Inbound::Choice`]).
    Text(String),
    /// A photo, with the place its EXIF GPS falls in when it has one.
    Image {
        /// Media id.
        media_id: Uuid,
        /// EXIF GPS converted to GCJ-02.
        gps: Option<Point>,
        /// Where that is, e.g. 幸福社区第1网格 · 幸福社区.
        gps_label: Option<String>,
    },
    /// A shared location pin (converted to GCJ-02 by the service).
    Location {
        /// The point.
        point: Point,
        /// The pin's own label, if the client gave one.
        label: Option<String>,
        /// Where that is in the region tree.
        located: Option<String>,
    },
    /// A quick reply's value (`#…`) or a menu click.
    Choice(String),
    /// Time passing: ends an idle session.
    Tick,
    /// What an effect came to.
    Outcome(Outcome),
}

/// What the engine asks the service to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Report the hazard through `tickets::service`. With `check_duplicates`, look for open tickets of
    /// the same hazard first and answer [`Outcome::Duplicates`] instead of creating when there are any.
    CreateTicket(TicketDraft),
    /// Follow an existing ticket instead of reporting it again.
    Follow {
        /// The ticket.
        ticket_id: Uuid,
    },
    /// Add a photo or words to a ticket already created (an emergency filed before the details).
    AddToTicket {
        /// The ticket.
        ticket_id: Uuid,
        /// Words.
        text: Option<String>,
        /// A photo.
        media_id: Option<Uuid>,
    },
    /// Bring a person into the conversation.
    HandOff {
        /// What the person wants, for the staff member.
        summary: String,
    },
    /// Look up tickets.
    Query(TicketQuery),
}

/// Which tickets to look up.
#[derive(Debug, Clone, PartialEq)]
pub enum TicketQuery {
    /// The person's own reports, newest first.
    Mine,
    /// One ticket by number.
    Number(String),
}

/// A report ready to file.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketDraft {
    /// Category code.
    pub category: String,
    /// The person's words.
    pub description: String,
    /// Triage's verdict or the person's choice.
    pub urgency: Urgency,
    /// Where (GCJ-02).
    pub point: Point,
    /// Address text: what the person said of the place and where the point is.
    pub address: Option<String>,
    /// The point is a community's or street's, not the hazard's own.
    pub approximate: bool,
    /// Photos.
    pub photos: Vec<Uuid>,
    /// Hide the reporter.
    pub anonymous: bool,
    /// Look for the same hazard first.
    pub check_duplicates: bool,
}

/// A ticket as the bot describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketBrief {
    /// Id.
    pub id: Uuid,
    /// Number, e.g. YH202611230007.
    pub number: String,
    /// Status in the person's language.
    pub status: String,
    /// What happens next, if anything.
    pub next: Option<String>,
    /// Deadline of the current step.
    pub due_at: Option<DateTime<Utc>>,
    /// Who handles it.
    pub handler: Option<String>,
}

/// What an effect came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The ticket was created.
    Created(TicketBrief),
    /// Open tickets that may be the same hazard; nothing was created.
    Duplicates(Vec<TicketBrief>),
    /// The person now follows the ticket.
    Followed(TicketBrief),
    /// Added to the ticket.
    Added(TicketBrief),
    /// Staff were asked to join.
    HandedOff,
    /// The tickets looked up (empty: none).
    Tickets(Vec<TicketBrief>),
    /// The effect failed with a reason the person can act on.
    Failed(String),
}

/// A reply to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// Plain text.
    Text(String),
    /// A card with quick-reply buttons.
    Card {
        /// Title.
        title: String,
        /// Body.
        text: Option<String>,
        /// The ticket it is about.
        ticket_id: Option<Uuid>,
        /// Buttons.
        buttons: Vec<Button>,
    },
}

/// The slots of a report, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// What is wrong.
    Description,
    /// Which category.
    Category,
    /// Where.
    Location,
    /// Photos (0–9).
    Photos,
    /// Anonymous or not.
    Anonymous,
    /// How urgent (asked only when editing; triage fills it).
    Urgency,
}

/// A place settled for the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// GCJ-02.
    pub point: Point,
    /// What to call it.
    pub label: String,
    /// Only a community's or street's point.
    pub approximate: bool,
}

/// A place offered for confirmation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// Button value that picks it.
    pub value: String,
    /// The place it would be.
    pub place: Place,
}

/// The report being filled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// What is wrong.
    pub description: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// Candidates offered when the category was unclear.
    #[serde(default)]
    pub candidates: Vec<String>,
    /// Photos sent.
    #[serde(default)]
    pub photos: Vec<Uuid>,
    /// No more photos wanted.
    #[serde(default)]
    pub photos_done: bool,
    /// Where, once settled.
    pub place: Option<Place>,
    /// Building, unit or spot words (3栋, 楼道) for the address.
    #[serde(default)]
    pub place_details: Vec<String>,
    /// A named place the person typed (幸福小区).
    pub place_words: Option<String>,
    /// Places offered as buttons, waiting for a tap.
    #[serde(default)]
    pub offers: Vec<Offer>,
    /// Triage's verdict, or the person's choice.
    pub urgency: Option<Urgency>,
    /// Hide the reporter.
    pub anonymous: Option<bool>,
    /// Slots in the order they were filled (for 返回).
    #[serde(default)]
    pub filled: Vec<Slot>,
    /// The person said duplicates are not theirs.
    #[serde(default)]
    pub duplicates_declined: bool,
    /// An emergency ticket already filed from this draft.
    pub filed: Option<TicketBrief>,
}

impl Draft {
    fn is_empty(&self) -> bool {
        self.description.is_none() && self.photos.is_empty() && self.place.is_none() && self.filed.is_none()
    }

    fn emergency(&self) -> bool {
        self.urgency == Some(Urgency::Emergency)
    }

    fn mark(&mut self, slot: Slot) {
        self.filled.retain(|s| *s != slot);
        self.filled.push(slot);
    }

    fn clear(&mut self, slot: Slot) {
        self.filled.retain(|s| *s != slot);
        match slot {
            Slot::Description => self.description = None,
            Slot::Category => {
                self.category = None;
                self.candidates.clear();
            }
            Slot::Location => {
                self.place = None;
                self.offers.clear();
            }
            Slot::Photos => {
                self.photos.clear();
                self.photos_done = false;
            }
            Slot::Anonymous => self.anonymous = None,
            Slot::Urgency => self.urgency = None,
        }
    }

    /// The next question, or `None` when the summary can be shown.
    fn missing(&self) -> Option<Slot> {
        if self.description.is_none() {
            Some(Slot::Description)
        } else if self.category.is_none() {
            Some(Slot::Category)
        } else if self.place.is_none() {
            Some(Slot::Location)
        } else if !self.photos_done && self.photos.len() < MAX_PHOTOS {
            Some(Slot::Photos)
        } else if self.anonymous.is_none() {
            Some(Slot::Anonymous)
        } else {
            None
        }
    }

    fn address(&self) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        if let Some(words) = &self.place_words {
            parts.push(words.clone());
        }
        parts.extend(self.place_details.iter().cloned());
        let place = self.place.as_ref().map(|p| p.label.clone());
        match (parts.is_empty(), place) {
            (true, None) => None,
            (true, Some(label)) => Some(label),
            (false, None) => Some(parts.concat()),
            (false, Some(label)) => Some(format!("{}（{label}）", parts.concat())),
        }
    }
}

/// Where the conversation is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// Nothing said yet (or the last report finished).
    #[default]
    Idle,
    /// Asking for a slot of the draft.
    Asking {
        /// Which.
        slot: Slot,
        /// Came from the summary's edit menu: go back to the summary once filled.
        #[serde(default)]
        editing: bool,
    },
    /// The summary card is shown.
    Confirming,
    /// Which field to change.
    EditPick,
    /// The ticket is being filed.
    Submitting,
    /// Asked whether it is the same hazard as an open ticket.
    Duplicates {
        /// The candidates shown.
        candidates: Vec<TicketBrief>,
    },
    /// Waiting for a ticket number.
    AskNumber,
    /// A staff member was asked to take over; the bot keeps quiet except for commands.
    Human,
    /// An earlier, expired draft was offered for resuming.
    ResumeOffer,
}

/// One person's conversation with the bot on one channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Where the conversation is.
    pub stage: Stage,
    /// The report being filled.
    pub draft: Draft,
    /// An expired draft, offered once.
    pub expired: Option<Draft>,
    /// Language of the replies.
    pub locale: Locale,
    /// Last inbound (not ticks).
    pub last_active: Option<DateTime<Utc>>,
}

/// The result of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// The session after the step.
    pub session: Session,
    /// What to say, in order.
    pub replies: Vec<Reply>,
    /// What to do, in order; each outcome is fed back with [`Inbound::Outcome`].
    pub effects: Vec<Effect>,
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

    // ----- choices -----

    fn choice(&mut self, value: &str) {
        let l = self.l();
        self.s.last_active = Some(self.now);
        let (head, arg) = value.split_once(':').unwrap_or((value, ""));
        match head {
            "#menu" => self.greet(),
            "#report" => self.start_report(),
            "#mine" => self.effects.push(Effect::Query(TicketQuery::Mine)),
            "#lookup" => {
                self.s.stage = Stage::AskNumber;
                self.say(prompts::ask_number(l));
            }
            "#agent" => self.command(Command::Agent),
            "#cancel" => self.command(Command::Cancel),
            "#skip" => self.command(Command::Skip),
            "#restart" => self.command(Command::Restart),
            "#resume" => {
                if let Some(draft) = self.s.expired.take() {
                    let what = draft.description.clone().unwrap_or_default();
                    self.s.draft = draft;
                    self.say(prompts::resumed(l, &what));
                    self.next();
                } else {
                    self.greet();
                }
            }
            "#cat" => {
                if (self.ctx.category_names)(arg).is_some() {
                    self.s.draft.category = Some(arg.to_owned());
                    self.s.draft.mark(Slot::Category);
                    self.next();
                } else {
                    self.reask();
                }
            }
            "#place" | "#gps" => {
                let offer = self.s.draft.offers.iter().find(|o| o.value == value).cloned();
                match offer {
                    Some(offer) => self.set_place(offer.place),
                    None => self.reask(),
                }
            }
            "#noplace" => {
                self.s.draft.offers.clear();
                self.say(prompts::ask_pin(l));
                self.s.stage = Stage::Asking { slot: Slot::Location, editing: false };
            }
            "#photos" => {
                self.s.draft.photos_done = true;
                self.s.draft.mark(Slot::Photos);
                self.next();
            }
            "#anon" => {
                self.s.draft.anonymous = Some(arg == "yes");
                self.s.draft.mark(Slot::Anonymous);
                self.next();
            }
            "#urgency" => match prompts::urgency_answer(arg) {
                Some(urgency) => {
                    self.s.draft.urgency = Some(urgency);
                    self.next();
                }
                None => self.reask(),
            },
            "#confirm" if self.s.stage == Stage::Confirming => {
                let check = !self.s.draft.duplicates_declined;
                self.submit(check);
            }
            "#edit" if arg.is_empty() => {
                self.s.stage = Stage::EditPick;
                self.card(prompts::edit_title(l), None, prompts::edit_buttons(l));
            }
            "#edit" => match slot_named(arg) {
                Some(slot) => {
                    self.s.draft.clear(slot);
                    self.ask(slot, true);
                }
                None => self.reask(),
            },
            "#dup" if arg == "new" => {
                self.s.draft.duplicates_declined = true;
                self.submit(false);
            }
            "#dup" => match arg.strip_prefix("follow:").and_then(|id| Uuid::parse_str(id).ok()) {
                Some(ticket_id) => {
                    self.s.stage = Stage::Submitting;
                    self.effects.push(Effect::Follow { ticket_id });
                }
                None => self.reask(),
            },
            _ => {
                // A stale or unknown button: treat its words as text.
                if value.starts_with('#') {
                    self.reask();
                } else {
                    self.text(value);
                }
            }
        }
    }

    fn command(&mut self, command: Command) {
        let l = self.l();
        match command {
            Command::Cancel => {
                let had = !self.s.draft.is_empty() || self.s.stage != Stage::Idle;
                self.s.draft = Draft::default();
                self.s.expired = None;
                self.s.stage = Stage::Idle;
                self.card(
                    if had { prompts::cancelled(l) } else { prompts::nothing_to_cancel(l) },
                    None,
                    prompts::menu_buttons(l),
                );
            }
            Command::Restart => {
                self.s.draft = Draft::default();
                self.s.expired = None;
                self.greet();
            }
            Command::Back => self.back(),
            Command::Skip => match self.s.stage {
                Stage::Asking { slot: Slot::Photos, .. } => {
                    self.s.draft.photos_done = true;
                    self.s.draft.mark(Slot::Photos);
                    self.next();
                }
                Stage::Asking { slot: Slot::Anonymous, .. } => {
                    self.s.draft.anonymous = Some(false);
                    self.s.draft.mark(Slot::Anonymous);
                    self.next();
                }
                Stage::Asking { slot, editing } => {
                    self.say(prompts::cannot_skip(l));
                    self.ask(slot, editing);
                }
                _ => self.reask(),
            },
            Command::Help => {
                self.say(prompts::help(l));
                self.reask();
            }
            Command::Agent => {
                let summary = self.s.draft.description.clone().unwrap_or_default();
                self.s.stage = Stage::Human;
                self.effects.push(Effect::HandOff { summary });
            }
        }
    }

    /// 返回: undo the last filled slot and ask it again.
    fn back(&mut self) {
        let last = self.s.draft.filled.last().copied();
        match (self.s.stage.clone(), last) {
            (Stage::Asking { .. } | Stage::Confirming | Stage::EditPick, Some(slot)) => {
                self.s.draft.clear(slot);
                self.ask(slot, false);
            }
            (Stage::Asking { .. }, None) | (Stage::AskNumber | Stage::Idle | Stage::Human, _) => self.greet(),
            _ => self.reask(),
        }
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
                    self.say(prompts::ask_location(l));
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

    // ----- emergencies -----

    fn emergency(&mut self, text: &str, u: &Understanding) {
        let l = self.l();
        let call: Vec<Service> = u.triage.call.clone();
        // The very first reply: whom to call, get to safety.
        self.say(prompts::emergency_advice(l, &call));
        if !matches!(self.s.stage, Stage::Asking { .. } | Stage::Confirming | Stage::EditPick) {
            self.s.draft = Draft::default();
        }
        let had_category = self.s.draft.category.is_some();
        self.add_or_describe(text, u);
        self.s.draft.urgency = Some(Urgency::Emergency);
        if !had_category {
            self.s.draft.category = Some(emergency_category(u));
            self.s.draft.mark(Slot::Category);
        }
        match self.ticket_draft(false) {
            Some(draft) => {
                self.s.stage = Stage::Submitting;
                self.effects.push(Effect::CreateTicket(draft));
            }
            None => {
                self.s.stage = Stage::Asking { slot: Slot::Location, editing: false };
                let text = if self.s.draft.offers.is_empty() { None } else { Some(prompts::offer_places(l)) };
                let buttons = self.offer_buttons();
                self.card(prompts::emergency_where(l), text, buttons);
            }
        }
    }

    fn add_or_describe(&mut self, text: &str, u: &Understanding) {
        if self.s.draft.description.is_none() {
            self.absorb(text, u, true);
        } else {
            self.add_detail(text, u);
        }
    }

    /// After an emergency ticket: more photos and words go to it.
    fn after_filed(&mut self) {
        let l = self.l();
        self.s.stage = Stage::Asking { slot: Slot::Photos, editing: false };
        self.card(
            prompts::emergency_more(l),
            None,
            vec![Button { label: prompts::finish(l), value: "#cancel".into() }],
        );
    }

    // ----- filing -----

    fn ticket_draft(&self, check_duplicates: bool) -> Option<TicketDraft> {
        let d = &self.s.draft;
        let place = d.place.as_ref()?;
        Some(TicketDraft {
            category: d.category.clone()?,
            description: d.description.clone()?,
            urgency: d.urgency.unwrap_or(Urgency::Normal),
            point: place.point,
            address: d.address(),
            approximate: place.approximate,
            photos: d.photos.clone(),
            anonymous: d.anonymous.unwrap_or(false),
            check_duplicates,
        })
    }

    fn submit(&mut self, check_duplicates: bool) {
        match self.ticket_draft(check_duplicates) {
            Some(draft) => {
                self.s.stage = Stage::Submitting;
                self.effects.push(Effect::CreateTicket(draft));
            }
            None => self.next(),
        }
    }

    fn show_duplicates(&mut self, candidates: Vec<TicketBrief>) {
        let l = self.l();
        let text = prompts::duplicates_text(l, &candidates);
        let buttons = prompts::duplicate_buttons(l, &candidates);
        self.s.stage = Stage::Duplicates { candidates };
        self.card(prompts::duplicates_title(l), Some(text), buttons);
    }

    fn follow_first_duplicate(&mut self) {
        if let Stage::Duplicates { candidates } = &self.s.stage {
            if let Some(first) = candidates.first() {
                let ticket_id = first.id;
                self.s.stage = Stage::Submitting;
                self.effects.push(Effect::Follow { ticket_id });
                return;
            }
        }
        self.reask();
    }

    fn outcome(&mut self, outcome: Outcome) {
        let l = self.l();
        match outcome {
            Outcome::Created(brief) => {
                let emergency = self.s.draft.emergency();
                self.replies.push(Reply::Card {
                    title: prompts::created_title(l, &brief.number),
                    text: Some(prompts::created_text(l, &brief, emergency)),
                    ticket_id: Some(brief.id),
                    buttons: Vec::new(),
                });
                if emergency {
                    // Filed first; the details follow into the ticket.
                    self.s.draft.filed = Some(brief);
                    self.after_filed();
                } else {
                    self.s.draft = Draft::default();
                    self.s.stage = Stage::Idle;
                }
            }
            Outcome::Duplicates(candidates) if !candidates.is_empty() => self.show_duplicates(candidates),
            Outcome::Duplicates(_) => self.submit(false),
            Outcome::Followed(brief) => {
                self.replies.push(Reply::Card {
                    title: prompts::followed_title(l, &brief.number),
                    text: Some(prompts::ticket_text(l, &brief)),
                    ticket_id: Some(brief.id),
                    buttons: Vec::new(),
                });
                self.s.draft = Draft::default();
                self.s.stage = Stage::Idle;
            }
            Outcome::Added(brief) => self.say(prompts::added(l, &brief.number)),
            Outcome::HandedOff => {
                self.s.stage = Stage::Human;
                self.say(prompts::handed_off(l));
            }
            Outcome::Tickets(list) if list.is_empty() => {
                self.card(prompts::no_tickets(l), None, prompts::menu_buttons(l));
                if self.s.stage == Stage::AskNumber {
                    self.s.stage = Stage::Idle;
                }
            }
            Outcome::Tickets(list) => {
                for brief in list.iter().take(5) {
                    self.replies.push(Reply::Card {
                        title: prompts::ticket_title(l, brief),
                        text: Some(prompts::ticket_text(l, brief)),
                        ticket_id: Some(brief.id),
                        buttons: Vec::new(),
                    });
                }
                if self.s.stage == Stage::AskNumber {
                    self.s.stage = Stage::Idle;
                }
                if matches!(self.s.stage, Stage::Asking { .. } | Stage::Confirming) {
                    self.reask();
                }
            }
            Outcome::Failed(reason) => {
                self.say(prompts::failed(l, &reason));
                if self.s.draft.filed.is_some() || self.s.stage != Stage::Submitting {
                    return;
                }
                if self.s.draft.emergency() {
                    self.s.stage = Stage::Confirming;
                }
                self.next();
            }
        }
    }
}

/// The category of an emergency: the classifier's best when it fits the danger, else the danger's own.
fn emergency_category(u: &Understanding) -> String {
    let top = u.categories.first().map(|c| c.code.as_str());
    for cue in &u.triage.cues {
        let (fits, own): (&[&str], Option<&str>) = match cue.kind.as_str() {
            "fire" | "smoke" => (&["fire", "forest_fire", "hazchem", "gas", "fireworks", "enterprise"], Some("fire")),
            "explosion" => (&["fireworks", "gas", "hazchem", "mine", "fire", "enterprise"], Some("fire")),
            "gas_leak" => (&["gas", "hazchem"], Some("gas")),
            "trapped" => (&["special_equipment", "building", "construction", "water", "geological", "fire"], None),
            "collapse" => (&["building", "construction", "geological", "road_facility", "mine"], Some("building")),
            "drowning" => (&["water", "campus"], Some("water")),
            "fight" => (&["public_order", "campus"], Some("public_order")),
            "poisoning" => (&["food", "hazchem", "gas", "fire", "enterprise"], None),
            _ => (&[], None),
        };
        if let Some(top) = top.filter(|t| fits.contains(t)) {
            return top.to_owned();
        }
        if let Some(own) = own {
            return own.to_owned();
        }
    }
    top.unwrap_or("other").to_owned()
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
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::{
        geo::{categories::SEEDS, point::GeoPoint, region::RegionLevel},
        intake::{nlu::CategoryWords, places::GazetteerEntry},
    };
    use proptest::prelude::*;

    fn lexicon() -> Lexicon {
        let words: Vec<CategoryWords> = SEEDS
            .iter()
            .map(|s| CategoryWords {
                code: s.code.to_owned(),
                name_zh: s.zh.to_owned(),
                name_en: s.en.to_owned(),
                keywords: s
                    .keywords
                    .iter()
                    .map(|k| crate::geo::categories::Keyword {
                        word: k.trim_end_matches('*').to_owned(),
                        weight: if k.ends_with('*') { 0.5 } else { 1.0 },
                    })
                    .collect(),
            })
            .collect();
        Lexicon::new(&words)
    }

    fn gazetteer() -> Gazetteer {
        Gazetteer::new(vec![GazetteerEntry {
            region_id: Uuid::from_u128(7),
            level: RegionLevel::Community,
            name: "幸福社区".into(),
            label: "幸福社区 · 湖滨街道 · 东湖区".into(),
            center: GeoPoint::parse(28.18, 112.90).unwrap(),
        }])
    }

    fn names(code: &str) -> Option<(String, String)> {
        SEEDS.iter().find(|s| s.code == code).map(|s| (s.zh.to_owned(), s.en.to_owned()))
    }

    struct Harness {
        lexicon: Lexicon,
        gazetteer: Gazetteer,
    }

    /// Built once: the segmenter's dictionary takes a while to load.
    static HARNESS: std::sync::LazyLock<Harness> =
        std::sync::LazyLock::new(|| Harness { lexicon: lexicon(), gazetteer: gazetteer() });

    impl Harness {
        fn new() -> &'static Self {
            &HARNESS
        }

        fn step(&self, s: Session, inbound: Inbound, now: DateTime<Utc>) -> Turn {
            let ctx = Context {
                lexicon: &self.lexicon,
                gazetteer: &self.gazetteer,
                category_names: &names,
                campaign: None,
                ttl: TimeDelta::minutes(30),
            };
            step(&ctx, s, inbound, now)
        }
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn text(t: &str) -> Inbound {
        Inbound::Text(t.into())
    }

    fn texts(replies: &[Reply]) -> String {
        replies
            .iter()
            .map(|r| match r {
                Reply::Text(t) => t.clone(),
                Reply::Card { title, text, buttons, .. } => format!(
                    "{title} {} {}",
                    text.clone().unwrap_or_default(),
                    buttons.iter().map(|b| b.value.clone()).collect::<Vec<_>>().join(" ")
                ),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn pin() -> Inbound {
        Inbound::Location { point: Point { lat: 28.18, lng: 112.9 }, label: None, located: Some("幸福社区".into()) }
    }

    fn brief(n: u8) -> TicketBrief {
        TicketBrief {
            id: Uuid::from_u128(u128::from(n)),
            number: format!("YH2026112300{n:02}"),
            status: "已派单".into(),
            next: Some("网格员到现场核实".into()),
            due_at: Some(t0() + TimeDelta::hours(4)),
            handler: Some("东湖区消防救援大队".into()),
        }
    }

    /// Walks a report to its summary: description with category, pin, no photo, not anonymous.
    fn to_summary(h: &Harness) -> Session {
        let mut s = Session::default();
        for inbound in [text("楼道里堆放杂物，消防通道堵死了"), pin(), Inbound::Choice("#skip".into())] {
            s = h.step(s, inbound, t0()).session;
        }
        let turn = h.step(s, Inbound::Choice("#anon:no".into()), t0());
        assert_eq!(turn.session.stage, Stage::Confirming, "{}", texts(&turn.replies));
        turn.session
    }

    #[test]
    fn a_full_first_message_skips_the_questions_it_answers() {
        let h = Harness::new();
        let turn = h.step(Session::default(), text("楼道里堆放杂物，消防通道堵死了"), t0());
        assert_eq!(turn.session.draft.category.as_deref(), Some("fire"));
        assert_eq!(turn.session.stage, Stage::Asking { slot: Slot::Location, editing: false });
        assert!(turn.effects.is_empty());
    }

    #[test]
    fn confirming_files_the_draft_and_the_outcome_answers_with_the_number() {
        let h = Harness::new();
        let s = to_summary(h);
        let turn = h.step(s, Inbound::Choice("#confirm".into()), t0());
        let Some(Effect::CreateTicket(draft)) = turn.effects.first() else { panic!("{:?}", turn.effects) };
        assert!(draft.check_duplicates && !draft.anonymous && !draft.approximate);
        assert_eq!((draft.category.as_str(), draft.urgency), ("fire", Urgency::Normal));
        let done = h.step(turn.session, Inbound::Outcome(Outcome::Created(brief(7))), t0());
        assert!(texts(&done.replies).contains("YH202611230007"));
        assert!(texts(&done.replies).contains("东湖区消防救援大队"));
        assert_eq!(done.session.stage, Stage::Idle);
        assert_eq!(done.session.draft, Draft::default());
    }

    #[test]
    fn duplicates_are_asked_about_and_no_means_file_anyway() {
        let h = Harness::new();
        let s = to_summary(h);
        let turn = h.step(s, Inbound::Choice("#confirm".into()), t0());
        let asked = h.step(turn.session, Inbound::Outcome(Outcome::Duplicates(vec![brief(3)])), t0());
        assert!(texts(&asked.replies).contains("#dup:follow:"));
        let no = h.step(asked.session.clone(), text("不是"), t0());
        let Some(Effect::CreateTicket(draft)) = no.effects.first() else { panic!() };
        assert!(!draft.check_duplicates);
        let yes = h.step(asked.session, text("是的"), t0());
        assert_eq!(yes.effects, vec![Effect::Follow { ticket_id: Uuid::from_u128(3) }]);
    }

    #[test]
    fn an_emergency_answers_whom_to_call_before_anything_else() {
        let h = Harness::new();
        let turn = h.step(Session::default(), text("楼下着火了，好大的烟"), t0());
        let Reply::Text(first) = &turn.replies[0] else { panic!() };
        assert!(first.contains("119"), "{first}");
        assert_eq!(turn.session.draft.urgency, Some(Urgency::Emergency));
        // The pin files it at once, without the summary.
        let filed = h.step(turn.session, pin(), t0());
        let Some(Effect::CreateTicket(draft)) = filed.effects.first() else { panic!("{:?}", filed.replies) };
        assert_eq!(draft.urgency, Urgency::Emergency);
        assert!(!draft.check_duplicates);
        let after = h.step(filed.session, Inbound::Outcome(Outcome::Created(brief(1))), t0());
        let photo =
            h.step(after.session, Inbound::Image { media_id: Uuid::from_u128(9), gps: None, gps_label: None }, t0());
        assert_eq!(
            photo.effects,
            vec![Effect::AddToTicket { ticket_id: Uuid::from_u128(1), text: None, media_id: Some(Uuid::from_u128(9)) }]
        );
    }

    #[test]
    fn a_correction_on_the_summary_replaces_the_building() {
        let h = Harness::new();
        let mut s = Session::default();
        for inbound in [
            text("幸福小区3栋楼道堆放杂物"),
            pin(),
            Inbound::Choice("#skip".into()),
            Inbound::Choice("#anon:no".into()),
        ] {
            s = h.step(s, inbound, t0()).session;
        }
        assert_eq!(s.stage, Stage::Confirming);
        let turn = h.step(s, text("不对，是5栋"), t0());
        assert_eq!(turn.session.draft.place_details, vec!["5栋".to_owned(), "楼道".to_owned()]);
        assert!(turn.session.draft.description.as_deref().unwrap().contains("5栋"));
        assert_eq!(turn.session.stage, Stage::Confirming);
    }

    #[test]
    fn commands_work_at_any_point() {
        let h = Harness::new();
        let s = to_summary(h);
        let back = h.step(s.clone(), text("返回"), t0());
        assert_eq!(back.session.stage, Stage::Asking { slot: Slot::Anonymous, editing: false });
        let cancel = h.step(s.clone(), text("cancel"), t0());
        assert_eq!(cancel.session.draft, Draft::default());
        let agent = h.step(s, text("转人工"), t0());
        assert!(matches!(agent.effects.as_slice(), [Effect::HandOff { .. }]));
        assert_eq!(agent.session.stage, Stage::Human);
    }

    #[test]
    fn numbers_pick_buttons_for_channels_without_them() {
        let h = Harness::new();
        let s = h.step(Session::default(), Inbound::Choice("#menu".into()), t0()).session;
        let turn = h.step(s, text("2"), t0());
        assert_eq!(turn.effects, vec![Effect::Query(TicketQuery::Mine)]);
    }

    #[test]
    fn an_idle_session_offers_its_draft_once() {
        let h = Harness::new();
        let s = h.step(Session::default(), text("路灯坏了"), t0()).session;
        let later = t0() + TimeDelta::minutes(45);
        let offered = h.step(s, text("你好"), later);
        assert_eq!(offered.session.stage, Stage::ResumeOffer);
        let ignored = h.step(offered.session, text("你好"), later);
        assert!(ignored.session.expired.is_none(), "offered once");
    }

    /// Inbounds a person could send, including nonsense and stale buttons.
    fn inbound() -> impl Strategy<Value = Inbound> {
        let phrases = prop::sample::select(vec![
            "你好",
            "我要上报",
            "楼道里电动车在充电",
            "幸福小区3栋",
            "不对，是5栋",
            "取消",
            "算了",
            "重新开始",
            "返回",
            "跳过",
            "帮助",
            "转人工",
            "我的上报",
            "YH202611230007",
            "是",
            "不是",
            "好了",
            "匿名",
            "1",
            "2",
            "9",
            "",
            "着火了",
            "昨天着过火现在灭了",
            "井盖没了",
            "Smoke in the kitchen",
            "cancel",
            "back",
            "skip",
            "help",
        ]);
        let choices = prop::sample::select(vec![
            "#menu",
            "#report",
            "#mine",
            "#lookup",
            "#agent",
            "#cancel",
            "#skip",
            "#restart",
            "#resume",
            "#cat:fire",
            "#cat:nope",
            "#place:0",
            "#place:9",
            "#gps",
            "#noplace",
            "#photos:done",
            "#anon:yes",
            "#anon:no",
            "#urgency:紧急",
            "#urgency:x",
            "#confirm",
            "#edit",
            "#edit:location",
            "#edit:bogus",
            "#dup:new",
            "#dup:follow:not-a-uuid",
            "#dup:follow:00000000-0000-0000-0000-000000000003",
            "#??",
        ]);
        prop_oneof![
            phrases.prop_map(|p| Inbound::Text(p.to_owned())),
            "\\PC{0,40}".prop_map(Inbound::Text),
            choices.prop_map(|c| Inbound::Choice(c.to_owned())),
            (any::<u8>(), any::<bool>()).prop_map(|(n, gps)| Inbound::Image {
                media_id: Uuid::from_u128(u128::from(n % 12)),
                gps: gps.then_some(Point { lat: 28.18, lng: 112.9 }),
                gps_label: None,
            }),
            Just(pin()),
            Just(Inbound::Tick),
        ]
    }

    /// A plausible outcome for an effect.
    fn outcome(effect: &Effect, pick: u8) -> Outcome {
        match effect {
            Effect::CreateTicket(_) => match pick % 3 {
                0 => Outcome::Created(brief(1)),
                1 => Outcome::Duplicates(vec![brief(3)]),
                _ => Outcome::Failed("描述太长".into()),
            },
            Effect::Follow { .. } => Outcome::Followed(brief(3)),
            Effect::AddToTicket { .. } => Outcome::Added(brief(1)),
            Effect::HandOff { .. } => Outcome::HandedOff,
            Effect::Query(_) => Outcome::Tickets(if pick.is_multiple_of(2) { vec![] } else { vec![brief(5)] }),
        }
    }

    fn run(h: &Harness, script: &[(Inbound, u8, u16)]) -> Vec<(Session, Vec<Reply>, Vec<Effect>)> {
        let mut s = Session::default();
        let mut now = t0();
        let mut out = Vec::new();
        for (inbound, pick, minutes) in script {
            now += TimeDelta::minutes(i64::from(*minutes % 50));
            let quiet = s.stage == Stage::Human || matches!(inbound, Inbound::Tick);
            let turn = h.step(s, inbound.clone(), now);
            if !quiet {
                assert!(!turn.replies.is_empty() || !turn.effects.is_empty(), "{inbound:?} got no answer");
            }
            s = turn.session;
            out.push((s.clone(), turn.replies, turn.effects.clone()));
            for effect in &turn.effects {
                let turn = h.step(s, Inbound::Outcome(outcome(effect, *pick)), now);
                s = turn.session;
                out.push((s.clone(), turn.replies, turn.effects));
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Random conversations never panic, every message is answered (a reply, or an effect whose
        /// outcome is), and the same conversation gives the same turns.
        #[test]
        fn random_conversations_always_answer_and_are_deterministic(
            script in prop::collection::vec((inbound(), any::<u8>(), any::<u16>()), 1..40)
        ) {
            let h = Harness::new();
            let first = run(h, &script);
            let second = run(h, &script);
            prop_assert_eq!(first, second);
        }
    }
}

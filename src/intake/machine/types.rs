//! The engine's data: what comes in, what goes out, and the session it keeps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::MAX_PHOTOS;
use crate::{
    intake::prompts::{Button, Locale},
    tickets::status::Urgency,
};

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
    pub(super) fn is_empty(&self) -> bool {
        self.description.is_none() && self.photos.is_empty() && self.place.is_none() && self.filed.is_none()
    }

    pub(super) fn emergency(&self) -> bool {
        self.urgency == Some(Urgency::Emergency)
    }

    pub(super) fn mark(&mut self, slot: Slot) {
        self.filled.retain(|s| *s != slot);
        self.filled.push(slot);
    }

    pub(super) fn clear(&mut self, slot: Slot) {
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
    pub(super) fn missing(&self) -> Option<Slot> {
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

    pub(super) fn address(&self) -> Option<String> {
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

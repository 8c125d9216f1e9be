//! Emergencies and filing: the engine's side of creating, following and adding to tickets, and
//! what their outcomes say.

use super::*;

impl Bot<'_, '_> {
    // ----- emergencies -----

    pub(super) fn emergency(&mut self, text: &str, u: &Understanding) {
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

    pub(super) fn add_or_describe(&mut self, text: &str, u: &Understanding) {
        if self.s.draft.description.is_none() {
            self.absorb(text, u, true);
        } else {
            self.add_detail(text, u);
        }
    }

    /// After an emergency ticket: more photos and words go to it.
    pub(super) fn after_filed(&mut self) {
        let l = self.l();
        self.s.stage = Stage::Asking { slot: Slot::Photos, editing: false };
        self.card(
            prompts::emergency_more(l),
            None,
            vec![Button { label: prompts::finish(l), value: "#cancel".into() }],
        );
    }

    // ----- filing -----

    pub(super) fn ticket_draft(&self, check_duplicates: bool) -> Option<TicketDraft> {
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

    pub(super) fn submit(&mut self, check_duplicates: bool) {
        match self.ticket_draft(check_duplicates) {
            Some(draft) => {
                self.s.stage = Stage::Submitting;
                self.effects.push(Effect::CreateTicket(draft));
            }
            None => self.next(),
        }
    }

    pub(super) fn show_duplicates(&mut self, candidates: Vec<TicketBrief>) {
        let l = self.l();
        let text = prompts::duplicates_text(l, &candidates);
        let buttons = prompts::duplicate_buttons(l, &candidates);
        self.s.stage = Stage::Duplicates { candidates };
        self.card(prompts::duplicates_title(l), Some(text), buttons);
    }

    pub(super) fn follow_first_duplicate(&mut self) {
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

    pub(super) fn outcome(&mut self, outcome: Outcome) {
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

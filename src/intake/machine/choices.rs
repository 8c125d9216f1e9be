//! Quick-reply choices (`#…`) and the commands understood at any point.

use super::*;

impl Bot<'_, '_> {
    // ----- choices -----

    pub(super) fn choice(&mut self, value: &str) {
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
                self.say(prompts::ask_pin(l, self.ctx.wechat));
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

    pub(super) fn command(&mut self, command: Command) {
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
    pub(super) fn back(&mut self) {
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
}

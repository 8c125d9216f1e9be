//! Event kinds (pure): every ticket event is `ticket.<action>`, for the workflow's actions and the
//! system events that keep the status (`escalate`, `follow`, `merge`, `rate`, `co_department`).
//! An endpoint subscribes to kinds by name, or to all of them with `ticket.*`.

use crate::tickets::status::Action;

/// Subscribes to every ticket event.
pub const ALL_TICKET_EVENTS: &str = "ticket.*";

/// System events written beside the workflow's moves.
const SYSTEM_EVENTS: [&str; 5] = ["escalate", "follow", "merge", "rate", "co_department"];

/// Every kind an endpoint may name (without the wildcard).
pub fn known() -> Vec<String> {
    Action::ALL.iter().map(|a| a.as_str()).chain(SYSTEM_EVENTS).map(|a| format!("ticket.{a}")).collect()
}

/// Checks and normalises a subscription list: known kinds or the wildcard, without repeats, not empty.
pub fn parse_subscription(kinds: &[String]) -> Result<Vec<String>, String> {
    if kinds.is_empty() {
        return Err(format!("name at least one event kind, e.g. `{ALL_TICKET_EVENTS}`"));
    }
    let known = known();
    let mut out: Vec<String> = Vec::new();
    for kind in kinds {
        let kind = kind.trim();
        if kind != ALL_TICKET_EVENTS && !known.iter().any(|k| k == kind) {
            return Err(format!("unknown event kind `{kind}`"));
        }
        if !out.iter().any(|k| k == kind) {
            out.push(kind.to_owned());
        }
    }
    Ok(out)
}

/// Whether a subscription list covers `kind`.
pub fn matches(subscription: &[String], kind: &str) -> bool {
    subscription.iter().any(|k| k == kind || k == ALL_TICKET_EVENTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_name_known_kinds_or_the_wildcard() {
        let ok = parse_subscription(&["ticket.submit".into(), " ticket.escalate ".into(), "ticket.submit".into()]);
        assert_eq!(ok, Ok(vec!["ticket.submit".to_owned(), "ticket.escalate".to_owned()]));
        assert!(parse_subscription(&[]).is_err());
        assert_eq!(parse_subscription(&["ticket.explode".into()]), Err("unknown event kind `ticket.explode`".into()));
        assert!(known().contains(&"ticket.resolve_on_spot".to_owned()));
        assert_eq!(known().len(), Action::ALL.len() + 5);
    }

    #[test]
    fn the_wildcard_covers_every_ticket_event() {
        let all = vec![ALL_TICKET_EVENTS.to_owned()];
        let some = vec!["ticket.pass".to_owned()];
        assert!(matches(&all, "ticket.rate"));
        assert!(matches(&some, "ticket.pass"));
        assert!(!matches(&some, "ticket.fail"));
    }
}

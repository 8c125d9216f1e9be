//! Conversation kinds with a handler: chat knows nothing of the bot, the bot registers itself.
//!
//! `intake` registers for `intake` conversations at start-up; after a member's message is stored
//! (once per message: a retried send with the same `client_msg_id` does not call it again) the
//! handler runs before the send is answered, so its replies are in the conversation by then.

use std::{
    collections::BTreeMap,
    sync::{Arc, RwLock},
};

use async_trait::async_trait;
use entity::{conversation, message};

use crate::{error::ApiError, state::AppState};

/// Answers messages in conversations of one kind.
#[async_trait]
pub trait ConversationHandler: Send + Sync {
    /// A conversation of this kind was just created for its owner.
    async fn on_open(&self, state: &AppState, conversation: &conversation::Model) -> Result<(), ApiError>;

    /// A member's message was stored.
    async fn on_message(
        &self,
        state: &AppState,
        conversation: &conversation::Model,
        message: &message::Model,
    ) -> Result<(), ApiError>;
}

/// The registered handlers by conversation kind.
#[derive(Clone, Default)]
pub struct Handlers {
    inner: Arc<RwLock<BTreeMap<String, Arc<dyn ConversationHandler>>>>,
}

impl Handlers {
    /// Registers `handler` for conversations of `kind` (replacing an earlier one).
    pub fn register(&self, kind: &str, handler: Arc<dyn ConversationHandler>) {
        if let Ok(mut map) = self.inner.write() {
            map.insert(kind.to_owned(), handler);
        }
    }

    /// The handler for `kind`, if any.
    pub fn get(&self, kind: &str) -> Option<Arc<dyn ConversationHandler>> {
        self.inner.read().ok().and_then(|map| map.get(kind).cloned())
    }
}

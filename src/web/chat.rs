//! `/chat`: the resident's conversation with the intake bot, laid out like a phone chat. The page is
//! a shell; `chat.js` opens the intake conversation, pages its messages, sends text, photos (camera
//! upload through `POST /api/v1/media`) and places (the browser's position, or a typed address), and
//! follows the conversation live over `/api/v1/ws`.

use actix_web::{get, http::StatusCode, web, HttpRequest, HttpResponse};
use maud::html;

use super::{
    context,
    layout::{self, here, Nav},
    session,
};
use crate::state::AppState;

/// Mounts `/chat`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_chat);
}

/// The login page that comes back here.
pub fn to_login(req: &HttpRequest) -> HttpResponse {
    let next: String = url::form_urlencoded::byte_serialize(here(req).as_bytes()).collect();
    layout::redirect(&format!("/login?next={next}"), Vec::new())
}

#[get("/chat")]
async fn get_chat(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let Some(user) = session::page_user(&state, &req) else { return to_login(&req) };
    let (ctx, cookies) = context(&state, &req, Some(&user));
    let t = ctx.lang.texts();
    let max = state.settings().chat.max_text_chars;
    let main = html! {
        h1.visually-hidden { (t.chat_title) }
        div #log.log role="log" aria-live="polite" aria-label=(t.chat_title) {}
        p #status.status role="status" {}
        p #notice.notice role="alert" hidden {}
        form #place.place hidden {
            label for="place-input" { (t.place_label) }
            div.row {
                input #place-input type="text" autocomplete="street-address" maxlength="200";
                button.primary type="submit" { (t.place_send) }
                button #place-cancel.secondary type="button" { (t.cancel) }
            }
        }
        form #composer.composer {
            label.icon for="photo-input" title=(t.photo) {
                svg aria-hidden="true" viewBox="0 0 24 24" width="24" height="24" {
                    path d="M4 7h3l2-3h6l2 3h3v13H4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" {}
                    circle cx="12" cy="13" r="4" fill="none" stroke="currentColor" stroke-width="2" {}
                }
                span.visually-hidden { (t.photo) }
            }
            input #photo-input.visually-hidden type="file" accept="image/*" capture="environment";
            button #loc-btn.icon type="button" title=(t.location) {
                svg aria-hidden="true" viewBox="0 0 24 24" width="24" height="24" {
                    path d="M12 21s-7-6.2-7-11a7 7 0 0 1 14 0c0 4.8-7 11-7 11z" fill="none" stroke="currentColor" stroke-width="2" {}
                    circle cx="12" cy="10" r="2.5" fill="currentColor" {}
                }
                span.visually-hidden { (t.location) }
            }
            label.visually-hidden for="text" { (t.message) }
            input #text type="text" autocomplete="off" enterkeyhint="send" maxlength=(max) placeholder=(t.placeholder);
            button #send.primary type="submit" { (t.send) }
        }
    };
    layout::respond(StatusCode::OK, layout::page(&ctx, t.chat_title, Nav::Chat, main, &["chat.js"]), cookies)
}

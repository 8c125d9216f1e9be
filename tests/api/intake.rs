//! The intake bot over HTTP: a resident talks to their `intake` conversation and the bot answers in it.

use std::sync::Arc;

use chrono::{Duration, Utc};
use hazardline::{clock::ManualClock, geo::demo_city::grid_center};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::{
    helpers::{spawn_app_with_clock, Session, TestApp},
    media_support::{testdata, upload_ok},
    tickets::{cast, cast_in, report, submit, upload_photo, user_id, Cast},
};

/// One resident's conversation with the bot.
pub struct Chat<'a> {
    pub app: &'a TestApp,
    pub who: &'a Session,
    pub id: String,
    seen: i64,
    sent: u32,
}

impl<'a> Chat<'a> {
    /// Opens the resident's intake conversation and reads the greeting.
    pub async fn open(app: &'a TestApp, who: &'a Session) -> (Chat<'a>, Vec<Value>) {
        let res = app.post_json_as("/api/v1/conversations", &who.access_token, &json!({"kind": "intake"})).await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let mut chat = Chat { app, who, id, seen: 0, sent: 0 };
        let greeting = chat.bot().await;
        (chat, greeting)
    }

    /// Sends a message and returns what the bot answered to it.
    pub async fn send(&mut self, body: Value) -> Vec<Value> {
        self.sent += 1;
        let mut body = body;
        body["client_msg_id"] = json!(format!("m-{}", self.sent));
        let res = self
            .app
            .post_json_as(&format!("/api/v1/conversations/{}/messages", self.id), &self.who.access_token, &body)
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
        self.bot().await
    }

    pub async fn say(&mut self, text: &str) -> Vec<Value> {
        self.send(json!({"type": "text", "text": text})).await
    }

    /// Taps a quick reply by its value (sent back as text, as clients do).
    pub async fn tap(&mut self, value: &str) -> Vec<Value> {
        self.say(value).await
    }

    pub async fn photo(&mut self, media_id: &str) -> Vec<Value> {
        self.send(json!({"type": "image", "media_id": media_id})).await
    }

    pub async fn pin(&mut self, (lng, lat): (f64, f64)) -> Vec<Value> {
        self.send(json!({"type": "location", "lat": lat, "lng": lng, "label": "我在这"})).await
    }

    /// The bot's messages since the last look.
    pub async fn bot(&mut self) -> Vec<Value> {
        let res = self
            .app
            .get_as(
                &format!("/api/v1/conversations/{}/messages?after={}&limit=200", self.id, self.seen),
                &self.who.access_token,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.unwrap();
        let items = page["items"].as_array().unwrap().clone();
        if let Some(last) = items.last() {
            self.seen = last["seq"].as_i64().unwrap();
        }
        items.into_iter().filter(|m| m["sender_role"] == "bot").collect()
    }
}

/// Everything the replies say, titles, texts and button labels, for matching.
fn words(replies: &[Value]) -> String {
    replies.iter().map(|m| m["content"].to_string()).collect::<Vec<_>>().join("\n")
}

/// The button values of the last card.
fn buttons(replies: &[Value]) -> Vec<String> {
    replies
        .iter()
        .rev()
        .find_map(|m| m["content"]["quick_replies"].as_array().filter(|b| !b.is_empty()).cloned())
        .unwrap_or_default()
        .iter()
        .map(|b| b["value"].as_str().unwrap().to_owned())
        .collect()
}

async fn tickets_of(app: &TestApp, who: &Session) -> Vec<entity::ticket::Model> {
    entity::ticket::Entity::find()
        .filter(entity::ticket::Column::ReporterId.eq(user_id(who)))
        .all(app.state.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn one_message_fills_several_slots_and_a_correction_changes_the_building() {
    let c = cast().await;
    let (mut chat, greeting) = Chat::open(&c.app, &c.resident).await;
    assert!(words(&greeting).contains("上报隐患"), "greeting with a menu: {greeting:?}");
    assert_eq!(buttons(&greeting), ["#report", "#mine", "#lookup", "#agent"]);

    // Description, category (fire) and a place hint at once: the bot asks where, offering 幸福社区.
    let r = chat.say("幸福小区3栋楼道里好多电动车在充电，拍了照").await;
    let w = words(&r);
    assert!(!w.contains("哪一类"), "category understood, not asked: {w}");
    assert!(w.contains("幸福社区"), "typed place matched: {w}");
    let place = buttons(&r).into_iter().find(|b| b.starts_with("#place:")).expect("a place button");

    let r = chat.tap(&place).await;
    assert!(words(&r).contains("照片"), "photos asked next: {r:?}");
    let media = upload_photo(&c.app, &c.resident, 3).await;
    let r = chat.photo(&media).await;
    assert!(words(&r).contains("第1张"), "{r:?}");
    let r = chat.tap("#photos:done").await;
    assert_eq!(buttons(&r), ["#anon:no", "#anon:yes"]);
    let r = chat.tap("#anon:no").await;
    let w = words(&r);
    assert!(w.contains("请确认") && w.contains("消防安全") && w.contains("3栋") && w.contains("照片：1张"), "{w}");
    assert!(w.contains("大致位置"), "a community-level place is marked approximate: {w}");

    let r = chat.say("不对，是5栋").await;
    let w = words(&r);
    assert!(w.contains("5栋") && !w.contains("3栋"), "the correction replaced the building: {w}");
    assert!(tickets_of(&c.app, &c.resident).await.is_empty(), "nothing filed before confirming");

    let r = chat.tap("#confirm").await;
    let w = words(&r);
    assert!(w.contains("已受理") && w.contains("YH"), "{w}");
    let filed = tickets_of(&c.app, &c.resident).await;
    assert_eq!(filed.len(), 1);
    let t = &filed[0];
    assert_eq!((t.category.as_str(), t.channel.as_str(), t.urgency.as_str()), ("fire", "app", "normal"));
    assert!(t.description.contains("5栋楼道") && t.description.contains("大致"), "{}", t.description);
    assert!(t.address.as_deref().unwrap_or_default().contains("5栋"), "{:?}", t.address);
    assert!(w.contains(&t.number), "the answer names the number: {w}");
    let photos = entity::media::Entity::find()
        .filter(entity::media::Column::TicketId.eq(t.id))
        .all(c.app.state.db())
        .await
        .unwrap();
    assert_eq!(photos.len(), 1, "the photo is on the ticket");
}

#[tokio::test]
async fn cancel_mid_way_files_nothing_and_back_undoes_the_last_answer() {
    let c = cast().await;
    let (mut chat, _) = Chat::open(&c.app, &c.resident).await;
    chat.tap("#report").await;
    let r = chat.say("人民路公交站旁边的井盖没了，只放了个纸箱").await;
    assert!(words(&r).contains("在哪里"), "{r:?}");
    let r = chat.pin(grid_center(0, 1)).await;
    assert!(words(&r).contains("照片"), "{r:?}");
    let r = chat.say("上一步").await;
    assert!(words(&r).contains("在哪里"), "back asks the place again: {r:?}");
    let r = chat.say("算了").await;
    assert!(words(&r).contains("已取消"), "{r:?}");
    assert_eq!(buttons(&r), ["#report", "#mine", "#lookup", "#agent"]);
    assert!(tickets_of(&c.app, &c.resident).await.is_empty());
    // After a cancel the next words start a new report.
    let r = chat.say("help").await;
    assert!(words(&r).contains("取消"), "help lists the commands: {r:?}");
}

#[tokio::test]
async fn an_emergency_is_told_whom_to_call_first_and_filed_as_soon_as_the_place_is_known() {
    let c = cast().await;
    let (mut chat, _) = Chat::open(&c.app, &c.resident).await;
    let r = chat.say("对面楼起火了，火苗从阳台窜出来").await;
    let first = r.first().expect("an answer")["content"].to_string();
    assert!(first.contains("119"), "the very first reply says 119: {first}");
    assert!(words(&r).contains("位置"), "then asks where: {r:?}");
    assert!(tickets_of(&c.app, &c.resident).await.is_empty());

    let r = chat.pin(grid_center(0, 0)).await;
    let w = words(&r);
    assert!(w.contains("已受理"), "{w}");
    let filed = tickets_of(&c.app, &c.resident).await;
    assert_eq!(filed.len(), 1);
    assert_eq!((filed[0].urgency.as_str(), filed[0].category.as_str()), ("emergency", "fire"));

    // Then the rest: a photo goes into the ticket's thread.
    let media = upload_photo(&c.app, &c.resident, 9).await;
    let r = chat.photo(&media).await;
    assert!(words(&r).contains(&filed[0].number), "added to the ticket: {r:?}");
    assert_eq!(tickets_of(&c.app, &c.resident).await.len(), 1, "no second ticket");
}

#[tokio::test]
async fn a_photo_with_gps_offers_its_place() {
    let Some(bytes) = testdata("photos/DSCN0010.jpg") else {
        eprintln!("skipped: ../shared/testdata/photos is absent");
        return;
    };
    let c = cast().await;
    let (mut chat, _) = Chat::open(&c.app, &c.resident).await;
    let media = upload_ok(&c.app, &c.resident.access_token, "DSCN0010.jpg", &bytes).await;
    let r = chat.photo(media["id"].as_str().unwrap()).await;
    assert!(words(&r).contains("照片拍摄于"), "the photo's place is offered: {r:?}");
    assert!(buttons(&r).contains(&"#gps".to_owned()), "{r:?}");
    let r = chat.say("路边的井盖没了").await;
    // The description came after the photo; the place is still on offer.
    assert!(buttons(&r).contains(&"#gps".to_owned()) || words(&r).contains("照片拍摄于"), "{r:?}");
    let r = chat.tap("#gps").await;
    assert!(!words(&r).contains("在哪里"), "the place is settled: {r:?}");
}

#[tokio::test]
async fn a_possible_duplicate_is_offered_and_followed_instead_of_a_new_ticket() {
    let c = cast().await;
    let first = submit(&c.app, &c.dispatcher, &report("fire", grid_center(0, 0), &[])).await;
    let number = first["ticket"]["number"].as_str().unwrap().to_owned();
    let (mut chat, _) = Chat::open(&c.app, &c.resident).await;
    chat.say("消防通道被堵了，堆放杂物").await;
    chat.pin(grid_center(0, 0)).await;
    chat.tap("#skip").await;
    let r = chat.tap("#anon:no").await;
    assert!(words(&r).contains("请确认"), "{r:?}");
    let r = chat.tap("#confirm").await;
    assert!(words(&r).contains(&number), "the open ticket is shown: {r:?}");
    let follow = buttons(&r).into_iter().find(|b| b.starts_with("#dup:follow:")).expect("follow button");
    let r = chat.tap(&follow).await;
    assert!(words(&r).contains("已关注"), "{r:?}");
    assert!(tickets_of(&c.app, &c.resident).await.is_empty(), "no second ticket");
    let follows = entity::ticket_follower::Entity::find()
        .filter(entity::ticket_follower::Column::UserId.eq(user_id(&c.resident)))
        .all(c.app.state.db())
        .await
        .unwrap();
    assert_eq!(follows.len(), 1);
}

#[tokio::test]
async fn my_reports_and_a_ticket_number_answer_with_status_next_step_and_deadline() {
    let c = cast().await;
    let mine = submit(&c.app, &c.resident, &report("fire", grid_center(0, 0), &[])).await;
    let number = mine["ticket"]["number"].as_str().unwrap().to_owned();
    let (mut chat, _) = Chat::open(&c.app, &c.resident).await;
    let r = chat.say("我的上报").await;
    let w = words(&r);
    assert!(w.contains(&number) && w.contains("已派单") && w.contains("期限"), "{w}");
    let r = chat.say(&format!("查一下 {}", number.to_lowercase())).await;
    assert!(words(&r).contains(&number), "{r:?}");
    // Someone else's number is not found.
    let other = submit(&c.app, &c.dispatcher, &report("gas", grid_center(1, 1), &[])).await;
    let r = chat.say(other["ticket"]["number"].as_str().unwrap()).await;
    assert!(words(&r).contains("没有查到"), "{r:?}");
}

#[tokio::test]
async fn a_retried_message_is_answered_once() {
    let c = cast().await;
    let (chat, _) = Chat::open(&c.app, &c.resident).await;
    let body = json!({"client_msg_id": "same", "type": "text", "text": "你好"});
    let path = format!("/api/v1/conversations/{}/messages", chat.id);
    for _ in 0..3 {
        let res = c.app.post_json_as(&path, &c.resident.access_token, &body).await;
        assert!(res.status().is_success());
    }
    let mut chat = chat;
    assert_eq!(chat.bot().await.len(), 1, "one answer for one message");
}

#[tokio::test]
async fn asking_for_a_person_brings_a_dispatcher_in_and_the_bot_steps_back() {
    let c = cast().await;
    let (mut chat, _) = Chat::open(&c.app, &c.resident).await;
    let r = chat.say("转人工").await;
    assert!(words(&r).contains("人工"), "{r:?}");
    let listed: Vec<Value> =
        c.app.get_as("/api/v1/conversations", &c.dispatcher.access_token).await.json().await.unwrap();
    assert!(listed.iter().any(|x| x["id"] == chat.id.as_str()), "the dispatcher sees the conversation");
    let r = chat.say("我家楼下有人占道经营").await;
    assert!(r.is_empty(), "the bot keeps quiet while a person handles it: {r:?}");
    let r = chat.say("取消").await;
    assert!(!r.is_empty(), "commands still work");
}

#[tokio::test]
async fn an_idle_conversation_ends_and_offers_its_draft_once() {
    let clock = ManualClock::new(Utc::now());
    let c: Cast = cast_in(spawn_app_with_clock(Arc::new(clock.clone()), |_| {}).await).await;
    let (mut chat, _) = Chat::open(&c.app, &c.resident).await;
    chat.say("路灯坏了好几天，晚上很黑").await;
    clock.advance(Duration::minutes(31));
    let r = chat.say("你好").await;
    assert_eq!(buttons(&r), ["#resume", "#restart"], "{r:?}");
    let r = chat.tap("#resume").await;
    assert!(words(&r).contains("路灯"), "{r:?}");
    // Within the TTL it simply goes on.
    clock.advance(Duration::minutes(10));
    let r = chat.pin(grid_center(0, 0)).await;
    assert!(words(&r).contains("照片"), "{r:?}");
    // Offered once: after declining, the draft is gone.
    clock.advance(Duration::minutes(31));
    chat.say("你好").await;
    let r = chat.say("你好").await;
    assert_eq!(buttons(&r), ["#report", "#mine", "#lookup", "#agent"], "{r:?}");
}

#[tokio::test]
async fn the_conversation_resumes_on_another_server_with_redis() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: the session survives a restart only in a shared store (set TEST_REDIS_URL)");
        return;
    }
    let c = cast().await;
    let (mut chat, _) = Chat::open(&c.app, &c.resident).await;
    chat.say("小区东门消防通道又被快递车和私家车堵了").await;
    let restarted = c.app.another_instance(Arc::new(hazardline::clock::SystemClock)).await;
    let viewer = hazardline::tickets::access::Viewer::load(restarted.db(), user_id(&c.resident)).await.unwrap();
    let req: hazardline::chat::dto::SendMessageRequest = serde_json::from_value(json!({
        "client_msg_id": "after-restart", "type": "location",
        "lat": grid_center(0, 0).1, "lng": grid_center(0, 0).0, "label": null
    }))
    .unwrap();
    hazardline::chat::service::send(&restarted, &viewer, chat.id.parse().unwrap(), req).await.unwrap();
    let r = chat.bot().await;
    assert!(words(&r).contains("照片"), "the other server went on with the same draft: {r:?}");
}

#[tokio::test]
async fn english_speakers_get_english() {
    let c = cast().await;
    entity::user::Entity::update_many()
        .col_expr(entity::user::Column::Locale, sea_orm::sea_query::Expr::value("en-US"))
        .filter(entity::user::Column::Id.eq(user_id(&c.resident)))
        .exec(c.app.state.db())
        .await
        .unwrap();
    let (mut chat, greeting) = Chat::open(&c.app, &c.resident).await;
    assert!(words(&greeting).contains("Report a hazard"), "{greeting:?}");
    let r = chat.say("Smoke is pouring out of the restaurant kitchen next door").await;
    assert!(r[0]["content"].to_string().contains("119"), "{r:?}");
}

#[tokio::test]
async fn switching_the_language_changes_the_next_reply_mid_report() {
    let c = cast().await;
    let (mut chat, greeting) = Chat::open(&c.app, &c.resident).await;
    assert!(words(&greeting).contains("隐患"), "{greeting:?}");
    chat.say("楼道里堆满纸箱").await;
    let r = chat.tap("#cat:fire").await;
    assert!(
        words(&r).contains("位置按钮") && !words(&r).contains("＋"),
        "the app chat has a button, not WeChat's ＋: {r:?}"
    );
    hazardline::auth::service::set_locale(c.app.state.db(), user_id(&c.resident), "en-US").await.unwrap();
    let r = chat.tap("#cat:gas").await;
    assert!(!words(&r).is_empty() && words(&r).is_ascii(), "the next reply is English: {r:?}");
}

#[tokio::test]
async fn the_greeting_mentions_a_campaign_running_where_the_resident_reported_before() {
    let c = cast().await;
    let district = crate::campaigns::region_id(&c.app, "439901").await;
    let body = crate::campaigns::campaign(&["fire"], &[district]);
    let res = c.app.post_json_as("/api/v1/campaigns", &c.dispatcher.access_token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // A newcomer has no area yet: a plain greeting.
    let (_, greeting) = Chat::open(&c.app, &c.resident).await;
    assert!(!words(&greeting).contains("专项整治"), "{greeting:?}");
    // After a report in the district, the next greeting names the campaign.
    submit(&c.app, &c.resident, &report("gas", grid_center(0, 0), &[])).await;
    let conv = c.app.post_json_as("/api/v1/conversations", &c.resident.access_token, &json!({"kind": "intake"})).await;
    let id = conv.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let mut chat = Chat { app: &c.app, who: &c.resident, id, seen: 0, sent: 100 };
    chat.bot().await;
    let r = chat.say("你好").await;
    assert!(words(&r).contains("消防安全专项整治"), "{r:?}");
}

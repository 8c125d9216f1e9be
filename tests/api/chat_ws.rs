//! Chat in real time: WebSocket delivery, staff notes, resume without gaps or repeats, delivery
//! across instances through the bus, and refusals (bad token, oversized frame).

use std::{sync::Arc, time::Duration};

use futures_util::{SinkExt, StreamExt};
use hazardline::{
    chat::dto::{Content, SendMessageRequest, Visibility},
    clock::SystemClock,
    tickets::access::Viewer,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, protocol::frame::coding::CloseCode, Error as WsError, Message},
    MaybeTlsStream, WebSocketStream,
};

use crate::{
    chat::{send, text, thread},
    helpers::{Session, TestApp},
};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn ws_url(app: &TestApp, query: &str) -> String {
    format!("ws://{}/api/v1/ws{query}", app.address.trim_start_matches("http://"))
}

pub async fn connect(app: &TestApp, who: &Session) -> Ws {
    let mut req = ws_url(app, "").into_client_request().unwrap();
    req.headers_mut().insert("authorization", format!("Bearer {}", who.access_token).parse().unwrap());
    let (ws, res) = connect_async(req).await.expect("WebSocket upgrade");
    assert_eq!(res.status(), StatusCode::SWITCHING_PROTOCOLS);
    ws
}

/// The next JSON event, or `None` if nothing arrives within `wait`.
async fn event_within(ws: &mut Ws, wait: Duration) -> Option<Value> {
    tokio::time::timeout(wait, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => return serde_json::from_str::<Value>(&t).unwrap(),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected an event, got {other:?}"),
            }
        }
    })
    .await
    .ok()
}

pub async fn next_event(ws: &mut Ws) -> Value {
    event_within(ws, Duration::from_secs(5)).await.expect("an event within 5 s")
}

async fn resume(ws: &mut Ws, conv: &str, after_seq: i64) {
    let frame = json!({"type": "resume", "cursors": [{"conversation_id": conv, "after_seq": after_seq}]});
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

#[tokio::test]
async fn a_connected_member_receives_what_another_sends_but_a_resident_never_a_staff_note() {
    let (c, conv) = thread().await;
    let mut resident = connect(&c.app, &c.resident).await;
    let mut staff = connect(&c.app, &c.dept_staff).await;

    let sent = text(&c.app, &c.grid_worker, &conv, "w-1", "我十分钟后到现场").await;
    for ws in [&mut resident, &mut staff] {
        let event = next_event(ws).await;
        assert_eq!(event["type"], "message");
        assert_eq!(event["message"], sent);
    }

    let note = send(
        &c.app,
        &c.grid_worker,
        &conv,
        json!({"client_msg_id": "w-2", "type": "text", "text": "该户情绪激动", "visibility": "staff"}),
    )
    .await;
    assert_eq!(note.status(), StatusCode::CREATED);
    let after = text(&c.app, &c.grid_worker, &conv, "w-3", "已到楼下").await;
    let staff_seqs = [next_event(&mut staff).await, next_event(&mut staff).await].map(|e| e["message"]["seq"].clone());
    assert_eq!(staff_seqs, [json!(2), json!(3)]);
    // The resident's next event is the public message: the note in between never came.
    assert_eq!(next_event(&mut resident).await["message"], after);
}

#[tokio::test]
async fn a_client_that_reconnects_and_resumes_gets_every_message_once_in_order() {
    let (c, conv) = thread().await;
    let mut ws = connect(&c.app, &c.resident).await;
    for i in 1..=2 {
        text(&c.app, &c.grid_worker, &conv, &format!("r-{i}"), &format!("第{i}条")).await;
        assert_eq!(next_event(&mut ws).await["message"]["seq"], i);
    }
    ws.close(None).await.unwrap();
    drop(ws);
    for i in 3..=5 {
        text(&c.app, &c.grid_worker, &conv, &format!("r-{i}"), &format!("第{i}条")).await;
    }

    let mut ws = connect(&c.app, &c.resident).await;
    // One more message is sent while the catch-up runs.
    let (_, during) =
        tokio::join!(resume(&mut ws, &conv, 2), text(&c.app, &c.grid_worker, &conv, "r-6", "补充一张照片"));
    assert_eq!(during["seq"], 6);

    let (mut seqs, mut resumed) = (Vec::new(), false);
    while seqs.last() != Some(&6) || !resumed {
        let event = next_event(&mut ws).await;
        match event["type"].as_str().unwrap() {
            "message" => seqs.push(event["message"]["seq"].as_i64().unwrap()),
            "resumed" => resumed = true,
            other => panic!("unexpected {other}: {event}"),
        }
    }
    assert_eq!(seqs, [3, 4, 5, 6]);
    assert_eq!(event_within(&mut ws, Duration::from_millis(300)).await, None, "nothing repeated afterwards");
}

#[tokio::test]
async fn a_client_on_one_instance_receives_a_message_sent_through_another() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: two instances share a bus only through Redis; set TEST_REDIS_URL");
        return;
    }
    let (c, conv) = thread().await;
    let mut ws = connect(&c.app, &c.resident).await;
    let other = c.app.another_instance(Arc::new(SystemClock)).await;
    let worker_id = c.grid_worker.user["id"].as_str().unwrap().parse().unwrap();
    let viewer = Viewer::load(other.db(), worker_id).await.unwrap();
    let req = SendMessageRequest {
        client_msg_id: "b-1".to_owned(),
        visibility: Visibility::All,
        content: Content::Text { text: "从另一台服务器发出".to_owned() },
    };
    let (sent, _) = hazardline::chat::service::send(&other, &viewer, conv.parse().unwrap(), req).await.unwrap();
    let event = event_within(&mut ws, Duration::from_secs(1)).await.expect("delivered within 1 s");
    assert_eq!(event["message"]["id"], sent.id.to_string());
}

#[tokio::test]
async fn a_bad_token_is_refused_before_the_upgrade_and_a_query_token_works() {
    let (c, conv) = thread().await;
    for query in ["", "?access_token=not-a-token"] {
        let err = connect_async(ws_url(&c.app, query)).await.expect_err("refused");
        let WsError::Http(res) = err else { panic!("expected an HTTP answer, got {err:?}") };
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body: Value = serde_json::from_slice(res.body().as_deref().unwrap()).unwrap();
        assert!(["missing_token", "invalid_token"].contains(&body["code"].as_str().unwrap()), "{body}");
    }
    let (mut ws, _) = connect_async(ws_url(&c.app, &format!("?access_token={}", c.resident.access_token)))
        .await
        .expect("a query token is accepted");
    resume(&mut ws, &conv, 0).await;
    assert_eq!(next_event(&mut ws).await["type"], "resumed");
}

#[tokio::test]
async fn a_bad_frame_gets_an_error_event_and_an_oversized_one_closes_the_socket() {
    let (c, _) = thread().await;
    let mut ws = connect(&c.app, &c.resident).await;
    ws.send(Message::text(r#"{"type":"subscribe"}"#)).await.unwrap();
    let event = next_event(&mut ws).await;
    assert_eq!((event["type"].as_str(), event["code"].as_str()), (Some("error"), Some("invalid_frame")));
    ws.send(Message::text(r#"{"type":"ping"}"#)).await.unwrap();
    assert_eq!(next_event(&mut ws).await["type"], "pong", "still open after a bad frame");

    let limit = c.app.settings.chat.ws_max_frame_bytes;
    let _ = ws.send(Message::text("x".repeat(limit + 1))).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    })
    .await
    .expect("the socket closes");
    assert_eq!(closed, Some(CloseCode::Size));
}

#[tokio::test]
async fn a_status_change_reaches_the_reporter_as_a_thread_message_and_a_ticket_status_event() {
    use hazardline::notifications::worker::deliver_due;
    let c = crate::tickets::cast().await;
    let created = crate::tickets::submit(
        &c.app,
        &c.resident,
        &crate::tickets::report("fire", hazardline::geo::demo_city::grid_center(0, 0), &[]),
    )
    .await;
    deliver_due(&c.app.state).await.unwrap();
    let mut resident = connect(&c.app, &c.resident).await;
    let id = created["ticket"]["id"].as_str().unwrap();
    let seen: Value = crate::tickets::get_ticket(&c.app, &c.grid_worker, id).await.json().await.unwrap();
    crate::tickets::act_ok(&c.app, &c.grid_worker, &seen, json!({"action": "accept"})).await;
    assert!(deliver_due(&c.app.state).await.unwrap() > 0);

    let events = [next_event(&mut resident).await, next_event(&mut resident).await];
    let message = events.iter().find(|e| e["type"] == "message").expect("a thread message");
    assert_eq!(message["message"]["content"]["type"], "system");
    assert_eq!(message["message"]["content"]["status"], "verifying");
    assert!(message["message"]["content"]["text"]
        .as_str()
        .unwrap()
        .contains(created["ticket"]["number"].as_str().unwrap()));
    let status = events.iter().find(|e| e["type"] == "ticket_status").expect("a ticket_status event");
    assert_eq!((status["ticket_id"].as_str(), status["status"].as_str()), (Some(id), Some("verifying")));
    assert_eq!(status["status_label"], "核实中");
}

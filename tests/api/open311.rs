//! Open311 GeoReport v2 over HTTP: every endpoint in both formats, every filter, every error, with
//! field names and types checked against the spec's examples.

use std::sync::Arc;

use chrono::{SubsecRound, TimeDelta, Utc};
use entity::{ticket, user_role};
use hazardline::{
    clock::{Clock, ManualClock, SystemClock},
    geo::demo_city::grid_center,
};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::{
    open311_support::{create_key, get, open311_app, post_form, post_raw, Node, Open311},
    tickets::{act_ok, login},
};

/// Field names of the spec's examples, in its order.
const SERVICE_FIELDS: [&str; 7] =
    ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"];
const REQUEST_FIELDS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];
const ATTRIBUTE_FIELDS: [&str; 8] =
    ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"];

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn sorted<const N: usize>(names: [&'static str; N]) -> Vec<&'static str> {
    let mut v = names.to_vec();
    v.sort_unstable();
    v
}

/// A report at the first grid of the demo city, in WGS-84 as Open311 sends it.
fn form<'a>(key: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("api_key", key),
        ("service_code", "fire"),
        ("lat", *LAT),
        ("long", *LNG),
        ("address_string", "青川市幸福路12号"),
        ("description", "楼道里电动车在充电"),
        ("attribute[people_in_danger]", "no"),
    ];
    f.extend_from_slice(extra);
    f
}

/// The demo city's first grid centre (GCJ-02) in WGS-84, as an Open311 client sends it.
static POINT: std::sync::LazyLock<(String, String)> = std::sync::LazyLock::new(|| {
    let (lng, lat) = grid_center(0, 0);
    let p = hazardline::geo::point::GeoPoint::parse(lat, lng).unwrap().gcj02_to_wgs84();
    (p.lat().to_string(), p.lng().to_string())
});
static LAT: std::sync::LazyLock<&'static str> = std::sync::LazyLock::new(|| POINT.0.as_str());
static LNG: std::sync::LazyLock<&'static str> = std::sync::LazyLock::new(|| POINT.1.as_str());

async fn create(o: &Open311, extra: &[(&str, &str)]) -> Value {
    let res = post_form(&o.app, "requests.json", &form(&o.key, extra), None).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.json()[0].clone()
}

#[tokio::test]
async fn services_list_every_category_in_both_formats_with_the_specs_fields() {
    let o = open311_app(Arc::new(SystemClock), |_| {}).await;

    let json = get(&o.app, "services.json").await;
    assert_eq!(json.status, StatusCode::OK);
    let list = json.json();
    let services = list.as_array().unwrap();
    assert_eq!(services.len(), hazardline::geo::categories::SEEDS.len());
    for s in services {
        assert_eq!(keys(s), sorted(SERVICE_FIELDS), "{s}");
        assert!(s["service_code"].is_string() && s["service_name"].is_string() && s["description"].is_string());
        assert_eq!(s["metadata"], true);
        assert_eq!(s["type"], "realtime");
        assert!(s["keywords"].is_string() && s["group"].is_string());
    }
    let fire = services.iter().find(|s| s["service_code"] == "fire").unwrap();
    assert_eq!(fire["service_name"], "消防安全");
    assert_eq!(fire["group"], "消防");
    assert!(fire["keywords"].as_str().unwrap().starts_with("消防通道,安全出口"));
    let hazchem = services.iter().find(|s| s["service_code"] == "hazchem").unwrap();
    assert_eq!(hazchem["group"], "应急管理");

    let xml = get(&o.app, "services.xml?jurisdiction_id=hazardline").await.xml();
    assert_eq!(xml.name, "services");
    assert_eq!(xml.children.len(), services.len());
    for (node, s) in xml.children.iter().zip(services) {
        assert_eq!(node.name, "service");
        assert_eq!(node.names(), SERVICE_FIELDS);
        assert_eq!(node.child("service_code").text, s["service_code"].as_str().unwrap());
        assert_eq!(node.child("metadata").text, "true");
    }
}

#[tokio::test]
async fn a_service_definition_lists_its_attributes_in_both_formats() {
    let o = open311_app(Arc::new(SystemClock), |_| {}).await;

    let def = get(&o.app, "services/fire.json").await.json();
    assert_eq!(keys(&def), ["attributes", "service_code"]);
    assert_eq!(def["service_code"], "fire");
    let attrs = def["attributes"].as_array().unwrap();
    for (i, a) in attrs.iter().enumerate() {
        let mut expected = sorted(ATTRIBUTE_FIELDS);
        if a.get("values").is_none() {
            expected.retain(|k| *k != "values");
        }
        assert_eq!(keys(a), expected, "{a}");
        assert!(a["variable"].is_boolean() && a["required"].is_boolean());
        assert_eq!(a["order"], i + 1);
        assert!(a["datatype_description"].is_string() || a["datatype_description"].is_null());
    }
    let danger = &attrs[0];
    assert_eq!(
        (danger["code"].as_str(), danger["datatype"].as_str()),
        (Some("people_in_danger"), Some("singlevaluelist"))
    );
    assert_eq!(danger["required"], true);
    assert_eq!(danger["values"], json!([{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]));
    let datatypes: Vec<&str> = attrs.iter().map(|a| a["datatype"].as_str().unwrap()).collect();
    for t in ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"] {
        assert!(datatypes.contains(&t), "{t}");
    }

    let xml = get(&o.app, "services/fire.xml").await.xml();
    assert_eq!(xml.name, "service_definition");
    assert_eq!(xml.names(), ["service_code", "attributes"]);
    let nodes = &xml.child("attributes").children;
    assert_eq!(nodes.len(), attrs.len());
    let first: &Node = &nodes[0];
    assert_eq!(first.name, "attribute");
    assert_eq!(first.names(), ATTRIBUTE_FIELDS);
    let values = &first.child("values").children;
    assert_eq!(values[0].name, "value");
    assert_eq!(values[0].names(), ["key", "name"]);
    assert_eq!(values[0].child("name").text, "是");
    // No values: no <values> element.
    assert_eq!(nodes[1].names(), ATTRIBUTE_FIELDS[..7]);

    assert!(get(&o.app, "services/nope.json").await.json_errors(StatusCode::NOT_FOUND)[0].contains("nope"));
    assert!(get(&o.app, "services/nope.xml").await.xml_errors(StatusCode::NOT_FOUND)[0].contains("nope"));
}

#[tokio::test]
async fn posting_a_request_reports_a_ticket_on_the_open311_channel_as_the_keys_service_account() {
    let o = open311_app(Arc::new(SystemClock), |_| {}).await;
    let extra = [
        ("attribute[floor]", "3"),
        ("attribute[fire_hazards][]", "ebike_charging"),
        ("attribute[fire_hazards][]", "flammables"),
        ("media_url", "https://hotline.example/photos/1.jpg"),
        ("jurisdiction_id", "hazardline"),
    ];
    let created = create(&o, &extra).await;
    assert_eq!(keys(&created), ["account_id", "service_notice", "service_request_id", "token"]);
    let id = created["service_request_id"].as_str().unwrap();
    assert!(id.starts_with("YH"));
    assert!(created["token"].is_string() && created["account_id"].is_null());
    assert!(created["service_notice"].as_str().unwrap().contains(id));

    let row =
        ticket::Entity::find().filter(ticket::Column::Number.eq(id)).one(o.app.state.db()).await.unwrap().unwrap();
    assert_eq!(row.channel, "open311");
    assert_eq!(row.coord_system, "wgs84");
    assert_eq!(row.urgency, "normal");
    assert_eq!(row.address.as_deref(), Some("青川市幸福路12号"));
    assert_eq!(
        row.description,
        "楼道里电动车在充电\n【人员处于危险中】否\n【楼层】3\n【消防隐患】电动车在室内或楼道充电、楼道堆放易燃杂物"
    );
    let keys_list = o.app.get_as("/api/v1/api-keys", &o.admin.access_token).await.json::<Value>().await.unwrap();
    let service_account: uuid::Uuid = keys_list[0]["user_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(row.reporter_id, service_account);
    let roles = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(service_account))
        .all(o.app.state.db())
        .await
        .unwrap();
    assert_eq!(roles.iter().map(|r| r.role.as_str()).collect::<Vec<_>>(), ["resident"]);
    assert!(keys_list[0]["last_used_at"].is_string());

    // The request in the feed, both formats, with the media URL and the department.
    let one = get(&o.app, &format!("requests/{id}.json")).await.json();
    let r = &one.as_array().unwrap()[0];
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(keys(r), sorted(REQUEST_FIELDS));
    assert_eq!(
        (r["status"].as_str(), r["service_code"].as_str(), r["service_name"].as_str()),
        (Some("open"), Some("fire"), Some("消防安全"))
    );
    assert_eq!(r["status_notes"], "已派单，网格员将到现场核实");
    assert_eq!(r["media_url"], "https://hotline.example/photos/1.jpg");
    assert!(r["agency_responsible"].as_str().unwrap().contains("消防"), "{r}");
    assert!(r["lat"].is_f64() && r["long"].is_f64());
    assert_eq!(r["lat"].as_f64().unwrap().to_string(), *LAT);
    for field in ["requested_datetime", "updated_datetime", "expected_datetime"] {
        let t = r[field].as_str().unwrap();
        assert!(t.ends_with("+08:00") && chrono::DateTime::parse_from_rfc3339(t).is_ok(), "{field}: {t}");
    }
    assert!(r["address_id"].is_null() && r["zipcode"].is_null() && r["service_notice"].is_null());

    let xml = get(&o.app, &format!("requests/{id}.xml")).await.xml();
    assert_eq!(xml.name, "service_requests");
    assert_eq!(xml.children.len(), 1);
    assert_eq!(xml.children[0].name, "request");
    assert_eq!(xml.children[0].names(), REQUEST_FIELDS);
    assert_eq!(xml.children[0].child("service_request_id").text, id);
    assert_eq!(xml.children[0].child("lat").text, *LAT);

    // The token names the same request, in both formats.
    let token = created["token"].as_str().unwrap();
    let t = get(&o.app, &format!("tokens/{token}.json")).await.json();
    assert_eq!(t, json!([{"service_request_id": id, "token": token}]));
    let tx = get(&o.app, &format!("tokens/{token}.xml")).await.xml();
    assert_eq!((tx.name.as_str(), tx.children[0].name.as_str()), ("service_requests", "request"));
    assert_eq!(tx.children[0].names(), ["service_request_id", "token"]);
    assert!(get(&o.app, "tokens/unknown.json").await.json_errors(StatusCode::NOT_FOUND)[0].contains("unknown"));
    get(&o.app, "tokens/unknown.xml").await.xml_errors(StatusCode::NOT_FOUND);
    get(&o.app, "requests/YH000.json").await.json_errors(StatusCode::NOT_FOUND);
    get(&o.app, "requests/YH000.xml").await.xml_errors(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_post_answers_in_xml_and_people_in_danger_make_an_emergency_with_advice() {
    let o = open311_app(Arc::new(SystemClock), |_| {}).await;
    let mut f = form(&o.key, &[]);
    f.retain(|(k, _)| *k != "attribute[people_in_danger]" && *k != "description");
    f.push(("attribute[people_in_danger]", "yes"));
    let res = post_form(&o.app, "requests.xml", &f, None).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let xml = res.xml();
    assert_eq!(xml.name, "service_requests");
    assert_eq!(xml.children[0].name, "request");
    assert_eq!(xml.children[0].names(), ["service_request_id", "token", "service_notice", "account_id"]);
    assert!(xml.children[0].child("service_notice").text.contains("119"));
    let id = xml.children[0].child("service_request_id").text.clone();
    let row =
        ticket::Entity::find().filter(ticket::Column::Number.eq(id)).one(o.app.state.db()).await.unwrap().unwrap();
    assert_eq!(row.urgency, "emergency");
    assert_eq!(row.description, "消防安全（Open311上报）\n【人员处于危险中】是");
}

#[tokio::test]
async fn a_json_body_is_accepted_too() {
    let o = open311_app(Arc::new(SystemClock), |_| {}).await;
    let body = json!({"api_key": o.key, "service_code": "gas", "lat": LAT.parse::<f64>().unwrap(), "long": LNG.parse::<f64>().unwrap(), "attribute": {"people_in_danger": "no"}});
    let res = post_raw(&o.app, "requests.json", "application/json", body.to_string()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

#[tokio::test]
async fn every_post_error_is_in_the_specs_format_with_its_code() {
    let o = open311_app(Arc::new(SystemClock), |_| {}).await;
    let k = o.key.as_str();
    let without = |drop: &[&str]| -> Vec<(&str, &str)> {
        form(k, &[]).into_iter().filter(|(name, _)| !drop.contains(name)).collect()
    };
    type Case<'a> = (Vec<(&'a str, &'a str)>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (without(&["api_key"]), StatusCode::FORBIDDEN, "api_key was not provided"),
        (form("hzk_wrong", &[]).into_iter().collect(), StatusCode::FORBIDDEN, "api_key is invalid"),
        (
            without(&["service_code"]).into_iter().chain([("service_code", "unicorns")]).collect(),
            StatusCode::NOT_FOUND,
            "service_code `unicorns` was not found",
        ),
        (without(&["service_code"]), StatusCode::BAD_REQUEST, "service_code was not provided"),
        (without(&["lat", "long"]), StatusCode::BAD_REQUEST, "address alone cannot be located"),
        (without(&["lat", "long", "address_string"]), StatusCode::BAD_REQUEST, "location is required"),
        (without(&["long"]), StatusCode::BAD_REQUEST, "lat and long go together"),
        (without(&["attribute[people_in_danger]"]), StatusCode::BAD_REQUEST, "attribute[people_in_danger] is required"),
        (form(k, &[("attribute[floor]", "high")]), StatusCode::BAD_REQUEST, "whole number"),
        (form(k, &[("attribute[colour]", "red")]), StatusCode::BAD_REQUEST, "attribute[colour] is not an attribute"),
        (form(k, &[("media_url", "file:///etc/passwd")]), StatusCode::BAD_REQUEST, "media_url"),
        (
            form(k, &[("jurisdiction_id", "elsewhere")]),
            StatusCode::NOT_FOUND,
            "jurisdiction_id `elsewhere` was not found",
        ),
    ];
    for (f, status, expected) in &cases {
        let json = post_form(&o.app, "requests.json", f, None).await.json_errors(*status);
        assert!(json[0].contains(expected), "{expected}: {json:?}");
        let xml = post_form(&o.app, "requests.xml", f, None).await.xml_errors(*status);
        assert_eq!(xml, json);
    }
    // A point outside every region is still a report (it waits for a dispatcher); a description
    // the ticket service refuses is a 400 with its words.
    let long = "很".repeat(4001);
    let e = post_form(
        &o.app,
        "requests.json",
        &form(k, &[])
            .into_iter()
            .map(|(n, v)| if n == "description" { (n, long.as_str()) } else { (n, v) })
            .collect::<Vec<_>>(),
        None,
    )
    .await
    .json_errors(StatusCode::BAD_REQUEST);
    assert!(e[0].contains("4000"), "{e:?}");
    let e = post_raw(&o.app, "requests.json", "text/plain", "service_code=fire".into())
        .await
        .json_errors(StatusCode::BAD_REQUEST);
    assert!(e[0].contains("x-www-form-urlencoded"), "{e:?}");
    // An unknown format answers in XML, the spec's required format.
    let e = post_form(&o.app, "requests.yaml", &form(k, &[]), None).await.xml_errors(StatusCode::NOT_FOUND);
    assert!(e[0].contains("yaml"), "{e:?}");
    assert_eq!(ticket::Entity::find().all(o.app.state.db()).await.unwrap().len(), 0, "nothing was reported");
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_creates_one_ticket() {
    let o = open311_app(Arc::new(SystemClock), |_| {}).await;
    let f = form(&o.key, &[("media_url", "https://hotline.example/a.jpg")]);
    let first = post_form(&o.app, "requests.json", &f, Some("call-0001")).await;
    let again = post_form(&o.app, "requests.json", &f, Some("call-0001")).await;
    assert_eq!((first.status, again.status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first.json(), again.json());
    assert_eq!(ticket::Entity::find().all(o.app.state.db()).await.unwrap().len(), 1);
    let other = post_form(&o.app, "requests.json", &form(&o.key, &[]), Some("call-0001")).await;
    assert!(other.json_errors(StatusCode::BAD_REQUEST)[0].contains("Idempotency-Key"));
}

#[tokio::test]
async fn api_keys_are_made_by_admins_shown_once_and_disabled_keys_are_refused() {
    let o = open311_app(Arc::new(SystemClock), |_| {}).await;
    let list = o.app.get_as("/api/v1/api-keys", &o.admin.access_token).await.json::<Value>().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("key").is_none() && list[0].get("key_hash").is_none(), "{list}");
    assert!(o.key.starts_with(list[0]["prefix"].as_str().unwrap()));
    assert_eq!(list[0]["name"], "12345热线");

    let resident = o.app.resident("13800000077").await;
    let res = o.app.post_json_as("/api/v1/api-keys", &resident.access_token, &json!({"name": "x"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = o.app.post_json_as("/api/v1/api-keys", &o.admin.access_token, &json!({"name": " "})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let second = create_key(&o.app, &o.admin, "12319城管热线").await;
    assert_ne!(second["key"], o.key.as_str());
    let res = o.app.delete_as(&format!("/api/v1/api-keys/{}", o.key_id), &o.admin.access_token).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let e = post_form(&o.app, "requests.json", &form(&o.key, &[]), None).await.json_errors(StatusCode::FORBIDDEN);
    assert!(e[0].contains("invalid or disabled"));
    get(&o.app, &format!("services.json?api_key={}", o.key)).await.json_errors(StatusCode::FORBIDDEN);
    let ok = post_form(&o.app, "requests.json", &form(second["key"].as_str().unwrap(), &[]), None).await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let res = o.app.delete_as(&format!("/api/v1/api-keys/{}", uuid::Uuid::nil()), &o.admin.access_token).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_key_over_its_rate_limit_gets_429_with_retry_after() {
    let o = open311_app(Arc::new(SystemClock), |s| {
        s.open311.requests_per_minute = 2;
        s.open311.anonymous_requests_per_minute = 3;
    })
    .await;
    for _ in 0..2 {
        assert_eq!(get(&o.app, &format!("services.json?api_key={}", o.key)).await.status, StatusCode::OK);
    }
    let limited = post_form(&o.app, "requests.xml", &form(&o.key, &[]), None).await;
    assert!(limited.xml_errors(StatusCode::TOO_MANY_REQUESTS)[0].contains("too many requests"));
    assert!(limited.retry_after.unwrap().parse::<u64>().unwrap() >= 1);
    // Keyless GETs count per address.
    for _ in 0..3 {
        assert_eq!(get(&o.app, "services.json").await.status, StatusCode::OK);
    }
    get(&o.app, "services.json").await.json_errors(StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_request_feed_filters_by_id_service_status_and_dates_in_both_formats() {
    // Tokens are checked against the real time: logins happen with the clock close to it.
    let clock = ManualClock::new(Utc::now().trunc_subsecs(0));
    let o = open311_app(Arc::new(clock.clone()), |s| s.open311.max_requests = 3).await;
    clock.advance(-TimeDelta::days(91) - TimeDelta::seconds(10));
    let start = clock.now();
    let old = create(&o, &[]).await["service_request_id"].as_str().unwrap().to_owned();
    clock.advance(TimeDelta::days(91));
    let fire = create(&o, &[]).await["service_request_id"].as_str().unwrap().to_owned();
    clock.advance(TimeDelta::seconds(1));
    let mut f = form(&o.key, &[]);
    f.retain(|(k, _)| *k != "service_code");
    f.push(("service_code", "gas"));
    let gas_res = post_form(&o.app, "requests.json", &f, None).await;
    assert_eq!(gas_res.status, StatusCode::CREATED, "{}", gas_res.text);
    let gas = gas_res.json()[0]["service_request_id"].as_str().unwrap().to_owned();
    clock.advance(TimeDelta::seconds(1));

    // The grid worker checks the gas report and finds no hazard: it is closed with a reason.
    let worker = login(&o.app, &hazardline::geo::seed::grid_worker_phone(0), "demo password 1").await;
    let row = ticket::Entity::find()
        .filter(ticket::Column::Number.eq(gas.as_str()))
        .one(o.app.state.db())
        .await
        .unwrap()
        .unwrap();
    let t = json!({"id": row.id, "version": row.version});
    let t = act_ok(&o.app, &worker, &t, json!({"action": "accept"})).await;
    act_ok(&o.app, &worker, &t, json!({"action": "reject", "ground": {"kind": "not_a_hazard"}})).await;

    let ids = |v: &Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap().to_owned()).collect()
    };
    let xml_ids = |n: &Node| -> Vec<String> {
        assert_eq!(n.name, "service_requests");
        n.children.iter().map(|r| r.child("service_request_id").text.clone()).collect()
    };
    let both = |q: String| {
        let app = &o.app;
        async move {
            let j = get(app, &format!("requests.json{q}")).await;
            assert_eq!(j.status, StatusCode::OK, "{}", j.text);
            let x = get(app, &format!("requests.xml{q}")).await;
            let (jv, xv) = (ids(&j.json()), xml_ids(&x.xml()));
            assert_eq!(jv, xv, "{q}");
            jv
        }
    };

    // Default: the last 90 days, newest first.
    assert_eq!(both(String::new()).await, [gas.clone(), fire.clone()]);
    assert_eq!(both("?status=open".into()).await, std::slice::from_ref(&fire));
    assert_eq!(both("?status=closed".into()).await, std::slice::from_ref(&gas));
    assert_eq!(both("?status=open,closed&service_code=gas".into()).await, std::slice::from_ref(&gas));
    assert_eq!(both("?service_code=fire,gas&jurisdiction_id=hazardline".into()).await, [gas.clone(), fire.clone()]);
    let closed = get(&o.app, &format!("requests/{gas}.json")).await.json();
    assert_eq!(
        (closed[0]["status"].as_str(), closed[0]["status_notes"].as_str()),
        (Some("closed"), Some("未受理：经核实不属于安全隐患"))
    );
    assert!(closed[0]["expected_datetime"].is_null());
    // Ids override every other filter, old ones included.
    assert_eq!(both(format!("?service_request_id={old},{gas}&status=open")).await, [gas.clone(), old.clone()]);
    // Dates: the old one's day only, and a window ending before the new ones.
    let day = |at: chrono::DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let q = format!("?start_date={}&end_date={}", day(start - TimeDelta::hours(1)), day(start + TimeDelta::hours(1)));
    assert_eq!(both(q).await, std::slice::from_ref(&old));
    let q = format!("?end_date={}", day(start + TimeDelta::days(2)));
    assert_eq!(both(q).await, std::slice::from_ref(&old), "end only: 90 days back from it");
    let q = format!("?start_date={}", day(start + TimeDelta::days(90)));
    assert_eq!(both(q).await, [gas.clone(), fire.clone()], "start only: 90 days on from it");
    // At most max_requests.
    for _ in 0..2 {
        create(&o, &[]).await;
    }
    assert_eq!(both(String::new()).await.len(), 3);

    for (q, status, expected) in [
        ("?start_date=yesterday", StatusCode::BAD_REQUEST, "start_date must be a W3C datetime"),
        ("?end_date=2026-01-01", StatusCode::BAD_REQUEST, "end_date must be a W3C datetime"),
        (
            "?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            StatusCode::BAD_REQUEST,
            "more than 90 days",
        ),
        (
            "?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
            StatusCode::BAD_REQUEST,
            "before start_date",
        ),
        ("?status=pending", StatusCode::BAD_REQUEST, "open or closed"),
        ("?jurisdiction_id=elsewhere", StatusCode::NOT_FOUND, "jurisdiction_id `elsewhere`"),
        ("?api_key=hzk_nope", StatusCode::FORBIDDEN, "api_key is invalid"),
    ] {
        let j = get(&o.app, &format!("requests.json{q}")).await.json_errors(status);
        assert!(j[0].contains(expected), "{q}: {j:?}");
        assert_eq!(get(&o.app, &format!("requests.xml{q}")).await.xml_errors(status), j);
    }
    get(&o.app, "requests.csv").await.xml_errors(StatusCode::NOT_FOUND);
    get(&o.app, "services.csv").await.xml_errors(StatusCode::NOT_FOUND);
    get(&o.app, "services/fire.json?jurisdiction_id=x").await.json_errors(StatusCode::NOT_FOUND);
    get(&o.app, "tokens/x.xml?jurisdiction_id=x").await.xml_errors(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn create_api_key_on_the_command_line_prints_a_working_key_once() {
    let db = crate::helpers::DbGuard::fresh().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hazardline"))
        .env("HAZARDLINE_ENV", "test")
        .env("HAZARDLINE_CONFIG_DIR", crate::helpers::config_dir())
        .env("HAZARDLINE__DATABASE__URL", &db.url)
        .env("HAZARDLINE__AUTH__JWT_SECRET", crate::helpers::TEST_JWT_SECRET)
        .env_remove("HAZARDLINE__REDIS__URL")
        .args(["create-api-key", "--name", "12345热线"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let key = stdout.lines().find(|l| l.starts_with("hzk_")).unwrap().trim().to_owned();
    assert_eq!(key.len(), 68);
    let url = db.url.clone();
    let app = crate::helpers::spawn_app_with(move |s| s.database.url = secrecy::SecretString::from(url)).await;
    let ok = get(&app, &format!("services.json?api_key={key}")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let stored = entity::api_key::Entity::find().one(app.state.db()).await.unwrap().unwrap();
    assert_ne!(stored.key_hash, key);
    assert_eq!(stored.key_hash, hazardline::open311::keys::hash(&key));
}

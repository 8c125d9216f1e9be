//! Wire types of GeoReport v2, named as the spec names them, and of the API-key admin endpoints.
//! Each Open311 list renders as a JSON array or as the spec's XML root with one element per item.

use chrono::{DateTime, Utc};
use entity::api_key;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::format::{Document, Xml};

/// One service: a hazard category.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceView {
    /// The category code, e.g. `fire`.
    pub service_code: String,
    /// The category's Chinese name.
    pub service_name: String,
    /// What it covers.
    pub description: String,
    /// Whether `services/{service_code}` lists attributes (always true here).
    pub metadata: bool,
    /// `realtime`: a POST answers with the `service_request_id` at once.
    #[serde(rename = "type")]
    pub kind: String,
    /// Comma-separated keywords.
    pub keywords: String,
    /// The sector the category belongs to, e.g. 应急管理.
    pub group: String,
}

/// `services.{format}`: every active category.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(transparent)]
pub struct Services(pub Vec<ServiceView>);

impl Document for Services {
    fn xml(&self, x: &mut Xml) {
        x.open("services");
        for s in &self.0 {
            x.open("service");
            x.leaf("service_code", Some(&s.service_code));
            x.leaf("service_name", Some(&s.service_name));
            x.leaf("description", Some(&s.description));
            x.leaf("metadata", Some(bool_text(s.metadata)));
            x.leaf("type", Some(&s.kind));
            x.leaf("keywords", Some(&s.keywords));
            x.leaf("group", Some(&s.group));
            x.close("service");
        }
        x.close("services");
    }
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// One allowed value of a list attribute.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ValueView {
    /// What the client sends.
    pub key: String,
    /// What people read.
    pub name: String,
}

/// A question a service asks (the spec's attribute).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttributeView {
    /// `true` when the client answers it; `false` for information shown with the form.
    pub variable: bool,
    /// The answer's name: send it as `attribute[code]`.
    pub code: String,
    /// `string`, `number`, `datetime`, `text`, `singlevaluelist` or `multivaluelist`.
    pub datatype: String,
    /// Whether a request without it is refused.
    pub required: bool,
    /// How to write the answer.
    pub datatype_description: Option<String>,
    /// Position in the form, from 1.
    pub order: u32,
    /// The question.
    pub description: String,
    /// Allowed values of list attributes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueView>,
}

/// `services/{service_code}.{format}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceDefinitionView {
    /// The category code.
    pub service_code: String,
    /// Its questions, in order.
    pub attributes: Vec<AttributeView>,
}

impl Document for ServiceDefinitionView {
    fn xml(&self, x: &mut Xml) {
        x.open("service_definition");
        x.leaf("service_code", Some(&self.service_code));
        x.open("attributes");
        for a in &self.attributes {
            x.open("attribute");
            x.leaf("variable", Some(bool_text(a.variable)));
            x.leaf("code", Some(&a.code));
            x.leaf("datatype", Some(&a.datatype));
            x.leaf("required", Some(bool_text(a.required)));
            x.leaf("datatype_description", a.datatype_description.as_deref());
            x.leaf("order", Some(&a.order.to_string()));
            x.leaf("description", Some(&a.description));
            if !a.values.is_empty() {
                x.open("values");
                for v in &a.values {
                    x.open("value");
                    x.leaf("key", Some(&v.key));
                    x.leaf("name", Some(&v.name));
                    x.close("value");
                }
                x.close("values");
            }
            x.close("attribute");
        }
        x.close("attributes");
        x.close("service_definition");
    }
}

/// A service request (a ticket) as the public feed shows it: no reporter, no internal notes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceRequestView {
    /// The ticket number, e.g. `YH202611230007`.
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    /// Where it stands, in plain Chinese.
    pub status_notes: Option<String>,
    /// The category's name.
    pub service_name: String,
    /// The category code.
    pub service_code: String,
    /// The report's text.
    pub description: Option<String>,
    /// The responsible department.
    pub agency_responsible: Option<String>,
    /// What the reporter was told to do first (emergencies).
    pub service_notice: Option<String>,
    /// When it was reported (ISO 8601, China time offset).
    pub requested_datetime: String,
    /// Last change.
    pub updated_datetime: String,
    /// The deadline of the step it waits on (open requests).
    pub expected_datetime: Option<String>,
    /// Address text.
    pub address: Option<String>,
    /// Not used (always empty).
    pub address_id: Option<String>,
    /// Not used (always empty).
    pub zipcode: Option<String>,
    /// WGS-84 latitude.
    pub lat: f64,
    /// WGS-84 longitude.
    pub long: f64,
    /// The media URL the Open311 client sent, if any.
    pub media_url: Option<String>,
}

/// `requests.{format}` and `requests/{id}.{format}` (a list of one).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(transparent)]
pub struct ServiceRequests(pub Vec<ServiceRequestView>);

impl Document for ServiceRequests {
    fn xml(&self, x: &mut Xml) {
        x.open("service_requests");
        for r in &self.0 {
            x.open("request");
            x.leaf("service_request_id", Some(&r.service_request_id));
            x.leaf("status", Some(&r.status));
            x.leaf("status_notes", r.status_notes.as_deref());
            x.leaf("service_name", Some(&r.service_name));
            x.leaf("service_code", Some(&r.service_code));
            x.leaf("description", r.description.as_deref());
            x.leaf("agency_responsible", r.agency_responsible.as_deref());
            x.leaf("service_notice", r.service_notice.as_deref());
            x.leaf("requested_datetime", Some(&r.requested_datetime));
            x.leaf("updated_datetime", Some(&r.updated_datetime));
            x.leaf("expected_datetime", r.expected_datetime.as_deref());
            x.leaf("address", r.address.as_deref());
            x.leaf("address_id", r.address_id.as_deref());
            x.leaf("zipcode", r.zipcode.as_deref());
            x.leaf("lat", Some(&r.lat.to_string()));
            x.leaf("long", Some(&r.long.to_string()));
            x.leaf("media_url", r.media_url.as_deref());
            x.close("request");
        }
        x.close("service_requests");
    }
}

/// The answer to a POST: the new request's id, its token and what to tell the person.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedRequestView {
    /// The ticket number.
    pub service_request_id: String,
    /// A token for `tokens/{token}` (the id is known at once; the token works all the same).
    pub token: String,
    /// What happens next, or whom to call first in an emergency.
    pub service_notice: Option<String>,
    /// Not used (always empty).
    pub account_id: Option<String>,
}

/// `POST requests.{format}`: a list of one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(transparent)]
pub struct CreatedRequests(pub Vec<CreatedRequestView>);

impl Document for CreatedRequests {
    fn xml(&self, x: &mut Xml) {
        x.open("service_requests");
        for r in &self.0 {
            x.open("request");
            x.leaf("service_request_id", Some(&r.service_request_id));
            x.leaf("token", Some(&r.token));
            x.leaf("service_notice", r.service_notice.as_deref());
            x.leaf("account_id", r.account_id.as_deref());
            x.close("request");
        }
        x.close("service_requests");
    }
}

/// `tokens/{token}.{format}`: the request a token stands for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestTokenView {
    /// The ticket number.
    pub service_request_id: String,
    /// The token asked about.
    pub token: String,
}

/// A list of one [`RequestTokenView`].
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(transparent)]
pub struct Tokens(pub Vec<RequestTokenView>);

impl Document for Tokens {
    fn xml(&self, x: &mut Xml) {
        x.open("service_requests");
        for t in &self.0 {
            x.open("request");
            x.leaf("service_request_id", Some(&t.service_request_id));
            x.leaf("token", Some(&t.token));
            x.close("request");
        }
        x.close("service_requests");
    }
}

/// One Open311 error.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ErrorView {
    /// The HTTP status it came with (400, 403, 404, 429, 500).
    pub code: u16,
    /// What went wrong.
    pub description: String,
}

/// `POST /api/v1/api-keys`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// Who uses the key, e.g. 12345热线 (1–100 characters).
    pub name: String,
}

/// An API key as admins see it (never the key).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKeyView {
    /// Key id.
    pub id: Uuid,
    /// Who uses it.
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    /// The service account its requests are reported as.
    pub user_id: Uuid,
    /// The admin who created it (none when made on the command line).
    pub created_by: Option<Uuid>,
    /// Disabled keys are refused (403).
    pub disabled: bool,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last accepted request (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<api_key::Model> for ApiKeyView {
    fn from(m: api_key::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            prefix: m.prefix,
            user_id: m.user_id,
            created_by: m.created_by,
            disabled: m.disabled,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
        }
    }
}

/// A new key: shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedApiKeyView {
    /// The key's record.
    #[serde(flatten)]
    pub api_key: ApiKeyView,
    /// The key itself; only its hash is kept.
    pub key: String,
}

/// `POST requests.{format}` form fields (`application/x-www-form-urlencoded`; a JSON object with
/// the same names, and `attribute` as an object, is accepted too).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct CreateRequestForm {
    /// The key from `POST /api/v1/api-keys` (or `hazardline create-api-key`).
    pub api_key: String,
    /// This server's jurisdiction (`open311.jurisdiction_id`); optional.
    pub jurisdiction_id: Option<String>,
    /// A category code from `services`.
    pub service_code: String,
    /// WGS-84 latitude (required, with `long`).
    pub lat: f64,
    /// WGS-84 longitude.
    pub long: f64,
    /// Address text, kept with the ticket (cannot be located on its own).
    pub address_string: Option<String>,
    /// What is wrong (at most 4000 characters); the service name when absent.
    pub description: Option<String>,
    /// A URL to a photo; kept and shown as given, never fetched.
    pub media_url: Option<String>,
    /// Answers to the service's attributes, sent as `attribute[code]=value` (repeat the key, or use
    /// `attribute[code][]`, for a multivaluelist).
    #[serde(rename = "attribute[code]")]
    pub attribute: Option<String>,
}

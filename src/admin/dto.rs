//! Wire types of the category and department endpoints.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::geo::categories::Keyword;
pub use crate::tickets::status::Urgency;

/// The kinds of department hazards are routed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 安委办: the safety committee office; takes what nobody else handles.
    SafetyOffice,
    /// 应急管理局.
    EmergencyManagement,
    /// 消防救援.
    FireRescue,
    /// 住建.
    Housing,
    /// 燃气主管部门.
    GasAuthority,
    /// 市场监管.
    MarketRegulation,
    /// 交通运输.
    Transport,
    /// 公安交警.
    TrafficPolice,
    /// 公安派出所 / 综治中心.
    Police,
    /// 城管.
    UrbanManagement,
    /// 林业.
    Forestry,
    /// 自然资源.
    NaturalResources,
    /// 水利.
    WaterResources,
    /// 教育.
    Education,
    /// 卫生健康.
    Health,
    /// 农业农村.
    Agriculture,
    /// Anything else.
    Other,
}

impl DepartmentKind {
    /// Every kind, in declaration order.
    pub const ALL: [DepartmentKind; 17] = [
        DepartmentKind::SafetyOffice,
        DepartmentKind::EmergencyManagement,
        DepartmentKind::FireRescue,
        DepartmentKind::Housing,
        DepartmentKind::GasAuthority,
        DepartmentKind::MarketRegulation,
        DepartmentKind::Transport,
        DepartmentKind::TrafficPolice,
        DepartmentKind::Police,
        DepartmentKind::UrbanManagement,
        DepartmentKind::Forestry,
        DepartmentKind::NaturalResources,
        DepartmentKind::WaterResources,
        DepartmentKind::Education,
        DepartmentKind::Health,
        DepartmentKind::Agriculture,
        DepartmentKind::Other,
    ];

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<DepartmentKind> {
        DepartmentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Chinese name and English name.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            DepartmentKind::SafetyOffice => ("安委办", "Safety committee office"),
            DepartmentKind::EmergencyManagement => ("应急管理局", "Emergency management"),
            DepartmentKind::FireRescue => ("消防救援", "Fire and rescue"),
            DepartmentKind::Housing => ("住建", "Housing and construction"),
            DepartmentKind::GasAuthority => ("燃气主管部门", "Gas authority"),
            DepartmentKind::MarketRegulation => ("市场监管", "Market regulation"),
            DepartmentKind::Transport => ("交通运输", "Transport"),
            DepartmentKind::TrafficPolice => ("公安交警", "Traffic police"),
            DepartmentKind::Police => ("公安派出所 / 综治中心", "Police station"),
            DepartmentKind::UrbanManagement => ("城管", "Urban management"),
            DepartmentKind::Forestry => ("林业", "Forestry"),
            DepartmentKind::NaturalResources => ("自然资源", "Natural resources"),
            DepartmentKind::WaterResources => ("水利", "Water resources"),
            DepartmentKind::Education => ("教育", "Education"),
            DepartmentKind::Health => ("卫生健康", "Health"),
            DepartmentKind::Agriculture => ("农业农村", "Agriculture"),
            DepartmentKind::Other => ("其他", "Other"),
        }
    }

    /// Stored name (the serde name).
    pub fn as_str(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
}

/// A hazard category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    /// Canonical code, e.g. `fire`.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Parent category.
    pub parent_code: Option<String>,
    /// Classifier keywords with weights.
    pub keywords: Vec<Keyword>,
    /// Default urgency before triage.
    pub default_urgency: String,
    /// Department kind that usually handles it.
    pub usual_department_kind: String,
    /// Hours for the grid worker to accept.
    pub accept_hours: i32,
    /// Hours to verify on site.
    pub verify_hours: i32,
    /// Days to rectify a general hazard (一般隐患).
    pub rectify_days_general: i32,
    /// Days to rectify a major hazard (重大隐患).
    pub rectify_days_major: i32,
    /// Offered to reporters.
    pub active: bool,
}

/// `POST /api/v1/categories`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategoryRequest {
    /// snake_case code, 2–32 characters of a–z, 0–9 and `_`.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Parent category.
    pub parent_code: Option<String>,
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<Keyword>,
    /// Default urgency.
    pub default_urgency: Urgency,
    /// Department kind that usually handles it.
    pub usual_department_kind: DepartmentKind,
    /// Hours to accept (1–720).
    pub accept_hours: i32,
    /// Hours to verify (1–720).
    pub verify_hours: i32,
    /// Days to rectify a general hazard (1–365).
    pub rectify_days_general: i32,
    /// Days to rectify a major hazard (1–365).
    pub rectify_days_major: i32,
}

/// `PATCH /api/v1/categories/{code}`: fields to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCategoryRequest {
    /// Chinese name.
    pub name_zh: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// Keywords (replaces the list).
    pub keywords: Option<Vec<Keyword>>,
    /// Default urgency.
    pub default_urgency: Option<Urgency>,
    /// Hours to accept.
    pub accept_hours: Option<i32>,
    /// Hours to verify.
    pub verify_hours: Option<i32>,
    /// Days to rectify a general hazard.
    pub rectify_days_general: Option<i32>,
    /// Days to rectify a major hazard.
    pub rectify_days_major: Option<i32>,
    /// Offered to reporters.
    pub active: Option<bool>,
}

/// A department.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentView {
    /// Department id.
    pub id: Uuid,
    /// Name, e.g. 东湖区消防救援大队.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Region it answers for.
    pub region_id: Uuid,
    /// Category codes it handles.
    pub categories: Vec<String>,
    /// Duty contact.
    pub duty_contact: Option<String>,
    /// Duty phone.
    pub duty_phone: Option<String>,
    /// Working hours, free text.
    pub working_hours: String,
}

/// `GET /api/v1/departments` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListDepartmentsQuery {
    /// Only departments of this region.
    pub region_id: Option<Uuid>,
}

/// `POST /api/v1/departments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDepartmentRequest {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: DepartmentKind,
    /// Region it answers for.
    pub region_id: Uuid,
    /// Category codes it handles.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Duty contact.
    pub duty_contact: Option<String>,
    /// Duty phone.
    pub duty_phone: Option<String>,
    /// Working hours, free text.
    #[serde(default)]
    pub working_hours: String,
}

/// `PATCH /api/v1/departments/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDepartmentRequest {
    /// Name.
    pub name: Option<String>,
    /// Kind.
    pub kind: Option<DepartmentKind>,
    /// Category codes (replaces the list).
    pub categories: Option<Vec<String>>,
    /// Duty contact.
    pub duty_contact: Option<String>,
    /// Duty phone.
    pub duty_phone: Option<String>,
    /// Working hours.
    pub working_hours: Option<String>,
}

/// `POST /api/v1/departments/{id}/members`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    /// The user who becomes department staff (dept_staff scoped to this department).
    pub user_id: Uuid,
}

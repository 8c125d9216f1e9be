//! The pages' words in Chinese (the default) and English, and how a request picks one: `?lang=`,
//! then the `hl_lang` cookie it sets, then `Accept-Language`, then Chinese.

use actix_web::{http::header, HttpRequest};
use serde::Serialize;

use crate::{auth::cookie, tickets::status::TicketStatus};

/// The cookie remembering a chosen language.
pub const LANG_COOKIE: &str = "hl_lang";

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 简体中文.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// `zh` or `en` (the `?lang=` values and the cookie).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The HTML `lang` attribute.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other language (the switch link).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::Zh)
        } else if t.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The words of this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// The language of a request, and whether `?lang=` chose it now (so the cookie is to be set).
pub fn negotiate(req: &HttpRequest) -> (Lang, bool) {
    let asked = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(&v));
    if let Some(lang) = asked {
        return (lang, true);
    }
    if let Some(lang) = cookie::read(req, LANG_COOKIE).and_then(|v| Lang::parse(&v)) {
        return (lang, false);
    }
    (from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())), false)
}

/// The first of Chinese and English in an `Accept-Language` list by preference; Chinese without one.
pub fn from_accept_language(value: Option<&str>) -> Lang {
    let Some(value) = value else { return Lang::Zh };
    let mut ranked: Vec<(f32, usize, Lang)> = value
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';');
            let lang = Lang::parse(parts.next()?)?;
            let q = parts.find_map(|p| p.trim().strip_prefix("q=")?.parse::<f32>().ok()).unwrap_or(1.0);
            (q > 0.0).then_some((q, i, lang))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.first().map_or(Lang::Zh, |r| r.2)
}

/// Every word the pages show, one field per phrase, named after what it labels; the scripts
/// receive them as JSON.
#[derive(Debug, Serialize)]
pub struct Texts {
    pub app_name: &'static str,
    pub skip: &'static str,
    pub nav_chat: &'static str,
    pub nav_tickets: &'static str,
    pub logout: &'static str,
    pub switch_lang: &'static str,
    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub tab_sms: &'static str,
    pub tab_password: &'static str,
    pub phone: &'static str,
    pub phone_hint: &'static str,
    pub password: &'static str,
    pub code: &'static str,
    pub send_code: &'static str,
    pub login: &'static str,
    pub code_sent: &'static str,
    pub code_in_log: &'static str,
    pub logged_out: &'static str,
    pub err_credentials: &'static str,
    pub err_phone: &'static str,
    pub err_too_many: &'static str,
    pub err_disabled: &'static str,
    pub err_code_wrong: &'static str,
    pub err_code_invalid: &'static str,
    pub err_code_too_soon: &'static str,
    pub err_code_limit: &'static str,
    pub err_sms_off: &'static str,
    pub err_csrf: &'static str,
    pub err_generic: &'static str,
    pub err_session: &'static str,
    pub chat_title: &'static str,
    pub message: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub photo: &'static str,
    pub location: &'static str,
    pub locating: &'static str,
    pub location_failed: &'static str,
    pub place_label: &'static str,
    pub place_send: &'static str,
    pub cancel: &'static str,
    pub my_location: &'static str,
    pub uploading: &'static str,
    pub upload_failed: &'static str,
    pub photo_too_large: &'static str,
    pub photo_format: &'static str,
    pub send_failed: &'static str,
    pub too_fast: &'static str,
    pub reconnecting: &'static str,
    pub bot: &'static str,
    pub me: &'static str,
    pub tickets_title: &'static str,
    pub no_tickets: &'static str,
    pub reported_at: &'static str,
    pub due: &'static str,
    pub overdue: &'static str,
    pub timeline: &'static str,
    pub updated: &'static str,
    pub not_found: &'static str,
    pub nav_worker: &'static str,
    pub worker_title: &'static str,
    pub no_assignments: &'static str,
    pub accept: &'static str,
    pub level: &'static str,
    pub level_general: &'static str,
    pub level_major: &'static str,
    pub onsite_photos: &'static str,
    pub confirm_hazard: &'static str,
    pub accepted: &'static str,
    pub confirmed: &'static str,
    pub conflict: &'static str,
    pub need_photo: &'static str,
    pub check_photos: &'static str,
    pub pass_check: &'static str,
    pub passed: &'static str,
    pub nav_desk: &'static str,
    pub desk_title: &'static str,
    pub f_status: &'static str,
    pub f_all: &'static str,
    pub f_category: &'static str,
    pub f_search: &'static str,
    pub f_apply: &'static str,
    pub f_clear: &'static str,
    pub err_filter: &'static str,
    pub queue_empty: &'static str,
    pub col_number: &'static str,
    pub col_what: &'static str,
    pub details: &'static str,
    pub place: &'static str,
    pub deadline: &'static str,
    pub new_deadline: &'static str,
    pub pending: &'static str,
    pub photos_before: &'static str,
    pub photos_after: &'static str,
    pub fix_photos: &'static str,
    pub actions: &'static str,
    pub no_actions: &'static str,
    pub other_actions: &'static str,
    pub plan: &'static str,
    pub reason: &'static str,
    pub note: &'static str,
    pub notes: &'static str,
    pub no_notes: &'static str,
    pub need_deadline: &'static str,
    pub need_plan: &'static str,
    pub need_reason: &'static str,
    pub need_fix_photo: &'static str,
    pub err_refused: &'static str,
    pub act_done: &'static str,
    // Desk forms, queue pickers and paging (desk).
    pub f_department: &'static str,
    pub f_region: &'static str,
    pub choose: &'static str,
    pub page_first: &'static str,
    pub page_next: &'static str,
    pub page_before: &'static str,
    pub page_after: &'static str,
    pub page_size: &'static str,
    pub grid_worker: &'static str,
    pub no_workers: &'static str,
    pub china_time: &'static str,
    pub transfer_to: &'static str,
    pub ground: &'static str,
    pub ground_not_hazard: &'static str,
    pub ground_invalid: &'static str,
    pub note_add: &'static str,
    pub note_body: &'static str,
    pub internal: &'static str,
    pub need_department: &'static str,
    pub need_worker: &'static str,
    pub need_ground: &'static str,
    pub need_note: &'static str,
    pub err_unknown_department: &'static str,
    pub err_same_department: &'static str,
    pub err_not_worker: &'static str,
    pub err_deadline_past: &'static str,
    pub err_deadline_limit: &'static str,
    pub err_extension_not_later: &'static str,
    pub err_request_pending: &'static str,
}

/// 简体中文.
pub static ZH: Texts = Texts {
    app_name: "隐患随手拍",
    skip: "跳到正文",
    nav_chat: "报隐患",
    nav_tickets: "我的上报",
    logout: "退出",
    switch_lang: "English",
    login_title: "登录",
    login_intro: "发现安全隐患，拍照说一声，我们转给负责的部门处理。",
    tab_sms: "验证码登录",
    tab_password: "密码登录",
    phone: "手机号",
    phone_hint: "11位手机号",
    password: "密码",
    code: "验证码",
    send_code: "获取验证码",
    login: "登录",
    code_sent: "验证码已发送，请查看短信。",
    code_in_log: "开发环境：验证码写在服务日志里。",
    logged_out: "您已退出登录。",
    err_credentials: "手机号或密码不对。",
    err_phone: "请输入正确的11位手机号。",
    err_too_many: "失败次数太多，请过一会儿再试。",
    err_disabled: "这个账号已停用。",
    err_code_wrong: "验证码不对，请再输一次。",
    err_code_invalid: "验证码已失效，请重新获取。",
    err_code_too_soon: "发送太频繁，请稍后再试。",
    err_code_limit: "今天的验证码次数已用完。",
    err_sms_off: "短信登录暂时不能用，请用密码登录。",
    err_csrf: "页面已过期，请重新提交。",
    err_generic: "出了点问题，请稍后再试。",
    err_session: "登录已过期，请重新登录。",
    chat_title: "报隐患",
    message: "消息",
    placeholder: "说说看到了什么隐患…",
    send: "发送",
    photo: "拍照",
    location: "位置",
    locating: "正在定位…",
    location_failed: "没能拿到位置，请输入地址。",
    place_label: "地址或附近地标",
    place_send: "发送地址",
    cancel: "取消",
    my_location: "我的位置",
    uploading: "照片上传中…",
    upload_failed: "照片没发出去，请重试。",
    photo_too_large: "照片太大了，请换一张。",
    photo_format: "请发JPG或PNG格式的照片。",
    send_failed: "消息没发出去，请重试。",
    too_fast: "发得太快了，请稍等。",
    reconnecting: "连接断开，正在重连…",
    bot: "小助手",
    me: "我",
    tickets_title: "我的上报",
    no_tickets: "还没有上报过隐患。",
    reported_at: "上报于",
    due: "期限",
    overdue: "已超期",
    timeline: "处理进度",
    updated: "进度已更新",
    not_found: "没有这个页面。",
    nav_worker: "我的任务",
    worker_title: "我的任务",
    no_assignments: "现在没有待核实的任务。",
    accept: "签收",
    level: "隐患等级",
    level_general: "一般隐患",
    level_major: "重大隐患",
    onsite_photos: "现场照片",
    confirm_hazard: "确认隐患",
    accepted: "已签收，请到现场核实。",
    confirmed: "已确认，转交部门整改。",
    conflict: "工单刚被更新过，请再看一下。",
    need_photo: "请至少拍一张现场照片。",
    check_photos: "验收照片（可不拍）",
    pass_check: "验收通过",
    passed: "已验收，工单办结。",
    nav_desk: "工作台",
    desk_title: "工单台",
    f_status: "状态",
    f_all: "全部",
    f_category: "类别",
    f_search: "搜索",
    f_apply: "筛选",
    f_clear: "清除",
    err_filter: "筛选条件有误，请检查后再试。",
    queue_empty: "没有符合条件的工单。",
    col_number: "编号",
    col_what: "隐患",
    details: "详情",
    place: "位置",
    deadline: "整改期限",
    new_deadline: "延期至",
    pending: "待审批申请",
    photos_before: "上报与核实照片",
    photos_after: "整改与验收照片",
    fix_photos: "整改照片",
    actions: "办理",
    no_actions: "当前没有可办理的操作。",
    other_actions: "其他操作（暂请用接口办理）：",
    plan: "整改措施",
    reason: "理由",
    note: "备注",
    notes: "内部备注",
    no_notes: "没有内部备注。",
    need_deadline: "请填写整改期限。",
    need_plan: "请填写整改措施。",
    need_reason: "请填写理由。",
    need_fix_photo: "请至少上传一张整改照片。",
    err_refused: "提交未被接受，请检查填写的内容（如期限须在将来且不超过规定时限）。",
    act_done: "已提交。",
    // Desk forms, queue pickers and paging (desk).
    f_department: "部门",
    f_region: "区域",
    choose: "请选择",
    page_first: "第一页",
    page_next: "下一页",
    page_before: "第 ",
    page_after: " 页",
    page_size: "每页 50 条",
    grid_worker: "网格员",
    no_workers: "附近没有网格员",
    china_time: "（北京时间）",
    transfer_to: "转办到",
    ground: "驳回类别",
    ground_not_hazard: "经核实不属于安全隐患",
    ground_invalid: "信息无效，无法核实",
    note_add: "添加内部备注",
    note_body: "备注内容（仅工作人员可见，群众看不到）",
    internal: "内部",
    need_department: "请选择部门。",
    need_worker: "请选择网格员。",
    need_ground: "请选择驳回类别。",
    need_note: "请填写备注内容。",
    err_unknown_department: "没有这个部门，请从列表中选择。",
    err_same_department: "工单已在该部门，请选择其他部门。",
    err_not_worker: "所选用户不是网格员，请从列表中选择。",
    err_deadline_past: "期限须在将来。",
    err_deadline_limit: "期限超过了规定的整改时限。",
    err_extension_not_later: "新期限须晚于当前整改期限。",
    err_request_pending: "已有申请在等待审批。",
};

/// English.
pub static EN: Texts = Texts {
    app_name: "Hazard report",
    skip: "Skip to content",
    nav_chat: "Report",
    nav_tickets: "My reports",
    logout: "Log out",
    switch_lang: "中文",
    login_title: "Log in",
    login_intro: "Seen a safety hazard? Send a photo and a few words; we pass it to the office in charge.",
    tab_sms: "Code by SMS",
    tab_password: "Password",
    phone: "Mobile number",
    phone_hint: "11-digit mobile number",
    password: "Password",
    code: "Code",
    send_code: "Send code",
    login: "Log in",
    code_sent: "Code sent. Check your SMS.",
    code_in_log: "Development: the code is in the service log.",
    logged_out: "You are logged out.",
    err_credentials: "Wrong mobile number or password.",
    err_phone: "Enter an 11-digit mobile number.",
    err_too_many: "Too many failed tries. Wait a while.",
    err_disabled: "This account is disabled.",
    err_code_wrong: "Wrong code. Try again.",
    err_code_invalid: "The code has expired. Ask for a new one.",
    err_code_too_soon: "Too many codes. Wait a moment.",
    err_code_limit: "No more codes today.",
    err_sms_off: "SMS login is not available. Use your password.",
    err_csrf: "This page expired. Please submit again.",
    err_generic: "Something went wrong. Try again later.",
    err_session: "Your login has expired. Please log in again.",
    chat_title: "Report a hazard",
    message: "Message",
    placeholder: "What did you see?",
    send: "Send",
    photo: "Photo",
    location: "Location",
    locating: "Finding you…",
    location_failed: "Could not get your location. Type the address.",
    place_label: "Address or landmark",
    place_send: "Send address",
    cancel: "Cancel",
    my_location: "My location",
    uploading: "Uploading photo…",
    upload_failed: "The photo was not sent. Try again.",
    photo_too_large: "The photo is too large.",
    photo_format: "Send a JPG or PNG photo.",
    send_failed: "The message was not sent. Try again.",
    too_fast: "Too fast. Wait a moment.",
    reconnecting: "Connection lost, reconnecting…",
    bot: "Assistant",
    me: "Me",
    tickets_title: "My reports",
    no_tickets: "You have not reported anything yet.",
    reported_at: "Reported",
    due: "Due",
    overdue: "Overdue",
    timeline: "Progress",
    updated: "Progress updated",
    not_found: "No such page.",
    nav_worker: "My tasks",
    worker_title: "My tasks",
    no_assignments: "Nothing to check right now.",
    accept: "Accept",
    level: "Hazard level",
    level_general: "General",
    level_major: "Major",
    onsite_photos: "On-site photos",
    confirm_hazard: "Confirm hazard",
    accepted: "Accepted. Please check on site.",
    confirmed: "Confirmed and passed to the department.",
    conflict: "This ticket was just updated. Please look again.",
    need_photo: "Take at least one on-site photo.",
    check_photos: "Check photos (optional)",
    pass_check: "Pass the check",
    passed: "Checked. The ticket is closed.",
    nav_desk: "Desk",
    desk_title: "Ticket desk",
    f_status: "Status",
    f_all: "All",
    f_category: "Category",
    f_search: "Search",
    f_apply: "Filter",
    f_clear: "Clear",
    err_filter: "A filter value is not valid. Check the filters.",
    queue_empty: "No tickets match.",
    col_number: "Number",
    col_what: "Hazard",
    details: "Details",
    place: "Place",
    deadline: "Fix deadline",
    new_deadline: "New deadline",
    pending: "Request awaiting approval",
    photos_before: "Photos: report and check",
    photos_after: "Photos: fix and check",
    fix_photos: "Photos of the fix",
    actions: "Actions",
    no_actions: "Nothing to do on this ticket now.",
    other_actions: "Other actions (through the API for now):",
    plan: "Plan",
    reason: "Reason",
    note: "Note",
    notes: "Internal notes",
    no_notes: "No internal notes.",
    need_deadline: "Enter the deadline.",
    need_plan: "Enter the plan.",
    need_reason: "Enter the reason.",
    need_fix_photo: "Add at least one photo of the fix.",
    err_refused: "Not accepted. Check the form (the deadline must be in the future and within the limit).",
    act_done: "Done.",
    // Desk forms, queue pickers and paging (desk).
    f_department: "Department",
    f_region: "Region",
    choose: "Choose…",
    page_first: "First page",
    page_next: "Next page",
    page_before: "Page ",
    page_after: "",
    page_size: "50 per page",
    grid_worker: "Grid worker",
    no_workers: "No grid worker near this place",
    china_time: "(China time)",
    transfer_to: "Transfer to",
    ground: "Ground",
    ground_not_hazard: "Not a safety hazard",
    ground_invalid: "Invalid, cannot be checked",
    note_add: "Add an internal note",
    note_body: "Note (staff only; residents never see it)",
    internal: "Internal",
    need_department: "Choose a department.",
    need_worker: "Choose a grid worker.",
    need_ground: "Choose the ground.",
    need_note: "Write the note.",
    err_unknown_department: "No such department; choose one from the list.",
    err_same_department: "The ticket is with that department already; choose another.",
    err_not_worker: "That user is not a grid worker; choose one from the list.",
    err_deadline_past: "The deadline must lie in the future.",
    err_deadline_limit: "The deadline is beyond the rectification limit.",
    err_extension_not_later: "The new deadline must be later than the current one.",
    err_request_pending: "Another request is waiting for approval.",
};

/// What a resident reads for a status.
pub fn status_label(lang: Lang, status: TicketStatus) -> &'static str {
    match lang {
        Lang::Zh => status.resident_label(),
        Lang::En => match status {
            TicketStatus::Unrouted => "Received",
            TicketStatus::Assigned => "Assigned",
            TicketStatus::Verifying => "Being checked",
            TicketStatus::Confirmed => "Confirmed",
            TicketStatus::Rectifying => "Being fixed",
            TicketStatus::AwaitingCheck => "Fix being checked",
            TicketStatus::Closed => "Done",
            TicketStatus::Rejected => "Not accepted",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(from_accept_language(None), Lang::Zh);
        assert_eq!(from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(from_accept_language(Some("fr, en;q=0.5, zh;q=0.7")), Lang::Zh);
        assert_eq!(from_accept_language(Some("de")), Lang::Zh);
        assert_eq!(from_accept_language(Some("en;q=0, zh-TW")), Lang::Zh);
    }

    #[test]
    fn lang_query_wins_then_cookie() {
        use actix_web::test::TestRequest;
        let req = TestRequest::with_uri("/login?lang=en").insert_header(("accept-language", "zh")).to_http_request();
        assert_eq!(negotiate(&req), (Lang::En, true));
        let req = TestRequest::with_uri("/login")
            .insert_header(("cookie", "hl_lang=en"))
            .insert_header(("accept-language", "zh"))
            .to_http_request();
        assert_eq!(negotiate(&req), (Lang::En, false));
    }
}

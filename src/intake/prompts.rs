//! What the bot says, apart from how it decides: zh-CN by default, English for users whose locale
//! is English. Short, plain words for a phone screen; every question has buttons (and numbers, for
//! channels without buttons).

use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    intake::{machine::TicketBrief, triage::Service},
    tickets::status::Urgency,
};

/// Language of the replies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// 简体中文.
    #[default]
    Zh,
    /// English.
    En,
}

impl Locale {
    /// From a stored locale such as `zh-CN` or `en-US`.
    pub fn from_tag(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("en") {
            Locale::En
        } else {
            Locale::Zh
        }
    }
}

/// A quick-reply button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    /// What it says.
    pub label: String,
    /// What tapping it sends back (`#…`).
    pub value: String,
}

fn b(label: &str, value: &str) -> Button {
    Button { label: label.to_owned(), value: value.to_owned() }
}

fn pick(l: Locale, zh: &str, en: &str) -> String {
    match l {
        Locale::Zh => zh.to_owned(),
        Locale::En => en.to_owned(),
    }
}

/// Categories offered when the classifier has nothing to go on.
pub const COMMON_CATEGORIES: &[&str] = &["fire", "gas", "road_facility", "building"];

/// What a message at the start of a conversation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// 你好.
    Greeting,
    /// 我的上报.
    Mine,
    /// 查询工单.
    Lookup,
    /// 我要上报 (without saying what).
    Report,
}

fn normalised(text: &str) -> String {
    text.trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace() || "。！？，～~…".contains(c))
        .to_lowercase()
}

/// The menu intents, only when that is all the message says.
pub fn intent(text: &str) -> Option<Intent> {
    let t = normalised(text);
    const GREETINGS: &[&str] =
        &["你好", "您好", "在吗", "在不在", "hi", "hello", "hey", "菜单", "menu", "开始", "start"];
    const MINE: &[&str] = &["我的上报", "我的工单", "我的报告", "我的举报", "my reports", "my report", "my tickets"];
    const LOOKUP: &[&str] =
        &["查询工单", "查工单", "查询", "查进度", "进度", "check a ticket", "check ticket", "status"];
    const REPORT: &[&str] =
        &["我要上报", "上报", "上报隐患", "举报", "我要举报", "报告隐患", "隐患上报", "report", "report a hazard"];
    if GREETINGS.contains(&t.as_str()) {
        Some(Intent::Greeting)
    } else if MINE.contains(&t.as_str()) {
        Some(Intent::Mine)
    } else if LOOKUP.contains(&t.as_str()) {
        Some(Intent::Lookup)
    } else if REPORT.contains(&t.as_str()) {
        Some(Intent::Report)
    } else {
        None
    }
}

/// "好了", "发完了", "没有了": no more photos.
pub fn is_done(text: &str) -> bool {
    let t = normalised(text);
    [
        "好了",
        "好",
        "发完了",
        "完了",
        "没有了",
        "没了",
        "没有",
        "没拍",
        "不拍了",
        "不用了",
        "done",
        "no photo",
        "no photos",
        "none",
    ]
    .contains(&t.as_str())
}

/// 匿名 / 实名.
pub fn anonymous_answer(text: &str) -> Option<bool> {
    let t = normalised(text);
    if t.contains("不匿名") || t.contains("实名") || t == "not anonymous" || t == "named" {
        Some(false)
    } else if t.contains("匿名") || t == "anonymous" || t == "anon" {
        Some(true)
    } else {
        None
    }
}

/// 紧急 / 较急 / 一般.
pub fn urgency_answer(text: &str) -> Option<Urgency> {
    let t = normalised(text);
    match t.as_str() {
        "紧急" | "emergency" => Some(Urgency::Emergency),
        "较急" | "比较急" | "急" | "urgent" => Some(Urgency::Urgent),
        "一般" | "不急" | "normal" => Some(Urgency::Normal),
        _ => None,
    }
}

/// "不对，是5栋" → "是5栋" → "5栋": the words after a correction marker.
pub fn strip_correction(text: &str) -> &str {
    let mut t = text.trim();
    for marker in ["不对", "不是", "错了", "搞错了", "改一下", "改成", "应该是", "no,", "no ", "actually"]
    {
        if let Some(rest) = t.strip_prefix(marker) {
            t = rest.trim_start_matches(|c: char| c.is_whitespace() || "，,。:：".contains(c));
        }
    }
    for marker in ["是在", "是", "在", "it's", "it is"] {
        if let Some(rest) = t.strip_prefix(marker) {
            if !rest.is_empty() {
                t = rest.trim_start();
                break;
            }
        }
    }
    t
}

/// 一二三…: Chinese digits in building numbers.
pub fn is_cn_digit(c: char) -> bool {
    "零一二三四五六七八九十百两".contains(c)
}

/// `11月24日18:00` (China time) or `24 Nov 18:00`.
fn when(l: Locale, at: DateTime<Utc>) -> String {
    let t = at.checked_add_signed(TimeDelta::hours(8)).unwrap_or(at);
    match l {
        Locale::Zh => format!("{}月{}日{:02}:{:02}", t.month(), t.day(), t.hour(), t.minute()),
        Locale::En => format!("{} {} {:02}:{:02}", t.day(), t.format("%b"), t.hour(), t.minute()),
    }
}

// ----- greeting and menu -----

/// The greeting, mentioning an active campaign.
pub fn greeting(l: Locale, campaign: Option<&str>) -> String {
    let base = pick(
        l,
        "您好，这里是安全隐患随手拍。直接说说看到了什么隐患，或点下面的按钮。",
        "Hello, this is the safety hazard line. Tell me what you saw, or tap a button below.",
    );
    match (campaign, l) {
        (Some(c), Locale::Zh) => format!("{base}\n当前正在开展「{c}」专项整治，欢迎反映相关问题。"),
        (Some(c), Locale::En) => format!("{base}\nA campaign is under way: {c}. Reports on it are welcome."),
        (None, _) => base,
    }
}

/// The four menu buttons.
pub fn menu_buttons(l: Locale) -> Vec<Button> {
    match l {
        Locale::Zh => {
            vec![b("上报隐患", "#report"), b("我的上报", "#mine"), b("查询工单", "#lookup"), b("转人工", "#agent")]
        }
        Locale::En => vec![
            b("Report a hazard", "#report"),
            b("My reports", "#mine"),
            b("Check a ticket", "#lookup"),
            b("Talk to a person", "#agent"),
        ],
    }
}

/// Help.
pub fn help(l: Locale) -> String {
    pick(
        l,
        "直接描述隐患、发照片和位置就能上报。随时可以说：取消、重新开始、返回、跳过、转人工；发工单号可查进度。",
        "Describe the hazard and send photos and your location. Say cancel, restart, back, skip or agent at any time; send a ticket number to check it.",
    )
}

// ----- the report -----

/// First question of a report.
pub fn ask_description(l: Locale) -> String {
    pick(
        l,
        "请说说是什么隐患、在哪里（可以直接发照片）。",
        "What is the hazard and where is it? (You can send a photo.)",
    )
}

/// Category question.
pub fn ask_category(l: Locale) -> String {
    pick(l, "这属于哪一类问题？", "Which kind of hazard is it?")
}

/// The typed category was not recognised.
pub fn category_unclear(l: Locale) -> String {
    pick(l, "没认出类别，请点一个最接近的。", "I could not tell the kind; tap the closest one.")
}

/// How to share a location where the person writes: WeChat's ＋ menu, or the chat page's button.
fn share_location(wechat: bool) -> &'static str {
    if wechat {
        "＋ → 位置"
    } else {
        "点输入框旁的位置按钮"
    }
}

/// Location question.
pub fn ask_location(l: Locale, wechat: bool) -> String {
    pick(
        l,
        &format!("隐患在哪里？请发送位置（{}），或打出小区/社区/村的名字。", share_location(wechat)),
        "Where is it? Share your location, or type the name of the community or village.",
    )
}

/// Asking for a pin after none of the matches fit.
pub fn ask_pin(l: Locale, wechat: bool) -> String {
    pick(
        l,
        &format!("请直接发送位置（{}），会更准确。", share_location(wechat)),
        "Please share the location pin; it is more precise.",
    )
}

/// Title of the place-offer card.
pub fn where_title(l: Locale) -> String {
    pick(l, "隐患在这里吗？", "Is it here?")
}

/// Typed words matched places.
pub fn offer_places(l: Locale) -> String {
    pick(l, "找到这些地方，请点一个；都不对就发送位置。", "I found these places; tap one, or share your location.")
}

/// A photo's GPS, offered.
pub fn offer_photo_place(l: Locale, label: &str) -> String {
    match l {
        Locale::Zh => format!("照片拍摄于「{label}」附近，是隐患所在位置吗？"),
        Locale::En => format!("The photo was taken near {label}. Is that where the hazard is?"),
    }
}

/// A photo's place without a region name.
pub fn photo_place(l: Locale) -> String {
    pick(l, "照片拍摄地点", "where the photo was taken")
}

/// No match for typed words.
pub fn place_not_found(l: Locale, words: &str) -> String {
    match l {
        Locale::Zh => format!("没找到「{words}」，换个说法（如社区、村、街道名），或直接发送位置。"),
        Locale::En => format!("I could not find \"{words}\". Try a community or street name, or share your location."),
    }
}

/// "None of these" button.
pub fn none_of_these(l: Locale) -> String {
    pick(l, "都不是，发位置", "None, I'll share it")
}

/// Photo question.
pub fn ask_photos(l: Locale, have: usize) -> String {
    match (l, have) {
        (Locale::Zh, 0) => "有照片吗？拍一张发来（最多9张），没有就点「跳过」。".to_owned(),
        (Locale::Zh, n) => format!("已收到{n}张照片，还有就继续发，发完点「好了」。"),
        (Locale::En, 0) => "Do you have a photo? Send up to 9, or tap Skip.".to_owned(),
        (Locale::En, n) => format!("{n} photo(s) received. Send more, or tap Done."),
    }
}

/// Buttons under the photo question.
pub fn photo_buttons(l: Locale, have: usize) -> Vec<Button> {
    match (l, have) {
        (Locale::Zh, 0) => vec![b("跳过", "#skip")],
        (Locale::Zh, _) => vec![b("好了", "#photos:done")],
        (Locale::En, 0) => vec![b("Skip", "#skip")],
        (Locale::En, _) => vec![b("Done", "#photos:done")],
    }
}

/// A photo arrived.
pub fn photo_received(l: Locale, count: usize) -> String {
    match l {
        Locale::Zh => format!("收到第{count}张照片。"),
        Locale::En => format!("Photo {count} received."),
    }
}

/// Over the limit.
pub fn too_many_photos(l: Locale, max: usize) -> String {
    match l {
        Locale::Zh => format!("最多{max}张照片，这张没有加上。"),
        Locale::En => format!("At most {max} photos; this one was not added."),
    }
}

/// Anonymous question.
pub fn ask_anonymous(l: Locale) -> String {
    pick(
        l,
        "是否匿名？匿名时处理人员看不到您的信息。",
        "Report anonymously? Staff handling it will not see who you are.",
    )
}

/// Buttons for it.
pub fn anonymous_buttons(l: Locale) -> Vec<Button> {
    match l {
        Locale::Zh => vec![b("实名", "#anon:no"), b("匿名", "#anon:yes")],
        Locale::En => vec![b("With my name", "#anon:no"), b("Anonymous", "#anon:yes")],
    }
}

/// Urgency question (only when editing).
pub fn ask_urgency(l: Locale) -> String {
    pick(l, "有多急？", "How urgent is it?")
}

/// Buttons for it.
pub fn urgency_buttons(l: Locale) -> Vec<Button> {
    match l {
        Locale::Zh => vec![b("紧急", "#urgency:紧急"), b("较急", "#urgency:较急"), b("一般", "#urgency:一般")],
        Locale::En => {
            vec![b("Emergency", "#urgency:emergency"), b("Urgent", "#urgency:urgent"), b("Normal", "#urgency:normal")]
        }
    }
}

fn urgency_label(l: Locale, u: Urgency) -> &'static str {
    match (l, u) {
        (Locale::Zh, Urgency::Emergency) => "紧急",
        (Locale::Zh, Urgency::Urgent) => "较急",
        (Locale::Zh, Urgency::Normal) => "一般",
        (Locale::En, Urgency::Emergency) => "emergency",
        (Locale::En, Urgency::Urgent) => "urgent",
        (Locale::En, Urgency::Normal) => "normal",
    }
}

/// What the summary card lists.
pub struct SummaryFields<'a> {
    /// Category name.
    pub category: &'a str,
    /// Description.
    pub description: &'a str,
    /// Address.
    pub place: &'a str,
    /// Only a community's point.
    pub approximate: bool,
    /// Photo count.
    pub photos: usize,
    /// Urgency.
    pub urgency: Urgency,
    /// Anonymous.
    pub anonymous: bool,
}

/// Summary card title.
pub fn summary_title(l: Locale) -> String {
    pick(l, "请确认上报内容", "Please check your report")
}

/// Summary card body.
pub fn summary(l: Locale, f: &SummaryFields<'_>) -> String {
    match l {
        Locale::Zh => format!(
            "类别：{}\n描述：{}\n位置：{}{}\n照片：{}张\n紧急程度：{}\n匿名：{}",
            f.category,
            f.description,
            f.place,
            if f.approximate { "（大致位置）" } else { "" },
            f.photos,
            urgency_label(l, f.urgency),
            if f.anonymous { "是" } else { "否" }
        ),
        Locale::En => format!(
            "Kind: {}\nWhat: {}\nWhere: {}{}\nPhotos: {}\nUrgency: {}\nAnonymous: {}",
            f.category,
            f.description,
            f.place,
            if f.approximate { " (approximate)" } else { "" },
            f.photos,
            urgency_label(l, f.urgency),
            if f.anonymous { "yes" } else { "no" }
        ),
    }
}

/// Buttons under the summary.
pub fn summary_buttons(l: Locale) -> Vec<Button> {
    match l {
        Locale::Zh => vec![b("确认提交", "#confirm"), b("修改", "#edit"), b("取消", "#cancel")],
        Locale::En => vec![b("Submit", "#confirm"), b("Change", "#edit"), b("Cancel", "#cancel")],
    }
}

/// Edit menu title.
pub fn edit_title(l: Locale) -> String {
    pick(
        l,
        "要改哪一项？也可以直接打字更正，比如「不对，是5栋」。",
        "What should change? You can also type a correction.",
    )
}

/// Edit menu.
pub fn edit_buttons(l: Locale) -> Vec<Button> {
    match l {
        Locale::Zh => vec![
            b("描述", "#edit:description"),
            b("类别", "#edit:category"),
            b("位置", "#edit:location"),
            b("照片", "#edit:photos"),
            b("紧急程度", "#edit:urgency"),
            b("匿名", "#edit:anonymous"),
        ],
        Locale::En => vec![
            b("Description", "#edit:description"),
            b("Kind", "#edit:category"),
            b("Place", "#edit:location"),
            b("Photos", "#edit:photos"),
            b("Urgency", "#edit:urgency"),
            b("Anonymous", "#edit:anonymous"),
        ],
    }
}

/// Waiting for the ticket.
pub fn submitting(l: Locale) -> String {
    pick(l, "正在提交，请稍候。", "Submitting, one moment.")
}

/// Skip refused.
pub fn cannot_skip(l: Locale) -> String {
    pick(l, "这一项不能跳过。", "This one cannot be skipped.")
}

/// Cancelled.
pub fn cancelled(l: Locale) -> String {
    pick(l, "已取消，没有提交任何内容。", "Cancelled; nothing was submitted.")
}

/// Nothing to cancel.
pub fn nothing_to_cancel(l: Locale) -> String {
    pick(l, "没有进行中的上报。", "Nothing in progress.")
}

/// Resume card title.
pub fn resume_title(l: Locale) -> String {
    pick(l, "上次的上报还没提交", "Your last report was not submitted")
}

/// Resume card body.
pub fn resume_text(l: Locale, what: &str) -> String {
    match l {
        Locale::Zh => format!("「{what}」\n要继续吗？"),
        Locale::En => format!("\"{what}\"\nContinue it?"),
    }
}

/// Resume buttons.
pub fn resume_buttons(l: Locale) -> Vec<Button> {
    match l {
        Locale::Zh => vec![b("继续", "#resume"), b("重新开始", "#restart")],
        Locale::En => vec![b("Continue", "#resume"), b("Start again", "#restart")],
    }
}

/// Resumed.
pub fn resumed(l: Locale, what: &str) -> String {
    match l {
        Locale::Zh => format!("好的，接着上次的来：「{what}」。"),
        Locale::En => format!("OK, picking up where you left off: \"{what}\"."),
    }
}

// ----- emergencies -----

/// The very first reply to danger now: whom to call, get safe.
pub fn emergency_advice(l: Locale, call: &[Service]) -> String {
    let numbers: Vec<&str> =
        if call.is_empty() { vec!["119", "110"] } else { call.iter().map(|s| s.number()).collect() };
    match l {
        Locale::Zh => {
            let who: Vec<String> = numbers
                .iter()
                .map(|n| match *n {
                    "119" => "119（火警、救援）".to_owned(),
                    "110" => "110（报警）".to_owned(),
                    "120" => "120（急救）".to_owned(),
                    other => other.to_owned(),
                })
                .collect();
            format!("⚠️ 情况危险！请立即拨打 {}，并马上离开危险区域，注意安全。", who.join("、"))
        }
        Locale::En => {
            format!("⚠️ Danger! Call {} now and get to a safe place.", numbers.join(" / "))
        }
    }
}

/// Where, for an emergency.
pub fn emergency_where(l: Locale) -> String {
    pick(
        l,
        "安全后请马上发送位置，我们立即通知值班人员。",
        "When you are safe, share the location: we alert the duty staff at once.",
    )
}

/// After an emergency ticket: more is welcome.
pub fn emergency_more(l: Locale) -> String {
    pick(
        l,
        "如方便（注意安全），可继续发照片或补充情况，会直接加到工单里。",
        "If it is safe, send photos or more details; they go straight into the ticket.",
    )
}

/// End the emergency follow-up.
pub fn finish(l: Locale) -> String {
    pick(l, "没有了", "That's all")
}

/// Added to the ticket.
pub fn added(l: Locale, number: &str) -> String {
    match l {
        Locale::Zh => format!("已补充到工单 {number}。"),
        Locale::En => format!("Added to ticket {number}."),
    }
}

// ----- outcomes -----

/// The ticket was created.
pub fn created_title(l: Locale, number: &str) -> String {
    match l {
        Locale::Zh => format!("已受理，工单号 {number}"),
        Locale::En => format!("Received: ticket {number}"),
    }
}

/// Who handles it and by when.
pub fn created_text(l: Locale, t: &TicketBrief, emergency: bool) -> String {
    let handler = t.handler.clone().unwrap_or_else(|| pick(l, "调度中心", "the dispatch centre"));
    let by = t.due_at.map(|d| when(l, d));
    match (l, emergency, by) {
        (Locale::Zh, true, _) => format!("已紧急通知{handler}和值班网格员。处理进展会在这里告诉您。"),
        (Locale::Zh, false, Some(by)) => format!("由{handler}处理，{by}前有人核实。处理进展会在这里告诉您。"),
        (Locale::Zh, false, None) => format!("由{handler}处理。处理进展会在这里告诉您。"),
        (Locale::En, true, _) => {
            format!("{handler} and the duty grid workers have been alerted. Updates will come here.")
        }
        (Locale::En, false, Some(by)) => {
            format!("{handler} handles it; someone checks it by {by}. Updates will come here.")
        }
        (Locale::En, false, None) => format!("{handler} handles it. Updates will come here."),
    }
}

/// Possible duplicates title.
pub fn duplicates_title(l: Locale) -> String {
    pick(l, "附近已有相同的隐患在处理", "This may already be reported")
}

/// Possible duplicates body.
pub fn duplicates_text(l: Locale, candidates: &[TicketBrief]) -> String {
    let lines: Vec<String> = candidates.iter().map(|c| format!("{}（{}）", c.number, c.status)).collect();
    match l {
        Locale::Zh => format!("{}\n是同一个吗？是的话关注它，进展会通知您。", lines.join("\n")),
        Locale::En => format!("{}\nIs it the same one? Follow it to get its updates.", lines.join("\n")),
    }
}

/// Buttons: follow the first, or report anyway.
pub fn duplicate_buttons(l: Locale, candidates: &[TicketBrief]) -> Vec<Button> {
    let mut out: Vec<Button> = candidates
        .iter()
        .take(3)
        .map(|c| Button {
            label: match l {
                Locale::Zh => format!("是，关注{}", c.number),
                Locale::En => format!("Yes, follow {}", c.number),
            },
            value: format!("#dup:follow:{}", c.id),
        })
        .collect();
    out.push(b(&pick(l, "不是，继续上报", "No, report it"), "#dup:new"));
    out
}

/// Followed.
pub fn followed_title(l: Locale, number: &str) -> String {
    match l {
        Locale::Zh => format!("已关注工单 {number}，进展会通知您"),
        Locale::En => format!("You follow ticket {number} now"),
    }
}

/// A ticket card title.
pub fn ticket_title(l: Locale, t: &TicketBrief) -> String {
    match l {
        Locale::Zh => format!("工单 {}：{}", t.number, t.status),
        Locale::En => format!("Ticket {}: {}", t.number, t.status),
    }
}

/// A ticket card body: status, next step and deadline.
pub fn ticket_text(l: Locale, t: &TicketBrief) -> String {
    let mut lines = vec![match l {
        Locale::Zh => format!("状态：{}", t.status),
        Locale::En => format!("Status: {}", t.status),
    }];
    if let Some(next) = &t.next {
        lines.push(match l {
            Locale::Zh => format!("下一步：{next}"),
            Locale::En => format!("Next: {next}"),
        });
    }
    if let Some(due) = t.due_at {
        lines.push(match l {
            Locale::Zh => format!("期限：{}", when(l, due)),
            Locale::En => format!("Due: {}", when(l, due)),
        });
    }
    if let Some(h) = &t.handler {
        lines.push(match l {
            Locale::Zh => format!("处理单位：{h}"),
            Locale::En => format!("Handled by: {h}"),
        });
    }
    lines.join("\n")
}

/// No tickets found.
pub fn no_tickets(l: Locale) -> String {
    pick(l, "没有查到工单。", "No tickets found.")
}

/// Ask for a number.
pub fn ask_number(l: Locale) -> String {
    pick(l, "请发送工单号，例如 YH202611230007。", "Send the ticket number, e.g. YH202611230007.")
}

/// Hint under it.
pub fn number_hint(l: Locale) -> String {
    pick(l, "工单号在受理消息里，以 YH 开头。", "It is in the receipt and starts with YH.")
}

/// Handed off.
pub fn handed_off(l: Locale) -> String {
    pick(
        l,
        "已为您转人工，工作人员会在这里回复您。输入「取消」可回到自助上报。",
        "A staff member will answer you here. Say cancel to go back to the bot.",
    )
}

/// An effect failed.
pub fn failed(l: Locale, reason: &str) -> String {
    match l {
        Locale::Zh => format!("提交没有成功：{reason}"),
        Locale::En => format!("That did not work: {reason}"),
    }
}

/// A ticket status in the person's language.
pub fn status_label(l: Locale, s: crate::tickets::status::TicketStatus) -> String {
    use crate::tickets::status::TicketStatus as S;
    match l {
        Locale::Zh => s.resident_label().to_owned(),
        Locale::En => match s {
            S::Unrouted => "received",
            S::Assigned => "assigned",
            S::Verifying => "being checked",
            S::Confirmed => "confirmed",
            S::Rectifying => "being fixed",
            S::AwaitingCheck => "fixed, awaiting check",
            S::Closed => "closed",
            S::Rejected => "not accepted",
        }
        .to_owned(),
    }
}

/// What happens next for a ticket in this status.
pub fn next_step(l: Locale, s: crate::tickets::status::TicketStatus) -> Option<String> {
    use crate::tickets::status::TicketStatus as S;
    let (zh, en) = match s {
        S::Unrouted => ("调度员派单", "a dispatcher assigns it"),
        S::Assigned | S::Verifying => ("网格员到现场核实", "a grid worker checks it on site"),
        S::Confirmed => ("责任部门签收整改", "the department takes it on"),
        S::Rectifying => ("责任部门限期整改", "the department fixes it by the deadline"),
        S::AwaitingCheck => ("网格员现场验收", "a grid worker checks the fix"),
        S::Closed | S::Rejected => return None,
    };
    Some(pick(l, zh, en))
}

/// Added to the description of a report placed only by a community's or street's name.
pub fn approximate_note(l: Locale) -> &'static str {
    match l {
        Locale::Zh => "（位置为社区/街道大致位置，请现场核实）",
        Locale::En => " (approximate place: community or street only)",
    }
}

/// Nobody to hand over to.
pub fn nobody_on_duty(l: Locale) -> String {
    pick(
        l,
        "现在没有值班人员，请稍后再试，或直接描述隐患上报。",
        "Nobody is on duty now; try later, or report the hazard here.",
    )
}

/// The note staff read when a person asks for them.
pub fn handoff_note(summary: &str) -> String {
    if summary.trim().is_empty() {
        "群众请求人工服务。".to_owned()
    } else {
        format!("群众请求人工服务。正在上报的内容：{summary}")
    }
}

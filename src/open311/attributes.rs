//! The questions each service asks (pure): the spec's attributes, the same few for every category
//! (people in danger, floor, when it was seen, where exactly, details) plus a category's own (the
//! kind of special equipment, what is wrong with fire safety, whether a house is lived in), and
//! the checking of a POST's `attribute[code]` answers against them. Answers become lines appended
//! to the ticket's description (staff read them there) and, for people in danger, an emergency.

use std::collections::BTreeMap;

use chrono::DateTime;

use super::dto::{AttributeView, ValueView};

/// The spec's datatypes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    /// One line of text.
    String,
    /// A number.
    Number,
    /// ISO 8601 with an offset.
    Datetime,
    /// Several lines of text.
    Text,
    /// One of the values.
    SingleValueList,
    /// Any of the values.
    MultiValueList,
}

impl Datatype {
    fn as_str(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Number => "number",
            Datatype::Datetime => "datetime",
            Datatype::Text => "text",
            Datatype::SingleValueList => "singlevaluelist",
            Datatype::MultiValueList => "multivaluelist",
        }
    }
}

/// One question.
#[derive(Debug, Clone, Copy)]
pub struct Attribute {
    /// `attribute[code]`.
    pub code: &'static str,
    /// Whether the client answers it (`false`: information only).
    pub variable: bool,
    /// The datatype.
    pub datatype: Datatype,
    /// Whether it must be answered.
    pub required: bool,
    /// The question.
    pub description: &'static str,
    /// How to write the answer.
    pub datatype_description: Option<&'static str>,
    /// The label of the answer's line in the description.
    pub label: &'static str,
    /// Allowed values (key, name) of lists.
    pub values: &'static [(&'static str, &'static str)],
}

const YES_NO: &[(&str, &str)] = &[("yes", "是"), ("no", "否")];

/// Key of `people_in_danger` that makes the report an emergency.
pub const DANGER_YES: &str = "yes";

const COMMON: &[Attribute] = &[
    Attribute {
        code: "people_in_danger",
        variable: true,
        datatype: Datatype::SingleValueList,
        required: true,
        description: "现在是否有人员处于危险中（被困、受伤、起火、泄漏）？",
        datatype_description: None,
        label: "人员处于危险中",
        values: YES_NO,
    },
    Attribute {
        code: "floor",
        variable: true,
        datatype: Datatype::Number,
        required: false,
        description: "隐患在第几层？",
        datatype_description: Some("整数，地面一层为 1，地下为负数，如 3 或 -1"),
        label: "楼层",
        values: &[],
    },
    Attribute {
        code: "observed_at",
        variable: true,
        datatype: Datatype::Datetime,
        required: false,
        description: "什么时候发现的？",
        datatype_description: Some("ISO 8601 带时区，如 2026-11-23T08:30:00+08:00"),
        label: "发现时间",
        values: &[],
    },
    Attribute {
        code: "location_detail",
        variable: true,
        datatype: Datatype::String,
        required: false,
        description: "具体位置（楼栋、单元、门牌）",
        datatype_description: Some("最多 100 字"),
        label: "具体位置",
        values: &[],
    },
    Attribute {
        code: "details",
        variable: true,
        datatype: Datatype::Text,
        required: false,
        description: "补充说明",
        datatype_description: Some("最多 1000 字"),
        label: "补充说明",
        values: &[],
    },
    Attribute {
        code: "emergency_notice",
        variable: false,
        datatype: Datatype::String,
        required: false,
        description: "如有人员被困、起火、燃气泄漏等紧急情况，请先拨打119、110或120。",
        datatype_description: None,
        label: "",
        values: &[],
    },
];

const EQUIPMENT: &[Attribute] = &[Attribute {
    code: "equipment",
    variable: true,
    datatype: Datatype::SingleValueList,
    required: false,
    description: "是什么设备？",
    datatype_description: None,
    label: "设备",
    values: &[
        ("elevator", "电梯"),
        ("escalator", "自动扶梯"),
        ("boiler", "锅炉"),
        ("pressure_vessel", "压力容器"),
        ("amusement_ride", "游乐设施"),
        ("other", "其他"),
    ],
}];

const FIRE: &[Attribute] = &[Attribute {
    code: "fire_hazards",
    variable: true,
    datatype: Datatype::MultiValueList,
    required: false,
    description: "看到了哪些情况？（可多选）",
    datatype_description: None,
    label: "消防隐患",
    values: &[
        ("blocked_exit", "消防通道或安全出口被堵"),
        ("ebike_charging", "电动车在室内或楼道充电"),
        ("extinguisher", "灭火器缺失或过期"),
        ("flammables", "楼道堆放易燃杂物"),
        ("other", "其他"),
    ],
}];

const BUILDING: &[Attribute] = &[Attribute {
    code: "occupied",
    variable: true,
    datatype: Datatype::SingleValueList,
    required: false,
    description: "房屋里现在有人居住或使用吗？",
    datatype_description: None,
    label: "有人居住或使用",
    values: YES_NO,
}];

/// The questions of a category, in order.
pub fn for_category(code: &str) -> Vec<Attribute> {
    let own: &[Attribute] = match code {
        "special_equipment" => EQUIPMENT,
        "fire" => FIRE,
        "building" => BUILDING,
        _ => &[],
    };
    COMMON.iter().chain(own).copied().collect()
}

/// The spec's view of a category's questions.
pub fn views(code: &str) -> Vec<AttributeView> {
    for_category(code)
        .into_iter()
        .zip(1u32..)
        .map(|(a, order)| AttributeView {
            variable: a.variable,
            code: a.code.to_owned(),
            datatype: a.datatype.as_str().to_owned(),
            required: a.required,
            datatype_description: a.datatype_description.map(str::to_owned),
            order,
            description: a.description.to_owned(),
            values: a.values.iter().map(|(k, n)| ValueView { key: (*k).to_owned(), name: (*n).to_owned() }).collect(),
        })
        .collect()
}

/// Checked answers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answers {
    /// Someone is in danger now: the report is an emergency.
    pub danger: bool,
    /// `【label】value` lines for the description, in the questions' order.
    pub lines: Vec<String>,
    /// The answers as sent (code → value or list), for the record.
    pub stored: BTreeMap<String, serde_json::Value>,
}

/// Checks `attribute[code]` answers (code → values, in the order sent) against a category's questions.
pub fn check(category: &str, given: &BTreeMap<String, Vec<String>>) -> Result<Answers, String> {
    let questions = for_category(category);
    for code in given.keys() {
        if !questions.iter().any(|q| q.variable && q.code == code) {
            return Err(format!("attribute[{code}] is not an attribute of service `{category}`"));
        }
    }
    let mut answers = Answers::default();
    for q in questions.iter().filter(|q| q.variable) {
        let values: Vec<&str> = given
            .get(q.code)
            .map(|v| v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        if values.is_empty() {
            if q.required {
                return Err(format!("attribute[{}] is required: {}", q.code, q.description));
            }
            continue;
        }
        let (shown, stored) = answer(q, &values)?;
        if q.code == "people_in_danger" {
            answers.danger = values.first() == Some(&DANGER_YES);
        }
        answers.lines.push(format!("【{}】{shown}", q.label));
        answers.stored.insert(q.code.to_owned(), stored);
    }
    Ok(answers)
}

fn name_of(q: &Attribute, key: &str) -> Result<&'static str, String> {
    q.values.iter().find(|(k, _)| *k == key).map(|(_, n)| *n).ok_or_else(|| {
        let keys: Vec<&str> = q.values.iter().map(|(k, _)| *k).collect();
        format!("attribute[{}] must be one of {}", q.code, keys.join(", "))
    })
}

fn one<'a>(q: &Attribute, values: &[&'a str]) -> Result<&'a str, String> {
    match values {
        [v] => Ok(v),
        _ => Err(format!("attribute[{}] takes one value", q.code)),
    }
}

/// The shown text and the stored value of one answer.
fn answer(q: &Attribute, values: &[&str]) -> Result<(String, serde_json::Value), String> {
    let text = |v: &str| serde_json::Value::String(v.to_owned());
    match q.datatype {
        Datatype::String | Datatype::Text => {
            let v = one(q, values)?;
            let max = if q.datatype == Datatype::Text { 1000 } else { 100 };
            if v.chars().count() > max {
                return Err(format!("attribute[{}] takes at most {max} characters", q.code));
            }
            Ok((v.to_owned(), text(v)))
        }
        Datatype::Number => {
            let v = one(q, values)?;
            let n: i64 = v.parse().map_err(|_| format!("attribute[{}] must be a whole number", q.code))?;
            if q.code == "floor" && !(-10..=200).contains(&n) {
                return Err(format!("attribute[{}] must be between -10 and 200", q.code));
            }
            Ok((n.to_string(), serde_json::Value::from(n)))
        }
        Datatype::Datetime => {
            let v = one(q, values)?;
            let at = DateTime::parse_from_rfc3339(v)
                .map_err(|_| format!("attribute[{}] must be ISO 8601 with a time zone", q.code))?;
            Ok((crate::notifications::texts::china_time(at.to_utc()), text(&at.to_rfc3339())))
        }
        Datatype::SingleValueList => {
            let v = one(q, values)?;
            Ok((name_of(q, v)?.to_owned(), text(v)))
        }
        Datatype::MultiValueList => {
            let mut keys: Vec<&str> = Vec::new();
            for v in values {
                name_of(q, v)?;
                if !keys.contains(v) {
                    keys.push(v);
                }
            }
            let names: Result<Vec<&str>, String> = keys.iter().map(|k| name_of(q, k)).collect();
            Ok((names?.join("、"), serde_json::Value::from(keys)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect())).collect()
    }

    #[test]
    fn every_datatype_of_the_spec_is_offered_in_order() {
        let fire = views("fire");
        let types: Vec<&str> = fire.iter().map(|a| a.datatype.as_str()).collect();
        for t in ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"] {
            assert!(types.contains(&t), "{t}");
        }
        assert_eq!(fire.iter().map(|a| a.order).collect::<Vec<_>>(), (1..=7).collect::<Vec<u32>>());
        assert!(fire.iter().any(|a| !a.variable));
        assert_eq!(views("gas").len(), COMMON.len());
    }

    #[test]
    fn answers_become_description_lines_and_danger_makes_an_emergency() {
        let a = check(
            "fire",
            &given(&[
                ("people_in_danger", &["yes"]),
                ("floor", &["3"]),
                ("observed_at", &["2026-11-23T08:30:00+08:00"]),
                ("fire_hazards", &["ebike_charging", "blocked_exit", "ebike_charging"]),
            ]),
        )
        .unwrap();
        assert!(a.danger);
        assert_eq!(
            a.lines,
            [
                "【人员处于危险中】是",
                "【楼层】3",
                "【发现时间】11月23日08:30",
                "【消防隐患】电动车在室内或楼道充电、消防通道或安全出口被堵"
            ]
        );
        assert_eq!(a.stored["fire_hazards"], serde_json::json!(["ebike_charging", "blocked_exit"]));
        assert!(!check("gas", &given(&[("people_in_danger", &["no"])])).unwrap().danger);
    }

    #[test]
    fn wrong_answers_are_refused_with_the_attribute_named() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a [&'a str])], &'a str);
        let cases: &[Case] = &[
            ("gas", &[], "attribute[people_in_danger] is required"),
            ("gas", &[("people_in_danger", &["maybe"])], "must be one of yes, no"),
            ("gas", &[("people_in_danger", &["yes", "no"])], "takes one value"),
            ("gas", &[("people_in_danger", &["no"]), ("floor", &["three"])], "whole number"),
            ("gas", &[("people_in_danger", &["no"]), ("floor", &["999"])], "between -10 and 200"),
            ("gas", &[("people_in_danger", &["no"]), ("observed_at", &["yesterday"])], "ISO 8601"),
            ("gas", &[("people_in_danger", &["no"]), ("equipment", &["elevator"])], "not an attribute"),
            ("gas", &[("people_in_danger", &["no"]), ("emergency_notice", &["x"])], "not an attribute"),
            ("fire", &[("people_in_danger", &["no"]), ("fire_hazards", &["arson"])], "must be one of"),
        ];
        for (category, answers, expected) in cases {
            let e = check(category, &given(answers)).unwrap_err();
            assert!(e.contains(expected), "{e} should say {expected}");
        }
    }
}

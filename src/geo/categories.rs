//! The canonical hazard categories (DOMAIN.md), ensured present at start-up. Admins may edit
//! them and add more; start-up only inserts codes that are missing, it never overwrites.

use chrono::{DateTime, Utc};
use entity::category;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};

/// A keyword with its weight for the intake classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Keyword {
    /// The word or phrase.
    pub word: String,
    /// How strongly it points at the category (1 ordinary, 2 distinctive, 0.5 generic).
    pub weight: f32,
}

/// One canonical category: code, names, usual department kind, urgency, deadlines, keywords.
pub struct Seed {
    /// Canonical code.
    pub code: &'static str,
    /// Chinese name.
    pub zh: &'static str,
    /// English name.
    pub en: &'static str,
    /// Department kind that usually handles it (see `DepartmentKind`).
    pub department_kind: &'static str,
    /// `normal` or `urgent`; triage raises it per report.
    pub urgency: &'static str,
    /// Days to rectify a general hazard; major hazards get 30.
    pub rectify_days: i32,
    /// Seed keywords, distinctive ones first; a `*` suffix marks a generic word (weight 0.5).
    pub keywords: &'static [&'static str],
}

/// The canonical categories, in DOMAIN.md's order.
pub const SEEDS: &[Seed] = &[
    Seed {
        code: "fire",
        zh: "消防安全",
        en: "Fire safety",
        department_kind: "fire_rescue",
        urgency: "normal",
        rectify_days: 7,
        keywords: &[
            "消防通道",
            "安全出口",
            "灭火器",
            "消防栓",
            "电动车充电",
            "飞线充电",
            "私拉电线",
            "易燃物",
            "堆放杂物",
            "着火",
            "冒烟",
            "火灾",
            "烟雾报警",
            "一氧化碳",
            "煤炉",
        ],
    },
    Seed {
        code: "gas",
        zh: "城镇燃气",
        en: "Town gas",
        department_kind: "gas_authority",
        urgency: "urgent",
        rectify_days: 3,
        keywords: &[
            "燃气",
            "煤气",
            "天然气",
            "液化气",
            "煤气罐",
            "气瓶",
            "漏气",
            "燃气管道",
            "燃气表",
            "阀门*",
            "异味*",
        ],
    },
    Seed {
        code: "hazchem",
        zh: "危险化学品",
        en: "Hazardous chemicals",
        department_kind: "emergency_management",
        urgency: "urgent",
        rectify_days: 3,
        keywords: &[
            "危化品",
            "化学品",
            "化工厂",
            "加油站",
            "散装汽油",
            "油罐",
            "氨",
            "硫酸",
            "农药",
            "油漆*",
            "危废",
            "刺鼻*",
        ],
    },
    Seed {
        code: "fireworks",
        zh: "烟花爆竹",
        en: "Fireworks",
        department_kind: "emergency_management",
        urgency: "urgent",
        rectify_days: 3,
        keywords: &["烟花", "爆竹", "鞭炮", "炮仗", "礼花", "非法销售烟花", "囤货*", "黑火药"],
    },
    Seed {
        code: "traffic",
        zh: "道路交通安全",
        en: "Road traffic safety",
        department_kind: "traffic_police",
        urgency: "normal",
        rectify_days: 7,
        keywords: &[
            "红绿灯",
            "信号灯",
            "斑马线",
            "路口*",
            "超载",
            "超速",
            "头盔",
            "逆行",
            "渣土车",
            "交通事故",
            "车祸",
        ],
    },
    Seed {
        code: "road_facility",
        zh: "市政设施",
        en: "Municipal facilities",
        department_kind: "urban_management",
        urgency: "normal",
        rectify_days: 3,
        keywords: &[
            "井盖",
            "窨井",
            "路面塌陷",
            "坑洼",
            "护栏",
            "路灯",
            "树木倒伏",
            "雨水篦子",
            "下水道",
            "人行道*",
            "天桥",
            "桥梁",
        ],
    },
    Seed {
        code: "building",
        zh: "房屋安全（自建房）",
        en: "Building safety (self-built houses)",
        department_kind: "housing",
        urgency: "normal",
        rectify_days: 15,
        keywords: &[
            "自建房",
            "危房",
            "墙体裂缝",
            "加层",
            "承重墙",
            "外墙脱落",
            "阳台*",
            "高空坠物",
            "房屋倾斜",
            "老旧小区*",
        ],
    },
    Seed {
        code: "construction",
        zh: "建筑施工",
        en: "Construction sites",
        department_kind: "housing",
        urgency: "normal",
        rectify_days: 7,
        keywords: &["工地", "施工*", "脚手架", "塔吊", "基坑", "围挡", "防护网", "高处作业", "动火作业", "渣土*"],
    },
    Seed {
        code: "special_equipment",
        zh: "特种设备",
        en: "Special equipment",
        department_kind: "market_regulation",
        urgency: "normal",
        rectify_days: 3,
        keywords: &["电梯", "扶梯", "困人", "锅炉", "压力容器", "起重机", "游乐设施", "叉车", "气瓶充装"],
    },
    Seed {
        code: "enterprise",
        zh: "工贸企业",
        en: "Industry and trade enterprises",
        department_kind: "emergency_management",
        urgency: "normal",
        rectify_days: 15,
        keywords: &["工厂", "车间", "企业*", "粉尘", "有限空间", "防护用品", "违规操作", "无证上岗", "机械伤害"],
    },
    Seed {
        code: "mine",
        zh: "非煤矿山",
        en: "Non-coal mines",
        department_kind: "emergency_management",
        urgency: "normal",
        rectify_days: 15,
        keywords: &["矿山", "采石场", "放炮", "爆破", "尾矿库", "采砂"],
    },
    Seed {
        code: "forest_fire",
        zh: "森林防火",
        en: "Forest fire prevention",
        department_kind: "forestry",
        urgency: "normal",
        rectify_days: 3,
        keywords: &["山火", "森林*", "野外用火", "烧秸秆", "烧荒", "上坟", "烧纸", "孔明灯", "林区"],
    },
    Seed {
        code: "water",
        zh: "防溺水/水域",
        en: "Drowning prevention and waters",
        department_kind: "water_resources",
        urgency: "normal",
        rectify_days: 7,
        keywords: &["水塘", "河道", "水库", "溺水", "游泳*", "野泳", "警示牌*", "堤坝", "涨水", "落水"],
    },
    Seed {
        code: "geological",
        zh: "地质灾害",
        en: "Geological hazards",
        department_kind: "natural_resources",
        urgency: "normal",
        rectify_days: 7,
        keywords: &["滑坡", "山体", "落石", "泥石流", "地裂缝", "塌方", "挡土墙", "边坡"],
    },
    Seed {
        code: "food",
        zh: "食品安全",
        en: "Food safety",
        department_kind: "market_regulation",
        urgency: "normal",
        rectify_days: 7,
        keywords: &["食品*", "过期*", "餐馆", "后厨", "地沟油", "无证经营", "卫生许可", "变质"],
    },
    Seed {
        code: "city_order",
        zh: "市容秩序",
        en: "City appearance and order",
        department_kind: "urban_management",
        urgency: "normal",
        rectify_days: 7,
        keywords: &["占道经营", "乱摆摊", "流动摊贩", "乱堆放", "广告牌", "招牌", "横幅", "垃圾*"],
    },
    Seed {
        code: "campus",
        zh: "校园安全",
        en: "Campus safety",
        department_kind: "education",
        urgency: "normal",
        rectify_days: 7,
        keywords: &["学校", "幼儿园", "校门口", "校车", "学生*", "放学*", "教学楼"],
    },
    Seed {
        code: "public_order",
        zh: "社会治安",
        en: "Public order",
        department_kind: "police",
        urgency: "normal",
        rectify_days: 3,
        keywords: &["打架", "斗殴", "可疑人员", "偷窃", "纠纷", "吵架", "聚集*"],
    },
    Seed {
        code: "other",
        zh: "其他",
        en: "Other",
        department_kind: "safety_office",
        urgency: "normal",
        rectify_days: 7,
        keywords: &[],
    },
];

/// Parses a seed keyword list (`*` marks a generic word).
pub fn seed_keywords(words: &[&str]) -> Vec<Keyword> {
    words
        .iter()
        .map(|w| match w.strip_suffix('*') {
            Some(generic) => Keyword { word: generic.to_owned(), weight: 0.5 },
            None => Keyword { word: (*w).to_owned(), weight: 1.0 },
        })
        .collect()
}

/// Inserts the canonical categories that are missing; returns how many were inserted.
pub async fn ensure_canonical<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let existing: std::collections::HashSet<String> =
        category::Entity::find().all(db).await?.into_iter().map(|c| c.code).collect();
    let mut inserted = 0;
    for (i, seed) in SEEDS.iter().enumerate() {
        if existing.contains(seed.code) {
            continue;
        }
        let row = category::ActiveModel {
            code: Set(seed.code.to_owned()),
            name_zh: Set(seed.zh.to_owned()),
            name_en: Set(seed.en.to_owned()),
            parent_code: Set(None),
            keywords: Set(serde_json::to_string(&seed_keywords(seed.keywords))?),
            default_urgency: Set(seed.urgency.to_owned()),
            usual_department_kind: Set(seed.department_kind.to_owned()),
            accept_hours: Set(if seed.urgency == "urgent" { 2 } else { 24 }),
            verify_hours: Set(if seed.urgency == "urgent" { 4 } else { 48 }),
            rectify_days_general: Set(seed.rectify_days),
            rectify_days_major: Set(30),
            sort_order: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        };
        category::Entity::insert(row).exec_without_returning(db).await?;
        inserted += 1;
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_codes_are_domain_md_s() {
        let codes: Vec<_> = SEEDS.iter().map(|s| s.code).collect();
        assert_eq!(
            codes,
            [
                "fire",
                "gas",
                "hazchem",
                "fireworks",
                "traffic",
                "road_facility",
                "building",
                "construction",
                "special_equipment",
                "enterprise",
                "mine",
                "forest_fire",
                "water",
                "geological",
                "food",
                "city_order",
                "campus",
                "public_order",
                "other"
            ]
        );
    }

    #[test]
    fn generic_words_weigh_less() {
        let k = seed_keywords(&["燃气", "阀门*"]);
        assert_eq!(k[0], Keyword { word: "燃气".into(), weight: 1.0 });
        assert_eq!(k[1], Keyword { word: "阀门".into(), weight: 0.5 });
    }
}

//! The built-in vocabulary: words people use for each canonical category beyond the seed lists
//! (DOMAIN-REFERENCE.md §2.4 keyword lists, everyday and English words), with the developer's
//! weights. A word ending in `!` is distinctive (weight 2), one ending in `*` generic (0.5), any
//! other ordinary (1). For a word also in the category's list in the database, the built-in weight
//! is a factor on the admins' weight (so admins can still raise or lower it).

#[rustfmt::skip]
const BUILTIN: &[(&str, &[&str])] = &[
    (
        "fire",
        &[
            "消防通道!", "生命通道!", "安全出口!", "疏散通道!", "逃生通道!", "灭火器!", "消防栓!", "消火栓!", "喷淋",
            "烟感!", "烟雾报警", "应急灯", "疏散指示", "电动车", "电瓶车", "电动自行车", "电瓶", "充电!", "充电桩",
            "飞线充电!", "私拉电线!", "乱拉电线!", "拉线", "拉了根线", "插线板!", "插排", "易燃物!", "杂物", "堆物",
            "楼道堆物!", "纸箱*", "群租房!", "三合一!", "彩钢板!", "着火!", "起火!", "失火!", "火灾!", "冒烟!",
            "浓烟!", "黑烟!", "烧焦味!", "烧焦", "火苗!", "火光", "一氧化碳!", "煤气中毒", "煤炉!", "炭盆!",
            "蜂窝煤!", "炉子", "取暖器", "电热毯", "木炭!", "烧炭!", "炭火!", "烟囱", "风斗!", "消防!", "防火门!",
            "排烟", "油烟", "油垢!", "烧起来!", "火势!", "大火!", "火很大!", "火好大!", "扑不灭!", "着过火!",
            "起过火!", "失过火!", "楼道*", "消防车!", "出口", "隔成", "fire exit!", "fire escape!", "extinguisher!",
            "fire lane!", "fire door!", "e-bike!", "ebike!", "e-bikes!", "charging!", "smoke!", "fire!", "flames!",
            "blaze!", "sprinkler", "smoke detector!", "hydrant!",
        ],
    ),
    (
        "gas",
        &[
            "燃气!", "煤气!", "喷气", "挖断", "挖破", "天然气!", "液化气!", "液化石油气!", "煤气罐!", "液化气罐!",
            "气罐!", "钢瓶!", "漏气!", "燃气味!", "煤气味!", "臭鸡蛋味!", "燃气管!", "燃气管道!", "燃气表!",
            "调压箱!", "胶管", "软管", "角阀!", "黑气!", "送气!", "倒气!", "充气点!", "灶具", "热水器", "立管",
            "开火*", "烟道", "冒气", "gas!", "lpg!", "gas cylinder!", "gas bottle!", "propane!", "gas pipe!",
            "gas leak!", "gas smell!", "gas meter!",
        ],
    ),
    (
        "hazchem",
        &[
            "危化品!", "危险化学品!", "化学品!", "化工厂!", "化工", "油漆", "稀料!", "天那水!", "酒精!", "硫酸!",
            "盐酸!", "液氨!", "氨气!", "氨水", "氯气!", "农药", "刺鼻", "毒气!", "泄漏*", "加油站!", "散装汽油!",
            "汽油!", "柴油!", "黑油!", "油罐车!", "储罐!", "危废!", "废机油!", "机油", "易燃易爆", "危险品!", "化学*",
            "农资店", "chemical!", "chemicals!", "petrol!", "gasoline!", "diesel!", "fuel", "gas station!",
            "petrol station!", "filling station!", "ammonia!", "acid", "pesticide", "thinner", "toxic", "hazardous",
        ],
    ),
    (
        "fireworks",
        &[
            "烟花!", "爆竹!", "鞭炮!", "炮仗!", "礼炮!", "礼花!", "烟火", "花炮!", "摔炮!", "擦炮!", "黑火药!",
            "引线", "禁放!", "零售点", "批发*", "fireworks!", "firecrackers!", "firecracker!",
        ],
    ),
    (
        "traffic",
        &[
            "红绿灯!", "信号灯!", "斑马线!", "路口", "弯道", "急弯!", "反光镜!", "减速带", "交通标志", "标线",
            "超载!", "超限", "超员!", "超速!", "飙车!", "酒驾!", "醉驾!", "头盔!", "逆行!", "闯红灯!", "渣土车!",
            "大货车", "货车", "三轮车", "农用车", "面包车", "黑车!", "非法营运!", "拉客", "交通事故!", "车祸!",
            "撞车!", "撞了", "追尾!", "乱停", "违停", "过马路", "车速", "国道", "视线", "盲区", "机动车道", "带人",
            "带两个", "载人", "traffic light!", "traffic lights!", "signal", "speeding!", "drunk driving!", "helmet!",
            "helmets!", "crosswalk!", "zebra crossing!", "car accident!", "accident", "crash!", "overloaded!",
            "wrong way!", "junction", "intersection", "truck", "trucks",
        ],
    ),
    (
        "road_facility",
        &[
            "井盖!", "窨井!", "下水道", "雨水篦子!", "篦子!", "排水沟", "路面塌陷!", "塌陷", "大坑", "坑洼!", "坑",
            "护栏", "栏杆", "路灯!", "树木倒伏!", "倒伏", "断枝", "树枝", "桥梁", "天桥!", "危桥!", "桥面!", "挖的沟",
            "人行道", "盲道", "地砖", "下穿通道!", "积水", "涵洞!", "路面!", "马路*", "窟窿", "漫水桥", "步道",
            "manhole!", "pothole!", "potholes!", "street light!", "streetlight!", "railing", "guardrail!", "sidewalk",
            "pavement", "drain", "bridge", "fallen tree!", "sinkhole!", "road surface!",
        ],
    ),
    (
        "building",
        &[
            "自建房!", "危房!", "房子", "房屋", "墙体!", "墙", "裂缝", "开裂", "倾斜", "下沉", "加层!", "加盖!",
            "违建", "承重墙!", "拆墙", "阳台!", "外墙!", "瓷砖", "瓷砖脱落!", "空调外机!", "外机", "高空坠物!",
            "屋顶", "楼板!", "大梁", "柱子", "老房子", "土坯房!", "地基!", "老楼", "危楼!", "歪", "钢筋", "楼顶",
            "铁皮房", "出租屋*", "防盗窗", "墙皮!", "crack", "cracks", "cracked wall!", "wall", "balcony", "house",
            "building*", "tiles", "leaning", "illegal extension!", "load-bearing wall!",
        ],
    ),
    (
        "construction",
        &[
            "工地!", "施工!", "脚手架!", "塔吊!", "吊车", "起重*", "基坑!", "深基坑!", "围挡!", "防护网", "安全网!",
            "安全帽!", "安全带!", "警示灯", "挖沟", "高空作业!", "高处作业!", "临边", "电焊", "动火", "模板",
            "高支模!", "临时用电!", "拆除", "拆旧房", "小散工程!", "装修队", "施工队!", "工人*", "挖掘机", "渣土",
            "吊装!", "construction!", "construction site!", "scaffolding!", "crane!", "tower crane!", "excavation!",
            "pit", "hard hat!", "safety net!", "site*",
        ],
    ),
    (
        "special_equipment",
        &[
            "电梯!", "扶梯!", "自动扶梯!", "困人", "关人", "锅炉!", "压力容器!", "储气罐", "起重机!", "行车", "叉车!",
            "游乐设施!", "大摆锤!", "过山车!", "摩天轮!", "索道!", "滑道!", "检验合格证!", "年检", "超期", "梳齿板!",
            "小火车", "钢丝绳", "压力表!", "游乐场!", "维保!", "lift!", "elevator!", "escalator!", "boiler!",
            "forklift!", "pressure vessel!", "ride", "rides", "ferris wheel!", "roller coaster!",
        ],
    ),
    (
        "enterprise",
        &[
            "工厂!", "厂里!", "厂房", "车间!", "企业!", "作坊", "小作坊", "粉尘!", "打磨!", "抛光!", "除尘!",
            "除尘器!", "有限空间!", "污水池", "密闭", "清淤", "防护用品!", "口罩", "防毒面具!", "防护罩!",
            "违规操作!", "无证上岗!", "特种作业", "冶炼!", "熔炼!", "熔铝!", "铝粉!", "木粉!", "涉氨", "冲床!",
            "夹手", "停产整顿!", "复工!", "老板*", "机器", "喷漆!", "家具厂!", "石材厂", "切割", "带病运转!", "厂",
            "factory!", "workshop!", "dust!", "confined space!", "machine", "machinery", "protective equipment!",
            "workers*",
        ],
    ),
    (
        "mine",
        &[
            "矿山!", "矿!", "采石场!", "石料厂!", "采矿!", "开采!", "放炮!", "爆破!", "炸药!", "雷管!", "尾矿库!",
            "尾矿!", "矿洞!", "盗采!", "边坡", "矿井!", "矿上!", "采砂!", "拉石车!", "quarry!", "mine!", "mining!",
            "blasting!", "tailings!", "explosives!",
        ],
    ),
    (
        "forest_fire",
        &[
            "山火!", "森林!", "林区!", "树林!", "林子!", "山上", "烧荒!", "烧秸秆!", "秸秆!", "烧稻草!", "烧田埂!",
            "田埂", "野外用火!", "野炊!", "上坟!", "扫墓!", "烧纸!", "祭祀!", "孔明灯!", "烟头", "防火期!",
            "防火隔离带!", "护林员!", "砍树!", "毁林!", "果园", "松树林!", "山脚", "后山*", "火种!", "林场!", "山林!",
            "forest!", "wildfire!", "woods!", "hillside", "burning straw!", "straw!", "sky lantern!", "sky lanterns!",
            "grave!", "graves!", "brush fire!", "forest fire!",
        ],
    ),
    (
        "water",
        &[
            "水塘!", "池塘!", "鱼塘!", "河", "河道!", "河边!", "河里", "水库!", "堤坝!", "塘坝!", "大坝!", "河堤!",
            "堤!", "溺水!", "落水!", "掉水里", "游泳!", "野泳!", "玩水!", "摸鱼!", "警示牌", "救生圈!", "救生衣!",
            "涨水!", "漫堤!", "渡船!", "浮桥!", "海边", "水池", "钓鱼", "水很深!", "水深", "江边!", "river!", "pond!",
            "reservoir!", "lake!", "drowning!", "swimming!", "swim!", "dam!", "flood!", "flooded", "embankment!",
            "canal",
        ],
    ),
    (
        "geological",
        &[
            "滑坡!", "山体滑坡!", "崩塌!", "落石!", "滚石!", "泥石流!", "地裂缝!", "地面塌陷!", "塌方!", "边坡!",
            "挡土墙!", "护坡!", "山体开裂!", "鼓包", "沉降", "切坡!", "采空区!", "山坡!", "后山", "石头滚", "掉土!",
            "半山腰!", "大石头", "石头", "地陷!", "陷下去", "山体!", "山沟", "山洪!", "landslide!", "rockfall!",
            "rocks!", "mudslide!", "slope!", "retaining wall!", "boulder!",
        ],
    ),
    (
        "food",
        &[
            "食品!", "吃的", "过期!", "变质!", "发霉!", "馊!", "餐馆", "饭店*", "后厨!", "小吃", "摊点", "食堂!",
            "地沟油!", "无证*", "健康证!", "卫生许可!", "苍蝇", "老鼠!", "蟑螂!", "拉肚子!", "食物中毒!", "三无产品!",
            "病死猪!", "注水肉!", "卫生*", "营业执照!", "三无!", "小吃摊!", "炸串", "辣条", "豆腐", "猪肉", "牛肉",
            "熟食", "凉菜", "卤菜", "零食", "饮料", "奶茶", "面包", "蔬菜", "外卖", "吃出", "虫子", "厨师", "牛奶",
            "蛋糕", "吃了", "food!", "expired!", "kitchen*", "restaurant*", "food poisoning!", "diarrhea!",
            "unlicensed", "dirty", "rats!", "cockroaches!", "hygiene!",
        ],
    ),
    (
        "city_order",
        &[
            "占道经营!", "出店经营!", "乱摆摊!", "摆摊!", "流动摊贩!", "摊贩!", "小贩!", "烧烤摊", "夜市", "乱堆放!",
            "广告牌!", "招牌!", "店招!", "灯箱!", "横幅!", "led屏!", "雨棚!", "小广告!", "乱张贴!", "乱涂写!", "垃圾",
            "建筑垃圾!", "卫生死角!", "乱挂晒!", "共享单车!", "彩钢棚", "垃圾堆!", "发臭!", "占道!", "billboard!",
            "sign", "vendor!", "vendors!", "stall", "stalls", "rubbish!", "garbage!", "trash!", "banner!",
        ],
    ),
    (
        "campus",
        &[
            "学校*", "小学*", "中学*", "幼儿园*", "校门口*", "校园!", "学生*", "上学*", "放学*", "校车!", "接送车!",
            "接送", "校舍!", "教学楼!", "宿舍", "操场!", "围墙", "实验室!", "保安", "护校!", "未成年人", "校园霸凌!",
            "霸凌!", "管制刀具!", "篮球架!", "孩子*", "school", "kindergarten", "students*", "school bus!",
        ],
    ),
    (
        "public_order",
        &[
            "打架!", "斗殴!", "打人!", "动手", "吵架!", "纠纷!", "矛盾", "邻里", "宅基地!", "土地纠纷!", "偷",
            "小偷!", "盗窃!", "偷窃!", "砍人!", "砍", "拿刀", "刀", "工资", "欠薪!", "拖欠!", "抢", "可疑!",
            "陌生人!", "聚集", "闹事!", "讨薪!", "讨工资!", "欠工资!", "流浪", "乞讨", "醉汉!", "赌博!", "传销!",
            "诈骗!", "持刀!", "砸", "推搡!", "吵", "扰民", "噪音", "剁", "砸了", "车窗", "fight!", "fighting!",
            "thief!", "theft!", "stealing!", "stolen", "suspicious!", "dispute!", "noise", "gambling!", "knife!",
            "robbery!",
        ],
    ),
    (
        "other",
        &[
            "排污!", "黑水!", "污染!", "污水", "电线杆!", "电线*", "高压线!", "变压器!", "电箱!", "医疗垃圾!",
            "流浪狗!", "咬人!", "狗", "马蜂窝!", "马蜂!", "光缆!", "通信", "鱼都死了!", "死鱼", "stray dog!", "dog",
            "wasp!", "hornet!", "power line!", "pole", "pollution!", "sewage!", "transformer!",
        ],
    ),
];

/// Context decides between two categories that share words (DOMAIN-REFERENCE.md §2.6): fire
/// words in a message about hills, woods or fields count for `forest_fire`; a lift in a message
/// about e-bikes counts for `fire`.
/// (category the words move to, category they move from, context words, words moved).
#[rustfmt::skip]
pub const CONTEXT_RULES: &[(&str, &str, &[&str], &[&str])] = &[
    // E-bikes taken into lifts are a fire hazard, not a lift fault.
    (
        "fire", "special_equipment",
        &["电动车", "电瓶车", "电动自行车", "电瓶", "e-bike", "ebike", "e-bikes"],
        &["电梯", "lift", "elevator"],
    ),
    (
        "forest_fire", "fire",
        &[
            "山上", "林子", "树林", "山林", "森林", "林区", "后山", "荒山", "草山", "田埂", "秸秆", "坟", "山脚",
            "半山", "hill", "hills", "forest", "woods", "mountain",
        ],
        &[
            "着火", "起火", "失火", "火灾", "冒烟", "浓烟", "黑烟", "火苗", "火光", "烧起来", "火势", "大火",
            "火很大", "火好大", "扑不灭", "fire", "smoke", "flames", "blaze",
        ],
    ),
];

/// The built-in words and weights for a category code (none for codes admins added).
pub fn builtin(code: &str) -> Vec<(&'static str, f32)> {
    BUILTIN
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, words)| {
            words
                .iter()
                .map(|w| {
                    if let Some(strong) = w.strip_suffix('!') {
                        (strong, 2.0)
                    } else if let Some(generic) = w.strip_suffix('*') {
                        (generic, 0.5)
                    } else {
                        (*w, 1.0)
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_code_is_canonical_and_weights_parse() {
        for (code, _) in BUILTIN {
            assert!(crate::geo::categories::SEEDS.iter().any(|s| s.code == *code), "{code}");
        }
        let fire = builtin("fire");
        assert!(fire.contains(&("消防通道", 2.0)));
        assert!(fire.contains(&("纸箱", 0.5)));
        assert!(fire.contains(&("电动车", 1.0)));
        assert!(builtin("unknown_code").is_empty());
    }
}

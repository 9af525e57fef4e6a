//! The vocabulary of the synthetic catalog: product families with their
//! names, categories, price bands and pictures, and the word lists titles,
//! sellers and cities are drawn from. Hand-written data tables.

use crate::artwork::Shape;

pub(super) type Pair = (&'static str, &'static str);

/// One product family: names, category, wholesale price band (fen), picture.
pub(super) struct Kind {
    pub(super) cores: &'static [Pair],
    pub(super) materials: &'static [Pair],
    pub(super) features: &'static [Pair],
    pub(super) category_id: u64,
    pub(super) price_fen: (u64, u64),
    pub(super) shape: Shape,
    pub(super) trade: &'static str,
}

pub(super) const KINDS: &[Kind] = &[
    Kind {
        cores: &[
            ("短袖T恤", "short sleeve T-shirt"),
            ("圆领T恤", "crew neck T-shirt"),
            ("宽松体恤", "loose tee"),
        ],
        materials: &[
            ("230g重磅纯棉", "230g heavy cotton"),
            ("莫代尔", "modal"),
            ("冰丝", "ice silk"),
            ("新疆棉", "Xinjiang cotton"),
        ],
        features: &[
            ("男女同款", "unisex"),
            ("可印logo", "printable logo"),
            ("大码", "plus size"),
            ("打底衫", "base shirt"),
        ],
        category_id: 127380009,
        price_fen: (500, 4000),
        shape: Shape::TShirt,
        trade: "服饰",
    },
    Kind {
        cores: &[
            ("连衣裙", "dress"),
            ("碎花长裙", "floral maxi dress"),
            ("吊带裙", "slip dress"),
        ],
        materials: &[
            ("雪纺", "chiffon"),
            ("棉麻", "cotton linen"),
            ("针织", "knitted"),
            ("缎面", "satin"),
        ],
        features: &[
            ("收腰显瘦", "waist-slimming"),
            ("法式", "French-style"),
            ("度假风", "holiday style"),
            ("中长款", "midi length"),
        ],
        category_id: 127380010,
        price_fen: (1500, 12000),
        shape: Shape::Dress,
        trade: "服装",
    },
    Kind {
        cores: &[
            ("运动鞋", "sneakers"),
            ("跑步鞋", "running shoes"),
            ("板鞋", "skate shoes"),
            ("老爹鞋", "chunky sneakers"),
        ],
        materials: &[
            ("飞织", "flyknit"),
            ("网面", "mesh"),
            ("PU皮", "PU leather"),
            ("帆布", "canvas"),
        ],
        features: &[
            ("透气", "breathable"),
            ("软底防滑", "soft non-slip sole"),
            ("增高", "height-increasing"),
            ("情侣款", "couple style"),
        ],
        category_id: 1038378,
        price_fen: (2500, 15000),
        shape: Shape::Sneaker,
        trade: "鞋业",
    },
    Kind {
        cores: &[
            ("手机壳", "phone case"),
            ("iPhone手机壳", "iPhone case"),
            ("保护套", "protective cover"),
        ],
        materials: &[
            ("液态硅胶", "liquid silicone"),
            ("TPU", "TPU"),
            ("磨砂", "matte"),
            ("透明", "clear"),
        ],
        features: &[
            ("防摔", "shockproof"),
            ("镜头全包", "full lens protection"),
            ("磁吸", "magnetic"),
            ("适用苹果16", "for iPhone 16"),
        ],
        category_id: 1046747,
        price_fen: (150, 1800),
        shape: Shape::PhoneCase,
        trade: "电子科技",
    },
    Kind {
        cores: &[
            ("保温杯", "vacuum flask"),
            ("水杯", "water bottle"),
            ("咖啡杯", "coffee tumbler"),
        ],
        materials: &[
            ("316不锈钢", "316 stainless steel"),
            ("304不锈钢", "304 stainless steel"),
            ("钛", "titanium"),
        ],
        features: &[
            ("大容量", "large capacity"),
            ("便携", "portable"),
            ("可刻字", "engravable"),
            ("商务礼品", "business gift"),
        ],
        category_id: 1042954,
        price_fen: (800, 6500),
        shape: Shape::Flask,
        trade: "日用品",
    },
    Kind {
        cores: &[
            ("双肩包", "backpack"),
            ("书包", "school bag"),
            ("电脑包", "laptop backpack"),
        ],
        materials: &[
            ("牛津布", "Oxford cloth"),
            ("尼龙", "nylon"),
            ("帆布", "canvas"),
        ],
        features: &[
            ("大容量", "large capacity"),
            ("防水", "waterproof"),
            ("旅行", "travel"),
            ("USB充电", "USB charging"),
        ],
        category_id: 1042841,
        price_fen: (1800, 9000),
        shape: Shape::Backpack,
        trade: "箱包",
    },
    Kind {
        cores: &[
            ("棒球帽", "baseball cap"),
            ("鸭舌帽", "peaked cap"),
            ("遮阳帽", "sun hat"),
        ],
        materials: &[
            ("纯棉", "cotton"),
            ("灯芯绒", "corduroy"),
            ("水洗棉", "washed cotton"),
        ],
        features: &[
            ("刺绣字母", "embroidered letters"),
            ("可调节", "adjustable"),
            ("防晒", "sun protection"),
            ("定制logo", "custom logo"),
        ],
        category_id: 1037003,
        price_fen: (350, 2500),
        shape: Shape::Cap,
        trade: "服饰",
    },
    Kind {
        cores: &[
            ("袜子", "socks"),
            ("中筒袜", "crew socks"),
            ("船袜", "no-show socks"),
        ],
        materials: &[
            ("纯棉", "cotton"),
            ("竹纤维", "bamboo fibre"),
            ("毛圈", "terry"),
        ],
        features: &[
            ("吸汗防臭", "sweat-absorbing anti-odour"),
            ("运动", "sports"),
            ("十双装", "10 pairs"),
            ("隐形", "invisible"),
        ],
        category_id: 1031919,
        price_fen: (80, 500),
        shape: Shape::Sock,
        trade: "针织",
    },
    Kind {
        cores: &[
            ("蓝牙耳机", "bluetooth earbuds"),
            ("无线耳机", "wireless earphones"),
            ("TWS耳机", "TWS earbuds"),
        ],
        materials: &[
            ("入耳式", "in-ear"),
            ("半入耳式", "semi-in-ear"),
            ("骨传导", "bone conduction"),
        ],
        features: &[
            ("降噪", "noise cancelling"),
            ("超长续航", "long battery life"),
            ("触控", "touch control"),
            ("跨境爆款", "cross-border bestseller"),
        ],
        category_id: 1046685,
        price_fen: (1500, 12000),
        shape: Shape::Earbuds,
        trade: "电子科技",
    },
    Kind {
        cores: &[
            ("毛绒玩具", "plush toy"),
            ("小熊公仔", "teddy bear doll"),
            ("抱枕娃娃", "pillow doll"),
        ],
        materials: &[
            ("短毛绒", "short plush"),
            ("PP棉填充", "PP cotton filled"),
            ("水晶超柔", "crystal super soft"),
        ],
        features: &[
            ("儿童礼物", "kids gift"),
            ("抓机娃娃", "claw machine doll"),
            ("生日礼物", "birthday gift"),
            ("陪睡", "sleeping companion"),
        ],
        category_id: 1036579,
        price_fen: (300, 4500),
        shape: Shape::Plush,
        trade: "玩具",
    },
    Kind {
        cores: &[
            ("收纳盒", "storage box"),
            ("整理箱", "organiser box"),
            ("桌面收纳", "desk organiser"),
        ],
        materials: &[
            ("PP塑料", "PP plastic"),
            ("布艺", "fabric"),
            ("透明", "transparent"),
        ],
        features: &[
            ("带盖", "with lid"),
            ("可叠加", "stackable"),
            ("家用", "household"),
            ("折叠", "foldable"),
        ],
        category_id: 1041950,
        price_fen: (250, 3500),
        shape: Shape::StorageBox,
        trade: "日用品",
    },
    Kind {
        cores: &[
            ("瑜伽垫", "yoga mat"),
            ("健身垫", "fitness mat"),
            ("地垫", "exercise floor mat"),
        ],
        materials: &[
            ("TPE", "TPE"),
            ("NBR", "NBR"),
            ("天然橡胶", "natural rubber"),
        ],
        features: &[
            ("加厚防滑", "thick non-slip"),
            ("初学者", "for beginners"),
            ("带体位线", "with alignment lines"),
            ("家用", "home use"),
        ],
        category_id: 1049452,
        price_fen: (1200, 8000),
        shape: Shape::YogaMat,
        trade: "体育用品",
    },
];

pub(super) const SEASONS: &[Pair] = &[
    ("夏季", "Summer"),
    ("秋冬", "Autumn/Winter"),
    ("春季", "Spring"),
    ("新款", "New"),
    ("2025新款", "2025 New"),
    ("", ""),
];
pub(super) const ADJECTIVES: &[Pair] = &[
    ("简约", "simple"),
    ("韩版", "Korean-style"),
    ("ins风", "ins-style"),
    ("潮牌", "trendy"),
    ("百搭", "all-match"),
    ("复古", "retro"),
    ("可爱", "cute"),
    ("轻奢", "affordable luxury"),
    ("国潮", "guochao"),
];
pub(super) const SUFFIXES: &[Pair] = &[
    ("一件代发", "dropshipping"),
    ("厂家直销", "factory direct"),
    ("批发", "wholesale"),
    ("跨境专供", "cross-border supply"),
    ("现货", "in stock"),
    ("", ""),
];
pub(super) const CITIES: &[&str] = &[
    "义乌市",
    "广州市",
    "深圳市",
    "杭州市",
    "东莞市",
    "泉州市",
    "汕头市",
    "宁波市",
    "温州市",
    "苏州市",
];
pub(super) const SYLLABLES: &[&str] = &[
    "锦", "鑫", "华", "盛", "源", "恒", "达", "美", "嘉", "优", "创", "宏", "信", "博", "帆", "悦",
];

/// Terminal-hostile fragments planted in about 1 in 300 titles, so the
/// client's sanitising is exercised.
pub(super) const HOSTILE: &[&str] = &[
    "\u{1b}[31m",
    "\u{7}",
    "\u{1b}]52;c;cm0gLXJmIH4=\u{7}",
    "\u{1b}[2J",
];

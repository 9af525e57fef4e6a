//! The synthetic 1688 catalog: offers generated deterministically from a seed,
//! each with a product type, a picture recipe and a precomputed descriptor,
//! and the search over them (filter → similarity rank → cap → sort → page).
//!
//! As on 1688, a popular picture is listed by several sellers: about a
//! third of the offers are re-listings of an earlier offer's picture
//! (re-photographed a little tighter or looser) under another seller,
//! title and price. All listings of one picture share a `group`.

use std::collections::{HashMap, HashSet};

use base64::Engine;

use crate::artwork::{self, Art, Pattern, Shape};
use crate::similarity::{Descriptor, SHAPE_SIDE};
use crate::wire::{
    DajiItem, DajiPriceInfo, FilterFlag, Price, SignedItem, SignedPriceInfo, Sort, SortField,
    SortOrder,
};

/// Most records a query reports (`totalRecords` is capped here, like the real
/// service, which never pages through a whole category).
pub const MAX_RESULTS: usize = 2000;

/// SplitMix64: tiny, fast and stable across crate versions, so a seed means
/// the same catalog forever.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

type Pair = (&'static str, &'static str);

/// One product family: names, category, wholesale price band (fen), picture.
struct Kind {
    cores: &'static [Pair],
    materials: &'static [Pair],
    features: &'static [Pair],
    category_id: u64,
    price_fen: (u64, u64),
    shape: Shape,
    trade: &'static str,
}

const KINDS: &[Kind] = &[
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

const SEASONS: &[Pair] = &[
    ("夏季", "Summer"),
    ("秋冬", "Autumn/Winter"),
    ("春季", "Spring"),
    ("新款", "New"),
    ("2025新款", "2025 New"),
    ("", ""),
];
const ADJECTIVES: &[Pair] = &[
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
const SUFFIXES: &[Pair] = &[
    ("一件代发", "dropshipping"),
    ("厂家直销", "factory direct"),
    ("批发", "wholesale"),
    ("跨境专供", "cross-border supply"),
    ("现货", "in stock"),
    ("", ""),
];
const CITIES: &[&str] = &[
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
const SYLLABLES: &[&str] = &[
    "锦", "鑫", "华", "盛", "源", "恒", "达", "美", "嘉", "优", "创", "宏", "信", "博", "帆", "悦",
];

/// Terminal-hostile fragments planted in about 1 in 300 titles, so the
/// client's sanitising is exercised.
const HOSTILE: &[&str] = &[
    "\u{1b}[31m",
    "\u{7}",
    "\u{1b}]52;c;cm0gLXJmIH4=\u{7}",
    "\u{1b}[2J",
];

/// One synthetic offer, in the simulator's own units.
#[derive(Debug, Clone)]
pub struct CatalogOffer {
    pub offer_id: u64,
    /// The offer id of the first listing of this offer's picture (its own id
    /// unless it is a re-listing).
    pub group: u64,
    pub offer_map_id: String,
    pub subject: String,
    pub subject_trans: String,
    pub category_id: u64,
    pub price_fen: u64,
    pub jxhy_price_fen: Option<u64>,
    pub pf_jxhy_price_fen: Option<u64>,
    /// Dropshipping price.
    pub consign_price_fen: u64,
    pub is_jxhy: bool,
    /// Percent, 0..=60.
    pub repurchase_rate: u8,
    pub month_sold: u64,
    pub is_one_psale: bool,
    pub is_one_psale_free_post: bool,
    pub certified_factory: bool,
    pub no_reason_7d_return: bool,
    pub ship_in_today: bool,
    pub ship_in_24_hours: bool,
    pub ship_in_48_hours: bool,
    pub new_7: bool,
    pub new_30: bool,
    pub selection_1688: bool,
    /// `super_factory`, `tp_member`, `powerful_merchants`.
    pub seller_identities: Vec<String>,
    pub company_name: String,
    pub art: Art,
    colour: Pair,
}

impl CatalogOffer {
    /// The product type (one per silhouette the artwork draws).
    pub fn product_type(&self) -> Shape {
        self.art.shape
    }

    /// Whether this offer re-lists another offer's picture.
    pub fn is_relisting(&self) -> bool {
        self.group != self.offer_id
    }
}

/// Share of offers that re-list an earlier offer's picture.
const RELIST_SHARE: f64 = 0.3;

fn hsv(h: f64, s: f64, v: f64) -> [u8; 3] {
    let c = v * s;
    let hp = (h % 360.0) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    [r, g, b].map(|u| ((u + m) * 255.0).round().clamp(0.0, 255.0) as u8)
}

/// Chinese/English colour name for a body colour, for the titles.
fn colour_name(h: f64, s: f64, v: f64) -> Pair {
    if v < 0.25 {
        ("黑色", "black")
    } else if s < 0.15 {
        if v > 0.8 {
            ("白色", "white")
        } else {
            ("灰色", "grey")
        }
    } else {
        match ((h + 15.0) % 360.0) as u32 / 30 {
            0 => ("红色", "red"),
            1 => ("橙色", "orange"),
            2 => ("黄色", "yellow"),
            3 | 4 => ("绿色", "green"),
            5 => ("青色", "cyan"),
            6 | 7 => ("蓝色", "blue"),
            8 => ("紫色", "purple"),
            9 | 10 => ("粉色", "pink"),
            _ => ("玫红", "rose red"),
        }
    }
}

/// A price band draw: log-uniform, rounded to a wholesale-looking ending.
fn draw_price(rng: &mut Rng, (lo, hi): (u64, u64)) -> u64 {
    let (lo, hi) = (lo as f64, hi as f64);
    let p = (lo.ln() + rng.unit() * (hi.ln() - lo.ln())).exp();
    let fen = p.round() as u64;
    match rng.below(4) {
        0 => (fen / 100) * 100,      // "16.00"
        1 => (fen / 10) * 10,        // "15.90"
        2 => (fen / 100) * 100 + 50, // "16.50"
        _ => fen.max(1),             // "5.86"
    }
    .max(10)
}

fn draw_month_sold(rng: &mut Rng) -> u64 {
    if rng.chance(0.015) {
        // A few hits sell tens of thousands a month.
        let (lo, hi) = (2_000f64.ln(), 200_000f64.ln());
        (lo + rng.unit() * (hi - lo)).exp() as u64
    } else {
        let u = rng.unit().max(1e-9);
        ((20.0 * u.powf(-1.2)) as u64)
            .saturating_sub(15)
            .min(20_000)
    }
}

fn title(rng: &mut Rng, kind: &Kind, colour: Pair) -> (String, String) {
    let season = *rng.pick(SEASONS);
    let adj = *rng.pick(ADJECTIVES);
    let material = *rng.pick(kind.materials);
    let core = *rng.pick(kind.cores);
    let feature = *rng.pick(kind.features);
    let suffix = *rng.pick(SUFFIXES);
    let cn = format!(
        "{}{}{}{}{}{} {}",
        season.0, adj.0, material.0, colour.0, core.0, feature.0, suffix.0
    );
    let en_parts = [
        season.1, adj.1, material.1, colour.1, core.1, feature.1, suffix.1,
    ];
    let en = en_parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let mut en_chars = en.chars();
    let en = match en_chars.next() {
        Some(c) => c.to_uppercase().chain(en_chars).collect(),
        None => en,
    };
    (cn.trim().to_string(), en)
}

fn kind_of(shape: Shape) -> &'static Kind {
    KINDS.iter().find(|k| k.shape == shape).unwrap_or(&KINDS[0])
}

/// A new product: its picture and colours, then a listing of it.
fn offer(rng: &mut Rng, offer_id: u64) -> CatalogOffer {
    let kind = rng.pick(KINDS);
    // Colours: a saturated or neutral body, a contrasting accent, and a white,
    // light grey or pastel backdrop as in marketplace photos.
    let h = rng.unit() * 360.0;
    let (s, v) = if rng.chance(0.2) {
        (
            rng.unit() * 0.1,
            if rng.chance(0.5) {
                0.1 + rng.unit() * 0.12
            } else {
                0.5 + rng.unit() * 0.45
            },
        )
    } else {
        (0.45 + rng.unit() * 0.55, 0.35 + rng.unit() * 0.65)
    };
    let body = hsv(h, s, v);
    let accent = if rng.chance(0.3) {
        if v > 0.6 {
            hsv(0.0, 0.0, 0.12)
        } else {
            hsv(0.0, 0.0, 0.95)
        }
    } else {
        hsv(
            h + 120.0 + rng.unit() * 120.0,
            0.5 + rng.unit() * 0.5,
            0.5 + rng.unit() * 0.5,
        )
    };
    let background = match rng.below(3) {
        0 => hsv(0.0, 0.0, 0.97),
        1 => hsv(0.0, 0.0, 0.8 + rng.unit() * 0.12),
        _ => hsv(
            rng.unit() * 360.0,
            0.12 + rng.unit() * 0.2,
            0.85 + rng.unit() * 0.13,
        ),
    };
    let art = Art {
        shape: kind.shape,
        pattern: if rng.chance(0.5) {
            Pattern::Plain
        } else {
            *rng.pick(&Pattern::ALL)
        },
        body,
        accent,
        background,
        scale: (0.82 + rng.unit() * 0.3) as f32,
        dx: ((rng.unit() - 0.5) * 0.12) as f32,
        dy: ((rng.unit() - 0.5) * 0.1) as f32,
        grain: rng.next_u64(),
    };
    let price_fen = draw_price(rng, kind.price_fen);
    listing(
        rng,
        offer_id,
        offer_id,
        kind,
        colour_name(h, s, v),
        art,
        price_fen,
    )
}

/// Another seller's listing of `original`'s picture: the photo re-shot a
/// little tighter or looser, with its own title, price and terms.
fn relisting(rng: &mut Rng, offer_id: u64, original: &CatalogOffer) -> CatalogOffer {
    let kind = kind_of(original.art.shape);
    let sign = |rng: &mut Rng| if rng.chance(0.5) { 1.0 } else { -1.0 };
    let mut art = original.art;
    art.scale =
        (art.scale * (1.0 + sign(rng) * (0.08 + rng.unit() as f32 * 0.06))).clamp(0.72, 1.12);
    art.dx = (art.dx + sign(rng) * (0.04 + rng.unit() as f32 * 0.02)).clamp(-0.09, 0.09);
    art.dy = (art.dy + sign(rng) * (0.03 + rng.unit() as f32 * 0.02)).clamp(-0.08, 0.08);
    art.grain = rng.next_u64();
    let factor = 0.85 + rng.unit() * 0.5;
    let price_fen =
        ((original.price_fen as f64 * factor).round() as u64).clamp(10, kind.price_fen.1.max(10));
    listing(
        rng,
        offer_id,
        original.group,
        kind,
        original.colour,
        art,
        price_fen,
    )
}

/// The commercial side of a listing: title, prices, seller and flags.
fn listing(
    rng: &mut Rng,
    offer_id: u64,
    group: u64,
    kind: &Kind,
    colour: Pair,
    art: Art,
    price_fen: u64,
) -> CatalogOffer {
    let (mut subject, subject_trans) = title(rng, kind, colour);
    if rng.chance(1.0 / 300.0) {
        // Plant the escape mid-title, as a hostile seller would.
        let at = subject
            .char_indices()
            .nth(4)
            .map_or(subject.len(), |(i, _)| i);
        let hostile = HOSTILE[rng.below(HOSTILE.len() as u64) as usize];
        subject.insert_str(at, hostile);
    }
    let is_jxhy = rng.chance(0.3);
    let jxhy_price_fen =
        (is_jxhy && rng.chance(0.5)).then(|| (price_fen as f64 * (0.9 + rng.unit() * 0.1)) as u64);
    let pf_jxhy_price_fen = jxhy_price_fen.filter(|_| rng.chance(0.6));
    let consign_price_fen = (price_fen as f64 * (1.05 + rng.unit() * 0.2)).round() as u64;
    let ship_in_today = rng.chance(0.2);
    let ship_in_24_hours = ship_in_today || rng.chance(0.4);
    let ship_in_48_hours = ship_in_24_hours || rng.chance(0.6);
    let is_one_psale = rng.chance(0.5);
    let certified_factory = rng.chance(0.15);
    let mut seller_identities = Vec::new();
    if certified_factory && rng.chance(0.5) {
        seller_identities.push("super_factory".to_string());
    }
    if rng.chance(0.25) {
        seller_identities.push("tp_member".to_string());
    }
    if rng.chance(0.1) {
        seller_identities.push("powerful_merchants".to_string());
    }
    let new_7 = rng.chance(0.03);
    let company_name = format!(
        "{}{}{}{}有限公司",
        rng.pick(CITIES),
        rng.pick(SYLLABLES),
        rng.pick(SYLLABLES),
        kind.trade
    );
    let mut map_bytes = [0u8; 16];
    map_bytes[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    map_bytes[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    CatalogOffer {
        offer_id,
        group,
        offer_map_id: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(map_bytes),
        subject,
        subject_trans,
        category_id: kind.category_id,
        price_fen,
        jxhy_price_fen,
        pf_jxhy_price_fen,
        consign_price_fen,
        is_jxhy,
        repurchase_rate: (rng.unit().powf(1.5) * 60.0).round() as u8,
        month_sold: draw_month_sold(rng),
        is_one_psale,
        is_one_psale_free_post: is_one_psale && rng.chance(0.35),
        certified_factory,
        no_reason_7d_return: rng.chance(0.6),
        ship_in_today,
        ship_in_24_hours,
        ship_in_48_hours,
        new_7,
        new_30: new_7 || rng.chance(0.1),
        selection_1688: rng.chance(0.08),
        seller_identities,
        company_name,
        art,
        colour,
    }
}

/// The offers alone, without descriptors: cheap (well under a millisecond per
/// hundred offers), used for pictures and id lists. Generation is
/// sequential (a re-listing only copies an earlier offer), so the first n
/// offers of a catalog are the whole of the catalog of n.
pub fn generate(seed: u64, size: usize) -> Vec<CatalogOffer> {
    let mut rng = Rng::new(seed ^ 0x1688_7475_736F_u64);
    let mut seen = HashSet::with_capacity(size);
    let mut out: Vec<CatalogOffer> = Vec::with_capacity(size);
    let mut originals: Vec<usize> = Vec::with_capacity(size);
    while out.len() < size {
        // 12-digit ids in the range real 1688 offers use.
        let id = 500_000_000_000 + rng.below(499_999_999_999);
        if !seen.insert(id) {
            continue;
        }
        let mut offer_rng = Rng::new(rng.next_u64());
        let source = (!originals.is_empty() && offer_rng.chance(RELIST_SHARE))
            .then(|| originals[offer_rng.below(originals.len() as u64) as usize]);
        match source.and_then(|i| out.get(i)) {
            Some(original) => {
                let o = relisting(&mut offer_rng, id, original);
                out.push(o);
            }
            None => {
                originals.push(out.len());
                out.push(offer(&mut offer_rng, id));
            }
        }
    }
    out
}

/// Offers plus their descriptors and an id index.
pub struct Catalog {
    pub offers: Vec<CatalogOffer>,
    pub descriptors: Vec<Descriptor>,
    by_id: HashMap<u64, usize>,
}

/// Renders one offer at twice the descriptor size and describes it the way
/// a photo is described (downscaled by the same code), so a query with the
/// JPEG lands next to it.
pub fn describe(art: &Art) -> Descriptor {
    Descriptor::of_image(&artwork::render_clean(art, 2 * SHAPE_SIDE))
}

/// A query whose best match is this close shows the same picture: that
/// picture's other listings follow it, as 1688 groups identical offers.
pub const SAME_PICTURE: f32 = 0.05;

impl Catalog {
    pub fn build(seed: u64, size: usize) -> Catalog {
        let offers = generate(seed, size);
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        let chunk = offers.len().div_ceil(threads).max(1);
        let descriptors = std::thread::scope(|scope| {
            let handles: Vec<_> = offers
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || part.iter().map(|o| describe(&o.art)).collect::<Vec<_>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| match h.join() {
                    Ok(v) => v,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        });
        let by_id = offers
            .iter()
            .enumerate()
            .map(|(i, o)| (o.offer_id, i))
            .collect();
        Catalog {
            offers,
            descriptors,
            by_id,
        }
    }

    pub fn get(&self, offer_id: u64) -> Option<&CatalogOffer> {
        self.by_id.get(&offer_id).map(|&i| &self.offers[i])
    }

    pub fn descriptor(&self, offer_id: u64) -> Option<&Descriptor> {
        self.by_id.get(&offer_id).map(|&i| &self.descriptors[i])
    }

    /// Every offer that passes the query's filters, best match first: the
    /// closest offer, then (when it shows the very picture searched for)
    /// the other listings of its picture, then the rest by distance.
    pub fn rank(&self, q: &SearchQuery<'_>) -> Vec<(f32, usize)> {
        let mut hits: Vec<(f32, usize)> = self
            .offers
            .iter()
            .enumerate()
            .filter(|(_, o)| q.matches(o))
            .map(|(i, _)| (q.descriptor.distance(&self.descriptors[i]), i))
            .collect();
        let id = |i: usize| self.offers[i].offer_id;
        hits.sort_by(|a, b| a.0.total_cmp(&b.0).then(id(a.1).cmp(&id(b.1))));
        if let Some(&(best, i)) = hits.first()
            && best < SAME_PICTURE
        {
            let group = self.offers[i].group;
            let (mut same, rest): (Vec<_>, Vec<_>) = hits
                .into_iter()
                .partition(|&(_, j)| self.offers[j].group == group);
            same.extend(rest);
            hits = same;
        }
        hits
    }

    /// Runs a search; answers (totalRecords, the offers of the asked page).
    pub fn search(&self, q: &SearchQuery<'_>) -> (u64, Vec<&CatalogOffer>) {
        self.search_capped(q, MAX_RESULTS)
    }

    /// [`Catalog::search`] with at most `max_results` hits in all.
    pub fn search_capped(
        &self,
        q: &SearchQuery<'_>,
        max_results: usize,
    ) -> (u64, Vec<&CatalogOffer>) {
        let mut hits = self.rank(q);
        hits.truncate(max_results.max(1));
        if let Some(sort) = q.sort {
            // Stable sort keeps the similarity order among equal keys.
            let key = |i: usize| {
                let o = &self.offers[i];
                match sort.field {
                    SortField::Price => o.price_fen,
                    SortField::MonthSold => o.month_sold,
                    SortField::RePurchaseRate => u64::from(o.repurchase_rate),
                }
            };
            hits.sort_by(|a, b| {
                let ord = key(a.1).cmp(&key(b.1));
                match sort.order {
                    SortOrder::Asc => ord,
                    SortOrder::Desc => ord.reverse(),
                }
            });
        }
        let total = hits.len() as u64;
        let start = q.begin_page.saturating_sub(1).saturating_mul(q.page_size);
        let page = usize::try_from(start)
            .ok()
            .and_then(|s| hits.get(s..))
            .unwrap_or(&[])
            .iter()
            .take(usize::try_from(q.page_size).unwrap_or(usize::MAX))
            .map(|&(_, i)| &self.offers[i])
            .collect();
        (total, page)
    }
}

/// A validated query against the catalog.
pub struct SearchQuery<'a> {
    pub descriptor: &'a Descriptor,
    pub begin_page: u64,
    pub page_size: u64,
    pub price_start: Option<Price>,
    pub price_end: Option<Price>,
    pub filters: Vec<FilterFlag>,
    pub sort: Option<Sort>,
    pub category_id: Option<u64>,
}

impl SearchQuery<'_> {
    /// Filters act on the catalog's own flags, including those the items
    /// do not carry on the wire.
    fn matches(&self, o: &CatalogOffer) -> bool {
        if self.price_start.is_some_and(|p| o.price_fen < p.fen())
            || self.price_end.is_some_and(|p| o.price_fen > p.fen())
            || self.category_id.is_some_and(|c| o.category_id != c)
        {
            return false;
        }
        self.filters.iter().all(|f| match f {
            FilterFlag::CertifiedFactory => o.certified_factory,
            FilterFlag::ShipInToday => o.ship_in_today,
            FilterFlag::ShipIn24Hours => o.ship_in_24_hours,
            FilterFlag::ShipIn48Hours => o.ship_in_48_hours,
            FilterFlag::Jxhy => o.is_jxhy,
            FilterFlag::IsOnePsale => o.is_one_psale,
            FilterFlag::IsOnePsaleFreePost => o.is_one_psale_free_post,
            FilterFlag::NoReason7DReturn => o.no_reason_7d_return,
            FilterFlag::New7 => o.new_7,
            FilterFlag::New30 => o.new_30,
            FilterFlag::Selection1688 => o.selection_1688,
        })
    }
}

fn yuan(fen: u64) -> String {
    Price(fen).to_string()
}

impl CatalogOffer {
    /// `/img/{offerId}.jpg` on the simulator at `base_url`.
    pub fn image_url(&self, base_url: &str) -> String {
        format!("{base_url}/img/{}.jpg", self.offer_id)
    }

    /// The offer as a DajiSaaS image-query item.
    pub fn to_daji_item(&self, base_url: &str) -> DajiItem {
        DajiItem {
            image_url: self.image_url(base_url),
            subject: self.subject.clone(),
            subject_trans: self.subject_trans.clone(),
            offer_map_id: self.offer_map_id.clone(),
            is_jxhy: self.is_jxhy,
            price_info: DajiPriceInfo {
                price: yuan(self.price_fen),
                jxhy_price: self.jxhy_price_fen.map(yuan),
                pf_jxhy_price: self.pf_jxhy_price_fen.map(yuan),
                consign_price: yuan(self.consign_price_fen),
            },
            repurchase_rate: format!("{}%", self.repurchase_rate),
            month_sold: self.month_sold,
            offer_id: self.offer_id,
            is_one_psale: self.is_one_psale,
            seller_identities: self.seller_identities.clone(),
        }
    }

    /// The offer as a signed-header item: the seed's eight fields only.
    pub fn to_signed_item(&self, base_url: &str) -> SignedItem {
        SignedItem {
            image_url: self.image_url(base_url),
            subject: self.subject.clone(),
            subject_trans: self.subject_trans.clone(),
            offer_map_id: self.offer_map_id.clone(),
            is_jxhy: self.is_jxhy,
            price_info: SignedPriceInfo {
                price: yuan(self.price_fen),
                jxhy_price: self.jxhy_price_fen.map(yuan),
                pf_jxhy_price: self.pf_jxhy_price_fen.map(yuan),
            },
            repurchase_rate: format!("{}%", self.repurchase_rate),
            month_sold: self.month_sold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(d: &Descriptor) -> SearchQuery<'_> {
        SearchQuery {
            descriptor: d,
            begin_page: 1,
            page_size: 50,
            price_start: None,
            price_end: None,
            filters: vec![],
            sort: None,
            category_id: None,
        }
    }

    #[test]
    fn generation_is_deterministic_and_ids_are_well_formed() {
        let a = generate(7, 300);
        let b = generate(7, 300);
        let c = generate(8, 300);
        assert_eq!(a.len(), 300);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.offer_id, y.offer_id);
            assert_eq!(x.subject, y.subject);
            assert_eq!(x.price_fen, y.price_fen);
        }
        assert_ne!(a[0].offer_id, c[0].offer_id);
        for o in &a {
            assert_eq!(o.offer_id.to_string().len(), 12);
            assert_eq!(o.offer_map_id.len(), 22);
            assert!(o.repurchase_rate <= 60);
            assert!(o.price_fen > 0);
        }
    }

    #[test]
    fn distributions_are_plausible() {
        let offers = generate(42, 2400);
        let hostile = offers
            .iter()
            .filter(|o| o.subject.contains('\u{1b}') || o.subject.contains('\u{7}'))
            .count();
        assert!((1..=30).contains(&hostile), "hostile titles: {hostile}");
        let under_1000 = offers.iter().filter(|o| o.month_sold < 1000).count();
        assert!(under_1000 > offers.len() * 8 / 10);
        assert!(offers.iter().any(|o| o.month_sold > 50_000));
        let socks = offers.iter().filter(|o| o.art.shape == Shape::Sock);
        assert!(socks.into_iter().all(|o| (10..=500).contains(&o.price_fen)));
    }

    #[test]
    fn price_filter_sort_and_paging() {
        let cat = Catalog::build(3, 400);
        let d = cat.descriptors[0].clone();
        let mut query = q(&d);
        query.price_start = Some(Price(1000));
        query.price_end = Some(Price(3000));
        query.sort = Some(Sort {
            field: SortField::Price,
            order: SortOrder::Asc,
        });
        query.page_size = 7;
        let (total, first) = cat.search(&query);
        assert!(total > 7);
        let mut all = Vec::new();
        let pages = total.div_ceil(7);
        for page in 1..=pages {
            query.begin_page = page;
            let (t, rows) = cat.search(&query);
            assert_eq!(t, total);
            all.extend(rows.into_iter().map(|o| (o.price_fen, o.offer_id)));
        }
        assert_eq!(all.len() as u64, total);
        assert!(all.iter().all(|(p, _)| (1000..=3000).contains(p)));
        assert!(all.windows(2).all(|w| w[0].0 <= w[1].0));
        let ids: HashSet<u64> = all.iter().map(|x| x.1).collect();
        assert_eq!(ids.len(), all.len(), "no offer repeats across pages");
        assert_eq!(first[0].price_fen, all[0].0);
        query.begin_page = pages + 1;
        assert!(cat.search(&query).1.is_empty());
        query.begin_page = u64::MAX;
        query.page_size = 50;
        assert!(cat.search(&query).1.is_empty());
    }

    #[test]
    fn total_is_capped() {
        let cat = Catalog::build(1, 2100);
        let d = cat.descriptors[5].clone();
        assert_eq!(cat.search(&q(&d)).0, MAX_RESULTS as u64);
    }

    #[test]
    fn reencoded_catalog_image_ranks_itself_first() {
        let cat = Catalog::build(42, 2400);
        let mut rng = Rng::new(9);
        for _ in 0..50 {
            let o = &cat.offers[rng.below(cat.offers.len() as u64) as usize];
            // As the client prepares uploads: another size, JPEG q85.
            let big = artwork::render(&o.art, 600);
            let resized =
                image::imageops::resize(&big, 480, 480, image::imageops::FilterType::Triangle);
            let mut jpeg = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
                .encode_image(&resized)
                .unwrap();
            let decoded = image::load_from_memory(&jpeg).unwrap().to_rgb8();
            let d = Descriptor::of_image(&decoded);
            let mut query = q(&d);
            query.page_size = 3;
            let (_, top) = cat.search(&query);
            assert_eq!(top[0].offer_id, o.offer_id, "{}", o.subject);
        }
    }
}

#[cfg(test)]
mod timing {
    /// Run with `cargo test --release --lib sim::catalog::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn catalog_build_time() {
        let t = std::time::Instant::now();
        let offers = super::generate(1688, 2400);
        let gen_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = std::time::Instant::now();
        let cat = super::Catalog::build(1688, 2400);
        let build_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = std::time::Instant::now();
        let jpeg = super::artwork::render_jpeg(&offers[0].art, 600);
        let jpeg_ms = t.elapsed().as_secs_f64() * 1000.0;
        eprintln!(
            "generate {gen_ms:.1} ms, build with descriptors {build_ms:.1} ms ({} offers), 600px jpeg {jpeg_ms:.1} ms ({} bytes)",
            cat.offers.len(),
            jpeg.len()
        );
    }
}

#[cfg(test)]
mod ranking {
    use super::*;

    /// A catalog picture as a client would upload it: the served 600 px
    /// JPEG, resized to 450 px and re-encoded at quality 85.
    pub(crate) fn client_photo(art: &Art) -> Descriptor {
        let jpeg = artwork::render_jpeg(art, 600);
        let img = image::load_from_memory(&jpeg).map(|i| i.to_rgb8());
        let img = img.unwrap_or_else(|_| image::RgbImage::new(1, 1));
        let resized =
            image::imageops::resize(&img, 450, 450, image::imageops::FilterType::Triangle);
        let mut out = Vec::new();
        let _ =
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&resized);
        let decoded = image::load_from_memory(&out).map(|i| i.to_rgb8());
        Descriptor::of_image(&decoded.unwrap_or_else(|_| image::RgbImage::new(1, 1)))
    }

    /// Precision@10 by product type over catalog photos searched as a
    /// client would (the served JPEG, resized and re-encoded). Prints the
    /// figure: `cargo test -p tusou-sim precision -- --nocapture`.
    #[test]
    fn precision_at_10_by_product_type() {
        const QUERIES: usize = 150;
        let started = std::time::Instant::now();
        let cat = Catalog::build(crate::DEFAULT_SEED, crate::DEFAULT_CATALOG_SIZE);
        let mut rng = Rng::new(5);
        let (mut hits, mut hits_other, mut self_first, mut group_first) = (0usize, 0usize, 0, 0);
        for _ in 0..QUERIES {
            let i = rng.below(cat.offers.len() as u64) as usize;
            let o = &cat.offers[i];
            let d = client_photo(&o.art);
            let q = SearchQuery {
                descriptor: &d,
                begin_page: 1,
                page_size: 10,
                price_start: None,
                price_end: None,
                filters: vec![],
                sort: None,
                category_id: None,
            };
            let ranked: Vec<&CatalogOffer> =
                cat.rank(&q).iter().map(|&(_, j)| &cat.offers[j]).collect();
            let same_type = |t: &&&CatalogOffer| t.product_type() == o.product_type();
            hits += ranked.iter().take(10).filter(same_type).count();
            // The same, not counting the searched picture's own listings.
            hits_other += ranked
                .iter()
                .filter(|t| t.group != o.group)
                .take(10)
                .filter(same_type)
                .count();
            self_first += usize::from(ranked[0].offer_id == o.offer_id);
            let listings = cat.offers.iter().filter(|x| x.group == o.group).count();
            group_first += usize::from(ranked.iter().take(listings).all(|t| t.group == o.group));
        }
        let p10 = hits as f64 / (QUERIES * 10) as f64;
        let p10_other = hits_other as f64 / (QUERIES * 10) as f64;
        eprintln!(
            "precision@10 (same product type) over {QUERIES} catalog photos: {p10:.3} \
             ({p10_other:.3} not counting the photo's own listings); itself first {self_first}/{QUERIES}, \
             its re-listings next {group_first}/{QUERIES}; {:.1} s",
            started.elapsed().as_secs_f64()
        );
        assert!(p10 >= 0.8, "precision@10 {p10:.3}");
        assert!(
            p10_other >= 0.8,
            "precision@10 without own listings {p10_other:.3}"
        );
        assert!(
            self_first * 100 >= QUERIES * 97,
            "itself first {self_first}/{QUERIES}"
        );
        assert!(
            group_first * 100 >= QUERIES * 97,
            "re-listings next {group_first}/{QUERIES}"
        );
    }

    /// Within a product type, colour decides: among a photo's same-type
    /// results (past its own listings) the colour distance grows, and a
    /// same-type offer outranks every other type's offer of similar colour.
    #[test]
    fn colour_decides_within_a_product_type() {
        let cat = Catalog::build(7, 1200);
        let mut rng = Rng::new(11);
        let mut ordered = 0;
        for _ in 0..20 {
            let o = &cat.offers[rng.below(cat.offers.len() as u64) as usize];
            let d = client_photo(&o.art);
            let q = SearchQuery {
                descriptor: &d,
                begin_page: 1,
                page_size: 10,
                price_start: None,
                price_end: None,
                filters: vec![],
                sort: None,
                category_id: None,
            };
            let same: Vec<f32> = cat
                .rank(&q)
                .iter()
                .filter(|&&(_, j)| cat.offers[j].group != o.group)
                .take(8)
                .filter(|&&(_, j)| cat.offers[j].product_type() == o.product_type())
                .map(|&(_, j)| d.colour_distance(&cat.descriptors[j]))
                .collect();
            let rising = same.windows(2).filter(|w| w[0] <= w[1] + 1e-6).count();
            if rising + 1 >= same.len() {
                ordered += 1;
            }
        }
        assert!(ordered >= 16, "colour-ordered within type: {ordered}/20");
    }
}

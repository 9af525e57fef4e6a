//! `tusou suppliers` as a user runs it: the real binary over a history of
//! 50 searches recorded through the library on the same database file,
//! each seller's counts and prices checked against a hand count worked out
//! here from the pages recorded (not by asking the store), in every
//! format: the table, CSV, JSON, JSONL and the XLSX read back with
//! calamine. And an empty history, which says so.

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};
use tusou::api::{Identity, Offer, Price, Rate, Score, SearchParams, Seller};
use tusou::store::{NewSearch, Opened, Store};

const SEARCHES: u32 = 50;
const OFFERS: u32 = 240;
const PER_SEARCH: u32 = 20;

/// The sellers: the name as the server sends it, and as tusou must show it.
const COMPANIES: [(&str, &str); 11] = [
    ("义乌市甲饰品厂", "义乌市甲饰品厂"),
    ("杭州乙电子商务有限公司", "杭州乙电子商务有限公司"),
    ("Shenzhen Bing Tech", "Shenzhen Bing Tech"),
    ("=SUM(1)", "=SUM(1)"),
    ("丁\u{1b}[31m工厂", "丁工厂"),
    ("戊贸易", "戊贸易"),
    ("己厂", "己厂"),
    ("庚 Trading", "庚 Trading"),
    ("辛五金", "辛五金"),
    ("壬包装", "壬包装"),
    ("癸服饰", "癸服饰"),
];

fn tusou(args: &[&str], dirs: &Path, columns: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tusou"));
    command
        .args(args)
        .env("TUSOU_CONFIG_DIR", dirs.join("config"))
        .env("TUSOU_CACHE_DIR", dirs.join("cache"))
        .env("TUSOU_DATA_DIR", dirs.join("data"))
        .env_remove("TUSOU_APP_KEY")
        .env_remove("TUSOU_ACCESS_KEY")
        .env_remove("TUSOU_PROVIDER")
        .env_remove("TUSOU_TEST_DB_MAX_PAGES");
    match columns {
        Some(c) => command.env("COLUMNS", c),
        None => command.env_remove("COLUMNS"),
    };
    command.output().expect("binary runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

fn store(dirs: &Path) -> Store {
    match Store::open(&dirs.join("data").join("tusou.db"), None) {
        Opened::On { store, .. } => store,
        Opened::Off { reason } => panic!("{reason}"),
    }
}

/// Offer `i`'s seller: one of the companies, or none for every 13th
/// offer. Company 2 also has an open id (as a merged detail would give),
/// company 10 no identities (factory unknown).
fn seller_of(i: u32) -> Option<usize> {
    (!i.is_multiple_of(13)).then_some((i * 7 % 11) as usize)
}

fn seller(c: usize) -> Seller {
    let mut s = Seller {
        company: Some(COMPANIES[c].0.to_string()),
        identities: if c.is_multiple_of(2) {
            vec![Identity::Factory, Identity::TpMember]
        } else {
            vec![Identity::PowerMerchant]
        },
        tp_years: Some(c as u32 + 1),
        trade_score: Score::from_hundredths(400 + 5 * c as u16),
        pickup_48h_30d: Rate::from_basis_points(9000 + 50 * c as u16),
        quality_refund_30d: Rate::from_basis_points(10 * c as u16),
        ..Seller::default()
    };
    if c == 2 {
        s.open_id = Some("BBBbing".into());
    }
    if c == 10 {
        s.identities.clear();
    }
    s
}

/// Offer `i`'s price in fen: the same in every search, so its last known
/// price is this one.
fn price(i: u32) -> u64 {
    100 + u64::from(i * 37 % 900)
}

fn offer(i: u32) -> Offer {
    Offer {
        offer_id: Some(format!("7{i:05}")),
        title: format!("offer {i}"),
        price: (!i.is_multiple_of(19)).then(|| Price(price(i))),
        seller: seller_of(i).map(seller),
        ..Offer::default()
    }
}

/// The offers search `s` shows, in order (repeats included: a seller that
/// re-lists one offer shows it twice).
fn shown(s: u32) -> Vec<u32> {
    (0..PER_SEARCH)
        .map(|k| (s * 11 + k * k * 3 + k * 5) % OFFERS)
        .collect()
}

/// One seller by hand.
#[derive(Debug, Default)]
struct Hand {
    searches: BTreeSet<u32>,
    offers: BTreeSet<u32>,
}

impl Hand {
    fn prices(&self) -> Vec<u64> {
        let mut p: Vec<u64> = self
            .offers
            .iter()
            .filter(|&&i| !i.is_multiple_of(19))
            .map(|&i| price(i))
            .collect();
        p.sort_unstable();
        p
    }

    fn lowest(&self) -> String {
        self.prices().first().map(|&f| yuan(f)).unwrap_or_default()
    }

    /// The middle price, or the mean of the two middle ones rounded half up.
    fn median(&self) -> String {
        let p = self.prices();
        match p.len() {
            0 => String::new(),
            n if n % 2 == 1 => yuan(p[n / 2]),
            n => yuan((p[n / 2 - 1] + p[n / 2]).div_ceil(2)),
        }
    }
}

fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Records the 50 searches, and counts by hand what they show. The key:
/// the seller key as tusou writes it (`open:` for company 2).
fn history(dirs: &Path) -> Vec<(usize, Hand)> {
    let store = store(dirs);
    let mut hands: BTreeMap<usize, Hand> = BTreeMap::new();
    for s in 0..SEARCHES {
        let id = store
            .record_search(&NewSearch {
                source_md5: &format!("{s:032x}"),
                thumbnail: None,
                source: "photo.jpg",
                provider: "dajisaas",
                params: &SearchParams::default(),
            })
            .expect("search recorded");
        let offers: Vec<Offer> = shown(s).into_iter().map(offer).collect();
        // Two pages, as a search that loaded more.
        let (first, second) = offers.split_at(offers.len() / 2);
        store.record_page(id, 1, first, Some(500)).expect("page 1");
        store.record_page(id, 2, second, Some(500)).expect("page 2");
        for i in shown(s) {
            if let Some(c) = seller_of(i) {
                let hand = hands.entry(c).or_default();
                hand.searches.insert(s);
                hand.offers.insert(i);
            }
        }
    }
    let key = |c: usize| {
        if c == 2 {
            "open:BBBbing".to_string()
        } else {
            format!("company:{}", COMPANIES[c].0)
        }
    };
    let mut ranked: Vec<(usize, Hand)> = hands.into_iter().collect();
    ranked.sort_by(|(a, ha), (b, hb)| {
        hb.searches
            .len()
            .cmp(&ha.searches.len())
            .then(hb.offers.len().cmp(&ha.offers.len()))
            .then(key(*a).cmp(&key(*b)))
    });
    ranked
}

fn clean_key(c: usize) -> String {
    if c == 2 {
        "open:BBBbing".into()
    } else {
        format!("company:{}", COMPANIES[c].1)
    }
}

#[test]
fn suppliers_of_fifty_searches_match_a_hand_count_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let ranked = history(dir.path());
    assert_eq!(ranked.len(), COMPANIES.len(), "every seller is shown");
    // The hand count is not trivial: sellers differ in both counts.
    let searches: BTreeSet<usize> = ranked.iter().map(|(_, h)| h.searches.len()).collect();
    assert!(searches.len() > 2, "{searches:?}");

    // CSV.
    let out = tusou(&["suppliers", "--format", "csv"], dir.path(), None);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let text = ok(&out);
    assert!(stderr.contains("11 sellers in 50 searches"), "{stderr}");
    assert!(!text.contains('\u{1b}'));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), ranked.len());
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    for (i, ((c, hand), r)) in ranked.iter().zip(&records).enumerate() {
        let at = |name: &str| r[col(name)].to_string();
        assert_eq!(at("rank"), (i + 1).to_string());
        assert_eq!(at("provider"), "dajisaas");
        assert_eq!(at("seller_key"), clean_key(*c), "row {i}");
        assert_eq!(at("searches"), hand.searches.len().to_string(), "row {i}");
        assert_eq!(at("offers"), hand.offers.len().to_string(), "row {i}");
        assert_eq!(at("priced_offers"), hand.prices().len().to_string());
        assert_eq!(at("lowest_price"), hand.lowest(), "row {i}");
        assert_eq!(at("median_price"), hand.median(), "row {i}");
        let company = COMPANIES[*c].1;
        let guarded = if company.starts_with('=') {
            format!("'{company}")
        } else {
            company.to_string()
        };
        assert_eq!(at("company"), guarded, "row {i}");
        let factory = match c {
            10 => "",
            c if c.is_multiple_of(2) => "yes",
            _ => "no",
        };
        assert_eq!(at("factory"), factory, "row {i}");
        assert_eq!(at("years"), (c + 1).to_string());
        assert_eq!(
            at("seller_id"),
            if *c == 2 { "BBBbing" } else { "" },
            "row {i}"
        );
        let trade = 400 + 5 * *c as u64;
        let trade = if trade.is_multiple_of(100) {
            (trade / 100).to_string()
        } else if trade.is_multiple_of(10) {
            format!("{}.{}", trade / 100, trade % 100 / 10)
        } else {
            format!("{}.{:02}", trade / 100, trade % 100)
        };
        assert_eq!(at("trade_score"), trade, "row {i}");
        assert_eq!(at("service_score"), "", "unknown stays empty");
    }

    // JSON: the same rows.
    let json: serde_json::Value = serde_json::from_str(&ok(&tusou(
        &["suppliers", "--format", "json"],
        dir.path(),
        None,
    )))
    .unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), ranked.len());
    for ((c, hand), row) in ranked.iter().zip(rows) {
        assert_eq!(row["seller_key"], clean_key(*c));
        assert_eq!(row["searches"], hand.searches.len() as u64);
        assert_eq!(row["offers"], hand.offers.len() as u64);
        assert_eq!(row["lowest_price"], hand.lowest());
        assert_eq!(row["median_price"], hand.median());
        assert_eq!(row["company"], COMPANIES[*c].1);
    }

    // JSONL, with --limit: the first five, and stderr says of how many.
    let out = tusou(
        &["suppliers", "--format", "jsonl", "--limit", "5"],
        dir.path(),
        None,
    );
    let lines = ok(&out);
    let keys: Vec<String> = lines
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seller_key"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let expected: Vec<String> = ranked.iter().take(5).map(|(c, _)| clean_key(*c)).collect();
    assert_eq!(keys, expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the 5 sellers seen most of 11 sellers in 50 searches"),
        "{stderr}"
    );

    // The table (default), 200 columns: a line per seller, counts first,
    // the name last, no escape sequence.
    let table = ok(&tusou(&["suppliers"], dir.path(), Some("200")));
    assert!(!table.contains('\u{1b}'));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), ranked.len() + 1, "{table}");
    assert!(lines[0].contains("search") && lines[0].contains("offers"));
    for (i, ((c, hand), line)) in ranked.iter().zip(&lines[1..]).enumerate() {
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[0], (i + 1).to_string(), "{line}");
        assert_eq!(cells[1], hand.searches.len().to_string(), "{line}");
        assert_eq!(cells[2], hand.offers.len().to_string(), "{line}");
        assert_eq!(cells[3], hand.lowest(), "{line}");
        assert_eq!(cells[4], hand.median(), "{line}");
        assert!(line.ends_with(COMPANIES[*c].1), "{line}");
    }
    // 80 columns: every line fits.
    let narrow = ok(&tusou(&["suppliers"], dir.path(), Some("80")));
    for line in narrow.lines() {
        assert!(tusou::text::width(line) <= 80, "{line:?}");
    }

    // XLSX, read back.
    let path = dir.path().join("suppliers.xlsx");
    let out = tusou(
        &["suppliers", "--out", path.to_str().unwrap()],
        dir.path(),
        None,
    );
    ok(&out);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let sheet = book.worksheet_range("Suppliers").unwrap();
    assert_eq!(sheet.height(), ranked.len() + 1);
    let column = |header: &str| {
        (0..sheet.width() as u32)
            .find(|&c| matches!(sheet.get_value((0, c)), Some(Data::String(s)) if s == header))
            .unwrap_or_else(|| panic!("no column {header:?}"))
    };
    let number = |row: u32, header: &str| match sheet.get_value((row, column(header))) {
        Some(Data::Float(x)) => *x,
        other => panic!("({row}, {header}) is not a number: {other:?}"),
    };
    let text = |row: u32, header: &str| match sheet.get_value((row, column(header))) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        other => panic!("({row}, {header}) is not text: {other:?}"),
    };
    for (i, (c, hand)) in ranked.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(text(row, "seller key"), clean_key(*c));
        assert_eq!(number(row, "searches"), hand.searches.len() as f64);
        assert_eq!(number(row, "offers seen"), hand.offers.len() as f64);
        assert_eq!(
            format!("{:.2}", number(row, "lowest ¥")),
            hand.lowest(),
            "row {row}"
        );
        assert_eq!(format!("{:.2}", number(row, "median ¥")), hand.median());
        assert_eq!(
            text(row, "company"),
            COMPANIES[*c].1,
            "text, never a formula"
        );
        assert_eq!(number(row, "years on 1688"), (c + 1) as f64);
    }
    // The name is taken now: refused, nothing overwritten.
    let again = tusou(
        &["suppliers", "--out", path.to_str().unwrap()],
        dir.path(),
        None,
    );
    assert_eq!(again.status.code(), Some(2));

    // --since: the first 20 searches made in 2020 are left out; the
    // counts are those of the other 30, by hand again.
    let db = rusqlite::Connection::open(dir.path().join("data").join("tusou.db")).unwrap();
    db.execute(
        "UPDATE searches SET searched_at = 1577836800 WHERE id <= 20",
        [],
    )
    .unwrap();
    drop(db);
    let mut recent: BTreeMap<String, (BTreeSet<u32>, BTreeSet<u32>)> = BTreeMap::new();
    for s in 20..SEARCHES {
        for i in shown(s) {
            if let Some(c) = seller_of(i) {
                let entry = recent.entry(clean_key(c)).or_default();
                entry.0.insert(s);
                entry.1.insert(i);
            }
        }
    }
    let out = tusou(
        &["suppliers", "--since", "2021-01-01", "--format", "json"],
        dir.path(),
        None,
    );
    let rows: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), recent.len());
    for row in rows {
        let (searches, offers) = &recent[row["seller_key"].as_str().unwrap()];
        assert_eq!(row["searches"], searches.len() as u64);
        assert_eq!(row["offers"], offers.len() as u64);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("in 30 searches"), "{stderr}");
    let bad = tusou(&["suppliers", "--since", "last week"], dir.path(), None);
    assert_eq!(bad.status.code(), Some(2));

    // Another provider's history has none of them.
    let other = tusou(
        &[
            "suppliers",
            "--provider",
            "signed-header",
            "--format",
            "json",
        ],
        dir.path(),
        None,
    );
    assert_eq!(ok(&other).trim(), "[]");
}

#[test]
fn an_empty_history_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = tusou(&["suppliers"], dir.path(), None);
    assert_eq!(ok(&out), "", "no table without sellers");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no sellers yet") && stderr.contains("no searches"),
        "{stderr}"
    );
    let json = ok(&tusou(&["suppliers", "--format", "json"], dir.path(), None));
    assert_eq!(json.trim(), "[]");
    let csv = ok(&tusou(&["suppliers", "--format", "csv"], dir.path(), None));
    assert_eq!(csv.lines().count(), 1, "the header alone: {csv}");
    assert!(csv.starts_with("rank,provider,seller_key,searches,offers"));

    // Searches whose offers name no seller: said so too.
    let store = store(dir.path());
    let id = store
        .record_search(&NewSearch {
            source_md5: "aa",
            thumbnail: None,
            source: "photo.jpg",
            provider: "dajisaas",
            params: &SearchParams::default(),
        })
        .unwrap();
    let anonymous = Offer {
        offer_id: Some("1".into()),
        price: Some(Price(100)),
        ..Offer::default()
    };
    store.record_page(id, 1, &[anonymous], Some(1)).unwrap();
    let out = tusou(&["suppliers"], dir.path(), None);
    assert_eq!(ok(&out), "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no sellers known in the 1 search"),
        "{stderr}"
    );
}

/// The whole path against the simulator: `tusou search --save` (its
/// sellers carry several offers across the catalog), then `tusou
/// suppliers`, whose counts must match a hand count of the searches'
/// own JSONL output (company and offer id per row).
#[test]
fn saved_simulator_searches_are_counted_per_seller() {
    let dir = tempfile::tempdir().unwrap();
    let config = tusou_sim::SimConfig::default();
    let id = tusou_sim::catalog_offer_ids(&config, 5)[4].clone();
    let photo = dir.path().join("photo.jpg");
    std::fs::write(&photo, tusou_sim::catalog_image(&config, &id).unwrap()).unwrap();
    let photo = photo.to_str().unwrap();
    let runs: [&[&str]; 3] = [
        &["--pages", "2"],
        &["--min", "5", "--page-size", "30"],
        &["--sort", "price-asc", "--page-size", "40"],
    ];
    // Company → (searches, offer ids), by hand from what each search printed.
    let mut hand: BTreeMap<String, (BTreeSet<usize>, BTreeSet<String>)> = BTreeMap::new();
    for (run, extra) in runs.iter().enumerate() {
        let mut args = vec!["search", photo, "--save", "--format", "jsonl"];
        args.extend_from_slice(extra);
        let lines = ok(&tusou(&args, dir.path(), None));
        for line in lines.lines() {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            let company = row["company"].as_str().unwrap().trim().to_string();
            if company.is_empty() {
                continue;
            }
            let entry = hand.entry(company).or_default();
            entry.0.insert(run);
            entry
                .1
                .insert(row["offer_id"].as_str().unwrap().to_string());
        }
    }
    assert!(hand.len() > 5, "the simulator names sellers: {hand:?}");
    assert!(
        hand.values().any(|(_, offers)| offers.len() > 1),
        "some seller carries several offers"
    );
    let out = tusou(
        &["suppliers", "--format", "json", "--limit", "10000"],
        dir.path(),
        None,
    );
    let rows: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), hand.len());
    let mut previous = (u64::MAX, u64::MAX);
    for row in rows {
        let company = row["company"].as_str().unwrap().trim();
        let (searches, offers) = &hand[company];
        assert_eq!(row["provider"], "demo-dajisaas");
        assert_eq!(row["searches"], searches.len() as u64, "{company}");
        assert_eq!(row["offers"], offers.len() as u64, "{company}");
        let at = (
            row["searches"].as_u64().unwrap(),
            row["offers"].as_u64().unwrap(),
        );
        assert!(at <= previous, "ranked by searches, then offers");
        previous = at;
    }
}

//! Query parameters shared by both providers: reading them as text and
//! validating them into [`Params`].

use super::{ApiErr, bad};
use crate::region::{self, Region};
use crate::wire::{DEFAULT_PAGE_SIZE, FilterFlag, MAX_PAGE_SIZE, Price, Sort};

/// Where the query's picture comes from.
pub(super) enum Source {
    UploadId(String),
    Base64(String),
    /// `imageUrl` (DajiSaaS) or `imageAddress` (signed-header).
    Link(String),
}

/// Query parameters as text, before validation.
#[derive(Default)]
pub(super) struct RawParams {
    pub(super) begin_page: Option<String>,
    pub(super) page_size: Option<String>,
    pub(super) price_start: Option<String>,
    pub(super) price_end: Option<String>,
    pub(super) sort: Option<String>,
    pub(super) filter: Option<String>,
    pub(super) category_id: Option<String>,
    pub(super) region: Option<String>,
    /// `keyword` (search within the results).
    pub(super) keyword: Option<String>,
    /// `auxiliaryText` (words steering the image search).
    pub(super) auxiliary_text: Option<String>,
}

/// Longest `keyword` / `auxiliaryText` the simulator takes, in characters.
const MAX_WORDS_CHARS: usize = 200;
/// Words kept from `keyword` and `auxiliaryText` together.
const MAX_WORDS: usize = 16;

pub(super) struct Params {
    pub(super) begin_page: u64,
    pub(super) page_size: u64,
    pub(super) price_start: Option<Price>,
    pub(super) price_end: Option<Price>,
    pub(super) sort: Option<Sort>,
    pub(super) filters: Vec<FilterFlag>,
    pub(super) category_id: Option<u64>,
    pub(super) region: Option<String>,
    /// The words of `keyword` and `auxiliaryText`, lower-cased: offers
    /// whose titles hold one rank first.
    pub(super) words: Vec<String>,
}

/// The words of a `keyword` or `auxiliaryText`: split on spaces and commas,
/// lower-cased; too long is refused like a real gateway would.
fn words_of(v: Option<String>, name: &str, out: &mut Vec<String>) -> Result<(), ApiErr> {
    let Some(v) = nonempty(v) else {
        return Ok(());
    };
    if v.chars().count() > MAX_WORDS_CHARS {
        return Err(bad(format!("{name}过长 {name} is too long")));
    }
    for w in v.split(|c: char| c.is_whitespace() || c == ',' || c == '，') {
        if !w.is_empty() && out.len() < MAX_WORDS {
            out.push(w.to_lowercase());
        }
    }
    Ok(())
}

pub(super) fn nonempty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl RawParams {
    pub(super) fn validate(self) -> Result<Params, ApiErr> {
        let begin_page = match nonempty(self.begin_page) {
            None => 1,
            Some(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|&p| p >= 1)
                .ok_or_else(|| {
                    bad("beginPage必须为大于0的整数 beginPage must be an integer >= 1")
                })?,
        };
        let page_size = match nonempty(self.page_size) {
            None => DEFAULT_PAGE_SIZE,
            Some(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|p| (1..=MAX_PAGE_SIZE).contains(p))
                .ok_or_else(|| bad("pageSize取值范围为1-50 pageSize must be between 1 and 50"))?,
        };
        let price = |v: Option<String>, name: &str| -> Result<Option<Price>, ApiErr> {
            nonempty(v)
                .map(|s| {
                    Price::parse(&s).ok_or_else(|| {
                        bad(format!("{name}价格格式错误 {name} is not a valid price"))
                    })
                })
                .transpose()
        };
        let price_start = price(self.price_start, "priceStart")?;
        let price_end = price(self.price_end, "priceEnd")?;
        let sort = nonempty(self.sort)
            .map(|s| {
                Sort::parse(&s).ok_or_else(|| {
                    bad(r#"sort参数格式错误 invalid sort: expected e.g. {"price":"asc"}"#)
                })
            })
            .transpose()?;
        let filters = self
            .filter
            .as_deref()
            .map(FilterFlag::parse_list)
            .unwrap_or_default();
        let category_id = nonempty(self.category_id)
            .map(|s| {
                s.trim()
                    .parse::<u64>()
                    .map_err(|_| bad("categoryId格式错误 categoryId must be a number"))
            })
            .transpose()?;
        let mut words = Vec::new();
        words_of(self.keyword, "keyword", &mut words)?;
        words_of(self.auxiliary_text, "auxiliaryText", &mut words)?;
        Ok(Params {
            words,
            begin_page,
            page_size,
            price_start,
            price_end,
            sort,
            filters,
            category_id,
            region: nonempty(self.region),
        })
    }
}

/// Validates `region` against a picture of `w`×`h`; answers its first box.
pub(super) fn first_box(region: Option<&str>, w: u32, h: u32) -> Result<Option<Region>, ApiErr> {
    let boxes = region::parse(region, w, h).map_err(bad)?;
    Ok(boxes.and_then(|b| b.first().copied()))
}

/// Where the request came from, for recognising the simulator's own
/// picture links.
pub(super) struct Origin {
    /// `Host` of the request (the authority the client used).
    pub(super) host: Option<String>,
}

//! The filters pane: checking the fields, applying them (a new search),
//! the sort, the flags, and which field a provider's refusal names.

use super::search::search_again;
use crate::api::MAX_PAGE_SIZE;
use crate::api::seller::Rate;
use crate::api::{FilterFlag, Price, SearchParams};
use crate::app::msg::Effect;
use crate::app::state::{
    FIELDS, FilterField, FilterRow, FiltersState, LocalSort, Pane, SORT_CHOICES, SORTS, State,
    SupplierFilter, Unknowns, local_sort, sort_choice_label,
};

pub(super) fn cycle_sort(state: &mut State) -> Vec<Effect> {
    state.filters.sort = (state.filters.sort + 1) % SORT_CHOICES;
    state.set_info(format!(
        "Sort: {} (apply to search again)",
        sort_choice_label(state.filters.sort)
    ));
    Vec::new()
}

/// The quantity field: empty, or a whole number of pieces from 1.
fn quantity(text: &str) -> Result<Option<u64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    match text.replace(',', "").parse::<u64>() {
        Ok(n) if (1..=100_000_000).contains(&n) => Ok(Some(n)),
        Ok(_) => Err("must be 1–100000000 pieces".into()),
        Err(_) => Err("not a number of pieces".into()),
    }
}

/// The lane field: empty (no landed cost), or one of the user's lanes.
fn lane(text: &str, lanes: &[String]) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if lanes.is_empty() {
        return Err("no lanes set: add [[landed.lanes]] to config.toml".into());
    }
    match lanes.iter().find(|l| l.as_str() == text) {
        Some(l) => Ok(Some(l.clone())),
        None => Err(format!("not a lane (yours: {})", lanes.join(", "))),
    }
}

/// A supplier filter's years: empty, or a whole number up to 60.
fn years(text: &str) -> Result<Option<u32>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(n) if n <= 60 => Ok(Some(n)),
        Ok(_) => Err("at most 60 years".into()),
        Err(_) => Err("not a number of years".into()),
    }
}

/// A supplier filter's percent: empty, or 0–100 with at most two
/// decimals ("92", "92.5", "92 %").
fn percent(text: &str) -> Result<Option<Rate>, String> {
    let text = text.trim_end_matches('%').trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || "a percent, 0–100".to_string();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err("at most two decimals".into());
    }
    let whole: u16 = whole.parse().map_err(|_| bad())?;
    let frac: u16 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .and_then(Rate::from_basis_points)
        .map(Some)
        .ok_or_else(bad)
}

/// The words field: empty, or words the provider's checks accept.
fn words(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    crate::api::check_refine_words("words", text)?;
    Ok(Some(text.to_string()))
}

/// The supplier filters as the fields and toggles set them (the seller
/// filter is not a field: it stays as it is).
fn supplier_filter(filters: &FiltersState, seller: Option<(u32, String)>) -> SupplierFilter {
    let text = |f: FilterField| filters.fields[f.index()].value().trim().to_string();
    SupplierFilter {
        factory_only: filters.factory_only,
        min_years: years(&text(FilterField::MinYears)).ok().flatten(),
        min_pickup_48h: percent(&text(FilterField::MinPickup)).ok().flatten(),
        max_refunds: percent(&text(FilterField::MaxRefunds)).ok().flatten(),
        unknowns: filters.unknowns,
        seller,
    }
}

/// Space on a flag row flips it; on the sort row it cycles the sort.
pub(super) fn toggle_flag(state: &mut State) -> Vec<Effect> {
    if state.focus == Pane::Filters {
        match state.filters.current_row() {
            FilterRow::Flag(i) => {
                if let Some(f) = state.filters.flags.get_mut(i) {
                    *f = !*f;
                }
            }
            FilterRow::Sort => {
                state.filters.sort = (state.filters.sort + 1) % SORT_CHOICES;
            }
            FilterRow::FactoryOnly => state.filters.factory_only = !state.filters.factory_only,
            FilterRow::Unknowns => state.filters.unknowns = state.filters.unknowns.flipped(),
            FilterRow::Field(_) | FilterRow::Group(_) | FilterRow::SupplierHeading => {}
        }
    }
    Vec::new()
}

pub(super) fn clear_filters(state: &mut State) -> Vec<Effect> {
    for f in &mut state.filters.fields {
        f.reset();
    }
    state.filters.sort = 0;
    state.filters.flags.iter_mut().for_each(|f| *f = false);
    state.filters.factory_only = false;
    state.filters.unknowns = Unknowns::default();
    validate(&mut state.filters);
    state.set_info("Filters cleared (apply to search again)");
    Vec::new()
}

/// Checks every field; sets the inline errors; the parameters if all valid.
pub(super) fn validate(filters: &mut FiltersState) -> Option<SearchParams> {
    let text = |f: FilterField| filters.fields[f.index()].value().trim().to_string();
    let mut errors: [Option<String>; FIELDS] = Default::default();
    let price = |s: &str| -> Result<Option<Price>, String> {
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse::<Price>()
                .map(Some)
                .map_err(|e| short_price_error(&e))
        }
    };
    let min = price(&text(FilterField::MinPrice));
    let max = price(&text(FilterField::MaxPrice));
    if let Err(e) = &min {
        errors[0] = Some(e.clone());
    }
    if let Err(e) = &max {
        errors[1] = Some(e.clone());
    }
    if let (Ok(Some(lo)), Ok(Some(hi))) = (&min, &max)
        && lo > hi
    {
        errors[1] = Some(format!("below min price {lo}"));
    }
    let cat_text = text(FilterField::Category);
    let category = if cat_text.is_empty() {
        None
    } else {
        match cat_text.parse::<i64>() {
            Ok(c) if c > 0 => Some(c),
            _ => {
                errors[2] = Some("not a category id (a number)".into());
                None
            }
        }
    };
    let size_text = text(FilterField::PageSize);
    let page_size = if size_text.is_empty() {
        None
    } else {
        match size_text.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Some(n),
            Ok(_) => {
                errors[3] = Some(format!("must be 1–{MAX_PAGE_SIZE}"));
                None
            }
            Err(_) => {
                errors[3] = Some(format!("not a number (1–{MAX_PAGE_SIZE})"));
                None
            }
        }
    };
    if let Err(e) = quantity(&text(FilterField::Quantity)) {
        errors[FilterField::Quantity.index()] = Some(e);
    }
    if let Err(e) = lane(&text(FilterField::Lane), &filters.lanes) {
        errors[FilterField::Lane.index()] = Some(e);
    }
    let keyword = words(&text(FilterField::Words)).unwrap_or_else(|e| {
        errors[FilterField::Words.index()] = Some(e);
        None
    });
    if let Err(e) = years(&text(FilterField::MinYears)) {
        errors[FilterField::MinYears.index()] = Some(e);
    }
    for f in [FilterField::MinPickup, FilterField::MaxRefunds] {
        if let Err(e) = percent(&text(f)) {
            errors[f.index()] = Some(e);
        }
    }
    filters.errors = errors;
    if filters.has_errors() {
        return None;
    }
    let flags = FilterFlag::KNOWN
        .iter()
        .zip(&filters.flags)
        .filter(|(_, on)| **on)
        .map(|(f, _)| f.clone())
        .collect();
    Some(SearchParams {
        page_size,
        filters: flags,
        sort: SORTS.get(filters.sort).copied().flatten(),
        price_start: min.ok().flatten(),
        price_end: max.ok().flatten(),
        category_id: category,
        keyword,
        ..SearchParams::default()
    })
}

/// What the local settings now show, for the status line.
fn local_summary(state: &State) -> String {
    let costs = costs_summary(state);
    if !state.suppliers.filter.is_on() {
        return costs;
    }
    let shown = super::suppliers::shown_text(state);
    if state.details.quantity.is_none() {
        return shown;
    }
    format!("{shown} · {costs}")
}

/// What the quantity, lane and local sort now show.
fn costs_summary(state: &State) -> String {
    let Some(q) = state.details.quantity else {
        return "Filters applied".to_string();
    };
    let lane = state.landed.lane.as_ref().map(|l| match l.origin {
        crate::landed::Origin::Example => format!("{} (example)", l.name),
        crate::landed::Origin::Yours => l.name.clone(),
    });
    let mut said = match (state.details.sort, lane) {
        (LocalSort::LandedCost, Some(lane)) => {
            format!("Quantity {q}, lane {lane}: sorted by landed cost")
        }
        (LocalSort::LandedCost, None) => {
            format!("Quantity {q}: set a lane for landed costs (sorted by them once known)")
        }
        (LocalSort::UnitCost, Some(lane)) => {
            format!("Quantity {q}, lane {lane}: sorted by unit cost, landed costs shown")
        }
        (LocalSort::UnitCost, None) => format!("Quantity {q}: sorted by unit cost"),
        (LocalSort::Provider, Some(lane)) => {
            format!("Quantity {q}, lane {lane}: unit and landed costs shown")
        }
        (LocalSort::Provider, None) => format!("Quantity {q}: unit costs shown"),
    };
    if state.landed.lane.is_none() && state.filters.lanes.is_empty() {
        // Live mode starts without lanes: say how to have landed costs.
        said.push_str(" · for landed costs add [[landed.lanes]] to config.toml");
    }
    said
}

fn short_price_error(e: &str) -> String {
    if e.contains("not a number") {
        "not a number".into()
    } else if e.contains("decimals") {
        "at most two decimals".into()
    } else if e.contains("too large") {
        "too large".into()
    } else {
        e.to_string()
    }
}

pub(super) fn apply_filters(state: &mut State) -> Vec<Effect> {
    let Some(new) = validate(&mut state.filters) else {
        let first = FilterField::ALL
            .iter()
            .find_map(|f| {
                state.filters.errors[f.index()]
                    .as_ref()
                    .map(|e| format!("{}: {e}", f.label()))
            })
            .unwrap_or_default();
        state.set_error(format!("Filters not applied — {first}"));
        return Vec::new();
    };
    // Keep what the filters pane does not edit (country, region, member id,
    // the hint words).
    let params = SearchParams {
        country: state.params.country.clone(),
        region: state.params.region.clone(),
        out_member_id: state.params.out_member_id.clone(),
        hint: state.params.hint.clone(),
        ..new
    };
    // The quantity, the lane and the local sorts are local: alone they
    // reorder the rows on screen, with no new search.
    let field = |f: FilterField| state.filters.fields[f.index()].value().trim().to_string();
    let (qty_text, lane_text) = (field(FilterField::Quantity), field(FilterField::Lane));
    let lane_name = lane(&lane_text, &state.filters.lanes).ok().flatten();
    let local = (
        quantity(&qty_text).ok().flatten(),
        local_sort(state.filters.sort),
        lane_name.clone(),
    );
    let was = (
        state.details.quantity,
        state.details.sort,
        state.landed.lane.as_ref().map(|l| l.name.clone()),
    );
    let suppliers = supplier_filter(&state.filters, state.suppliers.filter.seller.clone());
    let local_changed = local != was || suppliers != state.suppliers.filter;
    state.suppliers.filter = suppliers;
    state.details.quantity = local.0;
    state.details.sort = local.1;
    state.landed.lane = lane_name
        .as_deref()
        .and_then(|name| state.landed.settings.lane(Some(name)).ok())
        .cloned();
    // Another quantity or lane: every landed cost is worked out again.
    state.landed.sort_keys.clear();
    if local_changed && params == state.params && state.results.source.is_some() {
        super::detail::reorder(state);
        state.focus = Pane::Results;
        state.set_info(local_summary(state));
        return super::detail::fetch_on_screen(state);
    }
    state.params = params;
    state.set_info("Filters applied");
    // Leave the field, so the next key acts instead of typing into it.
    let fx = search_again(state);
    state.focus = if state.results.source.is_some() {
        Pane::Results
    } else {
        Pane::Picker
    };
    fx
}

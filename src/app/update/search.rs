//! Searching and paging: starting a search, its replies, fetching the next
//! page as the cursor nears the end, retrying and cancelling.

use super::screen::maybe_fetch;
use crate::app::msg::{Effect, Failure, FailureKind};
use crate::app::state::{Failed, FilterField, Pane, Phase, SearchSource, State, StoreStatus};
use crate::keymap::{Action, KeyContext};
use crate::store::Change;

pub(super) fn new_search(state: &mut State, source: SearchSource) -> Vec<Effect> {
    new_search_cropped(state, source, None)
}

/// A search of `source`, narrowed to `crop` (boxes in the user's pixels,
/// `X1,Y1,X2,Y2;…`) when given: its wire `region` is made once the picture
/// is prepared and its size known.
pub(super) fn new_search_cropped(
    state: &mut State,
    source: SearchSource,
    crop: Option<String>,
) -> Vec<Effect> {
    let mut params = without_crop(state.params.clone());
    params.crop = crop;
    let r = &mut state.results;
    r.generation += 1;
    r.source = Some(source.clone());
    r.image = None;
    r.prepared = None;
    r.notes.clear();
    r.params = params.clone();
    r.label = source.label();
    if let Some(c) = &params.crop {
        r.label.push_str(&format!(" [{c}]"));
    }
    r.history_key = None;
    r.sizes = None;
    r.subjects = None;
    keep_rows_until_first_page(state);
    state.results.phase = Phase::Preparing;
    super::screen::focus(state, Pane::Results);
    state.set_info(format!("Searching with {}…", source.label()));
    vec![Effect::StartSearch {
        generation: state.results.generation,
        source,
        params,
        record: state.store == StoreStatus::On,
    }]
}

/// Parameters for any picture: a crop belongs to one picture's search.
pub(super) fn without_crop(mut params: crate::api::SearchParams) -> crate::api::SearchParams {
    if params.crop.take().is_some() {
        params.region = None;
    }
    params
}

/// A new search starts from page 1, but the rows on screen stay (marked
/// stale) until its first page replaces them: a search that fails loses
/// nothing the user had.
fn keep_rows_until_first_page(state: &mut State) {
    let r = &mut state.results;
    r.stale = !r.offers.is_empty();
    r.pages_loaded = 0;
    r.reached = 0;
    r.inflight = None;
    r.end = false;
    r.failed = None;
    r.error = None;
    r.retrying = None;
    r.recorded = None;
    r.awaiting_record = false;
    r.seen = None;
    r.reopened = None;
}

/// Same image, new parameters: a new generation from page 1.
pub(super) fn search_again(state: &mut State) -> Vec<Effect> {
    let mut fx = vec![Effect::CancelSearch];
    match (state.results.image.clone(), state.results.source.clone()) {
        (Some(_), Some(source)) => {
            state.results.generation += 1;
            // New filters, the same picture and the same crop.
            let old = std::mem::take(&mut state.results.params);
            state.results.params = crate::api::SearchParams {
                crop: old.crop,
                region: old.region,
                ..without_crop(state.params.clone())
            };
            keep_rows_until_first_page(state);
            state.results.phase = Phase::Loading;
            // A new search of the same picture: recorded before its first
            // page is fetched, so the page is stored under it.
            if let Some((source_md5, thumbnail)) = state.results.history_key.clone()
                && state.store == StoreStatus::On
            {
                state.results.awaiting_record = true;
                fx.push(Effect::RecordSearch {
                    generation: state.results.generation,
                    source,
                    source_md5,
                    thumbnail,
                    params: state.results.params.clone(),
                });
            }
            fx.extend(maybe_fetch(state));
        }
        (None, Some(source)) => fx.extend(new_search(state, source)),
        (Some(_), None) | (None, None) => {
            fx.clear();
            state.set_info("Filters set — choose a picture to search");
        }
    }
    fx
}

pub(super) fn resolved(
    state: &mut State,
    generation: u64,
    result: Result<crate::api::ResolvedImage, Failure>,
) -> Vec<Effect> {
    if generation != state.results.generation || state.results.phase != Phase::Preparing {
        return Vec::new();
    }
    match result {
        Ok(resolved) => {
            // The crop, drawn in the user's pixels, in the provider's.
            if let Some(crop) = state.results.params.crop.clone() {
                match crop
                    .parse::<crate::api::Region>()
                    .and_then(|region| resolved.region_wire(&region))
                {
                    Ok(wire) => state.results.params.region = Some(wire),
                    Err(e) => {
                        state.results.phase = Phase::Failed;
                        state.results.failed = Some(Failed::Search);
                        state.set_error(format!(
                            "Crop {}: {} — press c to draw it again",
                            crate::text::sanitize(&crop),
                            crate::text::sanitize(&e)
                        ));
                        return Vec::new();
                    }
                }
            }
            if let (Some(source), Some(sent)) = (resolved.source_size, resolved.sent_size) {
                state.results.sizes = Some((source, sent));
            }
            state.results.history_key = Some((resolved.source_md5, resolved.thumbnail));
            state.results.image = Some(resolved.image);
            state.results.prepared = Some(resolved.summary);
            state.results.notes = resolved.route.label().into_iter().collect();
            state.results.notes.extend(resolved.notes);
            state.results.phase = Phase::Loading;
            maybe_fetch(state).into_iter().collect()
        }
        Err(e) => {
            state.results.phase = Phase::Failed;
            state.results.failed = Some(Failed::Search);
            fail_message(state, e);
            Vec::new()
        }
    }
}

/// Says what failed and what to do about it, by kind: retry what is
/// transient, check credentials on auth, point at the field the provider
/// refused, ask for another picture when the picture is the problem.
fn fail_message(state: &mut State, failure: Failure) {
    use crate::api::ErrorKind;
    let message = crate::text::sanitize(&failure.message);
    let hint = if failure.retryable() {
        let key = state.key_hint(crate::keymap::KeyContext::Results, Action::Retry);
        format!("press {key} to retry")
    } else {
        match failure.kind {
            FailureKind::Api(ErrorKind::Auth) => {
                "check your credentials: run tusou doctor".to_string()
            }
            FailureKind::Api(ErrorKind::InvalidRequest) => match refused_field(&message) {
                Some(field) => {
                    state.filters.errors[field.index()] = Some("refused by the provider".into());
                    format!("fix {} in Filters", field.label())
                }
                None => "the provider refused the request".to_string(),
            },
            FailureKind::Api(ErrorKind::Upload) | FailureKind::Picture => {
                "choose another picture".to_string()
            }
            _ => String::new(),
        }
    };
    state.results.retrying = None;
    state.results.error = Some(failure);
    if hint.is_empty() {
        state.set_error(message);
    } else {
        state.set_error(format!("{message} — {hint}"));
    }
}

/// The search was recorded in the history (or could not be).
pub(super) fn recorded(
    state: &mut State,
    generation: u64,
    result: Result<crate::app::msg::Recorded, crate::app::msg::HistoryError>,
) -> Vec<Effect> {
    let r = &mut state.results;
    if generation != r.generation {
        return Vec::new();
    }
    match result {
        Ok(rec) => {
            r.recorded = Some(rec.id);
            r.seen = rec.seen.label();
            // The history list is out of date.
            state.history.loaded = false;
        }
        Err(e) => r.notes.push(format!("history not saved: {e}")),
    }
    let was_waiting = std::mem::take(&mut state.results.awaiting_record);
    let mut fx: Vec<Effect> = Vec::new();
    if was_waiting {
        fx.extend(maybe_fetch(state));
    }
    if state.main == Pane::History {
        fx.extend(super::screen::load_history(state));
    }
    fx
}

/// "· 5 new · 3 prices changed", from the comparison with the last search
/// of the same picture.
fn changes_summary(marks: &std::collections::HashMap<usize, Change>) -> String {
    let new = marks.values().filter(|m| **m == Change::New).count();
    let moved = marks
        .values()
        .filter(|m| matches!(m, Change::PriceUp { .. } | Change::PriceDown { .. }))
        .count();
    let mut out = String::new();
    if new > 0 {
        out.push_str(&format!(" · {new} new since last time"));
    }
    if moved > 0 {
        out.push_str(&format!(
            " · {moved} price{} changed",
            if moved == 1 { "" } else { "s" }
        ));
    }
    out
}

pub(super) fn page_reply(
    state: &mut State,
    generation: u64,
    page: u32,
    result: Result<crate::api::ResultPage, Failure>,
    stored: Option<Result<crate::app::msg::StoredPage, crate::app::msg::HistoryError>>,
) -> Vec<Effect> {
    let r = &mut state.results;
    if generation != r.generation || r.inflight != Some(page) {
        return Vec::new();
    }
    r.inflight = None;
    match result {
        Ok(p) => {
            if page != r.pages_loaded + 1 {
                return Vec::new();
            }
            if page == 1 {
                // The new search's rows replace the ones kept on screen.
                r.offers = Default::default();
                r.groups = Default::default();
                r.marks.clear();
                r.with_detail.clear();
                r.opened.clear();
                state.same.restart();
                r.stale = false;
                r.cursor = 0;
                r.offset = 0;
                r.read_from = r.recorded;
            }
            let start = r.offers.len();
            let stored = match stored {
                Some(Ok(s)) => Some(s),
                Some(Err(e)) => {
                    r.notes.push(format!("history not saved: {e}"));
                    None
                }
                None => None,
            };
            if let Some(s) = &stored {
                r.marks.extend(
                    (start..)
                        .zip(&s.changes)
                        .filter(|(_, c)| **c != Change::Same)
                        .map(|(p, c)| (p, *c)),
                );
            }
            let was_retry = r.retrying.take() == Some(page);
            let last = p.is_last();
            super::same::note_page(state, start, &p.offers);
            super::rows::group_page(
                state,
                start,
                &p.offers,
                stored.as_ref().map(|s| s.firsts.as_slice()),
            );
            super::suppliers::note_page(state, start, &p.offers);
            let r = &mut state.results;
            r.offers
                .push_page(p.offers, stored.is_some() && r.read_from.is_some());
            r.pages_loaded = page;
            r.total_records = p.total_records.max(r.offers.len() as u64);
            r.total_pages = p.total_pages.max(page);
            r.end = last;
            r.phase = Phase::Ready;
            r.failed = None;
            r.error = None;
            r.notes.extend(p.notices);
            if p.subjects.is_some() {
                r.subjects = p.subjects;
            }
            let notes = std::mem::take(&mut r.notes);
            super::detail::note_positions(state);
            super::rows::rebuild(state);
            let r = &mut state.results;
            if page == 1 {
                let n = r.total_records;
                let mut text = if n == 0 {
                    "No offers found for this picture".to_string()
                } else {
                    format!("{n} offers found")
                };
                if let Some(seen) = &r.seen {
                    text.push_str(" · ");
                    text.push_str(seen);
                    text.push_str(&changes_summary(&r.marks));
                }
                for note in &notes {
                    text.push_str(" · ");
                    text.push_str(note);
                }
                let detected = r.subjects.as_ref().map_or(0, |s| s.detected.len());
                if detected > 1 && r.params.crop.is_none() {
                    let key = state.key_hint(KeyContext::Results, Action::Crop);
                    text.push_str(&format!(
                        " · {detected} products in the picture: press {key} to search one"
                    ));
                }
                state.set_info(text);
            } else if !notes.is_empty() {
                state.set_info(notes.join(" · "));
            } else if was_retry {
                state.set_info(format!("Page {page} loaded"));
            } else if matches!(&state.message, Some(m) if m.error) {
                state.message = None;
            }
            let mut fx: Vec<Effect> = maybe_fetch(state).into_iter().collect();
            fx.extend(super::same::next_batch(state));
            fx
        }
        Err(e) => {
            r.phase = Phase::Failed;
            r.failed = Some(Failed::Page(page));
            fail_message(state, e);
            Vec::new()
        }
    }
}

pub(super) fn retry(state: &mut State) -> Vec<Effect> {
    match state.results.failed.clone() {
        Some(Failed::Page(page)) => {
            let Some(image) = state.results.image.clone() else {
                return Vec::new();
            };
            let r = &mut state.results;
            r.failed = None;
            r.error = None;
            r.phase = Phase::Loading;
            r.inflight = Some(page);
            r.retrying = Some(page);
            state.set_info(format!("Retrying page {page}…"));
            vec![Effect::FetchPage {
                generation: state.results.generation,
                image,
                params: state.results.params.clone(),
                page,
                first: super::screen::first_position(&state.results, page),
                record: state.results.recorded,
            }]
        }
        Some(Failed::Search) => match state.results.source.clone() {
            Some(source) => new_search(state, source),
            None => Vec::new(),
        },
        None => {
            state.set_info("Nothing to retry");
            Vec::new()
        }
    }
}

pub(super) fn cancel(state: &mut State) -> Vec<Effect> {
    if state.focus == Pane::Filters {
        state.focus = if state.results.source.is_some() {
            Pane::Results
        } else {
            Pane::Picker
        };
        return Vec::new();
    }
    let r = &mut state.results;
    if r.busy() {
        r.failed = match (r.phase.clone(), r.inflight) {
            (Phase::Loading, Some(page)) => Some(Failed::Page(page)),
            _ => Some(Failed::Search),
        };
        r.phase = Phase::Cancelled;
        r.inflight = None;
        let key = state.key_hint(crate::keymap::KeyContext::Results, Action::Retry);
        state.set_info(format!("Cancelled — press {key} to resume"));
        return vec![Effect::CancelSearch];
    }
    state.message = None;
    Vec::new()
}

/// The filter a provider's refusal names, if any (its wire name or words).
fn refused_field(message: &str) -> Option<FilterField> {
    let m = message.to_ascii_lowercase();
    if m.contains("pricestart") || m.contains("min price") {
        Some(FilterField::MinPrice)
    } else if m.contains("priceend") || m.contains("max price") {
        Some(FilterField::MaxPrice)
    } else if m.contains("pagesize") || m.contains("page size") {
        Some(FilterField::PageSize)
    } else if m.contains("categoryid") || m.contains("category") {
        Some(FilterField::Category)
    } else {
        None
    }
}

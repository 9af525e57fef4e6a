//! The rows of the results list: one per offer, or offers with the same
//! picture (one product re-listed by many sellers) folded into one row
//! "×N sellers, from ¥x" that opens to list them.

use crate::api::Offer;
use crate::app::group::picture_key;
use crate::app::msg::Effect;
use crate::app::state::{LocalSort, RowKind, Shown, State, Verdict};
use crate::store::GroupFirst;

/// Groups a page's offers (first at `start`) as they arrive: by the
/// store's answer when it recorded the page (`firsts`, one per offer), or
/// by their picture keys here when it did not.
pub(super) fn group_page(
    state: &mut State,
    start: usize,
    offers: &[Offer],
    firsts: Option<&[GroupFirst]>,
) {
    let r = &mut state.results;
    let apart = &state.same;
    for (i, offer) in offers.iter().enumerate() {
        let position = start + i;
        if apart.is_apart(position) {
            continue;
        }
        let (first, first_price) = match firsts.and_then(|f| f.get(i)) {
            Some(f) => (usize::try_from(f.position).unwrap_or(position), f.price),
            None => {
                let Some(key) = picture_key(offer) else {
                    continue;
                };
                match r.groups.keys.get(&key) {
                    Some(&first) => {
                        let price = match first.checked_sub(start) {
                            Some(j) => offers.get(j).and_then(|o| o.price),
                            None => r.offers.get(first).and_then(|o| o.price),
                        };
                        (first, price)
                    }
                    None => {
                        r.groups.keys.insert(key, position);
                        continue;
                    }
                }
            }
        };
        if apart.is_apart(first) {
            continue;
        }
        r.groups.join(position, offer.price, first, first_price);
    }
}

/// Lays out the rows from the groups, keeping the cursor on its offer.
pub(super) fn rebuild(state: &mut State) {
    let r = &mut state.results;
    let keep = r.row(r.cursor).map(|row| row.offer);
    r.rows.clear();
    // Filtered by supplier, every row is one offer of a seller that
    // qualifies: a group row would stand for sellers that do not.
    let grouping = state.grouping && !state.suppliers.filter.is_on();
    r.grouped = grouping;
    let n = u32::try_from(r.offers.len()).unwrap_or(u32::MAX);
    if grouping {
        // Both ascending: one walk over the positions and the grouped ones.
        let mut under = r.groups.listed_under().peekable();
        for p in 0..n {
            let position = p as usize;
            if under.next_if_eq(&position).is_some() {
                continue;
            }
            r.rows.push(p);
            if r.opened.contains(&position) && r.groups.group(position).is_some() {
                r.rows.extend(
                    r.groups
                        .members(position)
                        .into_iter()
                        .skip(1)
                        .filter_map(|m| u32::try_from(m).ok()),
                );
            }
        }
    } else {
        r.rows.extend(0..n);
    }
    filter_rows(state);
    if state.details.sort != LocalSort::Provider && state.details.quantity.is_some() {
        sort_by_cost(state);
    }
    let r = &mut state.results;
    // An offer joined to a group keeps the cursor on the group's row.
    r.cursor = keep
        .and_then(|k| r.row_of(k).or_else(|| r.row_of(r.groups.first_of(k)?)))
        .unwrap_or_else(|| r.cursor.min(r.rows.len().saturating_sub(1)));
}

/// Keeps only the rows the supplier filters show (laid out one per offer
/// while a filter is on), and counts what they show of the loaded offers.
fn filter_rows(state: &mut State) {
    let r = &mut state.results;
    let s = &mut state.suppliers;
    let n = r.offers.len();
    if !s.filter.is_on() {
        s.shown = Shown {
            shown: n,
            of: n,
            unknown: 0,
        };
        return;
    }
    let mut shown = Shown {
        of: n,
        ..Shown::default()
    };
    let keep: Vec<bool> = (0..n)
        .map(|p| {
            let verdict = s.filter.verdict(&s.mark(p));
            shown.unknown += usize::from(verdict == Verdict::Unknown);
            let show = s.filter.shows(verdict);
            shown.shown += usize::from(show);
            show
        })
        .collect();
    r.rows
        .retain(|&p| keep.get(p as usize).copied().unwrap_or(false));
    s.shown = shown;
}

/// Orders the rows by unit cost at the quantity (see
/// `DetailsState::sort_key`) or landed cost (`LandedCost::sort_key`), a
/// group by its cheapest seller, keeping an open group's sellers under it
/// and the provider's order among equals. Offers out of memory sort by
/// what `with_detail` keeps of them.
fn sort_by_cost(state: &mut State) {
    if state.details.sort == LocalSort::LandedCost {
        state.landed.refresh_sort_keys(&state.details);
    }
    let r = &mut state.results;
    let details = &state.details;
    let landed = &state.landed;
    let by_landed = details.sort == LocalSort::LandedCost;
    let key = |id: Option<&str>, price| {
        if by_landed {
            landed.kept_sort_key(id)
        } else {
            details.sort_key_of(id, price)
        }
    };
    let key_of = |i: usize| match r.offers.get(i) {
        Some(o) => key(o.offer_id.as_deref(), o.price),
        None => r
            .with_detail
            .get(&i)
            .map_or((u8::MAX, 0), |(id, price)| key(Some(id), *price)),
    };
    // Blocks of rows (a group with its open sellers) as ranges of `rows`:
    // no allocation per row.
    let mut blocks: Vec<((u8, u64), u32, u32)> = Vec::with_capacity(r.rows.len());
    for i in 0..r.rows.len() {
        let Some(row) = r.row(i) else { continue };
        let at = u32::try_from(i).unwrap_or(u32::MAX);
        match row.kind {
            RowKind::Member => match blocks.last_mut() {
                Some((_, _, len)) => *len += 1,
                None => blocks.push((key_of(row.offer), at, 1)),
            },
            RowKind::Group { .. } => {
                let key = r
                    .groups
                    .members(row.offer)
                    .into_iter()
                    .map(key_of)
                    .min()
                    .unwrap_or_else(|| key_of(row.offer));
                blocks.push((key, at, 1));
            }
            RowKind::Single => blocks.push((key_of(row.offer), at, 1)),
        }
    }
    blocks.sort_by_key(|(key, _, _)| *key);
    let mut rows = std::mem::take(&mut r.rows);
    // An open group's sellers, cheapest first at the quantity too.
    for (_, at, len) in &blocks {
        let (at, len) = (*at as usize, *len as usize);
        if len > 2
            && let Some(sellers) = rows.get_mut(at + 1..at + len)
        {
            sellers.sort_by_key(|p| key_of(*p as usize));
        }
    }
    r.rows = blocks
        .into_iter()
        .flat_map(|(_, at, len)| {
            let (at, len) = (at as usize, len as usize);
            rows.get(at..at + len).unwrap_or_default().iter().copied()
        })
        .collect();
}

pub(super) fn toggle_grouping(state: &mut State) -> Vec<Effect> {
    state.grouping = !state.grouping;
    let mut fx = Vec::new();
    rebuild(state);
    super::screen::scroll_into_view(state);
    let r = &state.results;
    let groups = r.groups.len();
    if state.grouping && state.suppliers.filter.is_on() {
        state.set_info(
            "Same picture grouped once the supplier filters are off: filtered, a row is one offer",
        );
    } else if state.grouping {
        state.set_info(format!(
            "Same picture grouped: {} offers in {} rows ({groups} groups)",
            r.offers.len(),
            r.rows.len()
        ));
    } else {
        state.set_info(format!("Grouping off: {} rows", r.rows.len()));
    }
    fx.extend(super::screen::maybe_fetch(state));
    fx
}

/// Opens the highlighted group (or closes the group of a highlighted seller).
pub(super) fn expand_group(state: &mut State) -> Vec<Effect> {
    let r = &mut state.results;
    let Some(first) = r.selected_group() else {
        return Vec::new();
    };
    if !r.opened.remove(&first) {
        r.opened.insert(first);
    }
    // The cursor goes to the group's row.
    if let Some(pos) = r.row_of(first) {
        r.cursor = pos;
    }
    rebuild(state);
    super::screen::scroll_into_view(state);
    super::screen::maybe_fetch(state).into_iter().collect()
}

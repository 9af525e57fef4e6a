//! The rows of the results list: one per offer, or offers with the same
//! picture (one product re-listed by many sellers) folded into one row
//! "×N sellers, from ¥x" that opens to list them.

use crate::app::group::picture_key;
use crate::app::msg::Effect;
use crate::app::state::{Row, RowKind, State};

/// Brings the groups up to date with the offers (only the new ones are
/// looked at) and lays out the rows, keeping the cursor on its offer.
pub(super) fn rebuild(state: &mut State) {
    let r = &mut state.results;
    if r.groups.grouped > r.offers.len() {
        r.groups = Default::default();
    }
    for i in r.groups.grouped..r.offers.len() {
        let key = picture_key(&r.offers[i]);
        match key.as_ref().and_then(|k| r.groups.by_key.get(k).copied()) {
            Some(g) => r.groups.members[g].push(i),
            None => {
                let g = r.groups.members.len();
                r.groups.members.push(vec![i]);
                if let Some(k) = key {
                    r.groups.by_key.insert(k, g);
                }
            }
        }
    }
    r.groups.grouped = r.offers.len();

    let keep = r.rows.get(r.cursor).map(|row| row.offer);
    r.rows.clear();
    if state.grouping {
        for members in &r.groups.members {
            let Some((&first, rest)) = members.split_first() else {
                continue;
            };
            if rest.is_empty() {
                r.rows.push(Row {
                    offer: first,
                    kind: RowKind::Single,
                });
                continue;
            }
            let open = r.opened.contains(&first);
            let min_price = members
                .iter()
                .filter_map(|&i| r.offers.get(i).and_then(|o| o.price))
                .min();
            r.rows.push(Row {
                offer: first,
                kind: RowKind::Group {
                    count: members.len(),
                    min_price,
                    open,
                },
            });
            if open {
                r.rows.extend(rest.iter().map(|&offer| Row {
                    offer,
                    kind: RowKind::Member,
                }));
            }
        }
    } else {
        r.rows.extend((0..r.offers.len()).map(|offer| Row {
            offer,
            kind: RowKind::Single,
        }));
    }
    if state.details.sort_by_unit_cost && state.details.quantity.is_some() {
        sort_by_unit_cost(state);
    }
    let r = &mut state.results;
    r.cursor = keep
        .and_then(|k| r.rows.iter().position(|row| row.offer == k))
        .unwrap_or_else(|| r.cursor.min(r.rows.len().saturating_sub(1)));
}

/// Orders the rows by unit cost at the quantity (see
/// `DetailsState::sort_key`), a group by its cheapest seller, keeping an
/// open group's sellers under it and the provider's order among equals.
fn sort_by_unit_cost(state: &mut State) {
    let r = &mut state.results;
    let details = &state.details;
    let key_of = |i: usize| {
        r.offers
            .get(i)
            .map_or((u8::MAX, 0), |o| details.sort_key(o))
    };
    let members: std::collections::HashMap<usize, &Vec<usize>> = r
        .groups
        .members
        .iter()
        .filter_map(|m| Some((*m.first()?, m)))
        .collect();
    let mut blocks: Vec<((u8, u64), Vec<Row>)> = Vec::new();
    for row in r.rows.drain(..) {
        match row.kind {
            RowKind::Member => match blocks.last_mut() {
                Some((_, block)) => block.push(row),
                None => blocks.push((key_of(row.offer), vec![row])),
            },
            RowKind::Group { .. } => {
                let key = members
                    .get(&row.offer)
                    .and_then(|m| m.iter().map(|&i| key_of(i)).min())
                    .unwrap_or_else(|| key_of(row.offer));
                blocks.push((key, vec![row]));
            }
            RowKind::Single => blocks.push((key_of(row.offer), vec![row])),
        }
    }
    blocks.sort_by_key(|(key, _)| *key);
    r.rows = blocks.into_iter().flat_map(|(_, rows)| rows).collect();
}

pub(super) fn toggle_grouping(state: &mut State) -> Vec<Effect> {
    state.grouping = !state.grouping;
    rebuild(state);
    super::navigation::scroll_into_view(state);
    let r = &state.results;
    let groups = r
        .rows
        .iter()
        .filter(|row| matches!(row.kind, RowKind::Group { .. }))
        .count();
    if state.grouping {
        state.set_info(format!(
            "Same picture grouped: {} offers in {} rows ({groups} groups)",
            r.offers.len(),
            r.rows.len()
        ));
    } else {
        state.set_info(format!("Grouping off: {} rows", r.rows.len()));
    }
    super::search::maybe_fetch(state).into_iter().collect()
}

/// Opens the highlighted group (or closes the group of a highlighted seller).
pub(super) fn expand_group(state: &mut State) -> Vec<Effect> {
    let r = &mut state.results;
    let Some(row) = r.selected_row().copied() else {
        return Vec::new();
    };
    let first = match row.kind {
        RowKind::Group { .. } => row.offer,
        RowKind::Member => r.rows[..r.cursor]
            .iter()
            .rev()
            .find(|x| matches!(x.kind, RowKind::Group { .. }))
            .map_or(row.offer, |x| x.offer),
        RowKind::Single => return Vec::new(),
    };
    if !r.opened.remove(&first) {
        r.opened.insert(first);
    }
    // The cursor goes to the group's row.
    if let Some(pos) = r.rows.iter().position(|x| x.offer == first) {
        r.cursor = pos;
    }
    rebuild(state);
    super::navigation::scroll_into_view(state);
    super::search::maybe_fetch(state).into_iter().collect()
}

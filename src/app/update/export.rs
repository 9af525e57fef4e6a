//! Exporting the results to CSV and JSON files, and saying where they went.

use crate::app::msg::Effect;
use crate::app::state::State;
use std::path::PathBuf;

pub(super) fn export(state: &mut State) -> Vec<Effect> {
    if state.results.offers.is_empty() {
        state.set_error("Nothing to export yet");
        Vec::new()
    } else {
        state.set_info(format!("Exporting {} rows…", state.results.offers.len()));
        let r = &state.results;
        vec![Effect::Export {
            offers: crate::app::msg::ExportOffers {
                search: r.read_from,
                len: r.offers.len(),
                in_memory: r.offers.unstored(),
            },
            dir: state.export_dir.clone(),
            currency: state.currency.clone(),
            crop: state.results.params.crop.clone(),
            details: detail_columns(state),
            same: same_columns(state),
        }]
    }
}

/// The export finished: name the files (as `name.{csv,json}` when they
/// share a stem), or say why it failed.
pub(super) fn exported(
    state: &mut State,
    result: Result<Vec<PathBuf>, crate::app::msg::ExportError>,
) {
    match result {
        Ok(files) => {
            let n = if state.focus == crate::app::state::Pane::Shortlist {
                state.shortlist.visible.len()
            } else {
                state.results.offers.len()
            };
            state.set_info(format!("Exported {n} rows: {}", files_named(&files)));
        }
        Err(e) => state.set_error(format!("Export failed: {e}")),
    }
}

/// `dir/stem.{csv,json}` when the files share a stem, else each named.
fn files_named(files: &[PathBuf]) -> String {
    let stems: Vec<_> = files.iter().map(|f| f.with_extension("")).collect();
    let extensions: Vec<String> = files
        .iter()
        .filter_map(|f| f.extension().map(|e| e.to_string_lossy().into_owned()))
        .collect();
    match stems.first() {
        Some(first) if stems.iter().all(|s| s == first) && extensions.len() == files.len() => {
            format!("{}.{{{}}}", first.display(), extensions.join(","))
        }
        _ => files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(" and "),
    }
}

/// The details loaded so far and the quantity, as an export's detail
/// columns; `None` (no columns) when neither is there.
pub(super) fn detail_columns(state: &State) -> Option<crate::app::msg::ExportDetails> {
    let known: std::collections::HashMap<String, crate::api::OfferDetail> = state
        .details
        .entries
        .iter()
        .filter_map(|(id, e)| match e {
            crate::app::state::DetailEntry::Loaded { detail, .. } => {
                Some((id.clone(), (**detail).clone()))
            }
            _ => None,
        })
        .collect();
    if known.is_empty() && state.details.quantity.is_none() {
        return None;
    }
    let landed = landed_columns(state, &known);
    Some(crate::app::msg::ExportDetails {
        quantity: state.details.quantity,
        known,
        landed,
    })
}

/// With a quantity and a lane: each offer's estimate (as the screen has
/// it) and chosen SKU, so the file says what the screen says.
fn landed_columns(
    state: &State,
    known: &std::collections::HashMap<String, crate::api::OfferDetail>,
) -> Option<crate::app::msg::ExportLanded> {
    let quantity = state.details.quantity?;
    let landed = &state.landed;
    let lane = landed.lane.clone()?;
    let mut freights = std::collections::HashMap::new();
    let mut skus = std::collections::HashMap::new();
    for (id, detail) in known {
        let sku = landed.sku_of(id, detail);
        if let Some(freight) = landed.freight_of(id, sku, quantity) {
            freights.insert(id.clone(), freight.cloned());
        }
        if let Some(sku) = sku {
            skus.insert(id.clone(), sku.to_string());
        }
    }
    Some(crate::app::msg::ExportLanded {
        lane,
        fees: landed.settings.fees.clone(),
        fallback_fen_per_kg: landed.settings.domestic_fen_per_kg,
        freights,
        skus,
    })
}

/// Each grouped offer's group and the group's spread, when grouping is on.
fn same_columns(state: &State) -> Option<crate::export::same::SameColumns> {
    let r = &state.results;
    if !state.grouping || r.groups.is_empty() {
        return None;
    }
    let mut same = crate::export::same::SameColumns::default();
    let firsts: std::collections::BTreeSet<usize> = r
        .groups
        .listed_under()
        .filter_map(|p| r.groups.first_of(p))
        .collect();
    for first in firsts {
        let Some(group) = r.groups.group(first) else {
            continue;
        };
        let ranks: Vec<usize> = r.groups.members(first).iter().map(|p| p + 1).collect();
        same.add_group(&ranks, group.count, group.min_price);
    }
    Some(same)
}

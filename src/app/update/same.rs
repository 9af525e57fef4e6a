//! Same product, many sellers, told by the pictures: the first offers'
//! pictures are signed in the background as pages arrive (one batch out at
//! a time), each compared with one picture per group so far, and joined to
//! the group it matches best. The user can split a wrong group; its offers
//! stay apart for good (kept in the store).

use crate::api::Offer;
use crate::app::msg::{Effect, StoreOp};
use crate::app::state::{COMPARE_MAX, SAME_LIMIT, SIGN_BATCH, State, StoreStatus};
use tusou_same::{Signature, compare, might_match};

/// The next batch of pictures to sign, when none is out and grouping is on.
pub(super) fn next_batch(state: &mut State) -> Option<Effect> {
    if !state.grouping || state.same.signing.is_some() {
        return None;
    }
    let r = &state.results;
    let s = &mut state.same;
    let end = r.offers.len().min(SAME_LIMIT);
    s.batch_start = s.next;
    let mut pictures = Vec::new();
    while s.next < end && pictures.len() < SIGN_BATCH {
        let position = s.next;
        s.next += 1;
        if s.is_apart(position) {
            continue;
        }
        // Listed under a group by its picture file, whose picture is
        // already compared: nothing more to learn from it.
        if let Some(first) = r.groups.first_of(position)
            && u32::try_from(first).is_ok_and(|f| s.reps.contains_key(&f))
        {
            s.compared += 1;
            continue;
        }
        // Out of memory (the user went far ahead): not compared.
        let Some(url) = r.offers.get(position).and_then(Offer::thumbnail_url) else {
            continue;
        };
        pictures.push((position, url));
    }
    if pictures.is_empty() {
        return None;
    }
    s.signing = Some(r.generation);
    Some(Effect::SignPictures {
        generation: r.generation,
        pictures,
    })
}

/// Grouping was turned on or off: signing goes on or stops.
pub(super) fn grouping_toggled(state: &mut State) -> Vec<Effect> {
    if state.grouping {
        return next_batch(state).into_iter().collect();
    }
    if state.same.signing.take().is_some() {
        // The batch out is asked for again when grouping is back on.
        state.same.next = state.same.batch_start;
        return vec![Effect::CancelSigning];
    }
    Vec::new()
}

/// The batch is in: the next one.
pub(super) fn signing_done(state: &mut State, generation: u64) -> Vec<Effect> {
    if state.same.signing != Some(generation) {
        return Vec::new();
    }
    state.same.signing = None;
    next_batch(state).into_iter().collect()
}

/// A picture signed: joined to the group whose picture it matches best, or
/// kept as its own group's picture.
pub(super) fn signed(
    state: &mut State,
    generation: u64,
    position: usize,
    signature: Option<Signature>,
) -> Vec<Effect> {
    if generation != state.results.generation {
        return Vec::new();
    }
    state.same.compared += 1;
    let (Some(signature), Ok(at)) = (signature, u32::try_from(position)) else {
        return Vec::new();
    };
    let r = &mut state.results;
    let s = &mut state.same;
    if s.apart.contains(&at) {
        return Vec::new();
    }
    let root = r.groups.first_of(position).map_or(at, |f| f as u32);
    if s.reps.contains_key(&root) {
        return Vec::new();
    }
    // The cheap test first; the full one on at most COMPARE_MAX groups.
    let best = s
        .reps
        .iter()
        .filter(|(k, rep)| **k != root && !s.apart.contains(k) && might_match(&signature, rep))
        .take(COMPARE_MAX)
        .map(|(k, rep)| (*k, compare(&signature, rep)))
        .filter(|(_, m)| m.same)
        .max_by(|a, b| a.1.score.total_cmp(&b.1.score).then(b.0.cmp(&a.0)));
    let Some((other, _)) = best else {
        s.reps.insert(root, signature);
        return Vec::new();
    };
    let price = |p: usize| r.offers.get(p).and_then(|o| o.price);
    let other_at = other as usize;
    let at_cursor = r.selected_row().map(|row| row.offer);
    let Some(kept) = r
        .groups
        .unite(position, price(position), other_at, price(other_at))
    else {
        return Vec::new();
    };
    s.merged += 1;
    // One picture per group: the older group's.
    if let Some(rep) = s.reps.remove(&other)
        && let Ok(kept) = u32::try_from(kept)
    {
        s.reps.insert(kept, rep);
    }
    if r.opened.remove(&(root as usize)) || r.opened.remove(&other_at) {
        r.opened.insert(kept);
    }
    // The offer under the cursor stays a row of its own, so what the user
    // acts on next is what they chose: its new group opens.
    if let Some(first) = at_cursor.and_then(|o| r.groups.first_of(o)) {
        r.opened.insert(first);
    }
    // Rows above the cursor may have folded into a group: it stays on
    // screen, on its offer (or its group's row).
    super::rows::rebuild(state);
    super::screen::scroll_into_view(state);
    Vec::new()
}

/// Offers of the page first at `start` the user keeps apart.
pub(super) fn note_page(state: &mut State, start: usize, offers: &[Offer]) {
    if state.same.kept_apart.is_empty() {
        return;
    }
    for (i, offer) in offers.iter().enumerate() {
        let key = crate::store::Store::offer_ref(&state.provider, offer).key;
        if state.same.kept_apart.contains(&key)
            && let Ok(p) = u32::try_from(start + i)
        {
            state.same.apart.insert(p);
        }
    }
}

/// The offers kept apart, from the store (at start).
pub(super) fn kept_apart(state: &mut State, keys: Vec<String>) {
    state.same.kept_apart = keys.into_iter().collect();
}

/// Splits the highlighted group (or the group of a highlighted seller):
/// its offers are listed apart, and kept apart in later searches.
pub(super) fn split_group(state: &mut State) -> Vec<Effect> {
    let r = &mut state.results;
    if r.selected_row().is_none() {
        return Vec::new();
    }
    let Some(first) = r.selected_group() else {
        let key = state.key_hint(
            crate::keymap::KeyContext::Results,
            crate::keymap::Action::SplitGroup,
        );
        state.set_info(format!(
            "Not a group: {key} splits a group of sellers into single offers"
        ));
        return Vec::new();
    };
    let freed = r.groups.split(first);
    r.opened.remove(&first);
    let mut refs = Vec::new();
    for &p in &freed {
        let Ok(at) = u32::try_from(p) else { continue };
        state.same.apart.insert(at);
        state.same.reps.remove(&at);
        if let Some(offer) = r.offers.get(p) {
            let offer_ref = crate::store::Store::offer_ref(&state.provider, offer);
            state.same.kept_apart.insert(offer_ref.key.clone());
            refs.push(offer_ref);
        }
    }
    super::rows::rebuild(state);
    super::screen::scroll_into_view(state);
    let n = freed.len();
    if let StoreStatus::On = state.store {
        state.set_info(format!("Split: {n} sellers listed apart"));
        vec![Effect::Store(StoreOp::KeepApart(refs))]
    } else {
        state.set_info(format!(
            "Split: {n} sellers listed apart (for this search: the history is off)"
        ));
        Vec::new()
    }
}

//! Same product, many sellers, told by the pictures: each compared offer's
//! [`Signature`] (one per group, see `update::same`), how far the
//! comparing has got, and the offers the user keeps apart.

use std::collections::{BTreeMap, HashSet};
use tusou_same::Signature;

/// Offers of a search whose pictures are compared: the first ones, where a
/// buyer looks. Bounds the signatures kept (≤ 1 KiB each: ≤ 1 MiB) and the
/// work; 2,000 made a 100,000-offer session 1.16× the memory of a
/// 1,000-offer one (issue 26's flat-memory figure).
pub const SAME_LIMIT: usize = 1_000;
/// Pictures asked for at once; the next batch when these are in.
pub const SIGN_BATCH: usize = 16;
/// Groups a new picture is fully compared with at most (after the cheap
/// shortlist): bounds the work `update` does per picture (a comparison is
/// ~18 µs, so ≤ ~0.9 ms between two keys).
pub const COMPARE_MAX: usize = 48;

#[derive(Debug, Default)]
pub struct SameState {
    /// The search generation whose pictures are being signed, while a batch
    /// is out.
    pub signing: Option<u64>,
    /// The next position to look at for a picture to sign.
    pub next: usize,
    /// Where the batch out started (looked at again if it is cancelled).
    pub batch_start: usize,
    /// One signature per group or lone offer, by the position of its first
    /// offer: what a new picture is compared with.
    pub reps: BTreeMap<u32, Signature>,
    /// Offers whose pictures were compared (signed or not).
    pub compared: usize,
    /// Offers joined to another by what their pictures show.
    pub merged: usize,
    /// Keys (`Store::offer_ref`) of the offers the user split out of a
    /// group, from the store: never grouped. At most `KEPT_APART_MAX`.
    pub kept_apart: HashSet<String>,
    /// Positions in this search of offers kept apart.
    pub apart: HashSet<u32>,
}

impl SameState {
    /// A new search: nothing compared yet (what is kept apart stays).
    pub fn restart(&mut self) {
        self.signing = None;
        self.next = 0;
        self.batch_start = 0;
        self.reps = BTreeMap::new();
        self.compared = 0;
        self.merged = 0;
        self.apart = HashSet::new();
    }

    pub fn is_apart(&self, position: usize) -> bool {
        u32::try_from(position).is_ok_and(|p| self.apart.contains(&p))
    }

    /// "pictures compared: 480 of 1000 · 37 re-uploads grouped", once
    /// any picture was compared.
    pub fn progress_text(&self, loaded: usize) -> Option<String> {
        if self.compared == 0 {
            return None;
        }
        let of = loaded.min(SAME_LIMIT);
        let merged = match self.merged {
            0 => String::new(),
            1 => " · 1 re-upload grouped".to_string(),
            n => format!(" · {n} re-uploads grouped"),
        };
        let beyond = if loaded > SAME_LIMIT {
            format!(" (the first {SAME_LIMIT})")
        } else {
            String::new()
        };
        Some(format!(
            "pictures compared: {} of {of}{beyond}{merged}",
            self.compared.min(of)
        ))
    }
}

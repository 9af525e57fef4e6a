//! The Watches pane (`tusou watch` in the app): each watch with its last
//! run, and the marks of the changes its last run found, shown on the rows
//! of that run's results while they are on screen.

use crate::store::Watch;
use std::collections::HashMap;

/// Most offers marked at once (a run's new and cheaper offers).
pub const MAX_WATCH_MARKS: usize = 2_000;

/// The Watches pane: every watch, oldest first.
#[derive(Debug, Default)]
pub struct WatchesState {
    /// Pictures not read (the store's list leaves them out).
    pub entries: Vec<Watch>,
    pub cursor: usize,
    pub offset: usize,
    /// The list was read at least once.
    pub loaded: bool,
    /// The changes marked on the results on screen.
    pub marks: WatchMarks,
}

impl WatchesState {
    pub fn selected(&self) -> Option<&Watch> {
        self.entries.get(self.cursor)
    }
}

/// What a watch's run found about one offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMark {
    /// Not in the run before.
    New,
    /// Cheaper than in the run before, by this many basis points.
    Cheaper { bps: u32 },
}

impl WatchMark {
    /// The tag on the offer's row: `new`, `-5%` (ASCII, at most 5 wide).
    pub fn tag(self) -> String {
        match self {
            WatchMark::New => "new".into(),
            WatchMark::Cheaper { bps } => format!("-{}%", (bps / 100).clamp(1, 99)),
        }
    }
}

/// The marks of one watch run, by offer id, for the results of one
/// search generation: other results show none, and they are cleared.
#[derive(Debug, Default)]
pub struct WatchMarks {
    /// The results' generation they belong to.
    pub generation: u64,
    by_offer: HashMap<String, WatchMark>,
}

impl WatchMarks {
    /// Marks for `generation`, at most [`MAX_WATCH_MARKS`] (the first).
    pub fn new(generation: u64, marks: impl IntoIterator<Item = (String, WatchMark)>) -> Self {
        WatchMarks {
            generation,
            by_offer: marks.into_iter().take(MAX_WATCH_MARKS).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_offer.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_offer.len()
    }

    /// The offer's mark, when the results of `generation` are on screen.
    pub fn get(&self, generation: u64, offer_id: Option<&str>) -> Option<WatchMark> {
        if generation != self.generation {
            return None;
        }
        offer_id.and_then(|id| self.by_offer.get(id)).copied()
    }

    pub fn clear(&mut self) {
        self.by_offer = HashMap::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_bounded_and_belong_to_one_generation() {
        let many = (0..MAX_WATCH_MARKS + 10).map(|i| (i.to_string(), WatchMark::New));
        let marks = WatchMarks::new(3, many);
        assert_eq!(marks.len(), MAX_WATCH_MARKS);
        assert_eq!(marks.get(3, Some("1")), Some(WatchMark::New));
        assert_eq!(marks.get(4, Some("1")), None);
        assert_eq!(marks.get(3, None), None);
        assert_eq!(WatchMark::Cheaper { bps: 512 }.tag(), "-5%");
        assert_eq!(WatchMark::Cheaper { bps: 20 }.tag(), "-1%");
        assert_eq!(WatchMark::Cheaper { bps: 10_000 }.tag(), "-99%");
    }
}

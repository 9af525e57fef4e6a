//! The results' offers in memory: the pages near the screen, read back from
//! the history store as the cursor moves, and every page the store does not
//! hold. Memory stays flat however many offers a search lists: an offer
//! held costs about a kilobyte, a position listed a few bytes.

use crate::api::Offer;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

/// Pages kept in memory at most, besides the ones the store does not hold:
/// a screen above and below the one shown, at any page size, with room
/// left so that moving back and forth does not read the same pages again.
pub const CACHED_PAGES: usize = 12;

#[derive(Debug, Default, Clone)]
pub struct Offers {
    /// Offers listed: positions `0..len`.
    len: usize,
    /// The first position of each page, in arrival order.
    starts: Vec<usize>,
    /// Pages in memory, by index into `starts`.
    cached: BTreeMap<usize, Page>,
    /// Pages asked of the store, not back yet.
    loading: BTreeSet<usize>,
    /// Pages the store could not read back: not asked again.
    unreadable: BTreeSet<usize>,
}

#[derive(Debug, Clone)]
struct Page {
    offers: Vec<Offer>,
    /// The store holds this page: it may be dropped and read back.
    stored: bool,
}

impl Offers {
    /// Offers all in memory, in pages of `page_size`, `stored` or not.
    pub fn from_offers(offers: Vec<Offer>, page_size: usize, stored: bool) -> Offers {
        let mut all = Offers::default();
        let mut rest = offers.into_iter().peekable();
        while rest.peek().is_some() {
            all.push_page(rest.by_ref().take(page_size.max(1)).collect(), stored);
        }
        all
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Pages listed.
    pub fn pages(&self) -> usize {
        self.starts.len()
    }

    /// The offer at `position`, if it is in memory.
    pub fn get(&self, position: usize) -> Option<&Offer> {
        let page = self.page_of(position)?;
        let start = *self.starts.get(page)?;
        self.cached.get(&page)?.offers.get(position - start)
    }

    /// The offers in memory, with their positions.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Offer)> {
        self.cached.iter().flat_map(|(page, p)| {
            let start = self.starts.get(*page).copied().unwrap_or(0);
            p.offers
                .iter()
                .enumerate()
                .map(move |(i, o)| (start + i, o))
        })
    }

    /// The offers in memory, to change in place (tests).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Offer> {
        self.cached.values_mut().flat_map(|p| p.offers.iter_mut())
    }

    /// Appends a page; it is `stored` when the store holds it.
    pub fn push_page(&mut self, offers: Vec<Offer>, stored: bool) {
        let page = self.starts.len();
        self.starts.push(self.len);
        self.len += offers.len();
        self.cached.insert(page, Page { offers, stored });
    }

    /// The page holding `position`.
    pub fn page_of(&self, position: usize) -> Option<usize> {
        if position >= self.len {
            return None;
        }
        self.starts
            .partition_point(|&s| s <= position)
            .checked_sub(1)
    }

    /// The positions of `page`.
    pub fn page_range(&self, page: usize) -> Range<usize> {
        let start = self.starts.get(page).copied().unwrap_or(self.len);
        let end = self.starts.get(page + 1).copied().unwrap_or(self.len);
        start..end
    }

    /// Whether every page is held by the store.
    pub fn all_stored(&self) -> bool {
        self.cached.values().all(|p| p.stored)
    }

    /// The pages only memory holds: (first position, offers).
    pub fn unstored(&self) -> Vec<(usize, Vec<Offer>)> {
        self.cached
            .iter()
            .filter(|(_, p)| !p.stored)
            .map(|(page, p)| (self.page_range(*page).start, p.offers.clone()))
            .collect()
    }

    /// Pages in memory.
    pub fn cached_pages(&self) -> usize {
        self.cached.len()
    }

    /// Drops stored pages beyond `cap`, those farthest from `wanted` first;
    /// wanted pages and pages only memory holds stay.
    pub fn evict(&mut self, wanted: &BTreeSet<usize>, cap: usize) {
        if self.cached.len() <= cap {
            return;
        }
        let distance = |page: usize| {
            wanted
                .iter()
                .map(|&w| w.abs_diff(page))
                .min()
                .unwrap_or(usize::MAX)
        };
        let mut droppable: Vec<(usize, usize)> = self
            .cached
            .iter()
            .filter(|(page, p)| p.stored && !wanted.contains(page))
            .map(|(&page, _)| (distance(page), page))
            .collect();
        droppable.sort_unstable_by(|a, b| b.cmp(a));
        let excess = self.cached.len() - cap;
        for (_, page) in droppable.into_iter().take(excess) {
            self.cached.remove(&page);
        }
    }

    /// Of `wanted`, the pages to ask the store for: not in memory, not
    /// asked already, not found unreadable.
    pub fn missing(&self, wanted: &BTreeSet<usize>) -> Vec<usize> {
        wanted
            .iter()
            .copied()
            .filter(|p| {
                *p < self.starts.len()
                    && !self.cached.contains_key(p)
                    && !self.loading.contains(p)
                    && !self.unreadable.contains(p)
            })
            .collect()
    }

    pub fn mark_loading(&mut self, pages: &[usize]) {
        self.loading.extend(pages.iter().copied());
    }

    /// A page read back from the store: `offers` with their positions.
    /// Offers at positions outside the page are ignored; a page that comes
    /// back short is kept as it came (its missing rows stay blank) and not
    /// asked again.
    pub fn loaded(&mut self, page: usize, offers: Vec<(u64, Offer)>) {
        self.loading.remove(&page);
        let range = self.page_range(page);
        if self.cached.contains_key(&page) || range.is_empty() {
            return;
        }
        let complete = offers.len() == range.len()
            && offers
                .iter()
                .zip(range.clone())
                .all(|((p, _), want)| usize::try_from(*p).ok() == Some(want));
        if !complete {
            self.unreadable.insert(page);
            return;
        }
        let offers = offers.into_iter().map(|(_, o)| o).collect();
        self.cached.insert(
            page,
            Page {
                offers,
                stored: true,
            },
        );
    }

    /// The store could not read these pages back.
    pub fn load_failed(&mut self, pages: &[usize]) {
        for page in pages {
            self.loading.remove(page);
            self.unreadable.insert(*page);
        }
    }

    /// Drops every stored page and forgets reads under way (results set
    /// aside: they are read back when shown again).
    pub fn release(&mut self) {
        self.cached.retain(|_, p| !p.stored);
        self.loading.clear();
        self.unreadable.clear();
    }

    /// Every page held in memory from now on, as only memory holds them
    /// (the store cannot read them back).
    pub fn keep_all(&mut self) {
        for p in self.cached.values_mut() {
            p.stored = false;
        }
    }

    pub fn is_loading(&self, position: usize) -> bool {
        self.page_of(position)
            .is_some_and(|p| self.loading.contains(&p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(i: usize) -> Offer {
        Offer {
            offer_id: Some(i.to_string()),
            ..Offer::default()
        }
    }

    fn page(from: usize, n: usize) -> Vec<Offer> {
        (from..from + n).map(offer).collect()
    }

    fn id(o: Option<&Offer>) -> Option<&str> {
        o.and_then(|o| o.offer_id.as_deref())
    }

    #[test]
    fn positions_find_their_page_whatever_the_page_sizes() {
        let mut all = Offers::default();
        all.push_page(page(0, 3), true);
        all.push_page(Vec::new(), true);
        all.push_page(page(3, 2), true);
        assert_eq!(all.len(), 5);
        assert_eq!(all.page_of(2), Some(0));
        assert_eq!(all.page_of(3), Some(2), "past the empty page");
        assert_eq!(all.page_of(5), None);
        assert_eq!(id(all.get(4)), Some("4"));
        assert_eq!(all.page_range(2), 3..5);
        assert_eq!(all.page_range(1), 3..3);
    }

    #[test]
    fn stored_pages_far_from_the_screen_go_first_and_come_back_by_position() {
        let mut all = Offers::default();
        for p in 0..6 {
            all.push_page(page(p * 10, 10), p != 1);
        }
        let wanted: BTreeSet<usize> = [4, 5].into();
        all.evict(&wanted, 3);
        // Page 1 only memory holds; 4 and 5 are wanted; 0, 2, 3 go far first.
        assert_eq!(all.cached_pages(), 3);
        assert!(all.get(15).is_some(), "never dropped: the store lacks it");
        assert!(all.get(0).is_none() && all.get(25).is_none() && all.get(35).is_none());
        let want: BTreeSet<usize> = [0, 1, 2].into();
        assert_eq!(all.missing(&want), [0, 2]);
        all.mark_loading(&[0, 2]);
        assert!(all.missing(&want).is_empty(), "asked once");
        assert!(all.is_loading(5));
        all.loaded(0, (0..10).map(|i| (i as u64, offer(i))).collect());
        assert_eq!(id(all.get(7)), Some("7"));
        all.loaded(2, vec![(20, offer(20))]);
        assert!(all.get(20).is_none(), "a short read is not taken");
        assert!(all.missing(&want).is_empty(), "nor asked again");
        assert_eq!(all.unstored().len(), 1);
        assert!(!all.all_stored());
    }

    #[test]
    fn released_results_keep_what_only_memory_holds() {
        let mut all = Offers::from_offers(page(0, 25), 10, true);
        assert_eq!(all.pages(), 3);
        all.push_page(page(25, 5), false);
        all.release();
        assert_eq!(all.cached_pages(), 1);
        assert_eq!(id(all.get(27)), Some("27"));
        assert_eq!(all.len(), 30);
        all.keep_all();
        all.evict(&BTreeSet::new(), 0);
        assert_eq!(all.cached_pages(), 1);
    }
}

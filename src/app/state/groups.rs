//! Offers showing one product, many sellers: which offers are grouped
//! under which first, and each group's price spread.

use crate::api::Price;
use std::collections::HashMap;

/// Offers showing one product (many sellers), grouped as pages arrive (by
/// picture file) and as pictures are compared (re-uploads, see
/// `update::same`). Compact, since a search may list 100,000 offers: an
/// offer alone costs nothing here, a grouped one 12 bytes (+4 for its price
/// in its group's spread).
#[derive(Debug, Default, Clone)]
pub struct Groups {
    /// Each grouped offer after its group's first: (position, the first's
    /// position, its price in fen or `NO_FEN`), ascending by position.
    members: Vec<(u32, u32, u32)>,
    /// Groups by their first offer's position: every member's price in
    /// fen, ascending (`NO_FEN` last for those without one).
    multi: HashMap<u32, Spread>,
    /// Picture keys of offers grouped here rather than by the store (pages
    /// the store does not hold): the first position showing each.
    pub keys: HashMap<String, usize>,
}

/// A group's prices: its first offer's, and every member's (the first
/// included) ascending, `NO_FEN` last.
#[derive(Debug, Clone, Default)]
struct Spread {
    first_fen: u32,
    fens: Vec<u32>,
}

/// A price kept in a group's spread: fen, `NO_FEN` when unknown.
const NO_FEN: u32 = u32::MAX;

fn fen_of(price: Option<Price>) -> u32 {
    price.map_or(NO_FEN, |p| u32::try_from(p.fen()).unwrap_or(NO_FEN - 1))
}

/// A group of two or more offers showing one product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    pub count: usize,
    /// The cheapest member's price.
    pub min_price: Option<Price>,
    /// The dearest member's price.
    pub max_price: Option<Price>,
    /// The median of the members' prices (the lower middle of an even count).
    pub median: Option<Price>,
}

impl Groups {
    /// The offer at `position` (price `price`) shows the same picture as
    /// the one at `first` (price `first_price`); `first == position` when it
    /// is the first to show it.
    pub fn join(
        &mut self,
        position: usize,
        price: Option<Price>,
        first: usize,
        first_price: Option<Price>,
    ) {
        let (Ok(at), Ok(first)) = (u32::try_from(position), u32::try_from(first)) else {
            return;
        };
        if first >= at || self.first_of(position).is_some() || self.multi.contains_key(&at) {
            return;
        }
        // `first` may itself be listed under another (its store answer
        // named an offer merged away since): join that group instead.
        let first = self.first_of(first as usize).map_or(first, |f| f as u32);
        let fen = fen_of(price);
        let first_fen = fen_of(first_price);
        let group = self.multi.entry(first).or_insert_with(|| Spread {
            first_fen,
            fens: vec![first_fen],
        });
        insert_sorted(&mut group.fens, fen);
        // Pages arrive in order: almost always a push.
        let i = self.members.partition_point(|(p, _, _)| *p < at);
        self.members.insert(i, (at, first, fen));
    }

    /// Puts the offers at `a` and `b` (with their prices) and their groups
    /// together, under the earlier first. Returns the merged group's first,
    /// or None when they already were one group.
    pub fn unite(
        &mut self,
        a: usize,
        a_price: Option<Price>,
        b: usize,
        b_price: Option<Price>,
    ) -> Option<usize> {
        let ra = self.first_of(a).unwrap_or(a);
        let rb = self.first_of(b).unwrap_or(b);
        if ra == rb {
            return None;
        }
        let price_of_root = |root: usize| {
            if root == a {
                Some(a_price)
            } else if root == b {
                Some(b_price)
            } else {
                None
            }
        };
        let (keep, gone) = if ra < rb { (ra, rb) } else { (rb, ra) };
        let (Ok(keep32), Ok(gone32)) = (u32::try_from(keep), u32::try_from(gone)) else {
            return None;
        };
        // The gone group's prices (or the lone offer's) join the kept one.
        let gone_group = self.multi.remove(&gone32);
        let gone_first_fen = gone_group
            .as_ref()
            .map_or_else(|| fen_of(price_of_root(gone).flatten()), |g| g.first_fen);
        let keep_fen = fen_of(price_of_root(keep).flatten());
        let kept = self.multi.entry(keep32).or_insert_with(|| Spread {
            first_fen: keep_fen,
            fens: vec![keep_fen],
        });
        match gone_group {
            Some(g) => g
                .fens
                .iter()
                .for_each(|f| insert_sorted(&mut kept.fens, *f)),
            None => insert_sorted(&mut kept.fens, gone_first_fen),
        }
        for m in &mut self.members {
            if m.1 == gone32 {
                m.1 = keep32;
            }
        }
        let i = self.members.partition_point(|(p, _, _)| *p < gone32);
        self.members.insert(i, (gone32, keep32, gone_first_fen));
        Some(keep)
    }

    /// Takes the group first at `first` apart: every offer in it stands
    /// alone again. Returns them, `first` included (empty when no group).
    pub fn split(&mut self, first: usize) -> Vec<usize> {
        let Ok(first32) = u32::try_from(first) else {
            return Vec::new();
        };
        if self.multi.remove(&first32).is_none() {
            return Vec::new();
        }
        let mut freed = vec![first];
        self.members.retain(|&(p, f, _)| {
            if f == first32 {
                freed.push(p as usize);
                false
            } else {
                true
            }
        });
        freed
    }

    /// The group whose first offer is at `first`.
    pub fn group(&self, first: usize) -> Option<Group> {
        let fens = &self.multi.get(&u32::try_from(first).ok()?)?.fens;
        let price = |fen: u32| (fen != NO_FEN).then_some(Price(u64::from(fen)));
        let priced = fens.partition_point(|f| *f != NO_FEN);
        Some(Group {
            count: fens.len(),
            min_price: fens.first().copied().and_then(price),
            max_price: priced
                .checked_sub(1)
                .and_then(|i| fens.get(i))
                .copied()
                .and_then(price),
            median: priced
                .checked_sub(1)
                .and_then(|last| fens.get(last / 2))
                .copied()
                .and_then(price),
        })
    }

    /// The first offer of the group the offer at `position` is listed under
    /// (`None` for an offer alone or a group's first).
    pub fn first_of(&self, position: usize) -> Option<usize> {
        let at = u32::try_from(position).ok()?;
        let i = self
            .members
            .binary_search_by_key(&at, |(p, _, _)| *p)
            .ok()?;
        self.members.get(i).map(|(_, f, _)| *f as usize)
    }

    /// Whether the offer at `position` is in a group (first or listed under).
    pub fn is_grouped(&self, position: usize) -> bool {
        self.first_of(position).is_some()
            || u32::try_from(position).is_ok_and(|p| self.multi.contains_key(&p))
    }

    /// The offers of the group first at `first`: the first, then the others
    /// cheapest first (those without a price last, then by position).
    pub fn members(&self, first: usize) -> Vec<usize> {
        let mut others: Vec<(u32, u32)> = self
            .members
            .iter()
            .filter(|(_, f, _)| *f as usize == first)
            .map(|(p, _, fen)| (*fen, *p))
            .collect();
        others.sort_unstable();
        let mut all = vec![first];
        all.extend(others.into_iter().map(|(_, p)| p as usize));
        all
    }

    /// Grouped offers after their group's first, ascending.
    pub fn listed_under(&self) -> impl Iterator<Item = usize> + '_ {
        self.members.iter().map(|(p, _, _)| *p as usize)
    }

    /// Groups of two or more.
    pub fn len(&self) -> usize {
        self.multi.len()
    }

    pub fn is_empty(&self) -> bool {
        self.multi.is_empty()
    }
}

fn insert_sorted(fens: &mut Vec<u32>, fen: u32) {
    let i = fens.partition_point(|f| *f <= fen);
    fens.insert(i, fen);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(y: u64) -> Option<Price> {
        Some(Price(y * 100))
    }

    #[test]
    fn a_group_says_its_spread_and_lists_its_sellers_cheapest_first() {
        let mut g = Groups::default();
        g.join(3, yuan(19), 1, yuan(14));
        g.join(5, yuan(12), 1, yuan(14));
        g.join(8, None, 1, yuan(14));
        g.join(9, yuan(15), 1, yuan(14));
        let group = g.group(1).unwrap();
        assert_eq!(group.count, 5);
        assert_eq!(group.min_price, yuan(12));
        assert_eq!(group.max_price, yuan(19));
        // 12, 14, 15, 19: the lower middle.
        assert_eq!(group.median, yuan(14));
        assert_eq!(g.members(1), vec![1, 5, 9, 3, 8]);
        assert_eq!(g.first_of(8), Some(1));
        assert!(g.is_grouped(1) && g.is_grouped(9) && !g.is_grouped(2));
    }

    #[test]
    fn uniting_two_groups_keeps_the_earlier_first_and_every_price() {
        let mut g = Groups::default();
        g.join(4, yuan(10), 2, yuan(11));
        g.join(9, yuan(30), 6, yuan(20));
        assert_eq!(g.unite(9, yuan(30), 4, yuan(10)), Some(2));
        let group = g.group(2).unwrap();
        assert_eq!(group.count, 4);
        assert_eq!((group.min_price, group.max_price), (yuan(10), yuan(30)));
        assert_eq!(g.group(6), None);
        assert_eq!(g.first_of(6), Some(2));
        assert_eq!(g.first_of(9), Some(2));
        assert_eq!(g.members(2), vec![2, 4, 6, 9]);
        assert_eq!(g.listed_under().collect::<Vec<_>>(), vec![4, 6, 9]);
        // Already one group.
        assert_eq!(g.unite(4, yuan(10), 6, yuan(20)), None);
        // Two lone offers.
        assert_eq!(g.unite(12, yuan(7), 11, None), Some(11));
        let lone = g.group(11).unwrap();
        assert_eq!(
            (lone.count, lone.min_price, lone.max_price),
            (2, yuan(7), yuan(7))
        );
        assert_eq!(g.members(11), vec![11, 12]);
    }

    #[test]
    fn a_split_group_leaves_every_offer_alone() {
        let mut g = Groups::default();
        g.join(3, yuan(1), 1, yuan(2));
        g.join(4, yuan(1), 1, yuan(2));
        g.join(7, yuan(1), 6, yuan(2));
        let mut freed = g.split(1);
        freed.sort_unstable();
        assert_eq!(freed, vec![1, 3, 4]);
        assert_eq!(g.group(1), None);
        assert!(!g.is_grouped(3));
        assert_eq!(g.len(), 1);
        assert!(g.split(1).is_empty());
        // A member that asks to join a first now listed under another joins that group.
        g.unite(6, yuan(2), 2, yuan(2));
        g.join(10, yuan(5), 6, yuan(2));
        assert_eq!(g.first_of(10), Some(2));
        assert_eq!(g.group(2).unwrap().count, 4);
    }
}

//! The picker's fuzzy filter: which file names match the typed text, how
//! well (best first), and which characters matched (for highlighting).

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// One filter text, ready to score many names. Reuse it across names: the
/// matcher's scratch space is allocated once.
pub(crate) struct FuzzyFilter {
    atom: Atom,
    matcher: Matcher,
    buf: Vec<char>,
}

impl FuzzyFilter {
    /// `None` for an empty filter, which every name passes.
    pub(crate) fn new(pattern: &str) -> Option<FuzzyFilter> {
        if pattern.is_empty() {
            return None;
        }
        // The text as typed: no `^`/`$`/`!` operators, case ignored.
        let atom = Atom::new(
            pattern,
            CaseMatching::Ignore,
            Normalization::Smart,
            AtomKind::Fuzzy,
            false,
        );
        Some(FuzzyFilter {
            atom,
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
        })
    }

    /// How well `name` matches (higher is better); `None` when it does not.
    pub(crate) fn score(&mut self, name: &str) -> Option<u16> {
        self.atom
            .score(Utf32Str::new(name, &mut self.buf), &mut self.matcher)
    }

    /// The positions (in chars) of `name` that the filter matched, in order.
    pub(crate) fn matched_chars(&mut self, name: &str) -> Vec<usize> {
        let mut indices = Vec::new();
        self.atom.indices(
            Utf32Str::new(name, &mut self.buf),
            &mut self.matcher,
            &mut indices,
        );
        indices.sort_unstable();
        indices.dedup();
        indices.into_iter().map(|i| i as usize).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closer_match_ranks_first() {
        let mut f = FuzzyFilter::new("shoe").expect("a filter");
        let tight = f.score("shoe.jpg").expect("matches");
        let loose = f.score("s_h_o_e_long.png").expect("matches");
        assert!(tight > loose, "{tight} vs {loose}");
        assert_eq!(f.score("hose.png"), None);
    }

    #[test]
    fn matched_characters_are_the_ones_to_highlight() {
        let mut f = FuzzyFilter::new("zpg").expect("a filter");
        assert_eq!(f.matched_chars("zeta.png"), vec![0, 5, 7]);
        let mut f = FuzzyFilter::new("SHOE").expect("a filter");
        assert_eq!(f.matched_chars("my_shoe.jpg"), vec![3, 4, 5, 6]);
        assert_eq!(f.matched_chars("boot.jpg"), Vec::<usize>::new());
    }

    #[test]
    fn an_empty_filter_is_none() {
        assert!(FuzzyFilter::new("").is_none());
    }
}

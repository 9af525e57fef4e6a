//! `tusou watch run`'s digest: for each watch run, what changed since its
//! run before (new offers, offers gone, price moves past the watch's
//! threshold, minimum orders), as aligned lines, Markdown or one JSON
//! object. Every text from outside (titles, sources, reasons) is
//! sanitised; Markdown's table cells are escaped.

use crate::api::{Offer, Price};
use crate::store::{Changed, OfferChange, RunCounts};
use crate::text::sanitize;
use std::io::{self, Write};

/// The digest's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DigestStyle {
    Table,
    Markdown,
    Json,
}

/// How one watch's run went.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Its first run: what it found is the baseline for the next.
    Baseline { offers: usize },
    /// Compared with the run before (the changes may be none).
    Compared { offers: usize },
    /// It failed (what it fetched is kept); it stays due.
    Failed { reason: String },
    /// Another `watch run` holds it; not run.
    Busy,
    /// Not run, and why (it was made for another provider).
    Skipped { reason: String },
}

/// One watch's part of the digest.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WatchReport {
    pub(crate) id: i64,
    /// Raw: sanitised here.
    pub(crate) source: String,
    /// The history search the run recorded.
    pub(crate) search: Option<i64>,
    pub(crate) outcome: Outcome,
    pub(crate) changes: Vec<Changed>,
    /// The changed offers' landed costs (a watch with `--qty` and
    /// `--lane`).
    pub(crate) landed: Option<Landed>,
}

/// The landed costs of a run's changed offers, as `tusou search --qty N
/// --lane L` works them out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Landed {
    /// The lane's name (marked when it is demo mode's example).
    pub(crate) lane: String,
    pub(crate) qty: u64,
    /// Per change, in order: yuan a piece (`15.94`) or `? what is missing`.
    pub(crate) costs: Vec<String>,
}

impl WatchReport {
    /// The landed cost of change `i`, as the digest says it.
    fn landed_text(&self, i: usize) -> Option<String> {
        let l = self.landed.as_ref()?;
        let cost = l.costs.get(i)?;
        let yuan = if cost.starts_with('?') {
            sanitize(cost)
        } else {
            format!("¥{}", sanitize(cost))
        };
        Some(format!(
            "landed {yuan}/pc @{} by {}",
            l.qty,
            sanitize(&l.lane)
        ))
    }
}

impl WatchReport {
    /// A report of watch `id` not run yet: failed with no reason, no
    /// changes (what a run fills in, or what a failure leaves).
    pub(crate) fn unrun(id: i64) -> WatchReport {
        WatchReport {
            id,
            source: String::new(),
            search: None,
            outcome: Outcome::Failed {
                reason: String::new(),
            },
            changes: Vec::new(),
            landed: None,
        }
    }

    pub(crate) fn counts(&self) -> RunCounts {
        crate::store::count_changes(&self.changes)
    }
}

/// Writes the digest of `reports` to `out`.
pub(crate) fn write_digest(
    style: DigestStyle,
    reports: &[WatchReport],
    mut out: impl Write,
) -> io::Result<()> {
    match style {
        DigestStyle::Table => {
            for r in reports {
                table(r, &mut out)?;
            }
            if reports.is_empty() {
                writeln!(out, "no watch was due")?;
            }
        }
        DigestStyle::Markdown => {
            writeln!(out, "# tusou watch")?;
            if reports.is_empty() {
                writeln!(out, "\nNo watch was due.")?;
            }
            for r in reports {
                markdown(r, &mut out)?;
            }
        }
        DigestStyle::Json => {
            let changed = reports.iter().any(|r| r.counts().any());
            let watches: Vec<_> = reports.iter().map(json).collect();
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({ "changed": changed, "watches": watches }),
            )?;
            writeln!(out)?;
        }
    }
    out.flush()
}

fn name(r: &WatchReport) -> String {
    let source = sanitize(&r.source);
    let shown = std::path::Path::new(&source)
        .file_name()
        .filter(|_| !crate::text::is_url(&source))
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or(source);
    format!("watch {} · {}", r.id, crate::text::truncate(&shown, 60))
}

fn summary(r: &WatchReport) -> String {
    let c = r.counts();
    let search = r
        .search
        .map(|s| format!(" (history search {s})"))
        .unwrap_or_default();
    match &r.outcome {
        Outcome::Baseline { offers } => {
            format!("first run: {offers} offers kept to compare with next time{search}")
        }
        Outcome::Compared { offers } if !c.any() => {
            format!("nothing changed among {offers} offers{search}")
        }
        Outcome::Compared { .. } => format!(
            "{} new, {} gone, {} cheaper, {} dearer, {} MOQ changed{search}",
            c.new, c.gone, c.cheaper, c.dearer, c.moq_changed
        ),
        Outcome::Failed { reason } => format!(
            "failed: {}; what was fetched is kept and the watch stays due{search}",
            sanitize(reason)
        ),
        Outcome::Busy => "another `tusou watch run` is running it; skipped".into(),
        Outcome::Skipped { reason } => format!("not run: {}", sanitize(reason)),
    }
}

/// The change's label and what moved, e.g. ("cheaper", "¥10.00 → ¥9.00 (−10.0 %)").
fn describe(ch: &Changed) -> (&'static str, String) {
    let price = |o: &Offer| {
        o.price
            .map(|p| format!("¥{p}"))
            .unwrap_or_else(|| "—".into())
    };
    match ch.change {
        OfferChange::New => ("new", price(&ch.offer)),
        OfferChange::Gone => ("gone", price(&ch.offer)),
        OfferChange::Cheaper { was_fen, now_fen } => ("cheaper", moved(was_fen, now_fen)),
        OfferChange::Dearer { was_fen, now_fen } => ("dearer", moved(was_fen, now_fen)),
        OfferChange::MoqChanged { was, now } => ("moq", format!("MOQ {was} → {now}")),
    }
}

fn moved(was: u64, now: u64) -> String {
    let pct = if was == 0 {
        String::new()
    } else {
        let bps = (i128::from(now) - i128::from(was)) * 10_000 / i128::from(was);
        let sign = if bps < 0 { "−" } else { "+" };
        let a = bps.unsigned_abs();
        format!(" ({sign}{}.{} %)", a / 100, (a % 100) / 10)
    };
    format!("¥{} → ¥{}{pct}", Price(was), Price(now))
}

fn title(o: &Offer) -> String {
    crate::text::truncate(&sanitize(&o.title), 50).into_owned()
}

fn link(o: &Offer) -> String {
    o.link()
        .or_else(|| o.picture_link())
        .map(|l| sanitize(&l))
        .unwrap_or_default()
}

fn table(r: &WatchReport, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}: {}", name(r), summary(r))?;
    for (i, ch) in r.changes.iter().enumerate() {
        let (label, what) = describe(ch);
        let landed = r
            .landed_text(i)
            .map(|l| format!("  {l}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {label:<8} {what:<32} {}  {}{landed}",
            title(&ch.offer),
            link(&ch.offer)
        )?;
    }
    Ok(())
}

/// A Markdown table cell: pipes, backslashes and markup characters escaped.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn markdown(r: &WatchReport, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "\n## {}\n\n{}", cell(&name(r)), cell(&summary(r)))?;
    if r.changes.is_empty() {
        return Ok(());
    }
    if r.landed.is_some() {
        writeln!(
            out,
            "\n| change | price | landed | offer | link |\n|---|---|---|---|---|"
        )?;
    } else {
        writeln!(
            out,
            "\n| change | price | offer | link |\n|---|---|---|---|"
        )?;
    }
    for (i, ch) in r.changes.iter().enumerate() {
        let (label, what) = describe(ch);
        let what = match r.landed_text(i) {
            Some(landed) => format!("{} | {}", cell(&what), cell(&landed)),
            None if r.landed.is_some() => format!("{} | ", cell(&what)),
            None => cell(&what),
        };
        let link = link(&ch.offer);
        let link = if link.is_empty() {
            String::new()
        } else {
            format!("<{}>", link.replace(['<', '>', ' '], ""))
        };
        writeln!(
            out,
            "| {label} | {what} | {} | {link} |",
            cell(&title(&ch.offer))
        )?;
    }
    Ok(())
}

fn json(r: &WatchReport) -> serde_json::Value {
    let (status, reason, offers) = match &r.outcome {
        Outcome::Baseline { offers } => ("first-run", None, Some(*offers)),
        Outcome::Compared { offers } if r.counts().any() => ("changed", None, Some(*offers)),
        Outcome::Compared { offers } => ("unchanged", None, Some(*offers)),
        Outcome::Failed { reason } => ("failed", Some(sanitize(reason)), None),
        Outcome::Busy => ("busy", None, None),
        Outcome::Skipped { reason } => ("skipped", Some(sanitize(reason)), None),
    };
    let changes: Vec<_> = r
        .changes
        .iter()
        .enumerate()
        .map(|(i, ch)| {
            let mut v = serde_json::to_value(ch.change).unwrap_or_default();
            if let Some(map) = v.as_object_mut() {
                if let Some(cost) = r.landed.as_ref().and_then(|l| l.costs.get(i)) {
                    map.insert("landed_cost".into(), sanitize(cost).into());
                }
                let o = &ch.offer;
                map.insert(
                    "offer_id".into(),
                    o.offer_id.as_deref().map(sanitize).into(),
                );
                map.insert("title".into(), sanitize(&o.title).into());
                map.insert("price_fen".into(), o.price.map(|p| p.fen()).into());
                map.insert("link".into(), o.link().map(|l| sanitize(&l)).into());
            }
            v
        })
        .collect();
    serde_json::json!({
        "id": r.id,
        "source": sanitize(&r.source),
        "search_id": r.search,
        "status": status,
        "reason": reason,
        "offers": offers,
        "counts": r.counts(),
        "landed": r.landed.as_ref().map(|l| serde_json::json!({
            "lane": sanitize(&l.lane),
            "qty": l.qty,
        })),
        "changes": changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(id: &str, title: &str, fen: u64) -> Offer {
        Offer {
            offer_id: Some(id.into()),
            title: title.into(),
            price: Some(Price(fen)),
            ..Offer::default()
        }
    }

    fn report() -> WatchReport {
        WatchReport {
            id: 3,
            source: "/photos/mug.jpg".into(),
            search: Some(17),
            outcome: Outcome::Compared { offers: 20 },
            changes: vec![
                Changed {
                    change: OfferChange::Cheaper {
                        was_fen: 1000,
                        now_fen: 900,
                    },
                    offer: offer("11", "mug | blue\u{1b}[31m", 900),
                },
                Changed {
                    change: OfferChange::New,
                    offer: offer("12", "new mug", 500),
                },
            ],
            landed: None,
        }
    }

    fn text(style: DigestStyle, reports: &[WatchReport]) -> String {
        let mut out = Vec::new();
        write_digest(style, reports, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_table_says_counts_and_each_change_sanitised() {
        let t = text(DigestStyle::Table, &[report()]);
        assert!(
            t.starts_with("watch 3 · mug.jpg: 1 new, 0 gone, 1 cheaper"),
            "{t}"
        );
        assert!(t.contains("¥10.00 → ¥9.00 (−10.0 %)"), "{t}");
        assert!(t.contains("https://detail.1688.com/offer/11.html"), "{t}");
        assert!(!t.contains('\u{1b}'), "{t}");
    }

    #[test]
    fn markdown_escapes_cells() {
        let t = text(DigestStyle::Markdown, &[report()]);
        assert!(
            t.contains("| cheaper | ¥10.00 → ¥9.00 (−10.0 %) | mug \\| blue"),
            "{t}"
        );
        assert!(t.contains("<https://detail.1688.com/offer/12.html>"), "{t}");
    }

    #[test]
    fn json_carries_status_counts_and_changes() {
        let failed = WatchReport {
            id: 4,
            source: "x".into(),
            search: None,
            outcome: Outcome::Failed {
                reason: "page 2 failed".into(),
            },
            changes: Vec::new(),
            landed: None,
        };
        let v: serde_json::Value =
            serde_json::from_str(&text(DigestStyle::Json, &[report(), failed])).unwrap();
        assert_eq!(v["changed"], true);
        assert_eq!(v["watches"][0]["status"], "changed");
        assert_eq!(v["watches"][0]["counts"]["cheaper"], 1);
        assert_eq!(v["watches"][0]["changes"][0]["change"], "cheaper");
        assert_eq!(v["watches"][0]["changes"][0]["was_fen"], 1000);
        assert_eq!(v["watches"][1]["status"], "failed");
        assert_eq!(v["watches"][1]["reason"], "page 2 failed");
    }

    #[test]
    fn a_watch_with_a_lane_says_each_change_s_landed_cost() {
        let mut r = report();
        r.landed = Some(Landed {
            lane: "air".into(),
            qty: 500,
            costs: vec!["15.94".into(), "? no weight\u{1b}[2J".into()],
        });
        let t = text(DigestStyle::Table, std::slice::from_ref(&r));
        assert!(t.contains("landed ¥15.94/pc @500 by air"), "{t}");
        assert!(t.contains("landed ? no weight"), "{t}");
        assert!(!t.contains('\u{1b}'), "{t}");
        let m = text(DigestStyle::Markdown, std::slice::from_ref(&r));
        assert!(
            m.contains("| change | price | landed | offer | link |"),
            "{m}"
        );
        assert!(m.contains("landed ¥15.94/pc @500 by air"), "{m}");
        let v: serde_json::Value = serde_json::from_str(&text(DigestStyle::Json, &[r])).unwrap();
        assert_eq!(v["watches"][0]["landed"]["qty"], 500);
        assert_eq!(v["watches"][0]["changes"][0]["landed_cost"], "15.94");
    }
}

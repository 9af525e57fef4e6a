//! The matcher's evaluation (issue 26): `cargo bench -p tusou-same --bench eval`.
//!
//! Two sets: the simulator's catalog pictures and the photographs in
//! `photos/`. Each picture is re-listed with every transform of
//! `tusou_sim::relist` (several seeds); a pair is (original, re-listing).
//! Positives: a re-listing against its own original. Negatives: against
//! every other original, look-alikes (same shape, colours and layout,
//! another print; or the other half of the same photo) counted apart.
//! A merge is `might_match && compare(..).same`, as the app groups.

use std::path::Path;
use std::time::Instant;

use image::RgbImage;
use tusou_same::{Signature, compare, might_match};
use tusou_sim::artwork::render_jpeg;
use tusou_sim::relist::{Transform, catalog_arts, lookalike, relist};

#[derive(Default, Clone, Copy)]
struct Tally {
    pos: u32,
    tp: u32,
    shortlist_miss: u32,
    neg: u32,
    fp: u32,
    look: u32,
    look_fp: u32,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.pos += o.pos;
        self.tp += o.tp;
        self.shortlist_miss += o.shortlist_miss;
        self.neg += o.neg;
        self.fp += o.fp;
        self.look += o.look;
        self.look_fp += o.look_fp;
    }
    fn precision(&self) -> f64 {
        let m = self.tp + self.fp;
        if m == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(m)
        }
    }
    fn recall(&self) -> f64 {
        f64::from(self.tp) / f64::from(self.pos.max(1))
    }
}

struct Timing {
    sig_us: Vec<f64>,
    cmp_ns_total: f64,
    cmp_n: u64,
    bytes_max: usize,
    bytes_sum: usize,
    n_sig: usize,
}

impl Timing {
    fn sig(&mut self, img: &RgbImage) -> Option<Signature> {
        let t = Instant::now();
        let s = Signature::of_image(img);
        self.sig_us.push(t.elapsed().as_secs_f64() * 1e6);
        if let Some(s) = &s {
            self.bytes_max = self.bytes_max.max(s.heap_bytes());
            self.bytes_sum += s.heap_bytes();
            self.n_sig += 1;
        }
        s
    }
    fn merged(&mut self, a: &Signature, b: &Signature) -> (bool, bool) {
        let gate = might_match(a, b);
        let t = Instant::now();
        let m = compare(a, b);
        self.cmp_ns_total += t.elapsed().as_secs_f64() * 1e9;
        self.cmp_n += 1;
        (gate && m.same, m.same && !gate)
    }
}

/// One set: originals, each with an optional look-alike partner index.
fn run_set(name: &str, originals: &[RgbImage], partner: &[Option<usize>], seeds: u64) {
    let mut timing = Timing {
        sig_us: Vec::new(),
        cmp_ns_total: 0.0,
        cmp_n: 0,
        bytes_max: 0,
        bytes_sum: 0,
        n_sig: 0,
    };
    let sigs: Vec<Option<Signature>> = originals.iter().map(|o| timing.sig(o)).collect();
    let none = sigs.iter().filter(|s| s.is_none()).count();
    let mut total = Tally::default();
    println!(
        "\n### {name}: {} originals, {seeds} seeds per transform",
        originals.len()
    );
    if none > 0 {
        println!("({none} originals gave no signature)");
    }
    println!(
        "\n| transform | positive pairs | true merges | negative pairs | false merges | look-alike pairs | look-alike false merges | precision | recall |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for t in Transform::ALL {
        let mut tally = Tally::default();
        for (i, orig) in originals.iter().enumerate() {
            for seed in 0..seeds {
                let r = relist(orig, t, seed * 7919 + i as u64);
                let rs = timing.sig(&r);
                tally.pos += 1;
                let Some(rs) = rs else { continue };
                for (j, sj) in sigs.iter().enumerate() {
                    let Some(sj) = sj else {
                        if j != i {
                            tally.neg += 1;
                        }
                        continue;
                    };
                    let (merged, missed_by_gate) = timing.merged(sj, &rs);
                    if diag() && (j == i || partner[i] == Some(j) || merged) {
                        let e = tusou_same::evidence(sj, &rs);
                        let e2 = tusou_same::evidence(&rs, sj);
                        println!(
                            "DIAG {} {} {:?} inl {} {} cov {:.2} col {:.1} tex {:.3} tail {:.1} | {} {:.2} {:.1} {:.3} {:.1} kp {} {} blur {:.2} box {:?} {:?}",
                            if j == i {
                                "POS"
                            } else if partner[i] == Some(j) {
                                "LOOK"
                            } else {
                                "OTHER"
                            },
                            merged,
                            t,
                            e.inliers,
                            e.interior,
                            e.coverage,
                            e.colour,
                            e.texture,
                            e.tail,
                            e2.inliers,
                            e2.coverage,
                            e2.colour,
                            e2.texture,
                            e2.tail,
                            sj.keypoints(),
                            rs.keypoints(),
                            e.blur,
                            Signature::object_box(&originals[j]),
                            Signature::object_box(&r)
                        );
                    }
                    if j == i {
                        tally.tp += u32::from(merged);
                        tally.shortlist_miss += u32::from(missed_by_gate);
                    } else {
                        tally.neg += 1;
                        tally.fp += u32::from(merged);
                        if partner[i] == Some(j) {
                            tally.look += 1;
                            tally.look_fp += u32::from(merged);
                        }
                    }
                }
            }
        }
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.3} | {:.3} |",
            t.name(),
            tally.pos,
            tally.tp,
            tally.neg,
            tally.fp,
            tally.look,
            tally.look_fp,
            tally.precision(),
            tally.recall()
        );
        if tally.shortlist_miss > 0 {
            println!("(shortlist dropped {} positives)", tally.shortlist_miss);
        }
        total.add(&tally);
    }
    println!(
        "| **all** | {} | {} | {} | {} | {} | {} | **{:.3}** | **{:.3}** |",
        total.pos,
        total.tp,
        total.neg,
        total.fp,
        total.look,
        total.look_fp,
        total.precision(),
        total.recall()
    );
    let mut us = timing.sig_us.clone();
    us.sort_by(f64::total_cmp);
    let mean = us.iter().sum::<f64>() / us.len() as f64;
    let p99 = us[((us.len() as f64 * 0.99) as usize).min(us.len() - 1)];
    println!(
        "\nlook-alike false-merge rate: {:.4} ({} of {})",
        f64::from(total.look_fp) / f64::from(total.look.max(1)),
        total.look_fp,
        total.look
    );
    println!(
        "signature: {} pictures, mean {mean:.0} µs, p99 {p99:.0} µs; heap bytes mean {:.0}, max {}",
        us.len(),
        timing.bytes_sum as f64 / timing.n_sig.max(1) as f64,
        timing.bytes_max
    );
    println!(
        "compare: {} pairs, {:.2} µs per pair",
        timing.cmp_n,
        timing.cmp_ns_total / timing.cmp_n.max(1) as f64 / 1000.0
    );
    let valid: Vec<&Signature> = sigs.iter().flatten().collect();
    let t = Instant::now();
    let mut kept = 0u32;
    let mut n = 0u32;
    for _ in 0..20 {
        for a in &valid {
            for b in &valid {
                kept += u32::from(might_match(std::hint::black_box(a), b));
                n += 1;
            }
        }
    }
    println!(
        "might_match: {:.1} ns per pair, keeps {:.1} % of all pairs",
        t.elapsed().as_secs_f64() * 1e9 / f64::from(n.max(1)),
        100.0 * f64::from(kept) / f64::from(n.max(1))
    );
}

fn diag() -> bool {
    std::env::var_os("EVAL_DIAG").is_some()
}

fn decode(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes)
        .map(|d| d.to_rgb8())
        .unwrap_or_else(|e| panic!("decoding: {e}"))
}

fn main() {
    // Cargo runs benches with `--bench`; nothing else to parse.
    let started = Instant::now();

    // Set 1: the simulator's catalog, each with a look-alike of its own.
    let arts = catalog_arts(48, 2026);
    // Steady-state cost of one signature (a warm loop on one picture), at
    // the evaluation's size and at the app's (it decodes pictures to fit
    // 256 px before signing).
    for size in [320, 256] {
        let img = decode(&render_jpeg(&arts[0], size));
        let n = 300;
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(Signature::of_image(std::hint::black_box(&img)));
        }
        println!(
            "signature, warm loop on a {size}x{size} picture: {:.0} µs",
            t.elapsed().as_secs_f64() * 1e6 / f64::from(n)
        );
    }
    let mut originals = Vec::new();
    let mut partner = Vec::new();
    for (i, art) in arts.iter().enumerate() {
        let look = lookalike(art, i as u64);
        originals.push(decode(&render_jpeg(art, 320)));
        originals.push(decode(&render_jpeg(&look, 320)));
        partner.push(Some(2 * i + 1));
        partner.push(Some(2 * i));
    }
    if diag() {
        for (i, art) in arts.iter().enumerate() {
            let look = lookalike(art, i as u64);
            let (Some(a), Some(b)) = (
                Signature::of_image(&originals[2 * i]),
                Signature::of_image(&originals[2 * i + 1]),
            ) else {
                continue;
            };
            let e = tusou_same::evidence(&a, &b);
            println!(
                "ART {:?} {:?}/{:?} body {:?} acc {:?} kp {} {} -> {:?} same {}",
                art.shape,
                art.pattern,
                look.pattern,
                art.body,
                art.accent,
                a.keypoints(),
                b.keypoints(),
                e,
                compare(&a, &b).same
            );
        }
    }
    run_set(
        "Set 1, synthetic (simulator catalog + look-alikes)",
        &originals,
        &partner,
        2,
    );

    // Set 2: the photographs; `_a`/`_b` halves are look-alike pairs.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("photos");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jpg"))
        .collect();
    names.sort();
    let photos: Vec<RgbImage> = names
        .iter()
        .map(|n| decode(&std::fs::read(dir.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"))))
        .collect();
    let partner: Vec<Option<usize>> = names
        .iter()
        .map(|n| {
            let other = if let Some(s) = n.strip_suffix("_a.jpg") {
                format!("{s}_b.jpg")
            } else if let Some(s) = n.strip_suffix("_b.jpg") {
                format!("{s}_a.jpg")
            } else {
                return None;
            };
            names.iter().position(|m| *m == other)
        })
        .collect();
    run_set(
        "Set 2, photographs (crates/tusou-same/photos)",
        &photos,
        &partner,
        6,
    );
    println!(
        "\n(evaluation took {:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

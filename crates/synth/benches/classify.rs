//! `cargo bench -p vuonlen-synth --bench classify`: the classification engine alone, in memory,
//! on synthetic households (no parsing, no writing) — the engine's share of `vuonlen classify`.
//! Prints the median of several passes; the whole-command comparison with DuckDB is
//! `bench/run.sh` (docs/benchmarks.md).

use std::hint::black_box;
use std::time::Instant;
use vuonlen_core::{Standards, classify, explain_into};
use vuonlen_synth::{SynthConfig, generate};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let cfg = SynthConfig { households: n, seed: 11, ..SynthConfig::default() };
    let households: Vec<_> = generate(&cfg).expect("generator starts").map(|s| s.record.household).collect();
    let std = Standards::embedded().expect("standards load").get("2022-2025").expect("shipped standard");
    let members: usize = households.iter().map(|h| h.members.len()).sum();

    let mut classify_only = Vec::new();
    let mut with_explanation = Vec::new();
    let mut buf = String::new();
    for _ in 0..7 {
        let t = Instant::now();
        for h in &households {
            black_box(classify(&std, black_box(h), cfg.as_of).ok());
        }
        classify_only.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for h in &households {
            if let Ok(c) = classify(&std, h, cfg.as_of) {
                explain_into(&std, &c, &mut buf);
                black_box(&buf);
            }
        }
        with_explanation.push(t.elapsed().as_secs_f64());
    }
    let (a, b) = (median(classify_only), median(with_explanation));
    println!("{n} households, {members} members, 7 passes, medians:");
    println!("  classify             {:>8.1} ms  {:>6.0} ns/household", a * 1e3, a * 1e9 / n as f64);
    println!("  classify + explain   {:>8.1} ms  {:>6.0} ns/household", b * 1e3, b * 1e9 / n as f64);
}

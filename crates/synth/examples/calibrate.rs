//! Calibration report and speed measurement for `docs/synthetic-data.md`.
//!
//! ```text
//! cargo run --release -p vuonlen-synth --example calibrate -- [households] [seed] [province|-] [speed]
//! ```
//!
//! Pass 1 times the iterator alone (households are built and dropped); with `speed` the
//! program stops there (e.g. for a 30-million run under `/usr/bin/time -v`). Pass 2 classifies
//! every household with the real classifier, checks the invariant and prints the
//! achieved-vs-target tables in Markdown.

use std::time::Instant;
use vuonlen_core::codes::Sex;
use vuonlen_core::{BirthDate, Class, Standards, classify};
use vuonlen_synth::{
    MEAN_HOUSEHOLD_SIZE, MEAN_HOUSEHOLD_SIZE_POOR, MEAN_INCOME_2022, Region, STANDARD_ID, SynthConfig,
    calibration_targets, generate,
};

#[derive(Default, Clone)]
struct Tally {
    hh: u64,
    poor: u64,
    near: u64,
    middle: u64,
    em: u64,
    em_poor: u64,
    em_near: u64,
    urban: u64,
    persons: u64,
}

fn pct(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let households: u64 = args.first().map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let seed: u64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(2024);
    let province = args.get(2).filter(|p| p.as_str() != "-").cloned();
    let speed_only = args.get(3).is_some_and(|a| a == "speed");
    let cfg = SynthConfig { households, seed, province, ..SynthConfig::default() };

    // Pass 1: speed of the iterator alone.
    let t0 = Instant::now();
    let mut members = 0u64;
    for s in generate(&cfg)? {
        members += s.record.household.members.len() as u64;
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "Generated {households} households ({members} members) in {secs:.2} s: {:.0} households/s (seed {seed}).\n",
        households as f64 / secs
    );

    if speed_only {
        return Ok(());
    }

    // Pass 2: classify and tally.
    let std = Standards::embedded()?.get(STANDARD_ID)?;
    let mut by_region = vec![Tally::default(); 6];
    let mut count_hist = [[0u64; 13]; 4];
    let mut ind_poor = vec![0u64; std.indicators.len()];
    let mut ind_all = vec![0u64; std.indicators.len()];
    let (mut income_sum, mut income_persons) = (0f64, 0u64);
    let (mut score_hh, mut score_pnp, mut pnp) = (0u64, 0u64, 0u64);
    let (mut poor_persons, mut poor_hh) = (0u64, 0u64);
    let (mut year_only, mut no_id, mut all_members) = (0u64, 0u64, 0u64);
    let mut mismatches = 0u64;
    let mut female_heads = 0u64;
    for s in generate(&cfg)? {
        let hh = &s.record.household;
        let c = classify(&std, hh, cfg.as_of)?;
        if c.class != s.intended || c.deprived != s.deprived {
            mismatches += 1;
        }
        let t = &mut by_region[s.region.index()];
        let n = hh.members.len() as u64;
        t.hh += 1;
        t.persons += n;
        let em = c.subgroups.ethnic_minority;
        t.em += u64::from(em);
        t.urban += u64::from(hh.area == vuonlen_core::codes::Area::Urban);
        match c.class {
            Class::Poor => {
                t.poor += 1;
                t.em_poor += u64::from(em);
                poor_persons += n;
                poor_hh += 1;
            }
            Class::NearPoor => {
                t.near += 1;
                t.em_near += u64::from(em);
            }
            Class::Middle => t.middle += 1,
            Class::NotPoor => {}
        }
        let ci = Class::ALL.iter().position(|x| *x == c.class).unwrap_or(0);
        count_hist[ci][(c.deprived.len() as usize).min(12)] += 1;
        for j in c.deprived.iter() {
            ind_all[j] += 1;
            if c.class == Class::Poor {
                ind_poor[j] += 1;
            }
        }
        if let Some(v) = hh.income_per_capita {
            income_sum += v as f64 * n as f64;
            income_persons += n;
        }
        let is_pnp = matches!(c.class, Class::Poor | Class::NearPoor);
        pnp += u64::from(is_pnp);
        if hh.score_a.is_some() {
            score_hh += 1;
            score_pnp += u64::from(is_pnp);
        }
        female_heads += u64::from(hh.members[0].sex == Sex::Female);
        for (m, p) in s.record.members() {
            all_members += 1;
            year_only += u64::from(matches!(m.birth, BirthDate::Year(_)));
            no_id += u64::from(p.id_number.is_none());
        }
    }

    let t = calibration_targets();
    println!("Invariant (classifier = intended class and deprivation set): {mismatches} mismatches.\n");
    println!(
        "| Region | Households | Poor % (target) | Near-poor % (target) | Middle % (target) | EM heads % (target) | EM poor % (target) | Urban % |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut all = Tally::default();
    for r in Region::ALL {
        let x = &by_region[r.index()];
        let rt = t.region(r);
        println!(
            "| {} | {} | {:.2} ({:.2}) | {:.2} ({:.2}) | {:.2} ({:.2}) | {:.1} ({:.1}) | {:.2} ({:.2}) | {:.1} |",
            r.name_en(),
            x.hh,
            pct(x.poor, x.hh),
            100.0 * rt.poor_rate,
            pct(x.near, x.hh),
            100.0 * rt.near_poor_rate,
            pct(x.middle, x.hh),
            100.0 * rt.middle_rate,
            pct(x.em, x.hh),
            100.0 * rt.em_share,
            pct(x.em_poor, x.em),
            100.0 * rt.poor_rate_em,
            pct(x.urban, x.hh),
        );
        all.hh += x.hh;
        all.poor += x.poor;
        all.near += x.near;
        all.middle += x.middle;
        all.em += x.em;
        all.em_poor += x.em_poor;
        all.em_near += x.em_near;
        all.persons += x.persons;
        all.urban += x.urban;
    }
    println!(
        "| **National** | {} | {:.2} ({:.2}) | {:.2} ({:.2}) | {:.2} ({:.2}) | {:.1} ({:.1}) | {:.2} ({:.2}) | {:.1} |",
        all.hh,
        pct(all.poor, all.hh),
        100.0 * t.poor_rate(),
        pct(all.near, all.hh),
        100.0 * t.near_poor_rate(),
        pct(all.middle, all.hh),
        100.0 * t.middle_rate(),
        pct(all.em, all.hh),
        100.0 * t.em_share(),
        pct(all.em_poor, all.em),
        100.0 * t.em_poor_rate(),
        pct(all.urban, all.hh),
    );
    println!();
    println!("| Measure | Achieved | Target |");
    println!("|---|---:|---:|");
    println!(
        "| EM share of poor households | {:.1}% | {:.1}% |",
        pct(all.em_poor, all.poor),
        100.0 * t.em_share_of_poor()
    );
    println!("| EM near-poor rate | {:.2}% | {:.2}% |", pct(all.em_near, all.em), 100.0 * t.em_near_poor_rate());
    println!("| Mean household size | {:.3} | {MEAN_HOUSEHOLD_SIZE} |", all.persons as f64 / all.hh as f64);
    println!(
        "| Mean size of poor households | {:.3} | {MEAN_HOUSEHOLD_SIZE_POOR} |",
        poor_persons as f64 / poor_hh.max(1) as f64
    );
    println!(
        "| Mean income per person (households with income, person-weighted), VND/month | {:.0} | {MEAN_INCOME_2022:.0} |",
        income_sum / income_persons.max(1) as f64
    );
    println!("| Households assessed by score A | {:.1}% | ≈ 30% |", pct(score_hh, all.hh));
    println!("| … among poor and near-poor | {:.1}% | more than overall |", pct(score_pnp, pnp));
    println!("| Female heads | {:.1}% | — |", pct(female_heads, all.hh));
    println!("| Members with year-only birth dates | {:.1}% | ≈ 15% |", pct(year_only, all_members));
    println!("| Members without an ID number | {:.1}% | ≈ 10% |", pct(no_id, all_members));
    println!();
    println!("Deprivation count distribution (% of households of the class):\n");
    println!("| Class | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7+ | mean |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (ci, c) in Class::ALL.iter().enumerate() {
        let h = &count_hist[ci];
        let tot: u64 = h.iter().sum();
        let mean = h.iter().enumerate().map(|(k, v)| k as f64 * *v as f64).sum::<f64>() / tot.max(1) as f64;
        let seven: u64 = h[7..].iter().sum();
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} |",
            c.key(),
            pct(h[0], tot),
            pct(h[1], tot),
            pct(h[2], tot),
            pct(h[3], tot),
            pct(h[4], tot),
            pct(h[5], tot),
            pct(h[6], tot),
            pct(seven, tot),
            mean
        );
    }
    println!();
    println!("Indicator deprivation rates (% of poor households; % of all households):\n");
    println!("| Indicator | Poor | All |");
    println!("|---|---:|---:|");
    for (j, ind) in std.indicators.iter().enumerate() {
        println!("| {} | {:.1} | {:.1} |", ind.code, pct(ind_poor[j], all.poor), pct(ind_all[j], all.hh));
    }
    if mismatches > 0 {
        return Err(format!("{mismatches} households do not classify as intended").into());
    }
    Ok(())
}

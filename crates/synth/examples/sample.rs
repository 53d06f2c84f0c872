//! Prints a few generated households in a readable form.
//!
//! ```text
//! cargo run -p vuonlen-synth --example sample -- [households] [seed] [province]
//! ```

use vuonlen_core::codes::Relation;
use vuonlen_synth::{SynthConfig, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let households: u64 = args.first().map(|s| s.parse()).transpose()?.unwrap_or(5);
    let seed: u64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(1);
    let province = args.get(2).cloned();
    let cfg = SynthConfig { households, seed, province, ..SynthConfig::default() };
    for s in generate(&cfg)? {
        let r = &s.record;
        let h = &r.household;
        println!(
            "{} | {} | {} | {} | {:?} | income {:?} score_a {:?} | durable {} area {} m² | {} / {} | internet {} info {} | causes {:?}",
            r.household_code,
            s.region.name_vi(),
            r.address,
            s.intended.key(),
            h.area,
            h.income_per_capita,
            h.score_a,
            h.durable_structures,
            h.floor_area_m2,
            h.water_source,
            h.latrine,
            h.internet_user,
            h.info_devices,
            r.poverty_causes,
        );
        for (m, p) in r.members() {
            let age = m.birth.age_years(cfg.as_of);
            println!(
                "    {} {:<28} {:<10} {:?} {:>3}y {:?} {:<6} id {:<12} hi {} {:?} {:?} school {} on_track {:?} mal {:?} dis {:?} allowance {}",
                m.member_no,
                p.full_name,
                if m.relation == Relation::Head { "chủ hộ" } else { m.relation.label_vi() },
                m.sex,
                age,
                m.birth,
                p.ethnicity_name,
                p.id_number.as_deref().unwrap_or("-"),
                m.health_insurance,
                m.employment,
                m.education,
                m.in_school,
                m.school_on_track,
                m.malnourished,
                m.disability,
                m.social_allowance,
            );
        }
    }
    Ok(())
}

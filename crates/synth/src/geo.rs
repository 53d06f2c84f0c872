//! The 2025 communes with their region, and the allocation of households to them.

use crate::calibration::{WARD_WEIGHT, calibration_targets};
use crate::region::Region;
use std::collections::HashMap;
use std::sync::OnceLock;
use vuonlen_core::units::AdminUnits;

/// One 2025 commune-level unit, as the generator sees it.
#[derive(Debug, Clone)]
pub(crate) struct Commune {
    pub code: &'static str,
    pub code_num: u32,
    /// Name with its type prefix, e.g. `Xã Cam Tuyền`.
    pub name: &'static str,
    pub province_code: &'static str,
    /// Province for addresses, e.g. `tỉnh Cao Bằng`, `Thành phố Hà Nội`.
    pub province_label: String,
    pub urban: bool,
    pub region: Region,
    /// Old (2024) province code the commune mostly comes from: the birth province in ID
    /// numbers.
    pub old_province: &'static str,
    /// Position among the region's communes in code order (part of synthetic ID serials).
    pub region_slot: u16,
    /// Share of the region's households (ward weight / region weight).
    pub weight: f64,
    /// How a survey dated while the 2024 list was in force records the commune: one of these
    /// 2024 communes, each of which the registry places here (its first successor in the
    /// lineage). Empty when no 2024 commune is placed here: then [`Commune::fallback_2024`].
    pub old_codes: Vec<&'static str>,
    /// The code recorded in the 2024 era when `old_codes` is empty (a 2024 commune the lineage
    /// continues partly here, else the 2025 code), and the 2025 commune the registry places it
    /// in: another one, whose people must not be taken for this commune's.
    pub fallback_2024: (&'static str, &'static str),
    /// Other communes' households are placed in the same 2025 commune in the 2024 era.
    pub shares_placement_2024: bool,
}

impl Commune {
    /// The 2025 commune the registry places this commune's 2024-era households in.
    pub(crate) fn placement_2024(&self) -> &'static str {
        if self.old_codes.is_empty() { self.fallback_2024.1 } else { self.code }
    }
}

/// The 2025 commune the registry places a code recorded in the 2024 era in: through the first
/// successor (smallest code, as the registry orders official lineage rows) of a 2024 code, the
/// code itself when the lineage lacks it or when it is only a 2025 code.
fn placed_2024(u: &AdminUnits, code: &'static str) -> &'static str {
    if u.y2024.communes.contains_key(code) { u.successors(code).iter().min().copied().unwrap_or(code) } else { code }
}

/// All 2025 communes in code order, and per-region facts.
#[derive(Debug)]
pub(crate) struct Geo {
    pub communes: Vec<Commune>,
    /// Share of each region's households that live in wards.
    pub urban_share: [f64; 6],
}

/// Majority value of a list, ties going to the value seen first.
fn majority<T: Copy + Eq>(xs: &[T]) -> Option<T> {
    let mut best: Option<(T, usize)> = None;
    for (i, x) in xs.iter().enumerate() {
        if xs[..i].contains(x) {
            continue;
        }
        let n = xs.iter().filter(|y| *y == x).count();
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((*x, n));
        }
    }
    best.map(|b| b.0)
}

pub(crate) fn geo() -> &'static Geo {
    static G: OnceLock<Geo> = OnceLock::new();
    G.get_or_init(build)
}

fn build() -> Geo {
    let u = AdminUnits::get();
    // Reverse lineage: 2025 commune → the (region, old province) of each old commune, in old
    // code order.
    let mut old_codes: Vec<&'static str> = u.y2024.communes.keys().copied().collect();
    old_codes.sort_unstable();
    let mut sources: HashMap<&'static str, Vec<(Region, &'static str)>> = HashMap::new();
    for old in old_codes {
        let Some(p) = u.y2024.province_of_commune(old) else { continue };
        let region = Region::of_old_province(p.code).expect("every 2024 province is in a region table");
        for new in u.successors(old) {
            sources.entry(new).or_default().push((region, p.code));
        }
    }

    // The 2024 communes placed in each 2025 commune (first successor), and those continued
    // partly in it, in old code order.
    let mut first_successor_of: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
    let mut part_of: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
    let mut olds: Vec<&'static str> = u.y2024.communes.keys().copied().collect();
    olds.sort_unstable();
    for old in olds {
        if let Some(first) = u.successors(old).iter().min() {
            first_successor_of.entry(first).or_default().push(old);
        }
        for new in u.successors(old) {
            part_of.entry(new).or_default().push(old);
        }
    }

    let mut codes: Vec<&'static str> = u.y2025.communes.keys().copied().collect();
    codes.sort_unstable();
    // Per 2025 province: majority region and old province over communes with a lineage.
    let mut by_province: HashMap<&'static str, (Vec<Region>, Vec<&'static str>)> = HashMap::new();
    for code in &codes {
        let Some(p) = u.y2025.province_of_commune(code) else { continue };
        if let Some(src) = sources.get(code) {
            let e = by_province.entry(p.code).or_default();
            e.0.extend(majority(&src.iter().map(|s| s.0).collect::<Vec<_>>()));
            e.1.extend(majority(&src.iter().map(|s| s.1).collect::<Vec<_>>()));
        }
    }

    let mut communes = Vec::with_capacity(codes.len());
    for code in codes {
        let c = &u.y2025.communes[code];
        let p = u.y2025.province_of_commune(code).expect("every 2025 commune has a province");
        let (region, old_province) = match sources.get(code) {
            Some(src) => (
                majority(&src.iter().map(|s| s.0).collect::<Vec<_>>()),
                majority(&src.iter().map(|s| s.1).collect::<Vec<_>>()),
            ),
            None => match by_province.get(p.code) {
                Some((rs, ps)) => (majority(rs), majority(ps)),
                None => (None, None),
            },
        };
        // Last resort: 2025 province codes are old province codes.
        let region =
            region.or_else(|| Region::of_old_province(p.code)).expect("2025 province codes are 2024 province codes");
        let old_province = old_province.unwrap_or(p.code);
        let province_label =
            if p.division_type == "tỉnh" { format!("tỉnh {}", p.name) } else { p.name.to_string() };
        let old_codes: Vec<&'static str> = first_successor_of.remove(code).unwrap_or_default();
        let fallback_2024 = if old_codes.is_empty() {
            let recorded = part_of.get(code).and_then(|olds| olds.first().copied()).unwrap_or(code);
            (recorded, placed_2024(u, recorded))
        } else {
            (code, code)
        };
        communes.push(Commune {
            old_codes,
            fallback_2024,
            shares_placement_2024: false,
            code,
            code_num: code.parse().expect("commune codes are numeric"),
            name: c.name,
            province_code: p.code,
            province_label,
            urban: c.is_urban(),
            region,
            old_province,
            region_slot: 0,
            weight: 0.0,
        });
    }
    let mut placed: HashMap<&'static str, u32> = HashMap::new();
    for c in &communes {
        *placed.entry(c.placement_2024()).or_default() += 1;
    }
    for c in &mut communes {
        c.shares_placement_2024 = placed.get(c.placement_2024()).is_some_and(|n| *n > 1);
    }
    let mut slots = [0u16; 6];
    for c in &mut communes {
        c.region_slot = slots[c.region.index()];
        slots[c.region.index()] += 1;
    }

    let mut raw = [0.0; 6];
    let mut urban = [0.0; 6];
    for c in &communes {
        let w = if c.urban { WARD_WEIGHT } else { 1.0 };
        raw[c.region.index()] += w;
        if c.urban {
            urban[c.region.index()] += w;
        }
    }
    let t = calibration_targets();
    for c in &mut communes {
        let i = c.region.index();
        let w = if c.urban { WARD_WEIGHT } else { 1.0 };
        c.weight = t.regions[i].households * w / raw[i];
    }
    let urban_share = std::array::from_fn(|i| if raw[i] > 0.0 { urban[i] / raw[i] } else { 0.0 });
    Geo { communes, urban_share }
}

/// Splits `n` in proportion to `weights` by the largest-remainder method (ties to the lower
/// index). The parts sum to `n` exactly.
fn largest_remainder(n: u64, weights: &[f64]) -> Vec<u64> {
    let total: f64 = weights.iter().sum();
    if weights.is_empty() || total <= 0.0 {
        return vec![0; weights.len()];
    }
    let mut out = Vec::with_capacity(weights.len());
    let mut fracs = Vec::with_capacity(weights.len());
    for (k, w) in weights.iter().enumerate() {
        let q = n as f64 * w / total;
        let f = q.floor();
        out.push(f as u64);
        fracs.push((q - f, k));
    }
    let assigned: u64 = out.iter().sum();
    let rest = n.saturating_sub(assigned);
    fracs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let len = fracs.len() as u64;
    // `rest` is below the number of parts; a float shortfall beyond that goes round again.
    for j in 0..rest {
        out[fracs[(j % len) as usize].1] += 1;
    }
    out
}

/// Spreads `n` households over the selected communes: first over regions in proportion to
/// their weight among the selected communes, then within each region over its communes
/// (wards weighted [`WARD_WEIGHT`]), both by the largest-remainder method. Returns
/// (commune index, count) for every selected commune, in code order.
pub(crate) fn allocate(geo: &Geo, n: u64, province: Option<&str>) -> Vec<(usize, u64)> {
    let selected: Vec<usize> =
        (0..geo.communes.len()).filter(|&i| province.is_none_or(|p| geo.communes[i].province_code == p)).collect();
    let mut region_weight = [0.0; 6];
    for &i in &selected {
        region_weight[geo.communes[i].region.index()] += geo.communes[i].weight;
    }
    let per_region = largest_remainder(n, &region_weight);
    let mut out: Vec<(usize, u64)> = selected.iter().map(|&i| (i, 0)).collect();
    for (r, &count) in per_region.iter().enumerate() {
        let members: Vec<usize> = (0..out.len()).filter(|&k| geo.communes[out[k].0].region.index() == r).collect();
        let weights: Vec<f64> = members.iter().map(|&k| geo.communes[out[k].0].weight).collect();
        for (k, c) in members.into_iter().zip(largest_remainder(count, &weights)) {
            out[k].1 = c;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_2025_commune_has_a_region() {
        let g = geo();
        assert_eq!(g.communes.len(), 3_321);
        assert!(g.communes.windows(2).all(|w| w[0].code < w[1].code));
        for r in Region::ALL {
            assert!(g.communes.iter().any(|c| c.region == r), "{r:?}");
        }
        // Hà Nội wards are in the Red River Delta, Cao Bằng communes in the north.
        assert!(g.communes.iter().filter(|c| c.province_code == "01").all(|c| c.region == Region::RedRiverDelta));
        assert!(
            g.communes
                .iter()
                .filter(|c| c.province_code == "04")
                .all(|c| c.region == Region::NorthernMidlandsMountains)
        );
        assert!(g.communes.iter().all(|c| c.old_province.len() == 2));
        assert!(g.urban_share.iter().all(|&u| u > 0.0 && u < 1.0));
    }

    #[test]
    fn id_serials_cannot_collide() {
        // Birth provinces of synthetic ID numbers are the commune's old province or another
        // province of its region; serials start with the commune's slot in the region.
        for c in &geo().communes {
            assert_eq!(Region::of_old_province(c.old_province), Some(c.region), "{}", c.code);
            assert!(c.region_slot < 1000, "{} has slot {}", c.code, c.region_slot);
        }
    }

    #[test]
    fn allocation_is_exact() {
        let g = geo();
        for n in [0, 1, 7, 3_320, 3_321, 100_000, 1_234_567] {
            let a = allocate(g, n, None);
            assert_eq!(a.iter().map(|x| x.1).sum::<u64>(), n);
        }
        let a = allocate(g, 10_000, Some("14"));
        assert_eq!(a.iter().map(|x| x.1).sum::<u64>(), 10_000);
        assert!(a.iter().all(|x| g.communes[x.0].province_code == "14"));
        assert!(allocate(g, 10, Some("99")).is_empty());
    }
}

//! The choropleth of provinces (*bản đồ tỷ lệ hộ nghèo*), drawn by the server as SVG: the
//! outlines of the 2024 provinces (`data/maps/provinces-2024.json`, from `@svg-maps/vietnam`,
//! CC BY 4.0, attribution printed under the map) filled by the value of the 2025 province each
//! merged into, so a 2025 province shows as the union of its 2024 ones. No script, no CDN.

use crate::i18n::Lang;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
struct Shape {
    code_2025: String,
    name: String,
    path: String,
}

#[derive(Debug, Deserialize)]
struct Shapes {
    attribution: String,
    #[serde(rename = "viewBox")]
    view_box: String,
    provinces: Vec<Shape>,
}

const SHIPPED: &str = include_str!("../../../data/maps/provinces-2024.json");

/// The shipped outlines (parsed once; a test checks they parse and cover the 34 provinces).
fn shapes() -> Option<&'static Shapes> {
    static S: OnceLock<Option<Shapes>> = OnceLock::new();
    S.get_or_init(|| serde_json::from_str(SHIPPED).ok()).as_ref()
}

/// One outline on the map.
#[derive(Debug, Clone)]
pub struct Area {
    pub path: &'static str,
    /// `c0`…`c4` by the value's class, `nodata` without one.
    pub class: &'static str,
    pub title: String,
    /// Drawn with a heavy outline (off track).
    pub flagged: bool,
}

/// A map ready for the template.
#[derive(Debug, Clone, Default)]
pub struct Choropleth {
    pub view_box: &'static str,
    pub areas: Vec<Area>,
    /// (class, label) of each colour.
    pub legend: Vec<(&'static str, String)>,
    pub attribution: &'static str,
}

/// The poor rate's classes (%): under 1, 1–3, 3–5, 5–10, 10 and over.
const BREAKS: [f64; 4] = [1.0, 3.0, 5.0, 10.0];
const CLASSES: [&str; 5] = ["c0", "c1", "c2", "c3", "c4"];

fn class_of(v: f64) -> &'static str {
    CLASSES[BREAKS.iter().take_while(|b| v >= **b).count()]
}

/// The poor rate of each 2025 province (`rates`, by code), those `flagged` outlined, named by
/// `names` (2025 codes). `None` when the shipped outlines cannot be read.
pub fn poor_rate_map(
    rates: &HashMap<String, f64>,
    flagged: &HashSet<String>,
    names: &HashMap<String, String>,
    lang: Lang,
) -> Option<Choropleth> {
    let s = shapes()?;
    let pct = |v: f64| format!("{} %", vuonlen_core::text::format_decimal(v, 2));
    let areas = s
        .provinces
        .iter()
        .map(|p| {
            let value = rates.get(&p.code_2025).copied();
            let name = names.get(&p.code_2025).cloned().unwrap_or_else(|| p.code_2025.clone());
            Area {
                path: p.path.as_str(),
                class: value.map_or("nodata", class_of),
                title: format!(
                    "{name} ({} {}): {}",
                    lang.s("gồm", "incl."),
                    p.name,
                    value.map_or_else(|| lang.s("chưa có số liệu", "no figures").to_string(), pct)
                ),
                flagged: flagged.contains(&p.code_2025),
            }
        })
        .collect();
    let mut legend = vec![(CLASSES[0], format!("< {}", pct(BREAKS[0])))];
    for (i, w) in BREAKS.windows(2).enumerate() {
        legend.push((CLASSES[i + 1], format!("{} – {}", pct(w[0]), pct(w[1]))));
    }
    legend.push((CLASSES[4], format!("≥ {}", pct(BREAKS[3]))));
    legend.push(("nodata", lang.s("Chưa có số liệu", "No figures").to_string()));
    Some(Choropleth { view_box: s.view_box.as_str(), areas, legend, attribution: s.attribution.as_str() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_outlines_cover_every_2025_province() {
        let s = shapes().expect("the shipped map parses");
        let codes: HashSet<&str> = s.provinces.iter().map(|p| p.code_2025.as_str()).collect();
        let list = &vuonlen_core::units::AdminUnits::get().y2025;
        assert_eq!(codes.len(), list.provinces.len(), "34 provinces");
        assert!(list.provinces.iter().all(|p| codes.contains(p.code)), "every 2025 province has an outline");
    }

    #[test]
    fn rates_fall_in_their_class_and_missing_ones_say_so() {
        assert_eq!((class_of(0.5), class_of(1.0), class_of(4.99), class_of(12.0)), ("c0", "c1", "c2", "c4"));
        let rates: HashMap<String, f64> = [("14".to_string(), 7.5)].into_iter().collect();
        let flagged: HashSet<String> = ["14".to_string()].into_iter().collect();
        let m = poor_rate_map(&rates, &flagged, &HashMap::new(), Lang::Vi).expect("map");
        let son_la: Vec<&Area> = m.areas.iter().filter(|a| a.title.starts_with("14 ")).collect();
        assert_eq!(son_la.len(), 1);
        assert_eq!((son_la[0].class, son_la[0].flagged), ("c3", true));
        assert!(m.areas.iter().filter(|a| !a.title.starts_with("14 ")).all(|a| a.class == "nodata"));
        assert!(m.attribution.contains("CC BY 4.0"));
    }
}

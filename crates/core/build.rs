//! Embeds every file under `standards/` into the binary, so that adding a standard is adding a
//! file: no Rust code lists them.
use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dir = manifest.join("../../standards");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("standards/ directory next to the workspace root")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Standard and law-data files shipped in `standards/`, as (file name, contents).\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let canon = f.canonicalize().expect("readable standard file");
        let name = f.file_name().and_then(|n| n.to_str()).expect("UTF-8 file name");
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", canon.display().to_string()));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_standards.rs");
    fs::write(dest, out).expect("write generated file");
}

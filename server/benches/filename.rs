//! File-name parser benchmark: parses every name of the labelled corpus
//! (`tests/data/filenames.tsv`) many times and prints names per second. `cargo bench --bench
//! filename` runs the full size; under `cargo test` (no `--bench` flag) a small smoke version.

use longbox::comic::filename::parse;
use std::hint::black_box;
use std::time::Instant;

fn corpus() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/filenames.tsv");
    let text = std::fs::read_to_string(path).expect("read the corpus");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("name\t") && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .map(str::to_string)
        .collect()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let rounds = if full { 500 } else { 3 };
    let names = corpus();
    // Warm up caches and the allocator before timing.
    for name in &names {
        black_box(parse(black_box(name)));
    }
    let start = Instant::now();
    let mut issues = 0usize;
    for _ in 0..rounds {
        for name in &names {
            issues += usize::from(black_box(parse(black_box(name))).issue.is_some());
        }
    }
    let elapsed = start.elapsed();
    let parsed = names.len() * rounds;
    println!(
        "| parse ({} names x {rounds}) | {:.0} ms | {:.0} names/s | {:.2} µs/name | {issues} issues |",
        names.len(),
        elapsed.as_secs_f64() * 1e3,
        parsed as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / parsed as f64,
    );
}

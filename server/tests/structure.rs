//! The shape of the code, as a test: rules of the house that a reviewer would otherwise check
//! by hand (one admission function, one place for API paths, arrows one way).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its module path (`library/store.rs` → `library::store`).
fn modules(dir: &Path) -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let rel = file.strip_prefix(dir).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            (parts.join("::"), std::fs::read_to_string(&file).unwrap())
        })
        .collect()
}

fn src(krate: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("src")
}

/// Module paths the source of `module` refers to through `crate::` or `super::` (each resolved
/// to the longest known module prefix).
fn references(module: &str, source: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
    let mut out = BTreeSet::new();
    for (anchor, base) in [("crate::", String::new()), ("super::", parent.to_string())] {
        for (i, _) in source.match_indices(anchor) {
            // `$crate::` in macros and names merely ending in `crate` are not module paths.
            if source[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let rest = &source[i + anchor.len()..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut segments: Vec<&str> = base.split("::").filter(|s| !s.is_empty()).collect();
            segments.extend(path.split("::").filter(|s| !s.is_empty()));
            for n in (1..=segments.len()).rev() {
                let candidate = segments[..n].join("::");
                if known.contains(&candidate) {
                    out.insert(candidate);
                    break;
                }
            }
        }
    }
    out
}

/// Module-level import cycles among files that are not ancestor and descendant (a parent
/// declaring its children is not an arrow back).
fn cycles(krate: &str) -> Vec<Vec<String>> {
    let modules = modules(&src(krate));
    let known: BTreeSet<String> = modules.iter().map(|(m, _)| m.clone()).collect();
    let related = |a: &str, b: &str| {
        a.is_empty()
            || b.is_empty()
            || a == b
            || b.starts_with(&format!("{a}::"))
            || a.starts_with(&format!("{b}::"))
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, source) in &modules {
        let targets = references(module, source, &known)
            .into_iter()
            .filter(|t| !related(module, t))
            .collect();
        edges.insert(module.clone(), targets);
    }
    // A cycle exists iff some module reaches itself.
    let mut found = Vec::new();
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let mut cycle = trail.clone();
                    cycle.push(next.clone());
                    found.push(cycle);
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    found
}

#[test]
fn there_is_exactly_one_admission_function() {
    let hits: Vec<String> = modules(&src("server"))
        .into_iter()
        .filter(|(_, source)| source.contains("fn admit("))
        .map(|(module, source)| format!("{module} ×{}", source.matches("fn admit(").count()))
        .collect();
    assert_eq!(hits, vec!["auth::admit ×1".to_string()]);
}

#[test]
fn api_paths_are_written_only_in_app_api_paths() {
    let mut offenders = Vec::new();
    for krate in ["server", "app"] {
        for (module, source) in modules(&src(krate)) {
            // The load generator is a client of its own and keeps its literal paths.
            if module == "api::paths" || module.starts_with("bin::") {
                continue;
            }
            if source.contains("\"/api/") || source.contains("\"/api\"") {
                offenders.push(format!("{krate}: {module}"));
            }
        }
    }
    assert!(offenders.is_empty(), "API path literals in {offenders:?}");
}

#[test]
fn the_listener_does_not_import_what_builds_it() {
    for (module, source) in modules(&src("server")) {
        if module == "listener" || module.starts_with("listener::") {
            for builder in [
                "crate::AppState",
                "crate::server",
                "crate::http",
                "crate::Config",
            ] {
                assert!(!source.contains(builder), "{module} uses {builder}");
            }
        }
    }
}

#[test]
fn no_module_import_cycles() {
    for krate in ["server", "app"] {
        let found = cycles(krate);
        assert!(found.is_empty(), "{krate}: import cycles {found:#?}");
    }
}

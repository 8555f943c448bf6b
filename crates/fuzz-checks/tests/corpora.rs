//! Replays every checked-in fuzz corpus file (`fuzz/corpus/<target>/`) through its target's check on stable
//! Rust, so a regression on an input the fuzzer once found is caught by an ordinary `cargo test`.

use std::path::PathBuf;

#[test]
fn every_corpus_file_passes_its_targets_checks() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for (name, check) in presently_fuzz_checks::TARGETS {
        let dir = root.join(name);
        let files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.map(|e| e.path()).unwrap_or_else(|e| panic!("{e}")))
            .filter(|p| p.is_file())
            .collect();
        assert!(!files.is_empty(), "{name}: no corpus in {}", dir.display());
        let mut parsed = 0;
        for file in &files {
            let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            parsed += usize::from(check(&data));
        }
        assert!(
            parsed > 0,
            "{name}: no corpus file parses, so the round trip is never checked"
        );
        eprintln!("{name}: {} corpus files replayed, {parsed} parsed", files.len());
    }
}

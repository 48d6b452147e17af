//! What the benchmarks share: a library of generated comics in a temporary folder, and the
//! event hub and scanned [`Library`] over it.

use longbox::hub::{EventHub, HubConfig};
use longbox::library::Library;
use std::path::PathBuf;
use std::sync::Arc;

/// A library folder and a data folder, removed with the value.
pub struct BenchLibrary {
    /// Keeps the folders alive.
    _tmp: tempfile::TempDir,
    /// The library root, canonical.
    pub root: PathBuf,
    /// The data folder.
    pub data: PathBuf,
}

impl BenchLibrary {
    /// Writes `files` (names relative to `series`) into `series/` of a new library.
    pub fn write(series: &str, files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("library");
        let data = tmp.path().join("data");
        std::fs::create_dir_all(root.join(series)).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        let root = root.canonicalize().unwrap();
        for (name, bytes) in files {
            std::fs::write(root.join(series).join(name), bytes).unwrap();
        }
        Self {
            _tmp: tmp,
            root,
            data,
        }
    }

    /// The hub (sized so that no benchmark event is dropped) and the library, scanned.
    #[allow(dead_code)] // the hostile benchmark runs a whole server instead
    pub async fn open(&self) -> (Arc<EventHub>, Arc<Library>) {
        let hub = EventHub::new(HubConfig {
            history_size: 1024,
            client_queue: 100_000,
        });
        let library = Library::open(&self.root, &self.data, hub.clone()).unwrap();
        library.scan().await.unwrap();
        (hub, library)
    }
}

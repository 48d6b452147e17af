//! The file table: badges, multi-select, per-file actions and the details panel.

use crate::api::{paths, FileDetails, FilePage, FileRow};
use crate::client;
use leptos::prelude::*;
use std::collections::HashSet;

/// `1.2 MB`-style sizes, in integer arithmetic (no float printing code in the browser bundle).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut unit = 0;
    let mut scale = 1u64;
    while bytes / scale >= 1024 && unit < UNITS.len() - 1 {
        scale *= 1024;
        unit += 1;
    }
    if unit == 0 {
        return format!("{bytes} B");
    }
    // Tenths, rounded half up (u64 is enough below 1.8 EB).
    let tenths = (bytes.saturating_mul(10) + scale / 2) / scale;
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

/// `YYYY-MM-DD` of unix seconds (UTC).
pub fn date(secs: f64) -> String {
    let days = (secs / 86_400.0).floor() as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The table of one page. `on_action(action, paths)` starts a job.
#[component]
pub fn FileTable(
    page: RwSignal<Option<FilePage>>,
    selected: RwSignal<HashSet<String>>,
    group: RwSignal<bool>,
    grid: Signal<bool>,
    on_action: Callback<(&'static str, Vec<String>)>,
) -> impl IntoView {
    // The file whose details are shown.
    let details = RwSignal::new(None::<String>);
    let rows = move || page.with(|p| p.as_ref().map(|p| p.files.clone()).unwrap_or_default());
    let all_selected = move || {
        page.with(|p| {
            p.as_ref().is_some_and(|p| {
                !p.files.is_empty()
                    && selected.with(|s| p.files.iter().all(|f| s.contains(&f.path)))
            })
        })
    };
    // Rows with a folder heading before the first row of each folder (when grouping).
    let grouped = move || {
        let mut last = None::<String>;
        let rows: Vec<(Option<String>, FileRow)> = rows()
            .into_iter()
            .map(|f| {
                let heading = (group.get() && last.as_deref() != Some(f.folder.as_str()))
                    .then(|| f.folder.clone());
                last = Some(f.folder.clone());
                (heading, f)
            })
            .collect();
        rows
    };
    let toggle_all = move |_| {
        let paths: Vec<String> = rows().into_iter().map(|f| f.path).collect();
        let select = !all_selected();
        selected.update(|s| {
            for p in paths {
                if select {
                    s.insert(p);
                } else {
                    s.remove(&p);
                }
            }
        });
    };
    let show = move |path: String| details.set(Some(path));
    // One listener for every row (delegation): a row's buttons and checkbox say what they do in
    // `data-action`, and the row names its file in `data-path`.
    let on_row_event = move |ev: &leptos::ev::Event| {
        let Some((action, path)) = row_action(ev) else {
            return;
        };
        match action.as_str() {
            "select" => selected.update(|s| {
                if !s.remove(&path) {
                    s.insert(path);
                }
            }),
            "details" => show(path),
            "process" => on_action.run(("process", vec![path])),
            "rename" => on_action.run(("rename", vec![path])),
            "normalize" => on_action.run(("normalize", vec![path])),
            _ => {}
        }
    };
    view! {
        <div class="table-wrap" class:grid=grid>
            <table class="files">
                <thead>
                    <tr>
                        <th class="col-check">
                            <input type="checkbox" aria-label="Select all on this page"
                                prop:checked=all_selected on:change=toggle_all/>
                        </th>
                        <th>"Name"</th>
                        <th class="col-folder">"Folder"</th>
                        <th class="col-size">"Size"</th>
                        <th class="col-date">"Modified"</th>
                        <th>"Status"</th>
                        <th class="col-actions">"Actions"</th>
                    </tr>
                </thead>
                <tbody on:click=move |ev| on_row_event(&ev) on:change=move |ev| on_row_event(&ev)>
                    <For
                        each=grouped
                        key=|(h, f)| (h.clone(), f.path.clone(), f.size, f.processed, f.duplicate, f.modified.to_bits(), f.cover.clone())
                        let:item
                    >
                        {item.0.map(|folder| view! {
                            <tr class="group-row"><td colspan="7">{if folder.is_empty() { "(library root)".to_string() } else { folder }}</td></tr>
                        })}
                        <FileRowView file=item.1 selected=selected grid=grid/>
                    </For>
                </tbody>
            </table>
            {move || page.with(|p| p.as_ref().is_some_and(|p| p.files.is_empty()))
                .then(|| view! { <p class="empty">"No files match."</p> })}
        </div>
        // The panel's code, reading the details included, is a separate chunk (`#[lazy]`),
        // fetched the first time a file's details are opened: most visits never open it.
        {move || details.get().map(|path| Suspend::new(details_panel(path, details)))}
    }
}

/// The details of one file, fetched: its ComicInfo.xml fields, or why they could not be read.
#[lazy]
async fn details_panel(path: String, shown: RwSignal<Option<String>>) -> AnyView {
    let url = paths::file(&client::encode_path(&path));
    let details = client::get::<FileDetails>(&url).await;
    view! {
        <aside class="details" aria-label="File details">
            <button type="button" class="close" aria-label="Close details" on:click=move |_| shown.set(None)>"×"</button>
            {match details {
                Ok(d) => view! {
                    <h2>{d.file.name.clone()}</h2>
                    {d.file.cover.clone().map(|src| view! { <img class="details-cover" src=src alt=format!("Cover of {}", d.file.name)/> })}
                    <dl>
                        <dt>"Folder"</dt><dd>{d.file.folder.clone()}</dd>
                        <dt>"Size"</dt><dd>{human_size(d.file.size)}</dd>
                        <dt>"Pages"</dt><dd>{d.page_count.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</dd>
                        {d.comic_info.clone().unwrap_or_default().into_iter().map(|(k, v)| view! {
                            <dt>{k}</dt><dd>{v}</dd>
                        }).collect_view()}
                    </dl>
                    {d.comic_info.is_none().then(|| view! { <p class="muted">"No ComicInfo.xml in this archive."</p> })}
                }.into_any(),
                Err(e) => view! { <p class="error">{e}</p> }.into_any(),
            }}
        </aside>
    }
    .into_any()
}

/// One row.
#[component]
fn FileRowView(
    file: FileRow,
    selected: RwSignal<HashSet<String>>,
    grid: Signal<bool>,
) -> impl IntoView {
    let path = file.path.clone();
    let is_selected = Memo::new(move |_| selected.with(|s| s.contains(&path)));
    let badge = if file.duplicate {
        ("badge badge-dup", "duplicate")
    } else if file.processed {
        ("badge badge-ok", "processed")
    } else {
        ("badge badge-new", "unprocessed")
    };
    view! {
        <tr class:selected=is_selected data-path=file.path>
            <td class="col-check">
                <input type="checkbox" data-action="select" aria-label=format!("Select {}", file.name) prop:checked=is_selected/>
            </td>
            <td class="name">
                <button type="button" class="link" data-action="details">{crate::components::cover_grid::thumb(grid, file.cover, &file.name)}{file.name}</button>
            </td>
            <td class="col-folder muted">{file.folder}</td>
            <td class="col-size">{human_size(file.size)}</td>
            <td class="col-date">{date(file.modified)}</td>
            <td><span class=badge.0>{badge.1}</span></td>
            <td class="col-actions">
                <button type="button" class="small" title="Tag and rename" data-action="process">"Process"</button>
                <button type="button" class="small" title="Rename only" data-action="rename">"Rename"</button>
                <button type="button" class="small" title="Write tags only" data-action="normalize">"Tag"</button>
            </td>
        </tr>
    }
}

/// The control an event came from, found by its `data-action`, and that action. Lets one
/// listener serve a group of buttons (event delegation).
pub(crate) fn event_action(ev: &leptos::ev::Event) -> Option<(leptos::web_sys::Element, String)> {
    use leptos::wasm_bindgen::JsCast;
    let target: leptos::web_sys::Element = ev.target()?.dyn_into().ok()?;
    let control = target.closest("[data-action]").ok()??;
    let action = control.get_attribute("data-action")?;
    Some((control, action))
}

/// The action of a row's control (a click on a button, a change of the checkbox) and the
/// `data-path` of its row.
fn row_action(ev: &leptos::ev::Event) -> Option<(String, String)> {
    let (control, action) = event_action(ev)?;
    // A click on the checkbox also fires `change`: act on `change` only.
    if (action == "select") != (ev.type_() == "change") {
        return None;
    }
    Some((action, enclosing(&control, "data-path")?))
}

/// The value of `attr` on the nearest element around `control` that carries it, e.g. the file
/// path of a button's row.
pub(crate) fn enclosing(control: &leptos::web_sys::Element, attr: &str) -> Option<String> {
    control
        .closest(&format!("[{attr}]"))
        .ok()??
        .get_attribute(attr)
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1024), "1.0 KB");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(5 * 1024 * 1024 + 300 * 1024), "5.3 MB");
        assert_eq!(human_size(3 * 1024 * 1024 * 1024), "3.0 GB");
    }
}

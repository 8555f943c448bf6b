//! `presently clear`: back to automatic. Removes the pin (`clearUserPreferredPresence`) and Presently's
//! session (`clearPresence`; a 404 means there was none, which is fine, contract §2), then reads back what
//! Graph reports: with Teams closed that is Offline, with Teams open whatever Teams reports.

use presently_core::Problem;
use serde::Serialize;

use crate::args::Global;
use crate::backend::{Backend, Mode};
use crate::context::Wired;
use crate::output::{Output, Reading};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClearJson<'a> {
    cleared: bool,
    session_cleared: bool,
    graph: Option<&'a Reading>,
    mode: Mode,
    keeper_running: bool,
    warnings: &'a [String],
}

/// Runs `presently clear`.
pub async fn run(global: &Global, out: Output) -> Result<u8, Problem> {
    let wired = Wired::new(global)?;
    let backend = Backend::select(&wired).await?;
    let report = backend.clear().await?;
    let mut warnings = report.notes.clone();
    if let Some(error) = &report.read_back_error {
        warnings.push(format!("cleared, but reading your presence back failed: {error}"));
    }
    out.line("Cleared: your presence is automatic again (Teams decides).");
    if !report.session_cleared {
        out.line("Presently had no presence session to end.");
    }
    if let Some(reading) = &report.graph {
        out.line(format!("Graph now reports: {reading}."));
    }
    for warning in &warnings {
        out.warn(warning);
    }
    out.json_value(&ClearJson {
        cleared: true,
        session_cleared: report.session_cleared,
        graph: report.graph.as_ref(),
        mode: report.mode,
        keeper_running: report.mode == Mode::Keeper || backend.keeper().is_some(),
        warnings: &warnings,
    });
    Ok(crate::exit::OK)
}

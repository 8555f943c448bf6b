//! `presently consent-url`: the admin-consent URL for the configured tenant and client id (contract §5, §6),
//! for organizations where an administrator must approve the app (AADSTS90094). No network, no sign-in.

use presently_core::{Action, Problem, ProblemKind};
use serde::Serialize;

use crate::args::Global;
use crate::context::load_settings;
use crate::output::Output;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConsentJson {
    admin_consent_url: String,
    tenant: String,
    client_id: String,
}

/// Runs `presently consent-url`.
pub fn run(global: &Global, out: Output) -> Result<u8, Problem> {
    let settings = load_settings(global)?;
    let url = settings.auth().admin_consent_url().map_err(|e| {
        Problem::new(ProblemKind::InvalidChoice, e.to_string()).with_action(Action::OpenSettings)
    })?;
    out.line(url.as_str());
    out.note(format!(
        "An administrator of tenant {} opens this link to approve app {} for everyone in the organization.",
        settings.tenant.value, settings.client_id.value
    ));
    out.json_value(&ConsentJson {
        admin_consent_url: url.to_string(),
        tenant: settings.tenant.value.clone(),
        client_id: settings.client_id.value.clone(),
    });
    Ok(crate::exit::OK)
}

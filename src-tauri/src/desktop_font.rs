//! The popup's text face on the Linux desktop.
//!
//! WebKitGTK looks every family of a CSS `font-family` list up in fontconfig again for each size and weight a page
//! uses, until one is found. The UI's cross-platform list (`ui/src/style.css`) starts with `system-ui`, and on
//! WebKitGTK 2.50 that lookup was by far the dearest: the popup's first view uses about ten faces, and its first
//! paint waited some 200 ms on them (timing marks in the popup's page beside `presently-bench footprint`; with the
//! generic `sans-serif` alone the wait was about 35 ms). So the popup tells its page, before any of the page's
//! scripts run, that it is on the Linux desktop ([`PAGE_SCRIPT`]; `ui/src/fonts.ts` then names `sans-serif`
//! alone), and points WebKit's sans-serif family at the desktop's own font, GTK's `gtk-font-name`, which is what
//! `system-ui` stands for there.

use tauri::{Runtime, WebviewWindow};

/// Run by the popup's page before its own scripts (a Tauri initialization script): `sans-serif` is the desktop's
/// font here.
pub const PAGE_SCRIPT: &str = "window.__PRESENTLY_DESKTOP_SANS__ = true;";

/// Fontconfig's and CSS's generic names. A desktop font set to one of them leaves WebKit's default `sans-serif`
/// alone: for the sans-serif names that is the same face; for `serif` and `monospace` the popup stays sans-serif.
const GENERIC: [&str; 7] = [
    "sans",
    "sans-serif",
    "sans serif",
    "serif",
    "monospace",
    "system-ui",
    "ui-sans-serif",
];

/// The family of a Pango font description such as GTK's `gtk-font-name` (`Cantarell 11`, `Noto Sans Bold 10`,
/// `Ubuntu, Noto Sans 11`): its first family, or `None` when it names none or only a generic one.
pub fn family_of(description: &str) -> Option<String> {
    let parsed = gtk::pango::FontDescription::from_string(description);
    let families = parsed.family()?;
    let first = families.split(',').next()?.trim();
    let generic = GENERIC.iter().any(|g| first.eq_ignore_ascii_case(g));
    (!first.is_empty() && !generic).then(|| first.to_string())
}

/// Points the webview's `sans-serif` at the desktop's font (nothing to do when GTK names none, or a generic one).
/// GTK must be running (the popup calls this from Tauri's setup).
pub fn apply<R: Runtime>(window: &WebviewWindow<R>) {
    use gtk::prelude::GtkSettingsExt;
    let name = gtk::Settings::default().and_then(|settings| settings.gtk_font_name());
    let Some(family) = name.as_deref().and_then(family_of) else {
        return;
    };
    tracing::debug!(%family, "the popup's sans-serif is the desktop's font");
    let result = window.with_webview(move |webview| {
        use webkit2gtk::{SettingsExt, WebViewExt};
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_sans_serif_font_family(&family);
        }
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot give the popup the desktop's font");
    }
}

#[cfg(test)]
mod tests {
    use super::family_of;

    #[test]
    fn the_family_is_read_off_a_pango_description() {
        assert_eq!(family_of("Cantarell 11").as_deref(), Some("Cantarell"));
        assert_eq!(family_of("Noto Sans Bold 10").as_deref(), Some("Noto Sans"));
        assert_eq!(family_of("Ubuntu, Noto Sans 11").as_deref(), Some("Ubuntu"));
        assert_eq!(family_of("Adwaita Sans").as_deref(), Some("Adwaita Sans"));
    }

    #[test]
    fn a_generic_or_missing_family_leaves_webkit_alone() {
        for description in [
            "Sans 10",
            "sans-serif 11",
            "Monospace 9",
            "System-ui 10",
            "12",
            "",
        ] {
            assert_eq!(family_of(description), None, "{description:?}");
        }
    }
}

// Copying text (the admin-consent link, a device code). The async Clipboard API may be missing or refused in a
// webview; then the text is shown in a read-only field, selected, for the person to copy with the keyboard.

import { h } from "./dom";

/** Whether the text reached the clipboard, or was left selected in a field for the user to copy. */
export type CopyOutcome = "copied" | "selected";

/** The shortcut to copy on this platform. */
export function copyShortcut(): string {
  const platform = typeof navigator !== "undefined" ? navigator.platform || navigator.userAgent : "";
  return /Mac|iPhone|iPad/i.test(platform) ? "⌘C" : "Ctrl+C";
}

/** Copies `text`; on failure shows it selected in a read-only field inside `fallback` (replacing its content). */
export async function copyText(text: string, fallback: HTMLElement, label: string): Promise<CopyOutcome> {
  try {
    if (!navigator.clipboard?.writeText) throw new Error("no clipboard API");
    await navigator.clipboard.writeText(text);
    fallback.replaceChildren();
    fallback.hidden = true;
    return "copied";
  } catch {
    // A text of several lines (the diagnostics report) keeps its lines in a text area.
    const field = text.includes("\n")
      ? h("textarea", { class: "copy-field", attrs: { readonly: true, rows: 6, "aria-label": label, spellcheck: "false" } })
      : h("input", {
          class: "copy-field",
          attrs: { type: "text", readonly: true, "aria-label": label, spellcheck: "false" },
        });
    field.value = text;
    fallback.replaceChildren(
      field,
      h("p", { class: "hint", text: `Press ${copyShortcut()} to copy.` }),
    );
    fallback.hidden = false;
    field.focus();
    field.select();
    return "selected";
  }
}

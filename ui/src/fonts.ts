// The popup's text face. The cross-platform list in style.css starts with `system-ui`, which WebKitGTK looks up in
// fontconfig at a high price for every size and weight the page uses (about 200 ms before the first paint). On the
// Linux desktop the popup process points WebKit's `sans-serif` at the desktop's own font and says so before any
// script runs (src-tauri/src/desktop_font.rs); the page then names that generic family alone.

/** What the popup process's initialization script leaves on `window`. */
interface DesktopFontMark {
  __PRESENTLY_DESKTOP_SANS__?: unknown;
}

/** Marks `root` (`data-font="desktop-sans"`, see style.css) when the desktop's font is WebKit's `sans-serif`. */
export function chooseFontFamily(win: object, root: HTMLElement): void {
  if ((win as DesktopFontMark).__PRESENTLY_DESKTOP_SANS__ === true) root.dataset.font = "desktop-sans";
}

// Entry point. Inside the app, the popup talks to the core through Tauri's IPC. Opened in a plain browser there is
// no IPC: a development build can then show a fixture state (`?preview=busy`, see `preview/preview.ts`); a
// production build cannot fake state at all (the preview code is not even in its bundle) and says where to
// open it.

import { App, outsideTheApp } from "./app";
import { chooseFontFamily } from "./fonts";

function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

async function boot(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  // Before the first render: the first layout looks the fonts up.
  chooseFontFamily(window, document.documentElement);
  if (!inTauri()) {
    if (__PRESENTLY_PREVIEW__) {
      const { installPreview, previewStart } = await import("./preview/preview");
      const params = new URLSearchParams(location.search);
      if (installPreview(params)) {
        const app = new App(root);
        await app.start();
        const start = previewStart(params);
        if (start.settings) app.openSettings();
        if (start.deviceCode) void app.startSignIn("deviceCode");
        return;
      }
    }
    outsideTheApp(root);
    return;
  }
  await new App(root).start();
}

void boot();

/// <reference types="vitest/config" />
// Vite and Vitest for the popup UI, rooted at ui/ (`npm run ui:dev | ui:build | ui:test` from the repository root).
// Tauri loads `ui/dist` (frontendDist) and, in development, the dev server on localhost:5173 (devUrl).

import { defineConfig } from "vite";

// Tests format times in a fixed zone so "until 17:30" means the same everywhere.
if (process.env.VITEST) process.env.TZ = "UTC";

export default defineConfig(({ mode }) => ({
  // Only development and preview builds may show fixture states outside the app (see src/main.ts).
  define: { __PRESENTLY_PREVIEW__: JSON.stringify(mode !== "production") },
  clearScreen: false,
  server: { host: "localhost", port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebView2 (Chromium) on Windows, WKWebView on macOS, WebKitGTK on Linux.
    target: ["es2021", "chrome105", "safari15"],
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    restoreMocks: true,
  },
}));

// Build and test configuration: one entry (index.html) bundled into ./dist for the Tauri shell,
// and vitest running src/**/*.test.ts in jsdom.
import { defineConfig } from "vitest/config";

export default defineConfig({
  clearScreen: false,
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK / WKWebView / WebView2 of supported systems.
    target: ["es2021", "chrome105", "safari15"],
    // No inline polyfill or eval anywhere: the shell's CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    // Pin the zone so local-day grouping is deterministic; tests pass their locale explicitly.
    env: { TZ: "UTC" },
    // Style sheets imported with ?raw keep their text, so layout tests can apply them
    // (src/test-styles.ts); plain imports stay empty as before.
    css: { include: [/\.css\?raw$/] },
  },
});

import { defineConfig } from "vite";

// The Api serves dist/ itself; in `npm run dev` Vite forwards the API and hub paths to a running Api.
const api = process.env.HA_API_URL ?? "http://127.0.0.1:5080";

export default defineConfig({
  build: {
    outDir: "dist",
    // The CSP forbids inline code, so nothing may be inlined as a data: URL script either.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      "/api": api,
      "/hubs": { target: api, ws: true },
    },
  },
});

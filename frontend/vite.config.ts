/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The build lands inside the Python package, where `despina server` and `despina ui`
// serve it from (it is built by scripts/setup.sh and ignored by git).
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "../despina/server/webapp",
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8732" },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});

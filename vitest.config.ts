import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/fastCheck.ts"],
    // Two cores on CI: run files in parallel but keep the pool small so TLS tests keep their timing slack.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});

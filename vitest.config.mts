import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["engine/test/**/*.test.ts", "datasets/test/**/*.test.ts", "kernel-helpers/test/**/*.test.ts", "exercises/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Kernel and notebook tests start processes and bind ports; two cores are enough for two at a time.
    maxWorkers: 2,
    reporters: ["default", "./test-support/summary-reporter.ts"],
  },
});

import { describe, expect, it } from "vitest";
import { ZipfianSampler, workload } from "../src/workloads.js";
import { Random } from "@workbook/engine";

describe("workload", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    expect(workload("zipfian", { keys: 100, count: 50, seed: 7 })).toEqual(workload("zipfian", { keys: 100, count: 50, seed: 7 }));
    expect(workload("uniform", { keys: 100, count: 50, seed: 7 })).not.toEqual(workload("uniform", { keys: 100, count: 50, seed: 8 }));
  });

  it("stays within the key space", () => {
    for (const kind of ["uniform", "zipfian", "sequential", "scan-flood"] as const) {
      const keys = workload(kind, { keys: 37, count: 2000, seed: 3 });
      expect(keys).toHaveLength(2000);
      expect(keys.every((k) => Number.isInteger(k) && k >= 0 && k < 37), kind).toBe(true);
    }
  });

  it("sequential wraps around", () => {
    expect(workload("sequential", { keys: 3, count: 7 })).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it("zipfian is skewed: the most popular 10% of keys take most accesses", () => {
    const counts = new Map<number, number>();
    for (const k of workload("zipfian", { keys: 1000, count: 50_000, seed: 1 })) counts.set(k, (counts.get(k) ?? 0) + 1);
    const top = [...counts.values()].sort((a, b) => b - a).slice(0, 100).reduce((a, b) => a + b, 0);
    expect(top / 50_000).toBeGreaterThan(0.6);
    const uniformTop = (() => {
      const c = new Map<number, number>();
      for (const k of workload("uniform", { keys: 1000, count: 50_000, seed: 1 })) c.set(k, (c.get(k) ?? 0) + 1);
      return [...c.values()].sort((a, b) => b - a).slice(0, 100).reduce((a, b) => a + b, 0) / 50_000;
    })();
    expect(uniformTop).toBeLessThan(0.2);
  });

  it("zipfian rank frequencies fall off as 1/rank^θ", () => {
    const z = new ZipfianSampler(100, 0.99);
    const rng = new Random(5);
    const hist = new Array<number>(100).fill(0);
    for (let i = 0; i < 200_000; i++) hist[z.sample(rng)]!++;
    // rank 0 vs rank 9: expected ratio 10^0.99 ≈ 9.8
    expect(hist[0]! / hist[9]!).toBeGreaterThan(7);
    expect(hist[0]! / hist[9]!).toBeLessThan(13);
  });

  it("scan-flood inserts full scans between runs of point reads", () => {
    const keys = workload("scan-flood", { keys: 10, count: 100, seed: 2, scanEvery: 20 });
    expect(keys.slice(20, 30)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("refuses bad options with the option's name", () => {
    expect(() => workload("uniform", { keys: 0, count: 1 })).toThrow("keys must be a positive integer");
    expect(() => workload("zipfian", { keys: 5, count: 1, theta: 1 })).toThrow("theta must be strictly between 0 and 1");
  });
});

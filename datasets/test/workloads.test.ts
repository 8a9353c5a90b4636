import { describe, expect, it } from "vitest";
import { BufferPoolManager, LruReplacer, MemoryDiskManager } from "@workbook/engine";
import { bufferPoolTraces, hitRatio, sequentialKeys, uniformKeys, zipfianKeys } from "../src/workloads.js";

const take = (next: () => number, n: number) => Array.from({ length: n }, next);

describe("key generators", () => {
  it("are deterministic for a seed and differ across seeds", () => {
    expect(take(zipfianKeys(7, 100), 50)).toEqual(take(zipfianKeys(7, 100), 50));
    expect(take(uniformKeys(7, 100), 50)).not.toEqual(take(uniformKeys(8, 100), 50));
  });

  it("stay within the key space", () => {
    for (const next of [uniformKeys(3, 37), zipfianKeys(3, 37), sequentialKeys(37)]) {
      expect(take(next, 2000).every((k) => Number.isInteger(k) && k >= 0 && k < 37)).toBe(true);
    }
  });

  it("sequential wraps around", () => {
    expect(take(sequentialKeys(3), 7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it("zipfian is skewed: the hottest 10% of keys take most accesses, unlike uniform", () => {
    const topShare = (next: () => number) => {
      const counts = new Map<number, number>();
      for (const k of take(next, 50_000)) counts.set(k, (counts.get(k) ?? 0) + 1);
      return [...counts.values()].sort((a, b) => b - a).slice(0, 100).reduce((a, b) => a + b, 0) / 50_000;
    };
    expect(topShare(zipfianKeys(1, 1000))).toBeGreaterThan(0.6);
    expect(topShare(uniformKeys(1, 1000))).toBeLessThan(0.2);
  });

  it("zipfian frequencies fall off as 1/rank^θ", () => {
    const counts = new Map<number, number>();
    for (const k of take(zipfianKeys(5, 100), 200_000)) counts.set(k, (counts.get(k) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    // rank 1 vs rank 10: expected ratio 10^0.99 ≈ 9.8
    expect(sorted[0]! / sorted[9]!).toBeGreaterThan(7);
    expect(sorted[0]! / sorted[9]!).toBeLessThan(13);
  });

  it("refuse bad options with the option's name", () => {
    expect(() => uniformKeys(1, 0)).toThrow("keys must be a positive integer");
    expect(() => zipfianKeys(1, 5, 1)).toThrow("theta must be strictly between 0 and 1");
  });
});

describe("buffer pool traces", () => {
  const [uniform, zipfian, flood] = bufferPoolTraces(2024);

  it("have the documented shapes", () => {
    expect([uniform!.name, zipfian!.name, flood!.name]).toEqual(["uniform", "zipfian", "scan flooding"]);
    expect(uniform!.trace.length).toBe(30_000);
    expect(uniform!.counted.reduce((a, b) => a + b, 0)).toBe(25_000);
    expect(flood!.pages).toBe(2000);
    // The first scan follows the first batch of 1,500 point reads, and is not counted.
    expect([...flood!.trace.slice(1500, 1505)]).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(flood!.counted[1500]).toBe(0);
  });

  it("replay to the hit ratio an LRU pool gets: frames ÷ pages under uniform access", () => {
    const disk = new MemoryDiskManager({ pageSize: 256 });
    for (let i = 0; i < 1000; i++) disk.allocatePage();
    const ratio = hitRatio(uniform!, new BufferPoolManager({ frames: 500, disk, replacer: new LruReplacer(500) }));
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(0.55);
  });
});

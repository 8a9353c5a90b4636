/**
 * progress(): one output updated in place through the kernel channel, rate-limited.
 * A fake channel on globalThis records what the kernel would send; a fake clock makes the
 * rate limit testable without real time.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KERNEL_CHANNEL, type KernelChannel, type MimeBundle } from "../src/display/bundle.js";
import { progress, withProgress } from "../src/display/progress.js";

interface Sent {
  readonly bundle: MimeBundle;
  readonly displayId: string | undefined;
  readonly update: boolean;
}

let sent: Sent[];
let clock: { t: number };
const now = (): number => clock.t;
const globals = globalThis as Record<symbol, unknown>;

beforeEach(() => {
  sent = [];
  clock = { t: 1000 };
  const channel: KernelChannel = {
    display: (bundle, options) => sent.push({ bundle, displayId: options.displayId, update: options.update ?? false }),
    clearOutput: () => undefined,
  };
  globals[KERNEL_CHANNEL] = channel;
});

afterEach(() => {
  delete globals[KERNEL_CHANNEL];
});

describe("progress", () => {
  it("shows itself at once as display_data, then updates the same display id", () => {
    const bar = progress(100, "loading", { now });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.update).toBe(false);
    clock.t += 150;
    bar.tick(10);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.update).toBe(true);
    expect(sent[1]?.displayId).toBe(sent[0]?.displayId);
    expect(sent[0]?.displayId).toBeTruthy();
  });

  it("draws at most once per interval, however many ticks", () => {
    const bar = progress(1000, "rows", { now });
    for (let i = 0; i < 500; i++) bar.tick();
    expect(sent).toHaveLength(1);
    clock.t += 99;
    bar.tick();
    expect(sent).toHaveLength(1);
    clock.t += 1;
    bar.tick();
    expect(sent).toHaveLength(2);
    expect(sent[1]?.bundle["text/plain"]).toContain("502/1000");
  });

  it("always draws the final state on done(), and ignores ticks after it", () => {
    const bar = progress(4, "pages", { now });
    bar.tick();
    bar.tick();
    bar.tick();
    bar.tick();
    expect(sent).toHaveLength(1);
    bar.done();
    expect(sent).toHaveLength(2);
    expect(sent[1]?.update).toBe(true);
    expect(sent[1]?.bundle["text/plain"]).toContain("4/4 100%");
    bar.tick();
    clock.t += 1000;
    bar.tick();
    bar.done();
    expect(sent).toHaveLength(2);
    expect(bar.completed).toBe(4);
    expect(bar.finished).toBe(true);
  });

  it('reads "label [#####.....] 50/100 50% 1.2s" as text', () => {
    const bar = progress(100, "label", { now });
    clock.t += 1200;
    bar.update(50);
    expect(bar.text).toBe("label [#####.....] 50/100 50% 1.2s");
    expect(sent.at(-1)?.bundle["text/plain"]).toBe("label [#####.....] 50/100 50% 1.2s");
  });

  it("draws an HTML bar with label, counts, percent, elapsed time and rate", () => {
    const bar = progress(200, "<inserts>", { now });
    clock.t += 2000;
    bar.update(100);
    const html = sent.at(-1)?.bundle["text/html"];
    expect(typeof html).toBe("string");
    expect(html).toContain("&lt;inserts&gt;");
    expect(html).toContain("width:50%");
    expect(html).toContain("100/200");
    expect(html).toContain("50%");
    expect(html).toContain("2.0s");
    expect(html).toContain("50.0/s");
  });

  it("caps the bar at 100% when ticks overshoot the total", () => {
    const bar = progress(2, "x", { now });
    bar.tick(5);
    expect(bar.text).toContain("[##########] 5/2 100%");
  });

  it("rejects a total that is not a finite number ≥ 0", () => {
    expect(() => progress(-1, "x")).toThrow(/total/);
    expect(() => progress(Number.NaN, "x")).toThrow(/total/);
  });

  it("stays silent outside the kernel until done()", () => {
    delete globals[KERNEL_CHANNEL];
    const bar = progress(3, "quiet", { now });
    bar.tick(3);
    expect(sent).toHaveLength(0);
  });
});

describe("withProgress", () => {
  it("maps items in order through an async function, with one bar updated in place", async () => {
    const results = await withProgress([1, 2, 3], "squares", async (n, i) => n * n + i, { now });
    expect(results).toEqual([1, 5, 11]);
    expect(sent[0]?.update).toBe(false);
    expect(new Set(sent.map((s) => s.displayId)).size).toBe(1);
    expect(sent.at(-1)?.bundle["text/plain"]).toContain("3/3 100%");
  });

  it("stops the bar where fn failed and lets the error through", async () => {
    const failing = withProgress(["a", "b", "c"], "parse", (s) => {
      if (s === "b") throw new Error("bad item b");
      return s;
    }, { now });
    await expect(failing).rejects.toThrow("bad item b");
    expect(sent.at(-1)?.bundle["text/plain"]).toContain("1/3");
  });
});

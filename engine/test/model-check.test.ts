import { describe, expect, test } from "vitest";
import { checkModel } from "./support/model-check.js";

describe("test support: model checking", () => {
  test("a failing run is shrunk to a short sequence that still fails, with the seed in the report", () => {
    // A "stack" that forgets pushes after the third one: the bug needs 4 pushes and a pop.
    type Op = { op: "push"; value: number } | { op: "pop" };
    const run = (ops: readonly Op[]) => {
      const buggy: number[] = [];
      const model: number[] = [];
      let pushes = 0;
      for (const op of ops) {
        if (op.op === "push") {
          if (++pushes <= 3) buggy.push(op.value);
          model.push(op.value);
        } else if (buggy.pop() !== model.pop()) {
          throw new Error("pop disagrees");
        }
      }
    };
    let report = "";
    try {
      checkModel<Op>({
        seed: 5,
        count: 500,
        generate: (rng, i) => (rng.bool(0.6) ? { op: "push", value: i } : { op: "pop" }),
        run,
      });
    } catch (error) {
      report = (error as Error).message;
    }
    expect(report).toContain("seed 5");
    expect(report).toContain("shrunk 500 ops to 5");
    expect(report).toContain("pop disagrees");
  });

  test("a passing run reports nothing", () => {
    expect(() => checkModel({ seed: 1, count: 10, generate: (rng) => rng.int(3), run: () => undefined })).not.toThrow();
  });
});

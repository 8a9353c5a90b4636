import { describe, expect, test } from "vitest";
import { RingBuffer } from "../src/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { expectDbError, expectDbError as throwsKind } from "../../test-support/errors.js";
import { check, same } from "../../test-support/assert.js";

type Op = { op: "push"; value: number } | { op: "shift" } | { op: "peek" } | { op: "clear" };

describe("01 ring buffer", () => {
  test("behaves like an array used as a bounded queue over seeded random operations", () => {
    for (const capacity of [1, 2, 5, 16]) {
      checkModel<Op>({
        seed: capacity,
        count: 3000,
        generate: (rng, i) => {
          const r = rng.int(100);
          if (r < 50) return { op: "push", value: i };
          if (r < 85) return { op: "shift" };
          if (r < 99) return { op: "peek" };
          return { op: "clear" };
        },
        run: (ops) => {
          const ring = new RingBuffer<number>(capacity);
          const model: number[] = [];
          for (const op of ops) {
            switch (op.op) {
              case "push":
                if (model.length === capacity) {
                  throwsKind(() => ring.push(op.value), "queue-full", "push on a full ring");
                } else {
                  ring.push(op.value);
                  model.push(op.value);
                }
                break;
              case "shift":
                same(ring.shift(), model.shift(), "shift");
                break;
              case "peek":
                same(ring.peek(), model[0], "peek");
                break;
              case "clear":
                ring.clear();
                model.length = 0;
                break;
            }
            same(ring.size, model.length, "size");
            check(ring.isFull() === (model.length === capacity), "isFull");
            check(ring.isEmpty() === (model.length === 0), "isEmpty");
          }
          expect(ring.toArray()).toEqual(model);
          expect([...ring]).toEqual(model);
          model.forEach((value, i) => expect(ring.at(i)).toBe(value));
        },
      });
    }
  });

  test("a full ring refuses a push with the capacity as evidence, and is unchanged", () => {
    const ring = new RingBuffer<string>(2);
    ring.push("a");
    ring.push("b");
    const error = expectDbError(() => ring.push("c"), "queue-full");
    expect(error.details).toEqual({ capacity: 2 });
    expect(error.message).toContain("2");
    expect(ring.toArray()).toEqual(["a", "b"]);
  });

  test("wraps around the end of its array", () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 0; i < 10; i++) {
      ring.push(i);
      if (ring.isFull()) ring.shift();
    }
    expect(ring.toArray()).toEqual([8, 9]);
    expect(ring.at(2)).toBeUndefined();
    expect(ring.at(-1)).toBeUndefined();
  });

  test("empty: shift and peek are undefined; foolish capacities are refused", () => {
    const ring = new RingBuffer<number>(1);
    expect(ring.shift()).toBeUndefined();
    expect(ring.peek()).toBeUndefined();
    expectDbError(() => new RingBuffer(0), "invalid-argument");
    expectDbError(() => new RingBuffer(2.5), "invalid-argument");
  });
});

/**
 * Model-based checking with shrinking
 * ===================================
 * A test generates a list of operations from a seed, runs them against the structure and
 * a simple model side by side (`run` throws at the first disagreement), and, on failure,
 * shrinks the list: it drops chunks of operations while the run still fails, so the
 * report shows a short sequence that reproduces the bug instead of 3000 random steps.
 * Operations must be plain data whose meaning does not depend on earlier ones having run
 * (e.g. "delete key 17", not "delete the third key"), so any subsequence is a valid test.
 */
import { Random } from "../../src/index.js";

export interface ModelCheck<Op> {
  seed: number;
  count: number;
  generate(rng: Random, index: number): Op;
  /** Run `ops` from a fresh state; throw on the first disagreement with the model. */
  run(ops: readonly Op[]): void;
  show?(op: Op): string;
}

const MAX_SHRINK_RUNS = 3000;

export function checkModel<Op>(spec: ModelCheck<Op>): void {
  const rng = new Random(spec.seed);
  const ops = Array.from({ length: spec.count }, (_, i) => spec.generate(rng, i));
  const failure = errorOf(() => spec.run(ops));
  if (failure === undefined) return;
  const minimal = shrink(ops, (candidate) => errorOf(() => spec.run(candidate)) !== undefined);
  const show = spec.show ?? ((op: Op) => JSON.stringify(op, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
  const minimalError = errorOf(() => spec.run(minimal));
  throw new Error(
    `model check failed (seed ${spec.seed}); shrunk ${ops.length} ops to ${minimal.length}:\n` +
      minimal.map((op, i) => `  ${i}: ${show(op)}`).join("\n") +
      `\nerror: ${String(minimalError instanceof Error ? minimalError.message : minimalError)}`,
  );
}

function errorOf(fn: () => void): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error ?? new Error("thrown undefined");
  }
}

/** Delta debugging: remove ever smaller chunks while the sequence still fails. */
function shrink<Op>(ops: readonly Op[], fails: (ops: readonly Op[]) => boolean): Op[] {
  let current = [...ops];
  let runs = 0;
  for (let chunk = Math.max(1, current.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let start = 0; start < current.length && runs < MAX_SHRINK_RUNS; ) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      runs++;
      if (fails(candidate)) current = candidate;
      else start += chunk;
    }
  }
  return current;
}

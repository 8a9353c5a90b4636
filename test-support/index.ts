/**
 * Test support shared by the engine tests (engine/test) and the hidden suites
 * (exercises/NN): one seeded PRNG, one model checker with run-budgeted shrinking, one set
 * of error probes, cheap assertions, one recording disk, the golden-script runner, and
 * contract suites whose one body runs against the engine's implementation and against a
 * learner's submission. See README.md.
 */
export * from "./random.js";
export * from "./errors.js";
export * from "./assert.js";
export * from "./model-check.js";
export * from "./recording-disk.js";
export * from "./golden.js";

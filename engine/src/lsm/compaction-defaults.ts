/**
 * The engine's compaction algorithms
 * ==================================
 * `pickCompaction` and `compactStep` of compaction-step.ts, as the default set an LSM tree
 * runs when `LsmTree.open(store, { algorithms })` replaces none or only some of them.
 */
import type { CompactionAlgorithms } from "./compaction.js";
import { compactStep, pickCompaction } from "./compaction-step.js";

export const ENGINE_COMPACTION_ALGORITHMS: CompactionAlgorithms = Object.freeze({ pickCompaction, compactStep });

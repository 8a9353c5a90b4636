/**
 * The engine's B+tree algorithms
 * ===============================
 * The reference implementation of every piece of the `BTreeAlgorithms` contract, one
 * module each, gathered into the set a tree uses for every piece not plugged in.
 */
import { resolvePlugins } from "../common/plugins.js";
import type { BTreeAlgorithms } from "./btree-algorithms.js";
import { deleteEntry } from "./delete-entry.js";
import { insertEntry, storeNode } from "./insert-entry.js";
import { rangeScan } from "./range-scan.js";
import { searchPage } from "./search-page.js";

/** The engine's own algorithms: what a tree uses for every piece not given in `algorithms`. */
export const ENGINE_BTREE_ALGORITHMS: BTreeAlgorithms = Object.freeze({
  searchPage,
  insertEntry,
  storeNode,
  deleteEntry,
  rangeScan,
});

/**
 * The engine's algorithms with `given` plugged in; throws `invalid-argument` for an
 * unknown name or a value that is not a function (see `resolvePlugins`).
 */
export function resolveBTreeAlgorithms(given: Partial<BTreeAlgorithms> | undefined): BTreeAlgorithms {
  return resolvePlugins(ENGINE_BTREE_ALGORITHMS, given, "B+tree algorithm");
}

export * from "./ring-buffer.js";
export * from "./hash-table.js";
export * from "./hash-map.js";
export * from "./cache.js";
export * from "./lru-cache.js";
export * from "./btree-map.js";
// The in-memory B-tree of notebook 01 keeps the learner's name in its own module (exercise
// 01.3 defines `BTree`); in the engine's flat namespace it is the `MemBTree`, apart from the
// paged B+tree's `BPlusTree`, `BTreePage`, `BTreeNode`, `BTreeContext` (engine/src/index).
export { BTree as MemBTree } from "./btree.js";

export * from "./ring-buffer.js";
export * from "./hash-map.js";
export * from "./lru-cache.js";
// The in-memory B-tree of notebook 01 keeps the learner's names in its own module (exercise
// 01.3 defines `BTree`); in the engine's flat namespace it is the `MemBTree`, apart from the
// paged B+tree's `BPlusTree`, `BTreePage`, `BTreeNode`, `BTreeContext` (engine/src/index).
export {
  BTree as MemBTree,
  type BTreeOptions as MemBTreeOptions,
  type BTreeSnapshot as MemBTreeSnapshot,
  type BTreeNodeSnapshot as MemBTreeNodeSnapshot,
  type Comparator,
  defaultCompare,
} from "./btree.js";

// The LSM tree of notebook 06: entries, bloom filter, SSTables and the merge iterator
// (helper modules of exercises 06.2 and 06.3), then the file store, memtable, manifest,
// compaction (exercise 06.4) and the tree itself.
export * from "./entry.js";
export * from "./bloom.js";
export * from "./bloom-hash.js";
export * from "./bloom-filter.js";
export * from "./sstable-block.js";
export * from "./sstable.js";
export * from "./merge-iterator.js";
export * from "./file-store.js";
export * from "./memtable.js";
export * from "./manifest.js";
export * from "./compaction.js";
export * from "./compaction-step.js";
export * from "./compaction-tiered.js";
export * from "./compaction-defaults.js";
export * from "./lsm-tree.js";

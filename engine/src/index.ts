/**
 * The workbook's reference database engine. Layers depend downward only:
 * storage ← index ← txn/wal/recovery ← exec ← plan ← sql; raft ← kv ← shard.
 */
export * from "./common/index.js";
export * from "./ds/index.js";
export * from "./wal/index.js";
export * from "./storage/index.js";
// The contracts of exercises 02.1 and 02.2 (their implementations are in storage/index.ts).
export * from "./storage/slotted-heap-page.js";
export * from "./storage/row-codec.js";
export * from "./index/index.js";
export * from "./lsm/index.js";
export * from "./txn/index.js";

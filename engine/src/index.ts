/**
 * The workbook's reference database engine. Layers depend downward only:
 * storage ← index ← txn/wal/recovery ← exec ← plan ← sql; raft ← kv ← shard.
 */
export * from "./common/index.js";
export * from "./ds/index.js";
export * from "./wal/index.js";
export * from "./storage/index.js";
export * from "./index/index.js";

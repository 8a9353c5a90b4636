export * from "./ring-buffer.js";
export * from "./hash-map.js";
export * from "./lru-cache.js";
export * from "./btree.js";

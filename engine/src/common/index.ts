export * from "./errors.js";
export * from "./ids.js";
export * from "./random.js";
export * from "./bytes.js";
export * from "./crc32c.js";
export * from "./plugins.js";
export * from "./murmur-hash.js";

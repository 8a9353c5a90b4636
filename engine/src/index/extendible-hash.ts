/**
 * Extendible hash index (notebook 06): everything it exports, in one place.
 * The contract is hash-index.ts; the class is extendible-hash-index.ts.
 */
export * from "./hash-index.js";
export * from "./extendible-hash-page.js";
export { ExtendibleHashContext } from "./extendible-hash-context.js";
export * from "./extendible-hash-insert.js";
export * from "./extendible-hash-delete.js";
export * from "./extendible-hash-snapshot.js";
export * from "./extendible-hash-index.js";

export * from "./key-codec.js";
export * from "./btree-page.js";
export * from "./btree-meta.js";
export * from "./bplus-tree.js";

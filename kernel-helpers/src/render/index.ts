/**
 * Drawings of the engine's plain data
 * ===================================
 * The engine never imports this package: it exposes plain data (`tree.snapshot()`,
 * `page.layout()`, `plan.explain()`), and the functions here turn that data into MIME
 * bundles (SVG, HTML, text). Each notebook adds the renderer for what it builds.
 */
export { renderBTree, BTreeDrawing, type RenderBTreeOptions } from "./btree.js";

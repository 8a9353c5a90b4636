/**
 * What notebooks import: `import { table, chart, bench, pg } from "@workbook/helpers"`.
 */
export { MIME_BUNDLE, type MimeBundle, type Displayable, toBundle } from "./display/bundle.js";
export { display, clearOutput, DisplayHandle } from "./display/display.js";
export * from "./render/index.js";

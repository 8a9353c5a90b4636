/** The `kernel_info_reply` content: who we are and which language the cells are in. */
import type { Json } from "./protocol.js";
import { PROTOCOL_VERSION } from "./protocol.js";

export const KERNEL_NAME = "database-workbook";
export const KERNEL_DISPLAY_NAME = "Database Workbook (TypeScript)";

export function kernelInfo(): Json {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("@tslab/typescript-for-tslab") as { version: string };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const own = require("../../package.json") as { version: string };
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "database-workbook",
    implementation_version: own.version,
    language_info: {
      name: "typescript",
      version: ts.version,
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      codemirror_mode: "text/typescript",
    },
    banner: `Database Workbook kernel ${own.version}: TypeScript ${ts.version} on Node ${process.version}`,
    help_links: [],
    debugger: false,
  };
}

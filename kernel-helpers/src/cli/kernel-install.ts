/** `npm run kernel:install`: register the workbook kernel with Jupyter (idempotent). */
import { installKernelSpec } from "../kernel/kernelspec.js";
import { KERNEL_DISPLAY_NAME } from "../kernel/info.js";

const { dir, changed } = installKernelSpec();
console.log(changed ? `Registered the "${KERNEL_DISPLAY_NAME}" kernel in ${dir}` : `The "${KERNEL_DISPLAY_NAME}" kernel is already registered in ${dir}`);

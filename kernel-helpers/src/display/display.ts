/**
 * display(), a live handle to one output, and clearOutput()
 * =========================================================
 * `display(x)` shows `x` now, in the middle of a cell, as `display_data`. A `DisplayHandle`
 * keeps a display id so the same output can be replaced in place (`update_display_data`),
 * which is how progress bars and live charts move without printing a new output each time.
 */
import { randomUUID } from "node:crypto";
import { type MimeBundle, kernelChannel, toBundle } from "./bundle.js";

export class DisplayHandle {
  readonly displayId: string;
  #shown = false;

  constructor(displayId: string = randomUUID()) {
    this.displayId = displayId;
  }

  /** Show `value` the first time, replace the earlier output after that. */
  update(value: unknown): void {
    emit(toBundle(value), this.displayId, this.#shown);
    this.#shown = true;
  }
}

/**
 * Show a value now, as a separate output of the running cell. Returns nothing, so that
 * `display(x)` as a cell's last line shows `x` once; use `new DisplayHandle()` to update
 * an output in place.
 */
export function display(value: unknown): void {
  new DisplayHandle().update(value);
}

/** Clear the running cell's output; with `wait`, only once the next output arrives. */
export function clearOutput(wait = false): void {
  kernelChannel()?.clearOutput(wait);
}

function emit(bundle: MimeBundle, displayId: string, update: boolean): void {
  const channel = kernelChannel();
  if (channel) {
    channel.display(bundle, { displayId, update });
  } else if (!update) {
    console.log(bundle["text/plain"]);
  }
}

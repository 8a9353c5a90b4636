/**
 * A page format that counts its uses
 * ==================================
 * The table heap must reach every page through the page format it is given (the page-layout
 * contract, engine/src/storage/heap-page.ts), never by constructing the engine's
 * SlottedPage itself: that is what lets a learner's layout plug in. This format delegates
 * each call to `base` and counts it, so a test can check that the heap formatted, opened,
 * recognised and sized its pages through it. Typed structurally (any class with the
 * format's statics), because the engine's source and its build are different types.
 */
export interface PageFormatLike<P> {
  new (bytes: Uint8Array): P;
  init(bytes: Uint8Array): P;
  isNew(bytes: Uint8Array): boolean;
  maxTupleSize(pageSize: number): number;
}

export interface PageFormatCounts {
  init: number;
  open: number;
  isNew: number;
  maxTupleSize: number;
}

export function countingPageFormat<P>(base: PageFormatLike<P>): { format: PageFormatLike<P>; counts: PageFormatCounts } {
  const counts: PageFormatCounts = { init: 0, open: 0, isNew: 0, maxTupleSize: 0 };
  // A plain function called with `new` may return another object: the view `base` makes.
  function CountingPage(bytes: Uint8Array): P {
    counts.open++;
    return new base(bytes);
  }
  const statics = {
    init(bytes: Uint8Array): P {
      counts.init++;
      return base.init(bytes);
    },
    isNew(bytes: Uint8Array): boolean {
      counts.isNew++;
      return base.isNew(bytes);
    },
    maxTupleSize(pageSize: number): number {
      counts.maxTupleSize++;
      return base.maxTupleSize(pageSize);
    },
  };
  return { format: Object.assign(CountingPage, statics) as unknown as PageFormatLike<P>, counts };
}

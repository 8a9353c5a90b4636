/**
 * Stopping a cell before it runs the kernel out of memory
 * ========================================================
 * When V8's heap is full it aborts the process; nothing inside the process can catch that
 * (the supervisor then restarts the kernel and every variable is lost). Most cells that
 * run away with memory do it in a JavaScript loop (`for (…) rows.push(…)`), and a loop can
 * be interrupted. So while a cell runs, the front thread asks the main thread's heap how
 * full it is, through an inspector session (`Runtime.getHeapUsage` is answered between
 * two JavaScript steps of a busy main thread, as a debugger's pause is), and when it is
 * nearly full, interrupts the cell (SIGINT, as the ■ button does) and marks the interrupt
 * as a memory stop:
 *
 *   front, every 100 ms of a cell:  heap used > 70 % of the old generation's limit and
 *                                   still after a garbage collection, or > 85 % while
 *                                   that collection is under way ?
 *                                     → share[STOPPED_MB] = used; SIGINT
 *   main, after the cell:           interrupted and share[STOPPED_MB] > 0
 *                                     → OutOfMemory, the kernel and its variables intact
 *
 * V8 gives up when its old generation is full; the limit it reports (`heap_size_limit`)
 * also counts the young generation's 48 MB (16 MB semi-spaces, on 64-bit), taken off here.
 * Garbage counts as used until collected (right after a stopped cell, most of the heap is
 * its garbage), so between the marks the watch has the heap collected and looks again.
 *
 * A single built-in call that allocates everything at once (`new Array(2**31).fill(0)`
 * runs inside one C++ built-in, which neither answers the inspector nor looks at
 * interrupts) cannot be stopped this way; there the supervisor's restart is the answer.
 */
import inspector from "node:inspector";
import v8 from "node:v8";
import { SHARED } from "./threads.js";

const { heapLimitMb: HEAP_LIMIT_MB, memoryStopMb: STOPPED_MB } = SHARED;
/** Over this share of the limit the watch collects garbage and stops the cell if still over. */
const SOFT_MARK = 0.7;
/** Over this share the cell is stopped at once: no time is left for a collection first. */
const HARD_MARK = 0.85;
const YOUNG_GENERATION_MB = 48;
const EVERY_MS = 100;

/** The old generation's limit in MB (what `--max-old-space-size` sets): where V8 gives up. */
export function heapLimitMb(): number {
  return Math.max(1, Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20) - YOUNG_GENERATION_MB);
}

/** Main thread: fill in the heap's limit for the watch. */
export function shareHeapLimit(share: Int32Array): void {
  Atomics.store(share, HEAP_LIMIT_MB, heapLimitMb());
}

/** Main thread, after a cell: the heap use (MB) at which the watch stopped it, or 0. */
export function takeMemoryStop(share: Int32Array): number {
  return Atomics.exchange(share, STOPPED_MB, 0);
}

/** Front thread: watches the main thread's heap while a cell runs. */
export class MemoryWatch {
  readonly #session: inspector.Session | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly share: Int32Array,
    private readonly interrupt: () => void,
    log: (text: string) => void,
  ) {
    try {
      const session = new inspector.Session();
      session.connectToMainThread();
      this.#session = session;
    } catch (e) {
      // A Node built without the inspector: cells that fill the heap end in a restart instead.
      log(`no memory watch (${(e as Error).message})`);
    }
  }

  start(): void {
    const session = this.#session;
    if (!session) return;
    this.stop();
    Atomics.store(this.share, STOPPED_MB, 0);
    const limit = Atomics.load(this.share, HEAP_LIMIT_MB) * 2 ** 20;
    let collecting = false;
    const stop = (bytes: number) => {
      Atomics.store(this.share, STOPPED_MB, Math.max(1, Math.round(bytes / 2 ** 20)));
      this.stop();
      this.interrupt();
    };
    const timer = setInterval(() => {
      this.#heapUsed(session, (used) => {
        if (this.#timer !== timer || used < SOFT_MARK * limit) return;
        // Past the hard mark while a collection is already under way: no time to wait for it.
        if (collecting) return void (used >= HARD_MARK * limit && stop(used));
        // Over the soft mark, perhaps with garbage (a stopped cell's data not yet collected):
        // collect, look again. Even past the hard mark a collection comes first, or the
        // garbage of an earlier cell would stop the next cell that allocates.
        collecting = true;
        session.post("HeapProfiler.collectGarbage", () => {
          this.#heapUsed(session, (live) => {
            collecting = false;
            if (this.#timer === timer && live >= SOFT_MARK * limit) stop(live);
          });
        });
      });
    }, EVERY_MS);
    this.#timer = timer;
  }

  #heapUsed(session: inspector.Session, then: (bytes: number) => void): void {
    session.post("Runtime.getHeapUsage", (err, usage) => {
      if (!err) then((usage as { usedSize?: number } | undefined)?.usedSize ?? 0);
    });
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Before the process exits: a connected session makes Node wait "for the debugger to disconnect". */
  close(): void {
    this.stop();
    this.#session?.disconnect();
  }
}

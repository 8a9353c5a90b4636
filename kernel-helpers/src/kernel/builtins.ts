/**
 * Built-ins the kernel needs, put back after every cell
 * ======================================================
 * Cells and the kernel share one JavaScript realm: tslab's TypeScript compiler, the
 * display code and the protocol all call `Array.prototype.push`, `Map`, `JSON`… A cell that
 * replaces one (`Array.prototype.push = …`) or deletes one breaks the compiler for every
 * later cell (TypeScript only says `builder is not recreated though contents are changed.`).
 *
 * At start-up the kernel records the property descriptors of the standard built-ins:
 *
 *   globalThis.Array ─┬─ own properties          Array.from, Array.isArray, …
 *                     └─ prototype's properties  Array.prototype.push, …[Symbol.iterator]
 *   (also hidden intrinsics: %TypedArray%, the iterator and generator prototypes)
 *
 * and after every cell compares the live ones with that record (value, getter and setter,
 * and each prototype's own [[Prototype]]). What a cell replaced or deleted is put back and
 * named, so the learner hears what happened; what cannot be put back (made non-configurable)
 * is named as lost, with the advice to restart. Additions (`Array.prototype.sum = …`) are
 * left alone: they break nothing the kernel uses. A few properties that programs change on
 * purpose (`Math.random` for a seeded generator, `Date.now` for a simulated clock,
 * `Error.stackTraceLimit`) are not watched.
 *
 * The check runs while a cell may have broken anything, so it calls only functions captured
 * at start-up and indexes arrays by hand (no `for…of`, no `push`). About 2,000 descriptors:
 * a fraction of a millisecond per cell.
 */

const getOwn = Reflect.getOwnPropertyDescriptor;
const define = Reflect.defineProperty;
const ownKeys = Reflect.ownKeys;
const getProto = Reflect.getPrototypeOf;
const setProto = Reflect.setPrototypeOf;
const same = Object.is;

/** The global names of ECMAScript's built-ins and the few Node ones the kernel leans on. */
const GLOBALS = [
  "Object", "Function", "Array", "Number", "Boolean", "String", "Symbol", "BigInt", "Math", "JSON", "Reflect",
  "Proxy", "Promise", "RegExp", "Date", "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError",
  "EvalError", "URIError", "AggregateError", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry",
  "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "Int8Array", "Uint8Array", "Uint8ClampedArray",
  "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array",
  "BigUint64Array", "parseInt", "parseFloat", "isNaN", "isFinite", "encodeURIComponent", "decodeURIComponent",
  "encodeURI", "decodeURI", "Buffer", "TextEncoder", "TextDecoder", "URL", "URLSearchParams",
  "setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "queueMicrotask",
] as const;

/** Changed on purpose by ordinary programs and libraries: not watched. */
const UNWATCHED = new Set(["Math.random", "Date.now", "Error.prepareStackTrace", "Error.stackTraceLimit", "Buffer.poolSize"]);

interface Slot {
  readonly owner: object;
  readonly key: PropertyKey;
  readonly name: string;
  readonly desc: PropertyDescriptor;
  /** Could not be put back: reported once, then no longer checked. */
  lost: boolean;
}

interface Link {
  readonly owner: object;
  readonly name: string;
  readonly proto: object | null;
  lost: boolean;
}

/** What the check found: names put back, and names it could not put back. */
export interface BuiltinRepair {
  readonly restored: readonly string[];
  readonly lost: readonly string[];
}

export class BuiltinGuard {
  readonly #slots: Slot[] = [];
  readonly #links: Link[] = [];

  /** Record the built-ins as they are now: call before any cell runs. */
  constructor() {
    const g = globalThis as unknown as Record<string, unknown>;
    for (const name of GLOBALS) {
      if (!(name in g)) continue;
      // Read first: Node defines some globals (TextEncoder) as getters that replace themselves on first use.
      const value = g[name];
      this.#record(globalThis, name, name);
      if (typeof value === "function" || (typeof value === "object" && value !== null)) this.#recordObject(value, name);
    }
    const intrinsics: [string, unknown][] = [
      ["TypedArray", getProto(Int8Array)],
      ["ArrayIterator.prototype", getProto([][Symbol.iterator]())],
      ["Iterator.prototype", getProto(getProto([][Symbol.iterator]()) as object)],
      ["MapIterator.prototype", getProto(new Map()[Symbol.iterator]())],
      ["SetIterator.prototype", getProto(new Set()[Symbol.iterator]())],
      ["StringIterator.prototype", getProto(""[Symbol.iterator]())],
      ["RegExpStringIterator.prototype", getProto(/x/g[Symbol.matchAll](""))],
      ["GeneratorFunction", getProto(function* () {})!.constructor],
      ["AsyncGeneratorFunction", getProto(async function* () {})!.constructor],
      ["AsyncFunction", getProto(async function () {})!.constructor],
      ["Generator.prototype", getProto(function* () {}.prototype as object)],
      ["AsyncGenerator.prototype", getProto(async function* () {}.prototype as object)],
    ];
    for (const [name, value] of intrinsics) if (value) this.#recordObject(value as object, name);
  }

  /** Put back whatever was replaced or deleted since the record; `undefined` when all is intact. */
  repair(): BuiltinRepair | undefined {
    const restored: string[] = [];
    const lost: string[] = [];
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot.lost) continue;
      const now = getOwn(slot.owner, slot.key);
      if (now !== undefined && same(now.value, slot.desc.value) && same(now.get, slot.desc.get) && same(now.set, slot.desc.set)) continue;
      if (define(slot.owner, slot.key, slot.desc)) {
        restored[restored.length] = slot.name;
      } else {
        slot.lost = true;
        lost[lost.length] = slot.name;
      }
    }
    const links = this.#links;
    for (let i = 0; i < links.length; i++) {
      const link = links[i]!;
      if (link.lost || same(getProto(link.owner), link.proto)) continue;
      if (setProto(link.owner, link.proto)) {
        restored[restored.length] = `the prototype of ${link.name}`;
      } else {
        link.lost = true;
        lost[lost.length] = `the prototype of ${link.name}`;
      }
    }
    return restored.length === 0 && lost.length === 0 ? undefined : { restored, lost };
  }

  #recordObject(value: object, name: string): void {
    this.#recordOwn(value, name);
    const proto = (value as { prototype?: unknown }).prototype;
    if (typeof proto === "object" && proto !== null) this.#recordOwn(proto, `${name}.prototype`);
  }

  #recordOwn(owner: object, prefix: string): void {
    this.#links.push({ owner, name: prefix, proto: getProto(owner), lost: false });
    for (const key of ownKeys(owner)) {
      const name = typeof key === "symbol" ? `${prefix}[${key.description ?? "symbol"}]` : `${prefix}.${key}`;
      if (!UNWATCHED.has(name)) this.#record(owner, key, name);
    }
  }

  #record(owner: object, key: PropertyKey, name: string): void {
    const desc = getOwn(owner, key);
    if (desc) this.#slots.push({ owner, key, name, desc, lost: false });
  }
}

/** The learner-facing text for a repair: what the cell broke, what the kernel did about it. */
export function describeRepair(repair: BuiltinRepair): string {
  const list = (names: readonly string[]) => {
    const noun = names.length === 1 ? "built-in" : "built-ins";
    if (names.length > 6) return `${noun} ${names.slice(0, 6).join(", ")} and ${names.length - 6} more`;
    return `${noun} ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`}`;
  };
  const lines: string[] = [];
  if (repair.restored.length > 0) {
    lines.push(
      `This cell replaced or deleted ${list(repair.restored)}, which the kernel itself needs (its TypeScript ` +
        `compiler runs in the same JavaScript world as your cells). The kernel has put the original back. ` +
        `To change behaviour, write a function of your own or add a method under a new name instead.`,
    );
  }
  if (repair.lost.length > 0) {
    lines.push(
      `This cell changed ${list(repair.lost)} so that it cannot be put back (it was made read-only). ` +
        `Later cells may fail in strange ways: restart the kernel (Kernel → Restart) to get it back.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

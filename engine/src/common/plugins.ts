/**
 * Plug-in resolution
 * ==================
 * Where a learner's piece plugs into the engine as a set of named functions (the B+tree's
 * algorithms today; a join's operators, a planner's rules later), the engine keeps its
 * own set as the defaults and takes a partial set of replacements:
 *
 *   resolvePlugins(ENGINE_BTREE_ALGORITHMS, { insertEntry: mine }, "B+tree algorithm")
 *     → { searchPage: engine's, insertEntry: mine, storeNode: engine's, … }, frozen
 *
 * Bad input is refused with `invalid-argument` before anything runs: a set that is not an
 * object, a name the engine does not know (a typo would otherwise silently run the
 * engine's piece), a value that is not a function. `undefined` values stand for "the
 * engine's", so `{ searchPage: choose(…) }` can pass a maybe-missing piece.
 */
import { DbError } from "./errors.js";

/** `defaults` with the functions of `overrides` put in; `what` names a piece in errors ("B+tree algorithm"). */
export function resolvePlugins<T extends object>(defaults: Readonly<T>, overrides: Partial<T> | undefined, what: string): Readonly<T> {
  if (overrides === undefined) return defaults;
  if (overrides === null || typeof overrides !== "object") {
    throw new DbError("invalid-argument", `${what}s must be an object of functions, got ${String(overrides)}`, {});
  }
  const names = Object.keys(defaults);
  const chosen: Record<string, unknown> = { ...defaults };
  for (const [name, fn] of Object.entries(overrides)) {
    if (!names.includes(name)) {
      throw new DbError("invalid-argument", `unknown ${what} "${name}" (there are: ${names.join(", ")})`, { name });
    }
    if (fn === undefined) continue;
    if (typeof fn !== "function") throw new DbError("invalid-argument", `${what} "${name}" must be a function, got ${typeof fn}`, { name });
    chosen[name] = fn;
  }
  return Object.freeze(chosen) as Readonly<T>;
}

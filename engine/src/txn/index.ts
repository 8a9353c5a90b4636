/** The transaction layer (notebooks 07 and 08): the concurrency-control contract and the protocols that keep it. */
export * from "./concurrency-control.js";
export * from "./lock-manager.js";
export * from "./lock-table.js";
export * from "./find-deadlock.js";
export * from "./waits-for.js";
export * from "./deadlock-policy.js";
export * from "./two-phase-locking.js";
export * from "./schedule.js";
export * from "./scheduler.js";
export * from "./serializability.js";
export * from "./no-control.js";
export * from "./optimistic.js";
export * from "./occ-validation.js";

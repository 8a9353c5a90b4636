/** The transaction layer (notebooks 07 and 08): the concurrency-control contract and the protocols that keep it. */
export * from "./concurrency-control.js";

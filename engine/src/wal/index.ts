export * from "./log-record-header.js";

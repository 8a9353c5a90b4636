/** Workload generators and real datasets for the notebooks: `import { workload, loadFlights } from "@workbook/datasets"`. */
export * from "./workloads.js";
export * from "./flights.js";

/**
 * Schedule golden scripts (notebook 07)
 * =====================================
 * The handler behind `engine/test/golden/schedules/*.golden`: a schedule runs against a
 * protocol and the script shows the timeline, the outcome and the serializability verdict.
 *
 *   protocol occ                                 the protocol of the runs that follow:
 *   protocol none                                occ, none, 2pl (options isolation=
 *   protocol 2pl isolation=read-committed deadlock=detect    read-uncommitted|read-committed|
 *   init x=0 y=0                                 repeatable-read|serializable, deadlock=none|
 *   run T1: r(x); T2: w(x); T2: c; T1: w(x); T1: c           detect|wait-die|wound-wait|timeout-N)
 *   ---                                          data committed before each run
 *   time | T1       | T2                         run: the timeline, the outcome, the verdict
 *   …
 *
 * Every run starts from a fresh protocol (`makeProtocol`) holding the `init` data. The
 * engine is passed in as a kit (`import * as engine`), so a hidden suite can run the same
 * script with a learner's piece plugged into the protocol.
 */
import { goldenTest, type GoldenCommand, type GoldenHandler, type GoldenTestOptions } from "../golden.js";

type Value = number | string;

/** The protocol request the handler builds: its name and `key=value` options. */
export interface ProtocolChoice {
  readonly name: string;
  readonly options: Readonly<Record<string, string>>;
  readonly initial: readonly (readonly [string, Value])[];
}

/** The engine functions the handler uses (pass the engine module). */
export interface ScheduleKit<CC, H extends { readonly operations: readonly unknown[] }, R> {
  runSchedule(cc: CC, schedule: string): H;
  formatTimeline(history: H): string[];
  formatOutcome(history: H): string[];
  checkSerializability(operations: H["operations"]): R;
  describeSerializability(report: R, operations?: H["operations"]): string[];
}

export function scheduleGoldenHandler<CC, H extends { readonly operations: readonly unknown[] }, R>(
  kit: ScheduleKit<CC, H, R>,
  makeProtocol: (choice: ProtocolChoice) => CC,
): GoldenHandler {
  let choice: ProtocolChoice = { name: "none", options: {}, initial: [] };
  return (command: GoldenCommand) => {
    switch (command.name) {
      case "protocol": {
        const [name = ""] = command.args;
        choice = { ...choice, name, options: command.options };
        makeProtocol(choice); // refuse an unknown protocol here, where it is written
        return undefined;
      }
      case "init":
        choice = { ...choice, initial: Object.entries(command.options).map(([k, v]) => [k, /^-?\d+$/.test(v) ? Number(v) : v] as const) };
        return undefined;
      case "run": {
        const schedule = command.line.slice("run".length).trim();
        const history = kit.runSchedule(makeProtocol(choice), schedule);
        return [...kit.formatTimeline(history), ...kit.formatOutcome(history), ...kit.describeSerializability(kit.checkSerializability(history.operations), history.operations)];
      }
      default:
        throw new Error(`unknown command "${command.name}" (protocol, init, run)`);
    }
  };
}

/** A test running one schedule script. */
export function scheduleGoldenTest<CC, H extends { readonly operations: readonly unknown[] }, R>(
  title: string,
  file: string,
  kit: ScheduleKit<CC, H, R>,
  makeProtocol: (choice: ProtocolChoice) => CC,
  options: GoldenTestOptions = {},
): void {
  goldenTest(title, file, () => scheduleGoldenHandler(kit, makeProtocol), options);
}

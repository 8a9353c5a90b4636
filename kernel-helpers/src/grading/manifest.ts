/**
 * Exercise manifests: `exercises/<NN>/manifest.json`
 * ===================================================
 * One per notebook. Each exercise names the cell that holds it (by id in the cell's
 * metadata), the symbols the cell must define, the engine interface it implements when
 * it plugs into the engine, hints, and its hidden suite `exercises/<NN>/<id>.test.ts`.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { CHECKOUT } from "../kernel/kernelspec.js";

export const EXERCISES_DIR = path.join(CHECKOUT, "exercises");

export interface Exercise {
  readonly id: string;
  readonly title: string;
  readonly notebook: string;
  readonly symbols: readonly string[];
  readonly implements?: string;
  /** The engine module that is the reference solution, relative to the checkout. */
  readonly solution: string;
  readonly hints: readonly string[];
}

interface ManifestFile {
  readonly notebook: string;
  readonly exercises: readonly Omit<Exercise, "notebook">[];
}

export class ExerciseNotFoundError extends Error {
  override readonly name = "ExerciseNotFoundError";
}

export function suitePath(id: string): string {
  return path.join(EXERCISES_DIR, id.split(".")[0]!, `${id}.test.ts`);
}

/** Every exercise of the curriculum, in order. */
export function allExercises(): Exercise[] {
  if (!existsSync(EXERCISES_DIR)) return [];
  const out: Exercise[] = [];
  for (const dir of readdirSync(EXERCISES_DIR).filter((d) => /^\d\d$/.test(d)).sort()) {
    const file = path.join(EXERCISES_DIR, dir, "manifest.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8")) as ManifestFile;
    for (const e of manifest.exercises) out.push({ ...e, notebook: manifest.notebook });
  }
  return out;
}

export function findExercise(id: string): Exercise {
  const all = allExercises();
  const found = all.find((e) => e.id === id);
  if (!found) {
    throw new ExerciseNotFoundError(`there is no exercise '${id}' (there are: ${all.map((e) => e.id).join(", ") || "none"})`);
  }
  return found;
}

/** The exercise id a cell's source announces on its first comment line: `// Exercise 00.1 …`. */
export function exerciseIdInSource(source: string): string | undefined {
  const first = source.split("\n").find((l) => l.trim() !== "");
  return first?.match(/^\s*\/\/\s*Exercise\s+(\d\d\.\d+)\b/)?.[1];
}

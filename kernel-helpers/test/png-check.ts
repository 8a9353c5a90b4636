/** What the display tests check in a PNG: its signature and its size, read from the IHDR chunk. */
import { expect } from "vitest";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The pixel size of a PNG (base64 as in a bundle, or bytes); fails the test if it is not a PNG. */
export function pngSize(png: string | Buffer | undefined): { width: number; height: number } {
  expect(png, "a PNG").toBeDefined();
  const bytes = typeof png === "string" ? Buffer.from(png, "base64") : png!;
  expect(bytes.subarray(0, 8).equals(SIGNATURE), "PNG signature").toBe(true);
  // | signature (0) | length u32 (8) | "IHDR" (12) | width u32 BE (16) | height u32 BE (20) |
  expect(bytes.toString("latin1", 12, 16)).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The `width` and `height` attributes of an SVG's root element, rounded up as resvg does. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const attr = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(root)?.[1]);
  return { width: Math.ceil(attr("width")), height: Math.ceil(attr("height")) };
}

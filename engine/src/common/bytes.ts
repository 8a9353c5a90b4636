/**
 * Byte helpers
 * ============
 * Pages and tuples are `Uint8Array`s read and written through a `DataView`. Two mistakes
 * recur, and the helpers here exist to make them impossible:
 *
 * - `new DataView(bytes.buffer)` ignores `bytes.byteOffset`: for a frame that is a
 *   `subarray` of the buffer pool's one big buffer, offset 0 of the view is the start of
 *   the pool, not of the page. `viewOf(bytes)` always covers exactly `bytes`.
 * - Forgetting the endianness argument makes `DataView` big-endian. Every multi-byte
 *   field in the engine is little-endian (x86 and ARM order, so PostgreSQL's on-disk
 *   bytes on those machines look the same); pass `LITTLE_ENDIAN` so the choice is named.
 *
 * Alignment: PostgreSQL places tuples at MAXALIGN (8-byte) boundaries and each column at
 * its type's alignment (`typalign`), so the CPU can load a field with one instruction.
 * JavaScript's DataView does not need alignment, but we keep PostgreSQL's rules so our
 * tuples-per-page numbers and byte pictures match `pageinspect`'s.
 */

/** Pass as the `littleEndian` argument of every DataView get/set call. */
export const LITTLE_ENDIAN = true;

/** PostgreSQL's MAXIMUM_ALIGNOF on 64-bit machines: tuples start at multiples of 8. */
export const MAXALIGN = 8;

/** A DataView over exactly the bytes of `bytes`, honouring its byteOffset. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The smallest multiple of `alignment` (a power of two) that is ≥ `n`. */
export function alignUp(n: number, alignment: number): number {
  return (n + alignment - 1) & ~(alignment - 1);
}

/** The largest multiple of `alignment` (a power of two) that is ≤ `n`. */
export function alignDown(n: number, alignment: number): number {
  return n & ~(alignment - 1);
}

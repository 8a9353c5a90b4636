/**
 * Log record header codec
 * =======================
 * Every write-ahead-log record starts with a fixed 16-byte header, little-endian:
 *
 *   0        8          12       13       14         16
 *   | lsn u64 | txnId u32 | type u8 | flags u8 | length u16 |
 *
 * `lsn` is a 64-bit byte position in the log, so it is a `bigint`: a JavaScript `number`
 * is exact only up to 2^53. Values that do not fit their field are refused with a
 * RangeError naming the field, never silently wrapped. PostgreSQL's XLogRecord header is
 * 24 bytes (total length, xid, previous record pointer, info, resource manager, CRC); we
 * add fields like those in the WAL notebook.
 *
 * This file is the reference answer to exercise 00.1, in the form a learner writes it.
 */

export const LOG_HEADER_SIZE = 16;

export interface LogRecordHeader {
  /** Log sequence number: the record's byte position in the log. */
  readonly lsn: bigint;
  /** The transaction that wrote the record, 0 … 2^32 − 1. */
  readonly txnId: number;
  /** Record type, 0 … 255. */
  readonly type: number;
  /** Flag bits, 0 … 255. */
  readonly flags: number;
  /** Length of the record's body in bytes, 0 … 65535. */
  readonly length: number;
}

function checkInt(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${field} must be an integer from 0 to ${max}, got ${value}`);
  }
}

export function encodeLogHeader(header: LogRecordHeader): Uint8Array {
  if (typeof header.lsn !== "bigint" || header.lsn < 0n || header.lsn > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`lsn must be a bigint from 0 to 2^64 - 1, got ${String(header.lsn)}`);
  }
  checkInt("txnId", header.txnId, 0xffff_ffff);
  checkInt("type", header.type, 0xff);
  checkInt("flags", header.flags, 0xff);
  checkInt("length", header.length, 0xffff);
  const bytes = new Uint8Array(LOG_HEADER_SIZE);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, header.lsn, true);
  view.setUint32(8, header.txnId, true);
  view.setUint8(12, header.type);
  view.setUint8(13, header.flags);
  view.setUint16(14, header.length, true);
  return bytes;
}

/** Decode the header that starts at `offset` in `bytes` (which may be a view into a larger buffer). */
export function decodeLogHeader(bytes: Uint8Array, offset = 0): LogRecordHeader {
  if (!Number.isInteger(offset) || offset < 0 || offset + LOG_HEADER_SIZE > bytes.length) {
    throw new RangeError(`a log header needs ${LOG_HEADER_SIZE} bytes at offset ${offset}, but the buffer has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, LOG_HEADER_SIZE);
  return {
    lsn: view.getBigUint64(0, true),
    txnId: view.getUint32(8, true),
    type: view.getUint8(12),
    flags: view.getUint8(13),
    length: view.getUint16(14, true),
  };
}

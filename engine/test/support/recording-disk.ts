/** test-support's RecordingDisk over this engine's own MemoryDiskManager (source, not the build). */
import { MemoryDiskManager } from "../../src/storage/memory-disk-manager.js";
import { RecordingDisk as Recording } from "../../../test-support/recording-disk.js";

export class RecordingDisk extends Recording {
  constructor(pageSize = 256) {
    super(new MemoryDiskManager({ pageSize }));
  }
}

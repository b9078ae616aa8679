import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** A file being written: stream into `stream`, then `commit` (it appears whole) or `abort`. */
export interface PendingFile {
  stream: Writable;
  commit(): Promise<{ byteSize: number }>;
  abort(): Promise<void>;
}

/**
 * Where report files live. A directory today (REPORTS_DIR); S3-compatible storage would be a
 * second implementation of this interface.
 */
export interface ReportStorage {
  create(key: string): Promise<PendingFile>;
  open(key: string): Promise<{ stream: Readable; byteSize: number }>;
  remove(key: string): Promise<void>;
}

/** Report files in a local directory; a file appears under its key only once written whole. */
export class LocalReportStorage implements ReportStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`report storage key escapes its root: ${key}`);
    return path;
  }

  async create(key: string): Promise<PendingFile> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.partial`;
    const stream = createWriteStream(partial);
    return {
      stream,
      commit: async () => {
        if (!stream.writableFinished) await finished(stream);
        await rename(partial, path);
        return { byteSize: (await stat(path)).size };
      },
      abort: async () => {
        stream.destroy();
        await rm(partial, { force: true });
      },
    };
  }

  async open(key: string): Promise<{ stream: Readable; byteSize: number }> {
    const path = this.path(key);
    const { size } = await stat(path);
    return { stream: createReadStream(path), byteSize: size };
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

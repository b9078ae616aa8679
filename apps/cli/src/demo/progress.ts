/** Where progress goes: stderr, with the bits of a TTY we use. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const BAR_WIDTH = 24;
const TTY_REDRAW_MS = 100;
const PLAIN_EVERY_MS = 5000;

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

/** The progress line: `label [████░░░░] 42%  84,000/200,000  18,200 ev/s  ETA 7 s`. */
export function progressLine(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  bar: boolean,
): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? (total - done) / rate : Infinity;
  const filled = Math.round(fraction * BAR_WIDTH);
  return [
    label,
    bar ? `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}]` : '',
    `${Math.floor(fraction * 100)}%`.padStart(4),
    ` ${formatCount(done)}/${formatCount(total)}`,
    ` ${formatCount(rate)} ev/s`,
    done < total ? ` ETA ${formatDuration(eta)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * Progress on stderr: a redrawn bar on a terminal; otherwise (CI, pipes, logs) a plain line every
 * few seconds, so logs stay readable.
 */
export class Progress {
  private readonly started: number;
  private lastDraw = 0;
  private done = 0;
  private finished = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.lastDraw = this.started;
  }

  update(done: number): void {
    this.done = done;
    const t = this.now();
    if (this.stream.isTTY) {
      if (t - this.lastDraw < TTY_REDRAW_MS) return;
      this.lastDraw = t;
      this.stream.write(`\r\x1b[K${this.line(true)}`);
    } else if (t - this.lastDraw >= PLAIN_EVERY_MS) {
      this.lastDraw = t;
      this.stream.write(`${this.line(false)}\n`);
    }
  }

  /** The final state, once; returns the elapsed milliseconds. */
  finish(): number {
    const elapsed = this.now() - this.started;
    if (this.finished) return elapsed;
    this.finished = true;
    const line = this.line(Boolean(this.stream.isTTY));
    this.stream.write(this.stream.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
    return elapsed;
  }

  private line(bar: boolean): string {
    return progressLine(this.label, this.done, this.total, this.now() - this.started, bar);
  }
}

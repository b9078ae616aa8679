import { describe, expect, it } from 'vitest';
import { formatDuration, Progress, progressLine } from './progress';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) };
}

describe('progress', () => {
  it('shows a bar, the share, counts, the rate and the time left', () => {
    expect(progressLine('loading', 50_000, 200_000, 5000, true)).toBe(
      'loading [██████░░░░░░░░░░░░░░░░░░]  25%  50,000/200,000  10,000 ev/s  ETA 15 s',
    );
    expect(progressLine('loading', 200_000, 200_000, 10_000, false)).toBe(
      'loading 100%  200,000/200,000  20,000 ev/s',
    );
    expect(formatDuration(125)).toBe('2 min 5 s');
  });

  it('redraws one line on a terminal, at most every 100 ms', () => {
    let now = 0;
    const out = stream(true);
    const progress = new Progress('loading', 100, out, () => now);
    now = 50;
    progress.update(10); // too soon
    now = 150;
    progress.update(20);
    now = 160;
    progress.update(30); // too soon
    now = 1000;
    progress.finish();
    expect(out.writes).toHaveLength(2);
    const CLEAR_LINE = '\r\u001b[K';
    expect(out.writes[0]!.startsWith(`${CLEAR_LINE}loading [`)).toBe(true);
    expect(out.writes[0]).toContain(' 20%  20/100 ');
    expect(out.writes[1]!.startsWith(`${CLEAR_LINE}loading [`)).toBe(true);
    expect(out.writes[1]).toContain(' 30%  30/100 ');
    expect(out.writes[1]!.endsWith('\n')).toBe(true);
  });

  it('writes plain lines every few seconds when stderr is not a terminal', () => {
    let now = 0;
    const out = stream(false);
    const progress = new Progress('loading', 100, out, () => now);
    for (now = 1000; now <= 12_000; now += 1000) progress.update(now / 200);
    progress.finish();
    progress.finish(); // once only
    expect(out.writes).toEqual([
      'loading  25%  25/100  5 ev/s  ETA 15 s\n',
      'loading  50%  50/100  5 ev/s  ETA 10 s\n',
      'loading  60%  60/100  5 ev/s  ETA 9 s\n',
    ]);
  });
});

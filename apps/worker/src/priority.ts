import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers this process's CPU priority to `nice`. On Linux nice is per thread, and V8 and libuv
 * start theirs before any of our code runs, so every thread of the process is set; elsewhere the
 * process. Returns the threads that could not be set (none when it worked).
 */
export function lowerPriority(nice: number): string[] {
  if (nice === 0) return [];
  let threads: number[];
  try {
    threads = readdirSync('/proc/self/task').map(Number);
  } catch {
    threads = [0];
  }
  const failed: string[] = [];
  for (const tid of threads) {
    try {
      if (getPriority(tid) < nice) setPriority(tid, nice);
    } catch (error) {
      failed.push(`${tid}: ${(error as Error).message}`);
    }
  }
  return failed;
}

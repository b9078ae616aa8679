// Keeps `npm start`'s long-running processes up: a process that exits on its own (a crash, an
// out-of-memory kill, `kill -9`) is started again after a short backoff while the others keep
// serving; only a crash loop gives up. Every change is written to a small state file that
// `npm start -- status` reads. Only Node built-ins here.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A process that crashes this many times within `windowMs` is in a crash loop: give up. */
export const CRASH_LOOP = { crashes: 5, windowMs: 60_000 };
/** Wait before a restart: 1 s after the first crash of the window, then 2, 4, 8 s. */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

export function restartDelay(recentCrashes) {
  return Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, recentCrashes - 1), MAX_DELAY_MS);
}

export function formatDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

const exitReason = (code, signal) => signal ?? `exit code ${code}`;

/**
 * Runs each service through `launch(service)` (which returns a ChildProcess) and restarts it when
 * it exits unasked. `onGiveUp(service)` is called once when a service is in a crash loop; the
 * caller then stops everything. `log` receives one line per event a person should see.
 */
export class Supervisor {
  constructor({ stateFile, launch, log, onGiveUp, info = {} }) {
    this.stateFile = stateFile;
    this.launch = launch;
    this.log = log;
    this.onGiveUp = onGiveUp;
    this.info = info;
    this.startedAt = new Date().toISOString();
    this.state = 'running';
    this.services = [];
  }

  start(specs) {
    this.services = specs.map((spec) => ({
      spec,
      name: spec.name,
      child: null,
      state: 'starting',
      startedAt: null,
      restarts: 0,
      crashes: [],
      lastExit: null,
      timer: null,
    }));
    for (const s of this.services) this.spawn(s);
    this.save();
    return this.services;
  }

  /** Live child processes (for stopping them). */
  children() {
    return this.services.map((s) => s.child).filter((c) => c && c.exitCode === null && c.signalCode === null);
  }

  spawn(service) {
    const child = this.launch(service.spec);
    service.child = child;
    service.state = 'running';
    service.startedAt = Date.now();
    child.once('exit', (code, signal) => this.exited(service, child, code, signal));
  }

  exited(service, child, code, signal) {
    if (service.child !== child) return;
    const now = Date.now();
    const reason = exitReason(code, signal);
    service.lastExit = { at: new Date(now).toISOString(), reason, after: now - service.startedAt };
    service.child = null;
    if (this.state !== 'running') {
      service.state = 'stopped';
      this.save();
      return;
    }
    service.crashes = [...service.crashes.filter((t) => now - t < CRASH_LOOP.windowMs), now];
    const others = this.services.filter((s) => s !== service).map((s) => s.name);
    if (service.crashes.length >= CRASH_LOOP.crashes) {
      service.state = 'crash loop';
      this.log(
        `${service.name} exited (${reason}): its ${service.crashes.length}th crash within ` +
          `${CRASH_LOOP.windowMs / 1000} s. That is a crash loop; giving up and stopping ${others.join(' and ')}.`,
      );
      this.state = 'gave up';
      this.save();
      this.onGiveUp(service);
      return;
    }
    const delay = restartDelay(service.crashes.length);
    service.state = 'restarting';
    this.log(
      `${service.name} exited (${reason}) after ${formatDuration(now - service.startedAt)}; ` +
        `restarting it in ${formatDuration(delay)} (${service.crashes.length} of ${CRASH_LOOP.crashes} ` +
        `crashes within a minute stop everything). ${others.join(' and ')} keep serving.`,
    );
    this.save();
    service.timer = setTimeout(() => {
      service.timer = null;
      if (this.state !== 'running') return;
      service.restarts += 1;
      this.spawn(service);
      this.log(
        `${service.name} restarted (pid ${service.child.pid}; ${service.restarts} restart${service.restarts === 1 ? '' : 's'} since start).`,
      );
      this.save();
    }, delay);
  }

  /** No more restarts: from here on an exit is a stop. */
  stopping() {
    if (this.state === 'running') this.state = 'stopping';
    for (const s of this.services) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = null;
      if (!s.child && s.state !== 'crash loop') s.state = 'stopped';
    }
    this.save();
  }

  /** The last word in the state file, as the supervisor exits. */
  finish(exitCode) {
    this.state = this.state === 'gave up' ? 'gave up' : 'stopped';
    this.exitCode = exitCode;
    for (const s of this.services) if (s.state !== 'crash loop') s.state = 'stopped';
    this.save();
  }

  snapshot() {
    return {
      supervisor: {
        pid: process.pid,
        state: this.state,
        startedAt: this.startedAt,
        ...(this.exitCode === undefined
          ? {}
          : { exitCode: this.exitCode, stoppedAt: new Date().toISOString() }),
      },
      ...this.info,
      crashLoop: CRASH_LOOP,
      processes: this.services.map((s) => ({
        name: s.name,
        state: s.state,
        pid: s.child?.pid ?? null,
        startedAt: s.child && s.startedAt ? new Date(s.startedAt).toISOString() : null,
        restarts: s.restarts,
        lastExit: s.lastExit,
      })),
    };
  }

  save() {
    // Written whole and renamed into place: a reader never sees half a file.
    mkdirSync(dirname(this.stateFile), { recursive: true });
    const temporary = `${this.stateFile}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.snapshot(), null, 2)}\n`);
    renameSync(temporary, this.stateFile);
  }
}

// `npm start -- status`: what `npm start` is running, read from its state file, checked against
// the live processes and the API's /readyz. Exit code 0 when everything runs, 1 when Tokenledger
// runs but a process is down (restarting), 3 when it is not running. Only Node built-ins here.
import { readFileSync } from 'node:fs';
import { formatDuration } from './supervisor.mjs';

function alive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function probe(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { ok: response.ok, status: response.status };
  } catch (error) {
    return { ok: false, error: error.cause?.code ?? error.message };
  }
}

/** The state file, checked against what is really running. */
export async function readStatus(stateFile) {
  let state;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return { running: false, stateFile, never: true };
    throw new Error(`cannot read ${stateFile}: ${error.message}`);
  }
  const supervisorAlive = alive(state.supervisor.pid);
  const running = supervisorAlive && ['running', 'stopping'].includes(state.supervisor.state);
  const processes = state.processes.map((p) => ({ ...p, alive: alive(p.pid) }));
  const checks = running
    ? {
        api: await probe(`${state.apiUrl}/readyz`),
        dashboard: await probe(state.dashboardUrl),
      }
    : null;
  return { running, stateFile, supervisorAlive, ...state, processes, checks };
}

export function statusExitCode(status) {
  if (!status.running) return 3;
  return status.processes.every((p) => p.state === 'running' && p.alive) ? 0 : 1;
}

const ago = (iso, now) => `${formatDuration(now - Date.parse(iso))} ago`;

export function renderStatus(status, now = Date.now()) {
  if (status.never) return `Tokenledger is not running (no ${status.stateFile}: npm start has not run here).`;
  const { supervisor } = status;
  const lines = [];
  if (status.running) {
    lines.push(
      `Tokenledger is running: npm start pid ${supervisor.pid}, up ${formatDuration(now - Date.parse(supervisor.startedAt))}.`,
    );
  } else if (!status.supervisorAlive && ['running', 'stopping'].includes(supervisor.state)) {
    lines.push(
      `Tokenledger is not running: npm start (pid ${supervisor.pid}) is gone without stopping its processes.`,
    );
  } else {
    const how = supervisor.state === 'gave up' ? 'gave up on a crash loop' : 'stopped';
    lines.push(
      `Tokenledger is not running: it ${how}${supervisor.stoppedAt ? ` ${ago(supervisor.stoppedAt, now)}` : ''}` +
        `${supervisor.exitCode !== undefined ? ` (exit code ${supervisor.exitCode})` : ''}.`,
    );
  }
  const rows = [['process', 'state', 'pid', 'up', 'restarts', 'last exit']];
  for (const p of status.processes) {
    let state = p.state;
    if (p.pid && !p.alive && p.state === 'running') state = 'gone';
    if (!status.running && p.alive) state = 'orphaned (still running)';
    rows.push([
      p.name,
      state,
      p.pid && (status.running || p.alive) ? String(p.pid) : '-',
      status.running && p.startedAt ? formatDuration(now - Date.parse(p.startedAt)) : '-',
      String(p.restarts),
      p.lastExit ? `${p.lastExit.reason}, ${ago(p.lastExit.at, now)}` : '-',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  lines.push('', ...rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd()));
  if (status.checks) {
    const say = (c) =>
      c.ok ? 'ready' : c.status ? `not ready (HTTP ${c.status})` : `not answering (${c.error})`;
    lines.push(
      '',
      `  API        ${status.apiUrl}   ${say(status.checks.api)}`,
      `  Dashboard  ${status.dashboardUrl}   ${say(status.checks.dashboard)}`,
    );
  }
  lines.push(
    '',
    `A process that exits on its own is restarted; ${status.crashLoop.crashes} crashes within ` +
      `${status.crashLoop.windowMs / 1000} s stop everything. State: ${status.stateFile}`,
  );
  return lines.join('\n');
}

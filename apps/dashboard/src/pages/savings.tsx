import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { RangePicker } from '../components/range-picker';
import { Empty, ErrorState, Loading, TableWrap } from '../components/states';
import { compact, count, dateTime, money } from '../format';
import { graphql, request, type ResultOf } from '../graphql';
import { canAdmin, useOrg, VIEWER_REASON } from '../org';
import {
  fromDefinition,
  fromRecommendation,
  isComplete,
  newMove,
  parseScenario,
  ROUTING_SIZES,
  scenarioInstants,
  serializeScenario,
  splitModel,
  TIERS,
  toScenarioInput,
  type Efficiency,
  type Move,
  type ScenarioState,
} from '../scenario-state';
import { rangeDays } from '../time-range';
import { useDebounced } from '../use-debounced';

const SIMULATE = graphql(`
  query Simulate($org: String, $scenario: ScenarioInput!) {
    simulate(org: $org, scenario: $scenario) {
      baselineUsd
      projectedUsd
      projectedLowUsd
      projectedHighUsd
      savingsUsd
      savingsPercent
      savingsLowUsd
      savingsHighUsd
      monthlySavingsUsd
      monthlyBaselineUsd
      movedBaselineUsd
      movedRequests
      movedShareOfRequests
      movedShareOfTokens
      movedShareOfCost
      requests
      unpricedRequests
      days
      firstDay
      lastDay
      stayed {
        reason
        requests
        tokens
        costUsd
      }
      byFeature {
        key
        baselineUsd
        projectedUsd
        savingsUsd
        movedRequests
        requests
        quality {
          benchmark
          sourceModel
          targetModel
          sourceScore {
            score
          }
          targetScore {
            score
          }
          delta
          note
        }
      }
      moves {
        index
        fromProvider
        fromModel
        toProvider
        toModel
        movedRequests
        movedBaselineUsd
        projectedUsd
        inputEfficiency {
          mode
          ratio
          low
          high
          method
        }
        outputEfficiency {
          mode
          ratio
          low
          high
          method
        }
      }
      quality {
        benchmark
        sourceProvider
        sourceModel
        sourceScore {
          score
          unit
          approximate
        }
        targetProvider
        targetModel
        targetScore {
          score
          unit
          approximate
        }
        delta
        note
      }
      warnings
    }
  }
`);

const RECOMMENDATIONS = graphql(`
  query Recommendations(
    $org: String
    $filter: SpendFilter!
    $benchmark: String!
    $tolerance: Float!
    $prices: PriceBasis!
  ) {
    recommendations(
      org: $org
      filter: $filter
      benchmark: $benchmark
      tolerance: $tolerance
      prices: $prices
    ) {
      feature
      sourceProvider
      sourceModel
      targetProvider
      targetModel
      baselineUsd
      projectedUsd
      savingsUsd
      savingsPercent
      monthlySavingsUsd
      movableShare
      candidatesConsidered
      why
      stayed {
        reason
        requests
      }
      quality {
        benchmark
        sourceScore {
          score
        }
        targetScore {
          score
        }
        delta
        note
      }
    }
  }
`);

const SOURCES = graphql(`
  query ScenarioSources($org: String, $filter: SpendFilter!, $range: SpendFilter!) {
    spend(org: $org, filter: $filter, groupBy: [PROVIDER, MODEL], limit: 200) {
      provider
      model
      costUsd
      requests
    }
    features: spend(org: $org, filter: $filter, groupBy: [FEATURE], limit: 200) {
      feature
      costUsd
    }
    projects: spend(org: $org, filter: $range, groupBy: [PROJECT], limit: 200) {
      project
    }
  }
`);

const TARGETS = graphql(`
  query ScenarioTargets($org: String, $search: String) {
    models(org: $org, search: $search, first: 20) {
      provider
      model
      displayName
    }
  }
`);

const SCENARIOS = graphql(`
  query SavedScenarios($org: String) {
    scenarios(org: $org, first: 50) {
      id
      name
      createdAt
      createdBy
      definition
    }
  }
`);

const SAVE = graphql(`
  mutation SaveScenario($org: String, $id: ID, $name: String!, $scenario: ScenarioInput!) {
    saveScenario(org: $org, id: $id, name: $name, scenario: $scenario) {
      id
      name
    }
  }
`);

const DELETE = graphql(`
  mutation DeleteScenario($org: String, $id: ID!) {
    deleteScenario(org: $org, id: $id)
  }
`);

const START_RUN = graphql(`
  mutation StartSimulationRun($org: String, $scenarioId: ID!) {
    startSimulationRun(org: $org, scenarioId: $scenarioId) {
      id
      status
    }
  }
`);

const RUN = graphql(`
  query SimulationRun($org: String, $id: ID!) {
    simulationRun(org: $org, id: $id) {
      id
      status
      error
      baselineUsd
      simulatedUsd
      periodStart
      periodEnd
      finishedAt
      result {
        savingsUsd
        savingsLowUsd
        savingsHighUsd
        quality {
          benchmark
          sourceModel
          targetModel
          sourceScore {
            score
          }
          targetScore {
            score
          }
          delta
          note
        }
      }
    }
  }
`);

/** A background run of a saved scenario: polled until it has finished. */
function RunStatus({ id }: { id: string }) {
  const org = useOrg();
  const run = useQuery({
    queryKey: ['simulation-run', org.slug, id],
    queryFn: ({ signal }) => request(RUN, { org: org.slug, id }, signal).then((d) => d.simulationRun),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'succeeded' || status === 'failed' ? false : 1000;
    },
  });
  const r = run.data;
  if (run.error) return <ErrorState error={run.error} />;
  return (
    <div className="run small" role="status" data-testid="simulation-run">
      {!r ? (
        'Background run: starting…'
      ) : r.status === 'failed' ? (
        <span className="error">Background run failed: {r.error}</span>
      ) : r.status !== 'succeeded' ? (
        `Background run ${r.status}…`
      ) : (
        <>
          Background run finished {r.finishedAt ? dateTime(r.finishedAt, org.timeZone) : ''}:{' '}
          {money(r.baselineUsd)} → {money(r.simulatedUsd)}
          {r.result && (
            <>
              , saves {money(r.result.savingsUsd)} (range {money(r.result.savingsLowUsd)} to{' '}
              {money(r.result.savingsHighUsd)}) <QualityNote q={r.result.quality} />
            </>
          )}
        </>
      )}
    </div>
  );
}

type Result = ResultOf<typeof SIMULATE>['simulate'];
type Recommendation = ResultOf<typeof RECOMMENDATIONS>['recommendations'][number];
type Quality = { benchmark: string; delta: number | null; note: string } & {
  sourceModel?: string;
  targetModel?: string;
  sourceScore: { score: number } | null;
  targetScore: { score: number } | null;
};

export const STAY_REASONS: Record<string, string> = {
  CONTEXT_WINDOW: "Prompt above the target's context window",
  OUTPUT_LIMIT: "Output above the target's output limit",
  MODALITY: 'Images, audio or video the target does not take',
  CAPABILITY: 'Needs a capability the target lacks',
  SOURCE_UNPRICED: 'No recorded cost to compare (unpriced)',
  TARGET_UNPRICED: 'The target has no price for this traffic',
  PROMPT_ROUTING: 'Prompt above the routing size',
  SHARE: 'Outside the share that moves',
};

function share(v: number): string {
  return v.toLocaleString(undefined, { style: 'percent', maximumFractionDigits: 1 });
}

function score(s: { score: number } | null): string {
  return s ? s.score.toLocaleString(undefined, { maximumFractionDigits: 1 }) : 'no score';
}

/** The quality side of a dollar figure: the benchmark, both scores and the delta, or "unknown". */
export function QualityNote({ q }: { q: Quality[] }) {
  if (q.length === 0) return <span className="quality muted">Quality: no moved traffic to judge.</span>;
  return (
    <span className="quality">
      {q.map((x, i) => (
        <span key={i} className={x.delta === null ? 'quality-item unknown' : 'quality-item'}>
          Quality on {x.benchmark}
          {x.sourceModel ? ` (${x.sourceModel} → ${x.targetModel})` : ''}: {score(x.sourceScore)} →{' '}
          {score(x.targetScore)}
          {x.delta === null
            ? ' — unknown'
            : ` (${x.delta.toLocaleString(undefined, { signDisplay: 'exceptZero', maximumFractionDigits: 1 })} pts)`}
        </span>
      ))}
    </span>
  );
}

function modelRef(provider: string | null | undefined, model: string | null | undefined): string {
  return provider && model ? `${provider}/${model}` : (model ?? '');
}

function TargetInput({
  id,
  value,
  onCommit,
}: {
  id: string;
  value: string;
  onCommit: (provider: string, model: string) => void;
}) {
  const org = useOrg();
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const search = useDebounced(draft.includes('/') ? draft.slice(draft.indexOf('/') + 1) : draft, 250);
  const targets = useQuery({
    queryKey: ['scenario-targets', org.slug, search],
    queryFn: ({ signal }) => request(TARGETS, { org: org.slug, search: search || null }, signal),
    enabled: search.length >= 2,
    staleTime: 5 * 60_000,
    placeholderData: keepPreviousData,
  });
  const options = (targets.data?.models ?? []).map((m) => `${m.provider}/${m.model}`);
  const commit = (text: string) => {
    const parts = splitModel(text.trim());
    if (parts && text.trim() !== value) onCommit(parts[0], parts[1]);
  };
  return (
    <>
      <input
        id={id}
        list={`${id}-list`}
        value={draft}
        placeholder="provider/model"
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => {
          setDraft(e.target.value);
          // A pick from the list is final; typing commits on leaving the field or Enter.
          if (options.includes(e.target.value)) commit(e.target.value);
        }}
        onBlur={() => commit(draft)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit(draft);
          }
        }}
      />
      <datalist id={`${id}-list`}>
        {options.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
    </>
  );
}

/** Capabilities the moved traffic needs ("computer-use, vision"), applied on leaving the field. */
function CapabilitiesInput({
  id,
  value,
  onCommit,
}: {
  id: string;
  value: string[];
  onCommit: (capabilities: string[]) => void;
}) {
  const [draft, setDraft] = useState(value.join(', '));
  const joined = value.join(', ');
  useEffect(() => setDraft(joined), [joined]);
  const commit = () => {
    const next = [
      ...new Set(
        draft
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      ),
    ];
    if (next.join(',') !== value.join(',')) onCommit(next);
  };
  return (
    <label htmlFor={id} className="capabilities">
      Traffic needs capabilities <span className="muted small">(comma-separated, e.g. computer-use)</span>
      <input
        id={id}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          }
        }}
      />
    </label>
  );
}

/**
 * One select over a scenario's feature or project scope: every one, one, or (from a link) several,
 * which shows as one option and stays until another is picked.
 */
function ScopeSelect({
  label,
  every,
  chosen,
  options,
  name,
  onChange,
}: {
  label: string;
  every: string;
  chosen: readonly string[];
  options: readonly string[];
  name: (value: string) => string;
  onChange: (chosen: string[]) => void;
}) {
  return (
    <label>
      {label}
      <select
        value={chosen.length === 1 ? chosen[0] : chosen.length ? '__many' : '__all'}
        onChange={(e) => onChange(e.target.value === '__all' ? [] : [e.target.value])}
      >
        <option value="__all">{every}</option>
        {chosen.length > 1 && <option value="__many">{chosen.join(', ')}</option>}
        {[...new Set([...chosen, ...options])].map((v) => (
          <option key={v} value={v}>
            {name(v)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A token ratio on the target: fixed (with its value) or calibrated from the organization's own traffic. */
function RatioField({
  id,
  label,
  aria,
  value,
  onChange,
}: {
  id: string;
  label: string;
  aria: string;
  value: Efficiency;
  onChange: (value: Efficiency) => void;
}) {
  return (
    <label htmlFor={id}>
      {label}
      <span className="pair">
        <select
          id={id}
          value={value.mode}
          onChange={(e) =>
            onChange(e.target.value === 'CALIBRATED' ? { mode: 'CALIBRATED' } : { mode: 'FIXED', value: 1 })
          }
        >
          <option value="FIXED">fixed</option>
          <option value="CALIBRATED">calibrated</option>
        </select>
        {value.mode === 'FIXED' && (
          <input
            aria-label={aria}
            type="number"
            min={0.1}
            max={10}
            step={0.05}
            value={value.value}
            onChange={(e) => {
              const v = Number(e.target.value);
              if (v > 0) onChange({ mode: 'FIXED', value: v });
            }}
          />
        )}
      </span>
    </label>
  );
}

function MoveEditor({
  move,
  index,
  sources,
  onChange,
  onRemove,
}: {
  move: Move;
  index: number;
  sources: { provider: string | null; model: string | null }[];
  onChange: (m: Move) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const n = index + 1;
  const from = move.fromModel === null ? '*' : `${move.fromProvider ?? '*'}/${move.fromModel}`;
  const fromOptions = sources.map((s) => `${s.provider ?? '*'}/${s.model ?? ''}`);
  if (from !== '*' && !fromOptions.includes(from)) fromOptions.unshift(from);
  return (
    <fieldset className="move card-inner" aria-label={`Move ${n}`}>
      <legend>Move {n}</legend>
      <div className="form-grid">
        <label htmlFor={`${id}-from`}>
          From model
          <select
            id={`${id}-from`}
            value={from}
            onChange={(e) => {
              const v = e.target.value;
              if (v === '*') onChange({ ...move, fromProvider: null, fromModel: null });
              else {
                const [p, m] = splitModel(v) ?? [null, v];
                onChange({ ...move, fromProvider: p === '*' ? null : p, fromModel: m });
              }
            }}
          >
            <option value="*">Every model</option>
            {fromOptions.map((o) => (
              <option key={o} value={o}>
                {o.startsWith('*/') ? o.slice(2) : o}
              </option>
            ))}
          </select>
        </label>
        <label htmlFor={`${id}-to`} className="span2">
          To model
          <TargetInput
            id={`${id}-to`}
            value={isComplete(move) ? `${move.toProvider}/${move.toModel}` : ''}
            onCommit={(toProvider, toModel) => onChange({ ...move, toProvider, toModel })}
          />
        </label>
        <label htmlFor={`${id}-share`}>
          Share of requests that moves (%)
          <input
            id={`${id}-share`}
            type="number"
            min={1}
            max={100}
            step={1}
            value={Math.round(move.share * 1000) / 10}
            onChange={(e) => {
              const v = Number(e.target.value);
              if (Number.isFinite(v) && v > 0 && v <= 100) onChange({ ...move, share: v / 100 });
            }}
          />
        </label>
        <label htmlFor={`${id}-max`}>
          Route prompts up to
          <select
            id={`${id}-max`}
            value={move.maxPromptTokens ?? ''}
            onChange={(e) =>
              onChange({ ...move, maxPromptTokens: e.target.value ? Number(e.target.value) : null })
            }
          >
            <option value="">any size</option>
            {[...new Set([...ROUTING_SIZES, ...(move.maxPromptTokens ? [move.maxPromptTokens] : [])])]
              .sort((a, b) => a - b)
              .map((s) => (
                <option key={s} value={s}>
                  {compact(s)} tokens
                </option>
              ))}
          </select>
        </label>
        <RatioField
          id={`${id}-out`}
          label="Output tokens on the target"
          aria={`Move ${n}: output token ratio`}
          value={move.output}
          onChange={(output) => onChange({ ...move, output })}
        />
        <RatioField
          id={`${id}-in`}
          label="Input tokens on the target"
          aria={`Move ${n}: input token ratio`}
          value={move.input}
          onChange={(input) => onChange({ ...move, input })}
        />
        <label htmlFor={`${id}-cache`}>
          Cache reads
          <span className="pair">
            <select
              id={`${id}-cache`}
              value={move.cache.mode}
              onChange={(e) => {
                const mode = e.target.value;
                onChange({
                  ...move,
                  cache:
                    mode === 'SHARE'
                      ? { mode: 'SHARE', share: 0.3 }
                      : mode === 'NONE'
                        ? { mode: 'NONE' }
                        : { mode: 'KEEP' },
                });
              }}
            >
              <option value="KEEP">as observed</option>
              <option value="NONE">none</option>
              <option value="SHARE">a share of input</option>
            </select>
            {move.cache.mode === 'SHARE' && (
              <input
                aria-label={`Move ${n}: cached share of input (%)`}
                type="number"
                min={0}
                max={100}
                step={5}
                value={Math.round(move.cache.share * 100)}
                onChange={(e) => {
                  const v = Number(e.target.value);
                  if (v >= 0 && v <= 100) onChange({ ...move, cache: { mode: 'SHARE', share: v / 100 } });
                }}
              />
            )}
          </span>
        </label>
        <label htmlFor={`${id}-tier`}>
          Service tier
          <select
            id={`${id}-tier`}
            value={move.tier ?? ''}
            onChange={(e) => onChange({ ...move, tier: (e.target.value || null) as Move['tier'] })}
          >
            <option value="">each request&apos;s own</option>
            {TIERS.map((t) => (
              <option key={t} value={t}>
                {t.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
      </div>
      <CapabilitiesInput
        id={`${id}-cap`}
        value={move.capabilities}
        onCommit={(capabilities) => onChange({ ...move, capabilities })}
      />
      <button type="button" className="linkish remove" onClick={onRemove}>
        Remove move {n}
      </button>
    </fieldset>
  );
}

function Range({ low, high }: { low: string; high: string }) {
  return (
    <small className="muted">
      {money(low) === money(high)
        ? 'no range: token ratios are fixed'
        : `range ${money(low)} to ${money(high)}`}
    </small>
  );
}

function ResultView({ result, fetching }: { result: Result; fetching: boolean }) {
  const noQuality = result.quality.length === 0;
  return (
    <div aria-busy={fetching} data-testid="simulation-result">
      <section className="kpis" aria-label="Savings">
        <div className="card kpi good">
          <span>Savings over {result.days} days</span>
          <strong data-testid="savings">{money(result.savingsUsd)}</strong>
          <Range low={result.savingsLowUsd} high={result.savingsHighUsd} />
          <small>
            {result.savingsPercent !== null
              ? `${Number(result.savingsPercent).toFixed(1)}% of the traffic's cost`
              : ''}
          </small>
          <QualityNote q={result.quality} />
        </div>
        <div className="card kpi">
          <span>Per month (30 days)</span>
          <strong data-testid="monthly-savings">{money(result.monthlySavingsUsd)}</strong>
          <small className="muted">of {money(result.monthlyBaselineUsd)} a month</small>
          {!noQuality && <QualityNote q={result.quality} />}
        </div>
        <div className="card kpi">
          <span>Cost: now → with the moves</span>
          <strong>
            {money(result.baselineUsd)} → {money(result.projectedUsd)}
          </strong>
          <Range low={result.projectedLowUsd} high={result.projectedHighUsd} />
          {!noQuality && <QualityNote q={result.quality} />}
        </div>
        <div className="card kpi">
          <span>Share that moved</span>
          <strong data-testid="moved-share">{share(result.movedShareOfRequests)}</strong>
          <small className="muted">
            of requests ({count(result.movedRequests)} of {count(result.requests)});{' '}
            {share(result.movedShareOfTokens)} of tokens, {share(result.movedShareOfCost)} of cost
          </small>
        </div>
      </section>
      {result.warnings.length > 0 && (
        <div className="card warn" role="note" aria-label="Warnings">
          <ul className="plain">
            {result.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="grid wide-first">
        <section className="card" aria-labelledby="stayed-title">
          <h2 id="stayed-title">What stayed, and why</h2>
          {result.stayed.length === 0 ? (
            <Empty>All the selected traffic could move.</Empty>
          ) : (
            <TableWrap label="What stayed">
              <table data-testid="stayed-table">
                <thead>
                  <tr>
                    <th scope="col">Reason</th>
                    <th scope="col" className="num">
                      Requests
                    </th>
                    <th scope="col" className="num">
                      Tokens
                    </th>
                    <th scope="col" className="num">
                      Cost
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {result.stayed.map((s) => (
                    <tr key={s.reason}>
                      <td>{STAY_REASONS[s.reason] ?? s.reason}</td>
                      <td className="num">{count(s.requests)}</td>
                      <td className="num">{compact(s.tokens)}</td>
                      <td className="num">{money(s.costUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </section>
        <section className="card" aria-labelledby="moves-title">
          <h2 id="moves-title">Per move</h2>
          <TableWrap label="Per move">
            <table>
              <thead>
                <tr>
                  <th scope="col">Move</th>
                  <th scope="col" className="num">
                    Requests moved
                  </th>
                  <th scope="col" className="num">
                    Cost now → on target
                  </th>
                  <th scope="col">Tokens on the target</th>
                </tr>
              </thead>
              <tbody>
                {result.moves.map((m) => (
                  <tr key={m.index}>
                    <td>
                      {m.fromModel ? modelRef(m.fromProvider, m.fromModel) : 'every model'} →{' '}
                      {modelRef(m.toProvider, m.toModel)}
                    </td>
                    <td className="num">{count(m.movedRequests)}</td>
                    <td className="num">
                      {money(m.movedBaselineUsd)} → {money(m.projectedUsd)}
                    </td>
                    <td className="small wide-cell">
                      {(
                        [
                          ['Output', m.outputEfficiency],
                          ['Input', m.inputEfficiency],
                        ] as const
                      ).map(([kind, e]) => (
                        <span key={kind} className="quality-item">
                          {kind} ×{e.ratio.toFixed(2)}
                          {e.low !== e.high ? ` [${e.low.toFixed(2)}, ${e.high.toFixed(2)}]` : ''}{' '}
                          <span className="muted">{e.method}</span>
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </section>
      </div>
      <section className="card" aria-labelledby="by-feature-title">
        <h2 id="by-feature-title">By feature</h2>
        <TableWrap label="By feature">
          <table data-testid="by-feature-table">
            <thead>
              <tr>
                <th scope="col">Feature</th>
                <th scope="col" className="num">
                  Cost now
                </th>
                <th scope="col" className="num">
                  With the moves
                </th>
                <th scope="col" className="num">
                  Savings
                </th>
                <th scope="col" className="num">
                  Moved
                </th>
                <th scope="col">Quality basis</th>
              </tr>
            </thead>
            <tbody>
              {result.byFeature.map((f) => (
                <tr key={f.key}>
                  <td>{f.key || '(no feature)'}</td>
                  <td className="num">{money(f.baselineUsd)}</td>
                  <td className="num">{money(f.projectedUsd)}</td>
                  <td className="num">{money(f.savingsUsd)}</td>
                  <td className="num">{f.requests > 0 ? share(f.movedRequests / f.requests) : '—'}</td>
                  <td className="small wide-cell">
                    <QualityNote q={f.quality} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
    </div>
  );
}

function RecommendationRow({ r, onOpen }: { r: Recommendation; onOpen: (r: Recommendation) => void }) {
  return (
    <tr>
      <td>{r.feature || '(no feature)'}</td>
      <td>
        <code>{modelRef(r.sourceProvider, r.sourceModel)}</code> →{' '}
        <code>{modelRef(r.targetProvider, r.targetModel)}</code>
      </td>
      <td className="num">{money(r.monthlySavingsUsd)}</td>
      <td className="num">{share(r.movableShare)}</td>
      <td className="small wide-cell">
        {r.quality && <QualityNote q={[r.quality]} />} <span className="muted">{r.why}</span>
      </td>
      <td className="nowrap">
        <button
          type="button"
          onClick={() => onOpen(r)}
          aria-label={`Open as scenario: ${r.feature || 'no feature'}, ${r.sourceModel} → ${r.targetModel ?? ''}`}
        >
          Open as scenario
        </button>
      </td>
    </tr>
  );
}

function Recommendations({
  state,
  setState,
  filter,
  onOpen,
}: {
  state: ScenarioState;
  setState: (s: ScenarioState) => void;
  filter: { from: string; to: string; projects?: string[] };
  onOpen: (r: Recommendation) => void;
}) {
  const id = useId();
  const org = useOrg();
  const variables = {
    org: org.slug,
    filter,
    benchmark: state.benchmark,
    tolerance: state.tolerance,
    prices: state.prices,
  };
  const recs = useQuery<Recommendation[]>({
    queryKey: ['recommendations', variables],
    queryFn: ({ signal }) => request(RECOMMENDATIONS, variables, signal).then((d) => d.recommendations),
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
  const withTarget = (recs.data ?? []).filter((r) => r.targetModel);
  const without = (recs.data ?? []).filter((r) => !r.targetModel);
  return (
    <section className="card" aria-labelledby="recs-title" aria-busy={recs.isFetching && !recs.isPending}>
      <div className="card-head">
        <h2 id="recs-title">Recommendations</h2>
        <span className="muted small">
          Cheapest target scoring at most {state.tolerance} points below on {state.benchmark}, per feature and
          model
        </span>
      </div>
      <div className="row">
        <label htmlFor={`${id}-tol`}>Benchmark points a target may lose</label>
        <input
          id={`${id}-tol`}
          type="number"
          min={0}
          max={100}
          step={1}
          className="narrow"
          value={state.tolerance}
          onChange={(e) => {
            const v = Number(e.target.value);
            if (e.target.value !== '' && v >= 0 && v <= 100) setState({ ...state, tolerance: v });
          }}
        />
      </div>
      {recs.isPending ? (
        <Loading what="recommendations" />
      ) : recs.error ? (
        <ErrorState error={recs.error} retry={() => void recs.refetch()} />
      ) : recs.data.length === 0 ? (
        <Empty>No traffic in this range to recommend for.</Empty>
      ) : (
        <>
          {withTarget.length === 0 ? (
            <Empty>
              No cheaper model scores within {state.tolerance} points for any of this traffic: allow more
              points, or pick another benchmark.
            </Empty>
          ) : (
            <TableWrap label="Recommendations">
              <table data-testid="recommendations-table">
                <thead>
                  <tr>
                    <th scope="col">Feature</th>
                    <th scope="col">Now → suggested</th>
                    <th scope="col" className="num">
                      Per month
                    </th>
                    <th scope="col" className="num">
                      Could move
                    </th>
                    <th scope="col">Quality basis, why</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {withTarget.map((r) => (
                    <RecommendationRow
                      key={`${r.feature}\n${r.sourceProvider}/${r.sourceModel}`}
                      r={r}
                      onOpen={onOpen}
                    />
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          {without.length > 0 && (
            <details className="without">
              <summary>
                {without.length} {without.length === 1 ? 'feature and model' : 'features and models'} without
                a candidate, and why
              </summary>
              <ul className="plain small">
                {without.map((r) => (
                  <li key={`${r.feature}\n${r.sourceProvider}/${r.sourceModel}`}>
                    {r.feature || '(no feature)'}, <code>{modelRef(r.sourceProvider, r.sourceModel)}</code>:{' '}
                    <span className="muted">{r.why}</span>
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </section>
  );
}

function SavedScenarios({
  state,
  setState,
  input,
}: {
  state: ScenarioState;
  setState: (s: ScenarioState) => void;
  input: ReturnType<typeof toScenarioInput> | null;
}) {
  const org = useOrg();
  const admin = canAdmin(org.role);
  const queryClient = useQueryClient();
  const saved = useQuery({
    queryKey: ['scenarios', org.slug],
    queryFn: ({ signal }) => request(SCENARIOS, { org: org.slug }, signal).then((d) => d.scenarios),
  });
  const current = saved.data?.find((s) => s.id === state.saved);
  const [name, setName] = useState('');
  useEffect(() => setName(current?.name ?? ''), [current?.name]);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['scenarios', org.slug] });
  const save = useMutation({
    mutationFn: (asNew: boolean) =>
      request(SAVE, {
        org: org.slug,
        id: asNew ? null : state.saved,
        name: name.trim(),
        scenario: input!,
      }).then((d) => d.saveScenario),
    onSuccess: (s) => {
      setState({ ...state, saved: s.id });
      refresh();
    },
  });
  const [runs, setRuns] = useState<Record<string, string>>({});
  const start = useMutation({
    mutationFn: (scenarioId: string) =>
      request(START_RUN, { org: org.slug, scenarioId }).then((d) => d.startSimulationRun),
    onSuccess: (run, scenarioId) => setRuns((r) => ({ ...r, [scenarioId]: run.id })),
  });
  const remove = useMutation({
    mutationFn: (id: string) => request(DELETE, { org: org.slug, id }),
    onSuccess: (_d, id) => {
      if (id === state.saved) setState({ ...state, saved: null });
      refresh();
    },
  });
  const why = !admin ? VIEWER_REASON : !input ? 'Add a move with a target model first.' : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(!state.saved);
  };
  return (
    <section className="card" aria-labelledby="saved-title">
      <h2 id="saved-title">Saved scenarios</h2>
      {!admin && <p className="hint">{VIEWER_REASON}</p>}
      <form className="row" onSubmit={submit} aria-label="Save scenario">
        <label>
          Name{' '}
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={200}
            disabled={!admin}
          />
        </label>
        <button type="submit" disabled={!!why || save.isPending || !name.trim()} title={why}>
          {state.saved ? 'Save changes' : 'Save scenario'}
        </button>
        {state.saved && (
          <button
            type="button"
            disabled={!!why || save.isPending || !name.trim()}
            title={why}
            onClick={() => save.mutate(true)}
          >
            Save as new
          </button>
        )}
        {save.isSuccess && (
          <span role="status" className="muted">
            Saved “{save.data.name}”.
          </span>
        )}
      </form>
      {save.error && <ErrorState error={save.error} />}
      {remove.error && <ErrorState error={remove.error} />}
      {start.error && <ErrorState error={start.error} />}
      {saved.isPending ? (
        <Loading what="saved scenarios" />
      ) : saved.error ? (
        <ErrorState error={saved.error} retry={() => void saved.refetch()} />
      ) : saved.data.length === 0 ? (
        <Empty>No saved scenarios yet: build one above and give it a name.</Empty>
      ) : (
        <ul className="plain" aria-label="Saved scenarios" data-testid="saved-scenarios">
          {saved.data.map((s) => (
            <li key={s.id} className="saved-row">
              <span>
                <Link to={`/savings?${serializeScenario(fromDefinition(s.definition, s.id)).toString()}`}>
                  {s.name}
                </Link>{' '}
                <span className="muted small">
                  {s.createdBy ? `by ${s.createdBy}, ` : ''}
                  {dateTime(s.createdAt, org.timeZone)}
                </span>
                {s.id === state.saved && <span className="badge">open</span>}
              </span>
              <span className="nowrap">
                <button
                  type="button"
                  onClick={() => start.mutate(s.id)}
                  disabled={!admin || (start.isPending && start.variables === s.id)}
                  title={admin ? 'Runs the saved scenario on the worker and keeps its result' : VIEWER_REASON}
                  aria-label={`Run ${s.name} in the background`}
                >
                  Run
                </button>{' '}
                <button
                  type="button"
                  onClick={() => remove.mutate(s.id)}
                  disabled={!admin || remove.isPending}
                  title={admin ? undefined : VIEWER_REASON}
                  aria-label={`Delete ${s.name}`}
                >
                  Delete
                </button>
              </span>
              {runs[s.id] && <RunStatus id={runs[s.id]!} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default function SavingsPage() {
  const org = useOrg();
  const [search, setSearch] = useSearchParams();
  const state = useMemo(() => parseScenario(search), [search]);
  const setState = (next: ScenarioState) => setSearch(serializeScenario(next), { replace: false });

  // The range moves with the clock ("last 30 days"); resolved once per choice.
  const rangeKey = JSON.stringify(state.range);
  const { filter, days } = useMemo(() => {
    const now = new Date();
    const choice = JSON.parse(rangeKey) as ScenarioState['range'];
    return { filter: scenarioInstants(choice, now), days: rangeDays(choice, now, 'UTC') };
  }, [rangeKey]);
  const scopedFilter = {
    ...filter,
    ...(state.projects.length ? { projects: state.projects } : {}),
  };

  const sources = useQuery({
    queryKey: ['scenario-sources', org.slug, scopedFilter],
    queryFn: ({ signal }) => request(SOURCES, { org: org.slug, filter: scopedFilter, range: filter }, signal),
    placeholderData: keepPreviousData,
  });

  // What is simulated: the URL's scenario once it has stopped changing for a moment.
  const input = useMemo(() => {
    const i = toScenarioInput(state, new Date(Date.parse(filter.to) - 1));
    return { ...i, filter: { ...i.filter, from: filter.from, to: filter.to } };
  }, [state, filter]);
  const settled = useDebounced(input, 400);
  const runnable = settled.moves.length > 0;
  const simulation = useQuery<Result>({
    queryKey: ['simulate', org.slug, settled],
    queryFn: ({ signal }) =>
      request(SIMULATE, { org: org.slug, scenario: settled }, signal).then((d) => d.simulate),
    enabled: runnable,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });

  const updateMove = (i: number, m: Move) =>
    setState({ ...state, moves: state.moves.map((x, j) => (j === i ? m : x)) });

  const features = (sources.data?.features ?? []).map((f) => f.feature ?? '');
  const projects = (sources.data?.projects ?? []).flatMap((p) => (p.project ? [p.project] : []));
  const editing = JSON.stringify(input) !== JSON.stringify(settled) || simulation.isFetching;

  return (
    <>
      <div className="page-head">
        <h1>Savings</h1>
        <RangePicker value={state.range} onChange={(range) => setState({ ...state, range })} days={days} />
      </div>
      <p className="hint">
        What the selected traffic would have cost with the moves below, from your own usage (days in UTC).
        Every dollar comes with its range and the quality basis it rests on.
      </p>

      <section className="card" aria-labelledby="builder-title">
        <div className="card-head">
          <h2 id="builder-title">Scenario</h2>
          {state.moves.length > 0 && (
            <Link to="/savings" className="small">
              Start over
            </Link>
          )}
        </div>
        <div className="form-grid">
          <ScopeSelect
            label="Feature"
            every="every feature"
            chosen={state.features}
            options={features}
            name={(f) => f || '(no feature)'}
            onChange={(chosen) => setState({ ...state, features: chosen })}
          />
          <ScopeSelect
            label="Project"
            every="every project"
            chosen={state.projects}
            options={projects}
            name={(p) => p}
            onChange={(chosen) => setState({ ...state, projects: chosen })}
          />
          <label>
            Prices
            <select
              value={state.prices}
              onChange={(e) => setState({ ...state, prices: e.target.value as ScenarioState['prices'] })}
            >
              <option value="EVENT_TIME">as they were on each day</option>
              <option value="TODAY">today&apos;s, on both sides</option>
            </select>
          </label>
          <label>
            Quality benchmark
            <select
              value={state.benchmark}
              onChange={(e) => setState({ ...state, benchmark: e.target.value })}
            >
              {[
                ...new Set([state.benchmark, 'swe-bench-pro', 'aider-polyglot', 'gpqa-diamond', 'mmlu-pro']),
              ].map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </label>
        </div>
        {sources.error && <ErrorState error={sources.error} retry={() => void sources.refetch()} />}
        {state.moves.length === 0 && (
          <Empty>
            No moves yet. Add one (from a model to a cheaper one), or open a recommendation below as a
            scenario.
          </Empty>
        )}
        {state.moves.map((m, i) => (
          <MoveEditor
            key={i}
            move={m}
            index={i}
            sources={sources.data?.spend ?? []}
            onChange={(next) => updateMove(i, next)}
            onRemove={() => setState({ ...state, moves: state.moves.filter((_, j) => j !== i) })}
          />
        ))}
        <button type="button" onClick={() => setState({ ...state, moves: [...state.moves, newMove()] })}>
          Add a move
        </button>
      </section>

      <div aria-live="polite" className="sr-only">
        {simulation.data && !editing ? `Savings ${money(simulation.data.savingsUsd)}` : ''}
      </div>
      {runnable && simulation.error && (
        <ErrorState error={simulation.error} retry={() => void simulation.refetch()} />
      )}
      {runnable && simulation.isPending && <Loading what="the simulation" />}
      {runnable && simulation.data && <ResultView result={simulation.data} fetching={editing} />}
      {state.moves.length > 0 && !runnable && (
        <Empty>Pick a target model for a move to see what it saves.</Empty>
      )}

      <Recommendations
        state={state}
        setState={setState}
        filter={scopedFilter}
        onOpen={(r) =>
          setState(
            fromRecommendation(state, {
              feature: r.feature,
              sourceProvider: r.sourceProvider,
              sourceModel: r.sourceModel,
              targetProvider: r.targetProvider ?? '',
              targetModel: r.targetModel ?? '',
            }),
          )
        }
      />
      <SavedScenarios state={state} setState={setState} input={runnable ? input : null} />
    </>
  );
}

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { graphql, request } from '../graphql';
import { canAdmin, useOrg, VIEWER_REASON } from '../org';
import { CopyButton } from './copy-button';

const PROJECTS = graphql(`
  query FirstEventProjects($org: String) {
    projects(org: $org) {
      slug
      name
    }
  }
`);

const CREATE_KEY = graphql(`
  mutation FirstEventKey($org: String, $input: CreateApiKeyInput!) {
    createApiKey(org: $org, input: $input) {
      secret
    }
  }
`);

/** What a new project sees instead of empty charts: how to send its first event, with its own key. */
export function FirstEvent() {
  const org = useOrg();
  const projects = useQuery({
    queryKey: ['projects', org.slug],
    queryFn: ({ signal }) => request(PROJECTS, { org: org.slug }, signal).then((d) => d.projects),
  });
  const [project, setProject] = useState<string | null>(null);
  const slug = project ?? projects.data?.[0]?.slug ?? null;
  const createKey = useMutation({
    mutationFn: (p: string) =>
      request(CREATE_KEY, {
        org: org.slug,
        input: { name: `first events (${p})`, project: p, scopes: ['INGEST'] },
      }),
  });
  const key = createKey.data?.createApiKey.secret ?? '$TOKENLEDGER_API_KEY';
  // The dashboard's server proxies /v1 to the API: this origin takes events too.
  const base = window.location.origin;
  const now = new Date().toISOString();
  const curl = `curl -X POST ${base}/v1/events \\
  -H "Authorization: Bearer ${key}" \\
  -H "Content-Type: application/json" \\
  -d '{"events":[{"eventId":"first-1","occurredAt":"${now}","provider":"openai","model":"gpt-5.5","usage":{"inputTokens":1200,"outputTokens":300},"feature":"hello"}]}'`;
  const sdk = `import OpenAI from 'openai';
import { Tokenledger, wrapOpenAI } from '@tokenledger/sdk';

const tokenledger = new Tokenledger({ apiKey: '${key}', baseUrl: '${base}' });
const openai = wrapOpenAI(new OpenAI(), { tokenledger, feature: 'hello' });
await openai.chat.completions.create({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'Hi!' }] });
await tokenledger.shutdown();`;

  return (
    <section className="card first-event" aria-labelledby="first-event-title">
      <h2 id="first-event-title">Send your first event</h2>
      <p>
        No usage has arrived yet. Report each model call with the SDK, or POST it yourself; it is priced and
        shown here within seconds.
      </p>
      <div className="row">
        <label>
          Project{' '}
          <select value={slug ?? ''} onChange={(e) => setProject(e.target.value)}>
            {(projects.data ?? []).map((p) => (
              <option key={p.slug} value={p.slug}>
                {p.name} ({p.slug})
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!slug || !canAdmin(org.role) || createKey.isPending || createKey.isSuccess}
          title={canAdmin(org.role) ? undefined : VIEWER_REASON}
          onClick={() => slug && createKey.mutate(slug)}
        >
          {createKey.isSuccess ? 'Key created' : 'Create an ingest key for this project'}
        </button>
      </div>
      {!canAdmin(org.role) && <p className="hint">{VIEWER_REASON}</p>}
      {createKey.isSuccess && (
        <p className="notice" role="status">
          This key is shown once, in the snippets below. Copy it now; only its prefix is kept.
        </p>
      )}
      {createKey.error && <p className="error">{createKey.error.message}</p>}
      <h3>With the SDK (Node)</h3>
      <pre tabIndex={0} aria-label="SDK snippet">
        <code>{sdk}</code>
      </pre>
      <CopyButton text={sdk} label="Copy SDK snippet" />
      <h3>With curl</h3>
      <pre tabIndex={0} aria-label="curl snippet">
        <code>{curl}</code>
      </pre>
      <CopyButton text={curl} label="Copy curl command" />
    </section>
  );
}

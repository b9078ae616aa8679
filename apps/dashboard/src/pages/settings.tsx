import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { BudgetsSettings } from '../components/budgets-settings';
import { ConfirmButton } from '../components/confirm-button';
import { CopyButton } from '../components/copy-button';
import { ReconciliationSettings } from '../components/reconciliation-settings';
import { Empty, ErrorState, Loading, TableWrap } from '../components/states';
import { date } from '../format';
import { graphql, request } from '../graphql';
import { canAdmin, useOrg, VIEWER_REASON, type Role } from '../org';

const SETTINGS = graphql(`
  query Settings($org: String) {
    projects(org: $org) {
      id
      slug
      name
      createdAt
    }
    apiKeys(org: $org) {
      id
      name
      prefix
      scopes
      createdAt
      lastUsedAt
      revokedAt
      project {
        slug
      }
    }
    members(org: $org) {
      role
      joinedAt
      user {
        id
        email
        name
      }
    }
    invitations(org: $org) {
      id
      email
      role
      invitedBy
      expiresAt
    }
    me {
      user {
        id
      }
    }
  }
`);

const CREATE_PROJECT = graphql(`
  mutation CreateProject($org: String, $input: CreateProjectInput!) {
    createProject(org: $org, input: $input) {
      slug
    }
  }
`);

const CREATE_KEY = graphql(`
  mutation CreateKey($org: String, $input: CreateApiKeyInput!) {
    createApiKey(org: $org, input: $input) {
      secret
      apiKey {
        id
        prefix
      }
    }
  }
`);

const REVOKE_KEY = graphql(`
  mutation RevokeKey($org: String, $id: ID!) {
    revokeApiKey(org: $org, id: $id) {
      id
      revokedAt
    }
  }
`);

const INVITE = graphql(`
  mutation Invite($org: String, $input: InviteMemberInput!) {
    inviteMember(org: $org, input: $input) {
      token
      invitation {
        id
        email
      }
    }
  }
`);

const REVOKE_INVITATION = graphql(`
  mutation RevokeInvitation($org: String, $id: ID!) {
    revokeInvitation(org: $org, id: $id)
  }
`);

const UPDATE_ROLE = graphql(`
  mutation UpdateRole($org: String, $userId: ID!, $role: Role!) {
    updateMemberRole(org: $org, userId: $userId, role: $role) {
      role
    }
  }
`);

const REMOVE_MEMBER = graphql(`
  mutation RemoveMember($org: String, $userId: ID!) {
    removeMember(org: $org, userId: $userId)
  }
`);

function inviteLink(token: string): string {
  return `${window.location.origin}/accept?${new URLSearchParams({ token }).toString()}`;
}

const SCOPES = [
  ['INGEST', 'ingest: send usage'],
  ['READ', 'read: query spend'],
  ['ADMIN', 'admin: change the organization'],
] as const;
type Scope = (typeof SCOPES)[number][0];
const ROLES: Role[] = ['VIEWER', 'ADMIN', 'OWNER'];

function ReadOnlyNote() {
  const org = useOrg();
  return canAdmin(org.role) ? null : <p className="hint">{VIEWER_REASON}</p>;
}

export default function SettingsPage() {
  const org = useOrg();
  const admin = canAdmin(org.role);
  const queryClient = useQueryClient();
  const settings = useQuery({
    queryKey: ['settings', org.slug],
    queryFn: ({ signal }) => request(SETTINGS, { org: org.slug }, signal),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['settings', org.slug] });

  // Projects
  const [projectName, setProjectName] = useState('');
  const [projectSlug, setProjectSlug] = useState('');
  const createProject = useMutation({
    mutationFn: () =>
      request(CREATE_PROJECT, { org: org.slug, input: { name: projectName, slug: projectSlug } }),
    onSuccess: () => {
      setProjectName('');
      setProjectSlug('');
      refresh();
    },
  });

  // Keys
  const [keyName, setKeyName] = useState('');
  const [keyProject, setKeyProject] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['INGEST']);
  const createKey = useMutation({
    mutationFn: () =>
      request(CREATE_KEY, {
        org: org.slug,
        input: { name: keyName, scopes, ...(keyProject ? { project: keyProject } : {}) },
      }).then((d) => d.createApiKey),
    onSuccess: () => {
      setKeyName('');
      refresh();
    },
  });
  const revokeKey = useMutation({
    mutationFn: (id: string) => request(REVOKE_KEY, { org: org.slug, id }),
    onSuccess: refresh,
  });

  // Members and invitations
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('VIEWER');
  const invite = useMutation({
    mutationFn: () => request(INVITE, { org: org.slug, input: { email, role } }).then((d) => d.inviteMember),
    onSuccess: () => {
      setEmail('');
      refresh();
    },
  });
  const revokeInvitation = useMutation({
    mutationFn: (id: string) => request(REVOKE_INVITATION, { org: org.slug, id }),
    onSuccess: refresh,
  });
  const updateRole = useMutation({
    mutationFn: (v: { userId: string; role: Role }) => request(UPDATE_ROLE, { org: org.slug, ...v }),
    onSuccess: refresh,
  });
  const removeMember = useMutation({
    mutationFn: (userId: string) => request(REMOVE_MEMBER, { org: org.slug, userId }),
    onSuccess: refresh,
  });

  if (settings.isPending) return <Loading what="settings" />;
  if (settings.error) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  const { projects, apiKeys, members, invitations, me } = settings.data;
  const memberError = updateRole.error ?? removeMember.error;

  const submit = (run: () => void) => (e: FormEvent) => {
    e.preventDefault();
    run();
  };

  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
        <span className="muted">
          {org.name} · you are {org.role.toLowerCase()}
        </span>
      </div>

      <section className="card" aria-labelledby="projects-title">
        <h2 id="projects-title">Projects</h2>
        <ReadOnlyNote />
        {projects.length === 0 ? (
          <Empty>No projects yet.</Empty>
        ) : (
          <ul className="plain">
            {projects.map((p) => (
              <li key={p.id}>
                <strong>{p.name}</strong> <code>{p.slug}</code>{' '}
                <span className="muted">since {date(p.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
        <form className="row" onSubmit={submit(() => createProject.mutate())} aria-label="New project">
          <label>
            Name{' '}
            <input
              value={projectName}
              onChange={(e) => setProjectName(e.target.value)}
              required
              disabled={!admin}
            />
          </label>
          <label>
            Slug{' '}
            <input
              value={projectSlug}
              onChange={(e) => setProjectSlug(e.target.value)}
              pattern="[a-z0-9][a-z0-9-]*"
              title="lower-case letters, digits and dashes"
              required
              disabled={!admin}
            />
          </label>
          <button
            type="submit"
            disabled={!admin || createProject.isPending}
            title={admin ? undefined : VIEWER_REASON}
          >
            Create project
          </button>
        </form>
        {createProject.error && <ErrorState error={createProject.error} />}
      </section>

      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">API keys</h2>
        <ReadOnlyNote />
        {createKey.data && (
          <div className="secret" role="status" data-testid="new-key">
            <p>
              <strong>Copy this key now: it is shown once.</strong> Only its prefix (
              {createKey.data.apiKey.prefix}) is kept.
            </p>
            <code data-testid="new-key-secret">{createKey.data.secret}</code>{' '}
            <CopyButton text={createKey.data.secret} label="Copy key" />{' '}
            <button type="button" onClick={() => createKey.reset()}>
              I have saved it
            </button>
          </div>
        )}
        <form className="row" onSubmit={submit(() => createKey.mutate())} aria-label="New API key">
          <label>
            Name{' '}
            <input value={keyName} onChange={(e) => setKeyName(e.target.value)} required disabled={!admin} />
          </label>
          <label>
            Limited to{' '}
            <select value={keyProject} onChange={(e) => setKeyProject(e.target.value)} disabled={!admin}>
              <option value="">the whole organization</option>
              {projects.map((p) => (
                <option key={p.slug} value={p.slug}>
                  project {p.slug}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="inline">
            <legend>Scopes</legend>
            {SCOPES.map(([s, label]) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  checked={scopes.includes(s)}
                  disabled={!admin}
                  onChange={(e) =>
                    setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))
                  }
                />{' '}
                {label}
              </label>
            ))}
          </fieldset>
          <button
            type="submit"
            disabled={!admin || createKey.isPending || scopes.length === 0}
            title={admin ? undefined : VIEWER_REASON}
          >
            Create key
          </button>
        </form>
        {createKey.error && <ErrorState error={createKey.error} />}
        {revokeKey.error && <ErrorState error={revokeKey.error} />}
        {apiKeys.length === 0 ? (
          <Empty>No keys yet.</Empty>
        ) : (
          <TableWrap label="API keys">
            <table data-testid="keys-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Project</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {apiKeys.map((k) => (
                  <tr key={k.id} className={k.revokedAt ? 'revoked' : ''}>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.prefix}…</code>
                    </td>
                    <td>{k.scopes.map((s) => s.toLowerCase()).join(', ')}</td>
                    <td>{k.project?.slug ?? 'all'}</td>
                    <td>{date(k.createdAt)}</td>
                    <td>{k.lastUsedAt ? date(k.lastUsedAt) : 'never'}</td>
                    <td>
                      {k.revokedAt ? (
                        <span className="muted">revoked {date(k.revokedAt)}</span>
                      ) : (
                        <ConfirmButton
                          label={`Revoke`}
                          confirm={`Revoke ${k.name}`}
                          onConfirm={() => revokeKey.mutate(k.id)}
                          disabled={!admin}
                          busy={revokeKey.isPending}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      <section className="card" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        <ReadOnlyNote />
        {memberError && <ErrorState error={memberError} />}
        <TableWrap label="Members">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const self = m.user.id === me.user?.id;
                const canChange = admin && !self && (org.role === 'OWNER' || m.role !== 'OWNER');
                return (
                  <tr key={m.user.id}>
                    <td>
                      {m.user.name}
                      {self && <span className="muted"> (you)</span>}
                    </td>
                    <td>{m.user.email}</td>
                    <td>
                      <select
                        aria-label={`Role of ${m.user.email}`}
                        value={m.role}
                        disabled={!canChange || updateRole.isPending}
                        title={
                          canChange
                            ? undefined
                            : self
                              ? 'You cannot change your own role.'
                              : admin
                                ? 'Only an owner changes an owner.'
                                : VIEWER_REASON
                        }
                        onChange={(e) =>
                          updateRole.mutate({ userId: m.user.id, role: e.target.value as Role })
                        }
                      >
                        {ROLES.filter((r) => org.role === 'OWNER' || r !== 'OWNER' || m.role === 'OWNER').map(
                          (r) => (
                            <option key={r} value={r}>
                              {r.toLowerCase()}
                            </option>
                          ),
                        )}
                      </select>
                    </td>
                    <td>{date(m.joinedAt)}</td>
                    <td>
                      <ConfirmButton
                        label="Remove"
                        confirm={`Remove ${m.user.email}`}
                        onConfirm={() => removeMember.mutate(m.user.id)}
                        disabled={!canChange}
                        busy={removeMember.isPending}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      </section>

      <section className="card" aria-labelledby="invitations-title">
        <h2 id="invitations-title">Invitations</h2>
        <ReadOnlyNote />
        <p className="hint">
          Nobody joins without accepting: the invitee opens the invitation with its token.
        </p>
        {invite.data && (
          <div className="secret" role="status">
            <p>
              <strong>Send this link to {invite.data.invitation.email}; it is shown once.</strong> Opening it,
              they accept (creating an account with a name and password if they have none).
            </p>
            <code data-testid="invitation-link">{inviteLink(invite.data.token)}</code>{' '}
            <CopyButton text={inviteLink(invite.data.token)} label="Copy link" />{' '}
            <button type="button" onClick={() => invite.reset()}>
              Done
            </button>
          </div>
        )}
        <form className="row" onSubmit={submit(() => invite.mutate())} aria-label="Invite a member">
          <label>
            Email{' '}
            <input
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
              disabled={!admin}
            />
          </label>
          <label>
            Role{' '}
            <select value={role} onChange={(e) => setRole(e.target.value as Role)} disabled={!admin}>
              {ROLES.filter((r) => org.role === 'OWNER' || r !== 'OWNER').map((r) => (
                <option key={r} value={r}>
                  {r.toLowerCase()}
                </option>
              ))}
            </select>
          </label>
          <button
            type="submit"
            disabled={!admin || invite.isPending}
            title={admin ? undefined : VIEWER_REASON}
          >
            Invite
          </button>
        </form>
        {invite.error && <ErrorState error={invite.error} />}
        {revokeInvitation.error && <ErrorState error={revokeInvitation.error} />}
        {invitations.length === 0 ? (
          <Empty>No pending invitations.</Empty>
        ) : (
          <ul className="plain">
            {invitations.map((i) => (
              <li key={i.id}>
                {i.email} as {i.role.toLowerCase()}{' '}
                <span className="muted">
                  · by {i.invitedBy} · expires {date(i.expiresAt)}
                </span>{' '}
                <ConfirmButton
                  label="Withdraw"
                  confirm={`Withdraw ${i.email}`}
                  onConfirm={() => revokeInvitation.mutate(i.id)}
                  disabled={!admin}
                  busy={revokeInvitation.isPending}
                />
              </li>
            ))}
          </ul>
        )}
      </section>
      <BudgetsSettings projects={projects} apiKeys={apiKeys} />
      <ReconciliationSettings />
    </>
  );
}

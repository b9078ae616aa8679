import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, useSyncExternalStore, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { graphql, request, session } from '../graphql';

const ACCEPT = graphql(`
  mutation AcceptInvitation($token: String!, $name: String, $password: String) {
    acceptInvitation(token: $token, name: $name, password: $password) {
      organization {
        slug
        name
      }
      login {
        token
      }
    }
  }
`);

/**
 * Where an invitation link lands. Logged in: accept it for your own account. Without an account:
 * give a name and a password, and the account is created, logged in and joined.
 */
export default function AcceptPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const loggedIn = useSyncExternalStore(session.subscribe, () => session.token) !== null;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const accept = useMutation({
    mutationFn: () =>
      request(ACCEPT, loggedIn ? { token } : { token, name, password }).then((d) => d.acceptInvitation),
    onSuccess: (result) => {
      localStorage.setItem('tokenledger.org', result.organization.slug);
      queryClient.clear();
      if (result.login) session.set(result.login.token);
      void navigate('/');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    accept.mutate();
  };

  return (
    <main className="login" id="main">
      <h1>Join an organization</h1>
      {!token ? (
        <p role="alert" className="error">
          This link has no invitation token. Ask for the link again.
        </p>
      ) : (
        <form className="card" onSubmit={submit} aria-label="Accept the invitation">
          {loggedIn ? (
            <p>
              Accept this invitation for the account you are logged in with (it must be the invited email).
            </p>
          ) : (
            <>
              <p className="hint">
                New here: choose your name and a password (at least 10 characters). Already have an account?{' '}
                <Link to="/">Log in</Link>, then open this link again.
              </p>
              <label>
                Your name
                <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" required />
              </label>
              <label>
                Password
                <input
                  type="password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  autoComplete="new-password"
                  minLength={10}
                  required
                />
              </label>
            </>
          )}
          {accept.error && (
            <p role="alert" className="error">
              {accept.error.message}
            </p>
          )}
          <button type="submit" disabled={accept.isPending}>
            {accept.isPending ? 'Joining…' : 'Accept invitation'}
          </button>
        </form>
      )}
    </main>
  );
}

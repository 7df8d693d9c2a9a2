import { ApiError } from '../api/client.ts';

/** An API failure in words, with the stable code for bug reports. */
export function ErrorNote({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return (
    <p class="error-note" role="alert">
      {error.message}
      {error instanceof ApiError && error.code !== 'network' && <span class="muted"> ({error.code})</span>}
    </p>
  );
}

import { useState } from 'preact/hooks';

/** A just-created secret: the API never returns it again, so say so and offer a copy. */
export function SecretOnce({ secret, onDismiss }: { secret: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="banner banner-secret" role="alert">
      <p>
        <strong>Copy this secret now.</strong> It is shown once; only its hash is stored.
      </p>
      <div class="row">
        <code class="secret" data-testid="secret">
          {secret}
        </code>
        <button
          type="button"
          class="btn btn-sm"
          onClick={() =>
            navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => undefined,
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="btn btn-sm btn-ghost" onClick={onDismiss}>
          Done
        </button>
      </div>
    </div>
  );
}

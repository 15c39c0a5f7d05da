import type { ErrorLike } from '@apollo/client';

/** An operation's error as the user sees it: the message and, when there is one, the code. */
export function ErrorNotice({ error }: { error: ErrorLike }) {
  const code = (error as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors?.[0]?.extensions?.code;
  return (
    <p role="alert" className="error">
      {error.message}
      {typeof code === 'string' ? ` (${code})` : ''}
    </p>
  );
}

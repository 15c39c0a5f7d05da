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

/** A GraphQL error as the page reads it: where it is (its path) and its code. */
export interface FieldError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: unknown };
}

/** The field errors of an operation's error (a network failure has none). */
export function fieldErrors(error: ErrorLike | undefined): FieldError[] {
  return (error as { errors?: FieldError[] } | undefined)?.errors ?? [];
}

/**
 * A notice on one section of a page whose data came back in part: what could not be
 * loaded, the first error's message and the codes, once (a failed backend reports one
 * error per field it could not fill).
 */
export function SectionNotice({ what, errors, testId }: { what: string; errors: FieldError[]; testId: string }) {
  if (errors.length === 0) return null;
  const codes = [...new Set(errors.map((e) => e.extensions?.code).filter((code): code is string => typeof code === 'string'))];
  return (
    <p role="alert" className="notice" data-testid={testId}>
      {what} could not be loaded: {errors[0]!.message}
      {codes.length > 0 ? ` (${codes.join(', ')})` : ''}
    </p>
  );
}

/**
 * An error caused by what the user gave us (a file, a flag), not by a bug.
 * Its message is one sentence a user can act on: it names the file, the record
 * or tensor, and what was expected. Callers show `message` alone, never a stack.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * The machine or the browser cannot do what was asked (no backend starts, the
 * GPU failed, storage is full): not the user's input and not a bug. Its message
 * says what failed, for the user, as an InputError's does.
 */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** Throws an InputError that starts with the file's name. */
export function fail(file: string, what: string): never {
  throw new InputError(`${file}: ${what}`);
}

/** The message to show a user: InputErrors and EnvironmentErrors as they are, anything else marked as internal. */
export function userMessage(err: unknown): string {
  if (err instanceof InputError || err instanceof EnvironmentError) return err.message;
  if (err instanceof Error) return `internal error: ${err.message}`;
  return `internal error: ${String(err)}`;
}

/**
 * Text from inside a file (a parser's quote of it) made fit for a one-line
 * message: control characters, and bytes that were not text, shown as '?'.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
}

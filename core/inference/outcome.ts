/** A value or the original's error text; the queue model reports failures as text, never throws. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export const success = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const failure = <T = never>(error: string): Outcome<T> => ({ ok: false, error });

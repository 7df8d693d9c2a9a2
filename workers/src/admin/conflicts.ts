import { ApiError } from '../errors.ts';

/**
 * Two creates of the same key can both pass the "does it exist?" read; the primary key refuses
 * the second inside its batch (which rolls back as a whole). That is a 409, not a 500.
 */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed|SQLITE_CONSTRAINT_PRIMARYKEY/.test(err.message);
}

/** 409 for a write against a version that is no longer current (`current` when known). */
export function staleVersion(what: string, current?: number, expected?: number): ApiError {
  return current === undefined
    ? new ApiError(409, 'version_conflict', `${what} changed while you were editing; reload and retry`)
    : new ApiError(409, 'version_conflict', `${what} is at version ${current}, not ${expected}; reload and retry`, {
        currentVersion: current,
      });
}

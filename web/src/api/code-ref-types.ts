import type { Ok } from './app-types.ts';

/** One place code reads a flag, as `edgeflags refs push` uploaded it (GET /api/v1/code-refs). */
export type CodeRef = Ok<'/code-refs', 'get'>['refs'][number];

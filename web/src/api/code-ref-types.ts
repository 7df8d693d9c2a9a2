/** One place code reads a flag, as `edgeflags refs push` uploaded it (GET /api/v1/code-refs). */
export interface CodeRef {
  repository: string;
  flagKey: string;
  path: string;
  line: number;
  commit: string;
  branch: string | null;
  pushedAt: number;
}

// nodejs_compat gives the Worker a Buffer at runtime, but it is typed without @types/node, so the
// name is unresolved, which TypeScript reads as `any`. drizzle-zod checks `data extends Buffer`
// for every column and would then type each one as Buffer (i.e. `any`). Naming it fixes that.
interface Buffer extends Uint8Array {}

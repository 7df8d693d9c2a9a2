export declare const LOCAL_KEYS: { admin: string; server: string; client: string };
export declare const ENVIRONMENTS: { key: string; name: string; production: boolean }[];
export declare const FLAGS: { flag: Record<string, unknown> & { key: string }; config: Record<string, unknown> }[];

export declare const PUBLISHED: string[];
export declare function buildPackage(rel: string, versions: Record<string, string>): string;
export declare function buildPackages(which?: string[]): string[];

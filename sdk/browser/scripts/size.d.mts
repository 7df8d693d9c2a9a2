export interface Size {
  min: number;
  gzip: number;
}
export declare function gzipSize(code: string, dir: string): Promise<Size>;
export declare const BUDGET: { browser: number; react: number; outcomes: number };
export declare function measureAll(): Promise<{ browser: Size; withReact: Size; reactExtra: number; outcomes: Size }>;
export type Figures = { browser: string; react: string; together: string; outcomes: string };
export declare const SIZE_JSON: string;
export declare const QUOTED_IN: string[];
export declare const MARKER: RegExp;
export declare function quotes(measured: Awaited<ReturnType<typeof measureAll>>): Figures;
export declare function requote(text: string, figures: Figures): string;

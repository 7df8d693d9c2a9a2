export interface Size {
  min: number;
  gzip: number;
}
export declare function gzipSize(code: string, dir: string): Promise<Size>;
export declare const BUDGET: { browser: number; react: number; outcomes: number };
export declare function measureAll(): Promise<{ browser: Size; withReact: Size; reactExtra: number; outcomes: Size }>;

export declare const JS_BUDGET_BYTES: number;
export declare const CSS_BUDGET_BYTES: number;
export declare function measure(dist?: string): { js: number; css: number };

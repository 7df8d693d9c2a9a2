export declare function seedSql(): string;

import type { FlagDetail } from '../api/types.ts';

/**
 * The flag's variants and their values, read-only: `PATCH /flags/{key}` takes metadata only, so
 * a value is fixed at creation (targeting refers to variants by name across environments).
 */
export function VariantList({ flag }: { flag: FlagDetail }) {
  return (
    <dl class="variants">
      {Object.entries(flag.variants).map(([name, value]) => (
        <div key={name} class="variant">
          <dt>{name}</dt>
          <dd>
            <code>{JSON.stringify(value)}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}

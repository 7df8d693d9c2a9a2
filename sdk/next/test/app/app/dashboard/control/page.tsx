import { getFlags } from '@edgeflags/next/server';

export default async function ControlDashboard() {
  const flags = await getFlags();
  return (
    <main id="dashboard" data-variant="control">
      <h1>Dashboard (classic)</h1>
      <p id="dashboard-flag">{flags.variant('redesigned-dashboard') ?? 'none'}</p>
    </main>
  );
}

import { getFlags } from '@edgeflags/next/server';

export default async function TreatmentDashboard() {
  const flags = await getFlags();
  return (
    <main id="dashboard" data-variant="treatment">
      <h1>Dashboard (redesigned)</h1>
      <p id="dashboard-flag">{flags.variant('redesigned-dashboard') ?? 'none'}</p>
    </main>
  );
}

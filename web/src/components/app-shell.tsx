import type { ComponentChildren } from 'preact';
import { useSession } from '../app-context.ts';
import { useRoute } from '../hooks/use-route.ts';
import { DeliveryWatch } from './delivery-banner.tsx';
import { Link } from './link.tsx';
import { Logo } from './logo.tsx';

const NAV = [
  { href: '/flags', label: 'Flags' },
  { href: '/evaluate', label: 'Who gets what' },
  { href: '/segments', label: 'Segments' },
  { href: '/graph', label: 'Dependencies' },
  { href: '/policies', label: 'Policies' },
  { href: '/changes', label: 'Change requests' },
  { href: '/environments', label: 'Environments' },
  { href: '/reports/stale', label: 'Stale flags' },
  { href: '/keys', label: 'Keys', admin: true },
  { href: '/webhooks', label: 'Webhooks', admin: true },
  { href: '/audit', label: 'Audit log' },
];

export function AppShell({ children }: { children: ComponentChildren }) {
  const { me, signOut } = useSession();
  const { path } = useRoute();
  const current = path === '/' ? '/flags' : path;
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/flags" class="brand">
          <Logo />
        </Link>
        <nav aria-label="Main" class="nav">
          {NAV.filter((n) => !n.admin || me.role === 'admin').map((n) => (
            <Link key={n.href} href={n.href} aria-current={current.startsWith(n.href) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div class="who">
          <span class={`role role-${me.role}`}>
            {me.role}
            {me.role === 'editor' && !me.productionAccess && ' · no prod'}
          </span>
          <button type="button" class="btn btn-ghost btn-sm" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="main" tabIndex={-1}>
        <DeliveryWatch />
        {children}
      </main>
    </div>
  );
}

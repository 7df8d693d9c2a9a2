// The test page: a provider and three components, each counting its renders so the test can
// prove that a change to one flag re-renders only that flag's readers.
import type { Payload } from '@edgeflags/browser';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { FlagProvider, useFeatureFlag, useFlagValue } from '../../src/index.ts';

declare global {
  interface Window {
    edgeflags: {
      url: string;
      clientKey: string;
      context: Record<string, string>;
      bootstrap?: Payload;
      strict?: boolean;
      timeoutMs?: number;
    };
    renders: Record<string, number>;
    firstRender?: { loading: boolean; enabled: boolean; variant?: string };
  }
}

window.renders = { dashboard: 0, chatbot: 0, maintenance: 0 };

function Dashboard() {
  window.renders.dashboard!++;
  const { enabled, variant, loading } = useFeatureFlag('redesigned-dashboard');
  window.firstRender ??= { loading, enabled, variant };
  return <p id="dashboard">{loading ? 'loading' : `${enabled ? 'enabled' : 'disabled'} ${variant}`}</p>;
}

function Chatbot() {
  window.renders.chatbot!++;
  return <p id="chatbot">{useFlagValue('ai-chatbot', false) ? 'chat on' : 'chat off'}</p>;
}

function Maintenance() {
  window.renders.maintenance!++;
  const { enabled } = useFeatureFlag('maintenance-mode');
  return <p id="maintenance">{enabled ? 'maintenance on' : 'maintenance off'}</p>;
}

const { url, clientKey, context, bootstrap, strict, timeoutMs } = window.edgeflags;
const app = (
  <FlagProvider url={url} clientKey={clientKey} context={context} bootstrap={bootstrap} timeoutMs={timeoutMs}>
    <Dashboard />
    <Chatbot />
    <Maintenance />
  </FlagProvider>
);
// StrictMode mounts, unmounts and remounts once in development: the owned client must survive it.
createRoot(document.getElementById('root')!).render(strict ? <StrictMode>{app}</StrictMode> : app);

'use client';

import { useFeatureFlag, useFlagValue } from '@edgeflags/react';
import { useEffect } from 'react';

/**
 * Reads flags with the @edgeflags/react hooks. Bootstrapped by the layout, its first render (on
 * the server, then on hydration) already has the values: no loading state, no flicker.
 */
export function FlagsClient() {
  const dashboard = useFeatureFlag('redesigned-dashboard');
  const chatbot = useFlagValue('ai-chatbot', false);
  // Lets the browser test know hydration is done.
  useEffect(() => {
    document.body.dataset.hydrated = 'true';
  }, []);
  return (
    <section id="client-flags">
      <p id="client-loading">{dashboard.loading ? 'loading' : 'ready'}</p>
      <p id="client-chatbot">{chatbot ? 'chatbot on' : 'chatbot off'}</p>
      <p id="client-variant">{dashboard.variant ?? 'none'}</p>
    </section>
  );
}

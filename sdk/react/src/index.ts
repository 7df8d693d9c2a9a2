/**
 * @edgeflags/react — React bindings for @edgeflags/browser. A flag change re-renders only the
 * components that read that flag; with a server bootstrap the first render is already correct.
 *
 * @example
 * import { FlagProvider, useFeatureFlag, useFlagValue } from '@edgeflags/react';
 *
 * function Dashboard() {
 *   const { variant, loading } = useFeatureFlag('redesigned-dashboard');
 *   const chatbot = useFlagValue('ai-chatbot', false);
 *   if (loading) return null;
 *   return <main>{variant === 'treatment' ? 'New dashboard' : 'Classic dashboard'}{chatbot && <aside>Chat</aside>}</main>;
 * }
 *
 * export const App = () => (
 *   <FlagProvider url="http://127.0.0.1:8787" clientKey="efc_LocalDevClientKeyDoNotUseInProd001"
 *     context={{ targetingKey: 'user-42', plan: 'free', country: 'US' }}>
 *     <Dashboard />
 *   </FlagProvider>
 * );
 */
export { FlagProvider, type FlagProviderProps } from './flag-provider.tsx';
export { type FeatureFlag, useFeatureFlag, useFlagClient, useFlagValue } from './use-feature-flag.ts';

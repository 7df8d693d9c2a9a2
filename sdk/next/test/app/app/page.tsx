import { getFlags } from '@edgeflags/next/server';

export default async function Home() {
  const flags = await getFlags();
  return (
    <main>
      <h1>Invoices</h1>
      <p id="evaluated">{flags.evaluated ? 'evaluated' : 'defaults'}</p>
      <p id="server-chatbot">{flags.isEnabled('ai-chatbot') ? 'chatbot on' : 'chatbot off'}</p>
      <p id="server-bulk">{flags.isEnabled('bulk-invoice-api') ? 'bulk on' : 'bulk off'}</p>
      <p id="server-pdf">{flags.isEnabled('new-pdf-engine') ? 'pdf on' : 'pdf off'}</p>
      <p id="targeting-key">{flags.targetingKey ?? ''}</p>
    </main>
  );
}

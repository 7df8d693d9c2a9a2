// The seed 001 scenario (an invoicing SaaS with 12,000 accounts) and local-only development keys.
// These secrets are public on purpose: they exist only in a local .wrangler/ database.

export const LOCAL_KEYS = {
  admin: 'efa_LocalDevAdminTokenDoNotUseInProd01',
  server: 'efs_LocalDevServerKeyDoNotUseInProd001',
  client: 'efc_LocalDevClientKeyDoNotUseInProd001',
};

export const ENVIRONMENTS = [
  { key: 'development', name: 'Development', production: false },
  { key: 'staging', name: 'Staging', production: false },
  { key: 'production', name: 'Production', production: true },
];

const onOff = { on: true, off: false };

export const FLAGS = [
  {
    flag: {
      key: 'new-pdf-engine',
      kind: 'boolean',
      variants: onOff,
      name: 'New PDF engine',
      description: 'New PDF export engine, rolled out by account',
      owner: 'ravi',
      type: 'release',
      tags: ['billing', 'pdf'],
      clientVisible: true,
      expiresAt: '2027-03-31',
    },
    config: {
      enabled: true,
      offVariant: 'off',
      bucketBy: 'accountId',
      defaultServe: {
        split: [
          { variant: 'on', weight: 5 },
          { variant: 'off', weight: 95 },
        ],
      },
    },
  },
  {
    flag: {
      key: 'redesigned-dashboard',
      kind: 'string',
      variants: { control: 'control', treatment: 'treatment' },
      name: 'Redesigned dashboard',
      description: 'A/B test of the dashboard redesign',
      owner: 'product',
      type: 'experiment',
      tags: ['dashboard'],
      clientVisible: true,
      // The experiment policy (docs/policies.md): an end date and what it is judged on.
      expiresAt: '2027-02-28',
      primaryMetric: 'invoice-created',
    },
    config: {
      enabled: true,
      offVariant: 'control',
      defaultServe: {
        split: [
          { variant: 'treatment', weight: 50 },
          { variant: 'control', weight: 50 },
        ],
      },
    },
  },
  {
    flag: {
      key: 'ai-chatbot',
      kind: 'boolean',
      variants: onOff,
      name: 'AI chatbot',
      description: 'Chatbot for free-tier accounts in the US and UK',
      owner: 'growth',
      type: 'release',
      tags: ['support'],
      clientVisible: true,
      expiresAt: '2027-06-30',
    },
    config: {
      enabled: true,
      offVariant: 'off',
      rules: [
        {
          id: 'free-us-gb',
          name: 'Free plan in US and GB',
          conditions: [
            { attribute: 'plan', op: 'equals', values: ['free'] },
            { attribute: 'country', op: 'in', values: ['US', 'GB'] },
          ],
          serve: { variant: 'on' },
        },
      ],
      defaultServe: { variant: 'off' },
    },
  },
  {
    flag: {
      key: 'bulk-invoice-api',
      kind: 'boolean',
      variants: onOff,
      name: 'Bulk invoice API',
      description: 'Enterprise bulk invoicing endpoint',
      owner: 'platform',
      type: 'permission',
      tags: ['api', 'enterprise'],
    },
    config: {
      enabled: true,
      offVariant: 'off',
      targets: [{ attribute: 'accountId', values: ['acct-ent-001', 'acct-ent-002', 'acct-ent-003'], variant: 'on' }],
      defaultServe: { variant: 'off' },
    },
  },
  {
    flag: {
      key: 'maintenance-mode',
      kind: 'boolean',
      variants: onOff,
      name: 'Maintenance mode',
      description: 'Global kill switch: on puts the app in maintenance mode',
      owner: 'sre',
      type: 'ops',
      tags: ['ops'],
      clientVisible: true,
      // Switching maintenance on is the emergency action for this flag (no version needed).
      protectiveState: 'on',
    },
    config: { enabled: false, offVariant: 'off', defaultServe: { variant: 'on' } },
  },
];

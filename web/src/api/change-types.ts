// Shapes of the change-request API (docs/change-requests.md), as the admin app reads them.

export type ChangeStatus = 'open' | 'applied' | 'rejected' | 'cancelled' | 'failed';

export interface ChangeRequest {
  id: string;
  environment: string;
  flagKey: string;
  action: string;
  proposal: Record<string, unknown>;
  baseVersion: number;
  status: ChangeStatus;
  requiredApprovals: number;
  revision: number;
  applyAt: number | null;
  inSnapshot: boolean;
  authorId: string;
  author: string;
  reason: string | null;
  outcome: string | null;
  appliedVersion: number | null;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface ChangeDetail {
  changeRequest: ChangeRequest;
  approvals: { by: string; at: number; status: 'approved' | 'rejected'; reason: string | null }[];
  approvalsCounted: number;
  current: Record<string, unknown>;
  diff: { field: string; before: unknown; after: unknown }[];
  stale: boolean;
}

export type ChangeAction = 'approve' | 'reject' | 'cancel' | 'apply';

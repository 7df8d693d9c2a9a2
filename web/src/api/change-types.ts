// Shapes of the change-request API (docs/change-requests.md), as its routes declare them.
import type { Ok } from './app-types.ts';

export type ChangeRequest = Ok<'/environments/:env/change-requests', 'get'>['changeRequests'][number];
export type ChangeStatus = ChangeRequest['status'];
export type ChangeDetail = Ok<'/environments/:env/change-requests/:id', 'get'>;
export type ChangeAction = 'approve' | 'reject' | 'cancel' | 'apply';

// What the operational endpoints (`GET /metrics`, `GET /nodes`) need from the daemon. Optional in
// the app: without it those two routes are not registered (the API tests' fake service has none).
import type { MetricsSnapshot, NodeView } from './ops-dto.js';

export interface OpsService {
  /** Read from the store and the process as they are now; no forge request is made. */
  metrics(): Promise<MetricsSnapshot>;
  /** Every node that registered, the most recently started first. */
  listNodes(): Promise<NodeView[]>;
}

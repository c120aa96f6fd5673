/** Tables of the cluster module (migration 018): coordination between instances that share one database. */
export interface JobLeasesTable {
  name: string;
  holder: string;
  expires_at_ms: number;
  acquired_at: string;
}

export interface RateLimitHitsTable {
  bucket: string;
  window_start_ms: number;
  hits: number;
}

export interface WsPresenceTable {
  instance_id: string;
  principal: string;
  connections: number;
  seen_at_ms: number;
}

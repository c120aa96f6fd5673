/** How outliers are flagged: read by the scoring (outliers.ts) and described by the KPI catalogue. */
export interface OutlierSettings {
  /** |modified z| above which a value is flagged (Iglewicz and Hoaglin recommend 3.5). */
  threshold: number;
  minPeers: number;
  minHistory: number;
  historyDays: number;
}

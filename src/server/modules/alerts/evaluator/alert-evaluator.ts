import { createHash } from 'node:crypto';
import type { AlertKind, SliKey } from '../../../../contracts/index.js';
import type { Clock } from '../../../clock.js';
import type { DatabaseHandle } from '../../../db/handle.js';
import type { Logger } from '../../../observability/logger.js';
import type { BudgetsService } from '../../costs/index.js';
import type { IngestionService } from '../../events/index.js';
import type { StatusService } from '../../status/index.js';
import { projectsRepository } from '../../projects/index.js';
import { alertConfigRepository, type StoredRule } from '../alert-config.repository.js';
import { alertsRepository, type AlertRow } from '../alerts.repository.js';
import type { AlertDispatcher } from '../delivery/alert-dispatcher.js';
import type { AlertNotice } from '../delivery/alert-notice.js';
import { cut } from './alert-text.js';
import { RULE_KINDS } from './kinds/index.js';
import type { EvalContext, Finding, RuleKind } from './rule-kind.js';

/** The evaluator's own source: firings and resolutions are the server's, never a key's (SERVER_SOURCES). */
export const ALERTS_SOURCE = 'bmad-ops-alerts';

export interface EvaluatorOptions {
  intervalMs: number;
  /** New firings one rule may start in one pass (a rule made over a large history must not flood its channels). */
  maxFiringsPerRule: number;
  staleAfterIntervals: number;
}

export interface EvaluationReport {
  fired: number;
  resolved: number;
  repeated: number;
}

/** A firing's id: the rule, the subject and when it fired, so a retried append is the same event, not a second alert. */
export const alertIdOf = (ruleId: string, subjectId: string, firedAt: string) =>
  `alert-${createHash('sha256').update(`${ruleId}\n${subjectId}\n${firedAt}`).digest('base64url').slice(0, 32)}`;

interface Firing {
  rule: StoredRule;
  finding: Finding;
  message: string;
}
interface Resolution {
  alert: AlertRow;
  message: string;
}
interface Repeat {
  rule: StoredRule;
  alert: AlertRow;
  message: string;
}

/**
 * Evaluates every enabled rule against the read models on a schedule (and soon after a rule changes). A condition
 * that holds long enough fires once (alert.fired), is sent again at the rule's repeat interval while it holds, and
 * resolves with a message when it no longer does, or when its rule is switched off or removed (alert.resolved).
 *
 * Firings and resolutions are events, like everything else that changes what the dashboard shows: they are in the
 * log with their time and text, projected in the same transaction into the alerts table and the in-app list, and
 * reach every open browser live. Sending them out (webhooks, Slack) happens only after that commit; the delivery log
 * and the repeat bookkeeping are the server's own records of a side effect, written directly — replaying the log must
 * never post a webhook again.
 */
export class AlertEvaluator {
  /** When the evaluator first saw a condition whose start the data does not tell (rule id + subject id). */
  private readonly pendingSince = new Map<string, string>();
  private running: Promise<EvaluationReport> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private kicked: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(
    private readonly d: {
      db: DatabaseHandle;
      clock: Clock;
      logger: Logger;
      ingestion: IngestionService;
      dispatcher: AlertDispatcher;
      budgets: BudgetsService;
      /** The status page's service: the server-wide kinds judge its SLIs. */
      status: StatusService;
      opts: EvaluatorOptions;
    },
  ) {}

  start(): void {
    const tick = () => void this.evaluateOnce().catch((err: unknown) => this.d.logger.warn({ err }, 'alert evaluation failed; retried at the next interval'));
    this.timer = setInterval(tick, this.d.opts.intervalMs);
    this.timer.unref();
  }

  /** Evaluates soon (a rule was set or removed), without waiting for the next interval. */
  kick(): void {
    if (this.stopped || this.kicked) return;
    this.kicked = setImmediate(() => {
      this.kicked = undefined;
      void this.evaluateOnce().catch((err: unknown) => this.d.logger.warn({ err }, 'alert evaluation failed'));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.kicked) clearImmediate(this.kicked);
    await this.running?.catch(() => undefined);
  }

  /** Resolves once no pass runs and none is about to (a kicked one included): tests then start a pass of their own. */
  async settled(): Promise<void> {
    while (this.kicked || this.running) await (this.running?.catch(() => undefined) ?? new Promise<void>((r) => setImmediate(r)));
  }

  /** One pass (a pass under way is joined, not doubled). */
  evaluateOnce(): Promise<EvaluationReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<EvaluationReport> {
    const { db } = this.d;
    const now = this.d.clock.now();
    const rules = await alertConfigRepository.rules(db.read, { enabledOnly: true });
    const open = await alertsRepository.firing(db.read);
    if (this.stopped || (rules.length === 0 && open.length === 0)) return { fired: 0, resolved: 0, repeated: 0 };

    const ctx = this.context(now);
    const openByRule = new Map<string, Map<string, AlertRow>>();
    for (const a of open) openByRule.set(a.rule_id, (openByRule.get(a.rule_id) ?? new Map<string, AlertRow>()).set(a.subject_id, a));
    const lastNotified = await alertsRepository.lastNotified(
      db.read,
      open.map((a) => a.id),
    );
    const fire: Firing[] = [];
    const resolve: Resolution[] = [];
    const repeat: Repeat[] = [];
    const seen = new Set<string>();

    for (const rule of rules) {
      const openOfRule = openByRule.get(rule.id) ?? new Map<string, AlertRow>();
      openByRule.delete(rule.id);
      const kind = RULE_KINDS[rule.condition.kind] as RuleKind<AlertKind>;
      let findings: Finding[];
      try {
        findings = await kind.evaluate(ctx, rule as never, new Set(openOfRule.keys()));
      } catch (err) {
        // A rule that cannot be evaluated now keeps its alerts as they are: a failed read is not a resolution.
        this.d.logger.warn({ err, ruleId: rule.id }, 'alert rule could not be evaluated');
        for (const subjectId of openOfRule.keys()) seen.add(`${rule.id}\n${subjectId}`);
        continue;
      }
      let started = 0;
      const holding = new Set<string>();
      for (const f of findings) {
        if (holding.has(f.subject.id)) continue;
        holding.add(f.subject.id);
        const key = `${rule.id}\n${f.subject.id}`;
        seen.add(key);
        const alert = openOfRule.get(f.subject.id);
        // Not told by the data: counted from the first sighting (after a restart, from when the open alert fired).
        const since = f.since ?? this.pendingSince.get(key) ?? alert?.fired_at ?? now.toISOString();
        if (f.since === null && !this.pendingSince.has(key)) this.pendingSince.set(key, since);
        if (alert) {
          const last = lastNotified.get(alert.id) ?? alert.fired_at;
          if (rule.repeatMinutes > 0 && now.getTime() - Date.parse(last) >= rule.repeatMinutes * 60_000)
            repeat.push({ rule, alert, message: f.message(since) });
          continue;
        }
        if (now.getTime() - Date.parse(since) < rule.forMinutes * 60_000) continue;
        if (started++ >= this.d.opts.maxFiringsPerRule) continue;
        fire.push({ rule, finding: f, message: f.message(since) });
      }
      if (started > this.d.opts.maxFiringsPerRule)
        this.d.logger.warn(
          { ruleId: rule.id, waiting: started - this.d.opts.maxFiringsPerRule },
          'alert rule matched more subjects than it may fire at once; the rest fire at the next passes',
        );
      for (const [subjectId, alert] of openOfRule) {
        if (holding.has(subjectId)) continue;
        resolve.push({ alert, message: await kind.resolved(ctx, alert, rule as never).catch(() => `${alert.subject_name}: the condition no longer holds.`) });
      }
    }
    // Alerts whose rule is off or gone close with a message that says so.
    if (openByRule.size > 0) {
      const configs = await alertConfigRepository.ruleRows(db.read, [...openByRule.keys()]);
      for (const [ruleId, alerts] of openByRule) {
        const row = configs.get(ruleId);
        const why = !row || row.removed ? 'was removed' : 'was switched off';
        for (const alert of alerts.values())
          resolve.push({
            alert,
            message: `Rule “${alert.rule_name}” ${why}: the alert about ${alert.subject_name} is closed without checking its condition again.`,
          });
      }
    }
    for (const key of this.pendingSince.keys()) if (!seen.has(key)) this.pendingSince.delete(key);

    await this.record(now, fire, resolve);
    await this.send(fire, resolve, repeat, now);
    return { fired: fire.length, resolved: resolve.length, repeated: repeat.length };
  }

  private context(now: Date): EvalContext {
    const names = new Map<string, string>();
    const { db, status } = this.d;
    let slis: Promise<Readonly<Record<SliKey, number | null>> | null> | undefined;
    return {
      db,
      now,
      budgets: this.d.budgets,
      serverSlis: () => (slis ??= status.status('15m').then((s) => (s.lastSampleAt === null || s.sampleStale ? null : s.current))),
      staleAfterIntervals: this.d.opts.staleAfterIntervals,
      async projectNames(ids) {
        const missing = [...new Set(ids.filter((id): id is string => id !== null && !names.has(id)))];
        if (missing.length > 0) for (const [id, name] of await projectsRepository.namesByIds(db.read, missing)) names.set(id, name);
        return names;
      },
    };
  }

  /** Appends the firings and resolutions as events: committed (and projected) before anything is sent. */
  private async record(now: Date, fire: readonly Firing[], resolve: readonly Resolution[]): Promise<void> {
    if (fire.length === 0 && resolve.length === 0) return;
    const at = now.toISOString();
    const events = [
      ...fire.map(({ rule, finding: f, message }) => {
        const id = alertIdOf(rule.id, f.subject.id, at);
        return {
          id: `fired-${id}`,
          source: ALERTS_SOURCE,
          type: 'alert.fired',
          occurredAt: at,
          entity: { type: 'alert', id },
          payload: {
            ruleId: rule.id,
            ruleName: rule.name,
            kind: rule.condition.kind,
            subject: { ...f.subject, name: cut(f.subject.name, 300) },
            projectId: f.projectId,
            workflowId: f.workflowId ?? null,
            firedAt: at,
            inApp: rule.inApp,
            message: cut(message, 1000),
          },
        };
      }),
      ...resolve.map(({ alert: a, message }) => ({
        id: `resolved-${a.id}`,
        source: ALERTS_SOURCE,
        type: 'alert.resolved',
        occurredAt: at,
        entity: { type: 'alert', id: a.id },
        payload: {
          ruleId: a.rule_id,
          ruleName: a.rule_name,
          kind: a.kind,
          subject: { type: a.subject_type, id: a.subject_id, name: a.subject_name },
          projectId: a.project_id,
          workflowId: a.workflow_id,
          firedAt: a.fired_at,
          inApp: a.in_app === 1,
          message: cut(message, 1000),
        },
      })),
    ];
    const result = await this.d.ingestion.ingest(events);
    const refused = result.results.filter((r) => r.status === 'rejected');
    if (refused.length > 0) throw new Error(`alert events refused: ${JSON.stringify(refused.slice(0, 3))}`);
    await alertsRepository.forgetRepeats(
      this.d.db.write,
      resolve.map((r) => r.alert.id),
    );
  }

  /** After the commit: webhooks and Slack. The in-app list already has them (the projection). */
  private async send(fire: readonly Firing[], resolve: readonly Resolution[], repeat: readonly Repeat[], now: Date): Promise<void> {
    const at = now.toISOString();
    const ruleConfigs = await this.configsOf([...fire.map((f) => f.rule.id), ...resolve.map((r) => r.alert.rule_id), ...repeat.map((r) => r.rule.id)]);
    const projects = await this.context(now).projectNames([
      ...fire.map((f) => f.finding.projectId),
      ...resolve.map((r) => r.alert.project_id),
      ...repeat.map((r) => r.alert.project_id),
    ]);
    const project = (id: string | null) => (id ? { id, name: projects.get(id) ?? id } : null);
    const channelsOf = async (ruleId: string) => alertConfigRepository.targets(this.d.db.read, ruleConfigs.get(ruleId) ?? []);
    for (const { rule, finding: f, message } of fire) {
      const notice: AlertNotice = {
        kind: 'fired',
        alertId: alertIdOf(rule.id, f.subject.id, at),
        rule: { id: rule.id, name: rule.name, kind: rule.condition.kind },
        subject: f.subject,
        project: project(f.projectId),
        state: 'firing',
        firedAt: at,
        resolvedAt: null,
        message,
      };
      this.d.dispatcher.notify(notice, await channelsOf(rule.id));
    }
    for (const { rule, alert, message } of repeat) {
      this.d.dispatcher.notify({ ...this.noticeOf(alert, project(alert.project_id)), kind: 'repeated', message }, await channelsOf(rule.id));
      await alertsRepository.markRepeated(this.d.db.write, alert.id, at);
    }
    for (const { alert, message } of resolve) {
      this.d.dispatcher.notify(
        { ...this.noticeOf(alert, project(alert.project_id)), kind: 'resolved', state: 'resolved', resolvedAt: at, message },
        await channelsOf(alert.rule_id),
      );
    }
  }

  private noticeOf(a: AlertRow, project: AlertNotice['project']): Omit<AlertNotice, 'kind' | 'message'> {
    return {
      alertId: a.id,
      rule: { id: a.rule_id, name: a.rule_name, kind: a.kind as AlertKind },
      subject: { type: a.subject_type, id: a.subject_id, name: a.subject_name },
      project,
      state: 'firing',
      firedAt: a.fired_at,
      resolvedAt: null,
    };
  }

  /** The channels each rule names — a removed rule's last ones too, so its alerts' closing message reaches them. */
  private async configsOf(ruleIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await alertConfigRepository.ruleRows(this.d.db.read, [...new Set(ruleIds)]);
    const out = new Map<string, string[]>();
    for (const [id, row] of rows) {
      if (!row.config_json) continue;
      const channelIds = (JSON.parse(row.config_json) as { channelIds?: unknown }).channelIds;
      out.set(id, Array.isArray(channelIds) ? channelIds.filter((c): c is string => typeof c === 'string') : []);
    }
    return out;
  }
}

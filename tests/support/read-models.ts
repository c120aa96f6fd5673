import Database from 'better-sqlite3';

/**
 * Every read model as plain sorted rows, minus what legitimately depends on arrival order: surrogate row ids and
 * event sequence numbers (replaced by the sender's identity of the event they point at).
 */
export function dumpReadModels(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const all = (q: string) => db.prepare(q).all();
    return {
      projects: all('select * from projects order by id'),
      stories: all('select * from stories order by id'),
      workflows: all('select * from workflows order by id'),
      agents: all('select * from agents order by id'),
      users: all("select id, email, display_name, role, origin, version_at, version_key, created_at, updated_at from users where origin = 'event' order by id"),
      sync_state: all('select * from sync_state order by id'),
      workflow_transitions: all(
        `select t.workflow_id, t.from_status, t.to_status, t.occurred_at_utc, t.actor_id, t.reason, e.source_system, e.source_event_id
           from workflow_transitions t join domain_events e on e.id = t.event_id
          order by e.source_system, e.source_event_id`,
      ),
      cost_events: all(
        `select c.project_id, c.workflow_id, c.agent_id, c.story_id, c.model, c.cost_amount, c.currency, c.input_tokens, c.output_tokens,
                c.cache_write_tokens, c.cache_read_tokens, c.occurred_at_utc, e.source_system, e.source_event_id
           from cost_events c join domain_events e on e.id = c.source_event_id
          order by e.source_system, e.source_event_id`,
      ),
      domain_events: all(
        'select source_system, source_event_id, event_type, entity_type, entity_id, occurred_at_utc, payload_json, content_hash from domain_events order by source_system, source_event_id',
      ),
    };
  } finally {
    db.close();
  }
}

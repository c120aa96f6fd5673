import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Directory } from '../../contracts/index.js';
import { queries } from './queries.js';

export interface Names {
  directory: Directory | undefined;
  project(id: string | null): string | null;
  agent(id: string | null): string | null;
  person(id: string | null): string | null;
  /** Who made a change: a person or an agent. */
  actor(id: string | null): string | null;
  /**
   * Who made a change, for reading: a person's or agent's name from the directory; "…" while the directory loads; an
   * id the directory does not describe reads without its kind prefix ("person:priya@x.dev" → "priya@x.dev"), so a
   * raw id never shows; null when nobody is named.
   */
  who(id: string | null): string | null;
}

/** "person:priya@streakly.dev" → "priya@streakly.dev": what a git author id says, without the id's kind prefix. */
export const withoutKind = (id: string) => id.replace(/^(?:person|user|agent|actor):/, '');

/** Turns ids into names; an id nobody has described yet is shown as itself rather than hidden. */
export function useNames(): Names {
  const { data } = useQuery(queries.directory());
  return useMemo(() => {
    const projects = new Map(data?.projects.map((p) => [p.id, p.name]));
    const agents = new Map(data?.agents.map((a) => [a.id, a.name]));
    const people = new Map(data?.people.map((p) => [p.id, p.displayName ?? p.email ?? withoutKind(p.id)]));
    const look = (m: Map<string, string>) => (id: string | null) => (id === null ? null : (m.get(id) ?? id));
    const actor = (id: string | null) => (id === null ? null : (people.get(id) ?? agents.get(id) ?? id));
    const who = (id: string | null) => (id === null ? null : !data ? '…' : (people.get(id) ?? agents.get(id) ?? withoutKind(id)));
    return { directory: data, project: look(projects), agent: look(agents), person: look(people), actor, who };
  }, [data]);
}

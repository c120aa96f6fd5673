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
}

/** Turns ids into names; an id nobody has described yet is shown as itself rather than hidden. */
export function useNames(): Names {
  const { data } = useQuery(queries.directory());
  return useMemo(() => {
    const projects = new Map(data?.projects.map((p) => [p.id, p.name]));
    const agents = new Map(data?.agents.map((a) => [a.id, a.name]));
    const people = new Map(data?.people.map((p) => [p.id, p.displayName ?? p.email ?? p.id]));
    const look = (m: Map<string, string>) => (id: string | null) => (id === null ? null : (m.get(id) ?? id));
    const actor = (id: string | null) => (id === null ? null : (people.get(id) ?? agents.get(id) ?? id));
    return { directory: data, project: look(projects), agent: look(agents), person: look(people), actor };
  }, [data]);
}

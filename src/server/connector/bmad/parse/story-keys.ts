/** Story keys, from file names and sprint-status.yaml keys (grammar from BMAD's own sprint-status parser). */

export interface StoryRef {
  /** v6 "1-2-user-registration", v4/alpha.0 "1.2", v6.7 spec "spec-dark-mode". */
  key: string;
  epic: string | null;
  story: string | null;
  suffix: string;
  /** v6: keyed by number and slug; v4/alpha0: by number alone; spec: a Build spec (its slug may lead with N-M). */
  style: 'v6' | 'v4' | 'alpha0' | 'spec';
}

const V6_FILE = /^(\d+)-(\d+)([a-z]?)-(.+)\.md$/i;
/** `N-M-K-slug`: a numbered sub-item of story N.M (seen in real projects), not story N.M itself. */
const V6_SUB = /^(\d+)-(\d+)-(\d+)-(.+)$/i;
const V4_FILE = /^(\d+)\.(\d+)([a-z]?)\.(.+)\.md$/i;
const ALPHA0_FILE = /^story-(\d+)\.(\d+)([a-z]?)(?:[-.].+)?\.md$/i;
/** `story-N-M-slug.md`: a story file some teams write beside (or instead of) `N-M-slug.md`. */
const STORY_PREFIXED = /^story-(\d+)-(\d+)([a-z]?)-(.+)\.md$/i;
const SPEC_FILE = /^spec-(.+)\.md$/i;
/** A spec whose slug leads with a tracking id: `spec-3-2-digest-delivery.md` is the spec of story 3.2. */
const SPEC_TRACKED = /^(\d+)-(\d+)([a-z]?)-(.+)$/i;

function num(s: string): string {
  return String(Number(s));
}

/** The story a file name denotes, or null for any other file. */
export function storyRefFromFileName(name: string): StoryRef | null {
  let m = V6_FILE.exec(name);
  if (m) {
    const key = name.slice(0, -3);
    const sub = V6_SUB.exec(key);
    if (sub) return { key, epic: num(sub[1]!), story: num(sub[2]!), suffix: `.${sub[3]!.toLowerCase()}`, style: 'v6' };
    return { key, epic: num(m[1]!), story: num(m[2]!), suffix: m[3]!.toLowerCase(), style: 'v6' };
  }
  m = STORY_PREFIXED.exec(name);
  if (m) return { key: name.slice('story-'.length, -3), epic: num(m[1]!), story: num(m[2]!), suffix: m[3]!.toLowerCase(), style: 'v6' };
  m = V4_FILE.exec(name);
  if (m) return { key: `${num(m[1]!)}.${num(m[2]!)}${m[3]!.toLowerCase()}`, epic: num(m[1]!), story: num(m[2]!), suffix: m[3]!.toLowerCase(), style: 'v4' };
  m = ALPHA0_FILE.exec(name);
  if (m) return { key: `${num(m[1]!)}.${num(m[2]!)}${m[3]!.toLowerCase()}`, epic: num(m[1]!), story: num(m[2]!), suffix: m[3]!.toLowerCase(), style: 'alpha0' };
  m = SPEC_FILE.exec(name);
  if (m) {
    const tracked = SPEC_TRACKED.exec(m[1]!);
    if (tracked) return { key: name.slice(0, -3), epic: num(tracked[1]!), story: num(tracked[2]!), suffix: tracked[3]!.toLowerCase(), style: 'spec' };
    return { key: name.slice(0, -3), epic: null, story: null, suffix: '', style: 'spec' };
  }
  return null;
}

/** The story key a spec's slug names (`spec-3-2-digest-delivery` -> `3-2-digest-delivery`), or null for an untracked spec. */
export function trackedKeyOfSpec(specKey: string): string | null {
  const slug = specKey.replace(/^spec-/, '');
  return SPEC_TRACKED.test(slug) ? slug : null;
}

/** `1-2-user-registration.context.xml` (alpha story context) -> its story key. */
export function storyKeyOfContextFile(name: string): string | null {
  const m = /^(\d+-\d+[a-z]?-.+)\.context\.xml$/i.exec(name);
  return m ? m[1]! : null;
}

/** v4 QA gate `1.2-user-login.yml` -> "1.2". */
export function storyKeyOfQaFile(name: string): string | null {
  const m = /^(\d+)\.(\d+)([a-z]?)(?=[-.])/.exec(name);
  return m ? `${num(m[1]!)}.${num(m[2]!)}${m[3]!.toLowerCase()}` : null;
}

export type SprintKey =
  { kind: 'epic'; epic: string } | { kind: 'retrospective'; epic: string } | { kind: 'story'; epic: string | null; story: string | null; suffix: string };

export function classifySprintKey(key: string): SprintKey {
  // Epic ids are numbers in BMAD's grammar; real files also use letters (`epic-D`).
  const epicId = (x: string) => (/^\d+$/.test(x) ? num(x) : x);
  let m = /^epic-(\d+|[A-Za-z])$/.exec(key);
  if (m) return { kind: 'epic', epic: epicId(m[1]!) };
  m = /^epic-(\d+|[A-Za-z])-retrospective$/.exec(key);
  if (m) return { kind: 'retrospective', epic: epicId(m[1]!) };
  m = V6_SUB.exec(key);
  if (m) return { kind: 'story', epic: num(m[1]!), story: num(m[2]!), suffix: `.${m[3]!.toLowerCase()}` };
  m = /^(\d+)-(\d+)([a-z]?)-.+/.exec(key);
  if (m) return { kind: 'story', epic: num(m[1]!), story: num(m[2]!), suffix: m[3]! };
  // Not BMAD's grammar, but listed under development_status: still a story, never dropped.
  m = /^(\d+)[-.](\d+)([a-z]?)\b/.exec(key);
  if (m) return { kind: 'story', epic: num(m[1]!), story: num(m[2]!), suffix: m[3]! };
  return { kind: 'story', epic: null, story: null, suffix: '' };
}

function capitalize(word: string): string {
  return word.length === 0 ? word : word[0]!.toUpperCase() + word.slice(1);
}

/** "1-1-user-authentication" -> "User Authentication"; "spec-dark-mode" -> "Dark Mode". */
export function titleFromStoryKey(key: string): string {
  const rest = key.replace(/^\d+-\d+[a-z]?-/, '').replace(/^spec-/, '');
  const words = rest.split(/[-_\s]+/).filter((w) => w !== '');
  return words.length > 0 ? words.map(capitalize).join(' ') : key;
}

/** A lowercase, id-safe slug. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'project' : slug.slice(0, 64);
}

/** Sort order for stories: epic, story number, suffix, then key. */
export function compareStoryOrder(a: { epic: string | null; story: string | null; suffix: string; key: string }, b: typeof a): number {
  const ea = a.epic === null ? Number.MAX_SAFE_INTEGER : Number(a.epic);
  const eb = b.epic === null ? Number.MAX_SAFE_INTEGER : Number(b.epic);
  if (ea !== eb) return ea - eb;
  const sa = a.story === null ? Number.MAX_SAFE_INTEGER : Number(a.story);
  const sb = b.story === null ? Number.MAX_SAFE_INTEGER : Number(b.story);
  if (sa !== sb) return sa - sb;
  if (a.suffix !== b.suffix) return a.suffix < b.suffix ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

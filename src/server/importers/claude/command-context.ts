/**
 * What a BMAD slash command was given: the skill name as typed and its arguments. Claude Code writes a command as
 * `<command-name>/bmad-dev-story</command-name><command-args>1-2</command-args>`; typed in prose it is `/bmad-dev-story 1-2`.
 */
export interface CommandContext {
  skill: string | null;
  args: string | null;
}

const TAG_NAME = /<command-name>\s*\/?(bmad[\w:-]*)\s*<\/command-name>/i;
const TAG_ARGS = /<command-args>([\s\S]{0,2000}?)<\/command-args>/i;
const SLASH_WITH_ARGS = /(?:^|[\s>"'(`])\/(bmad[\w:-]*)[ \t]*([^\n]{0,500})/i;

export function commandContext(text: string): CommandContext {
  const tagged = TAG_NAME.exec(text);
  if (tagged) return { skill: tagged[1]!.toLowerCase(), args: TAG_ARGS.exec(text)?.[1]?.trim() || null };
  const slash = SLASH_WITH_ARGS.exec(text);
  if (slash) return { skill: slash[1]!.toLowerCase(), args: slash[2]?.trim() || null };
  const bare = /^\s*(bmad-[\w-]+)[ \t]*([^\n]{0,500})/i.exec(text);
  return bare ? { skill: bare[1]!.toLowerCase(), args: bare[2]?.trim() || null } : { skill: null, args: null };
}

export interface StoryRef {
  key: string;
  file: string | null;
}

/**
 * The story a command's arguments name, or null. A full key (`1-2-create-and-edit-habits`, `1.2`) or a short one
 * (`1-2`, `1.2`, `story 1.2`) counts only when exactly one story of the project fits: never a guess between two.
 */
export function storyNamedIn(args: string | null, stories: readonly StoryRef[]): string | null {
  if (!args || stories.length === 0) return null;
  const lower = args.toLowerCase();
  const full = stories.filter((s) => new RegExp(`(?:^|[^\\w.-])${escapeRe(s.key.toLowerCase())}(?:$|[^\\w-])`).test(lower));
  if (full.length === 1) return full[0]!.key;
  const short = /(?:^|[^\w.])(\d{1,4})[.-](\d{1,4})(?:$|[^\w.])/.exec(lower);
  if (!short) return null;
  const [a, b] = [short[1]!, short[2]!];
  const fits = stories.filter((s) => {
    const k = s.key.toLowerCase();
    return k === `${a}-${b}` || k === `${a}.${b}` || k.startsWith(`${a}-${b}-`);
  });
  return fits.length === 1 ? fits[0]!.key : null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

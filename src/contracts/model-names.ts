/**
 * Claude model ids as people say them: `claude-opus-4-1-20250805` is "Opus 4.1", `claude-3-7-sonnet-20250219` is
 * "Sonnet 3.7". Provider forms are understood too: Amazon Bedrock (`us.anthropic.claude-sonnet-4-5-20250929-v1:0`),
 * Google Vertex AI (`claude-sonnet-4-5@20250929`), OpenRouter (`anthropic/claude-sonnet-4.5`), aliases
 * (`claude-3-5-haiku-latest`). An id that is not a Claude model id comes back unchanged. Pure, shared by the server and
 * the browser, so a model reads the same everywhere.
 */
const FAMILY = '(opus|sonnet|haiku)';
const VERSION = '(\\d{1,2})(?:[-.](\\d{1,2}))?';
/** The family first (Claude 4 and later): claude-opus-4-1, claude-sonnet-4. */
const FAMILY_FIRST = new RegExp(`^claude-${FAMILY}-${VERSION}$`);
/** The version first (Claude 3.x): claude-3-7-sonnet, claude-3-opus. */
const VERSION_FIRST = new RegExp(`^claude-${VERSION}-${FAMILY}$`);

function canonical(id: string): string {
  return (
    id
      .trim()
      .toLowerCase()
      // Provider prefixes: Bedrock's (optionally region-scoped) "anthropic.", OpenRouter's "anthropic/".
      .replace(/^(?:[a-z]+\.)?anthropic[./]/, '')
      // Suffixes: a context-window tag ("[1m]"), Vertex's "@date", Bedrock's "-v1:0", an alias's "-latest", the date.
      .replace(/\[[^\]]*\]$/, '')
      .replace(/@[\w.-]+$/, '')
      .replace(/-v\d+(?::\d+)?$/, '')
      .replace(/-latest$/, '')
      .replace(/-\d{8}$/, '')
  );
}

const label = (family: string, major: string, minor: string | undefined) =>
  `${family.charAt(0).toUpperCase()}${family.slice(1)} ${Number(major)}${minor !== undefined ? `.${Number(minor)}` : ''}`;

/** "Opus 4.1" for `claude-opus-4-1-20250805`; the id itself when it is not a Claude model id this knows how to read. */
export function modelName(id: string): string {
  const c = canonical(id);
  const familyFirst = FAMILY_FIRST.exec(c);
  if (familyFirst) return label(familyFirst[1]!, familyFirst[2]!, familyFirst[3]);
  const versionFirst = VERSION_FIRST.exec(c);
  if (versionFirst) return label(versionFirst[3]!, versionFirst[1]!, versionFirst[2]);
  return id;
}

/** Whether {@link modelName} shortened the id (so the full id is worth showing on hover). */
export function isKnownModel(id: string): boolean {
  return modelName(id) !== id;
}

import { parse, TomlError } from 'smol-toml';

/** Parses TOML (smol-toml, TOML 1.0), reporting the first error with its line. */
export function parseTomlText(text: string): { data: Record<string, unknown>; error: null } | { data: null; error: { line: number | null; message: string } } {
  try {
    return { data: parse(text) as Record<string, unknown>, error: null };
  } catch (err) {
    if (err instanceof TomlError) return { data: null, error: { line: err.line, message: err.message.split('\n')[0]!.trim() } };
    return { data: null, error: { line: null, message: (err as Error).message } };
  }
}

import { describe, expect, it } from 'vitest';
import { isKnownModel, modelName } from '../../src/contracts/index.js';

describe('modelName: Claude model ids as people say them', () => {
  it.each([
    // Dated ids, family first (Claude 4 and later).
    ['claude-opus-4-1-20250805', 'Opus 4.1'],
    ['claude-sonnet-4-5-20250929', 'Sonnet 4.5'],
    ['claude-haiku-4-5-20251001', 'Haiku 4.5'],
    ['claude-opus-4-5-20251101', 'Opus 4.5'],
    ['claude-sonnet-4-20250514', 'Sonnet 4'],
    ['claude-opus-4-20250514', 'Opus 4'],
    // Version first (Claude 3.x).
    ['claude-3-7-sonnet-20250219', 'Sonnet 3.7'],
    ['claude-3-5-haiku-20241022', 'Haiku 3.5'],
    ['claude-3-5-sonnet-20240620', 'Sonnet 3.5'],
    ['claude-3-opus-20240229', 'Opus 3'],
    ['claude-3-haiku-20240307', 'Haiku 3'],
    // Aliases.
    ['claude-sonnet-4-5', 'Sonnet 4.5'],
    ['claude-opus-4-1', 'Opus 4.1'],
    ['claude-3-7-sonnet-latest', 'Sonnet 3.7'],
    ['claude-3-5-haiku-latest', 'Haiku 3.5'],
    // Amazon Bedrock, with and without a region prefix.
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'Sonnet 4.5'],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'Sonnet 3.5'],
    ['eu.anthropic.claude-opus-4-1-20250805-v1:0', 'Opus 4.1'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'Haiku 4.5'],
    // Google Vertex AI.
    ['claude-sonnet-4-5@20250929', 'Sonnet 4.5'],
    ['claude-opus-4-1@20250805', 'Opus 4.1'],
    ['claude-3-5-sonnet-v2@20241022', 'Sonnet 3.5'],
    // OpenRouter, dotted versions, a context-window tag, stray case and spaces.
    ['anthropic/claude-sonnet-4.5', 'Sonnet 4.5'],
    ['anthropic/claude-3.7-sonnet', 'Sonnet 3.7'],
    ['claude-sonnet-4-5-20250929[1m]', 'Sonnet 4.5'],
    [' Claude-Opus-4-1-20250805 ', 'Opus 4.1'],
  ])('%s → %s', (id, name) => {
    expect(modelName(id)).toBe(name);
    expect(isKnownModel(id)).toBe(true);
  });

  it.each(['gpt-4o', '<synthetic>', 'claude-instant-1.2', 'claude-2.1', 'claude-mystery-9', 'opus', '', 'claude-opus-4-1-2025080'])(
    'leaves an unknown id unchanged: %j',
    (id) => {
      expect(modelName(id)).toBe(id);
      expect(isKnownModel(id)).toBe(false);
    },
  );
});

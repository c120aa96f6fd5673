/**
 * Maps and sets keyed by a composite value (a tuple or a small record) instead of by strings glued together and split
 * again. Each collection is given the one function that encodes its key; it keeps the key value beside the entry, so
 * reading the keys back needs no decoding (and no casts).
 */

/** Encodes a composite key as one string: equal keys, and only equal keys, give equal strings. */
export type KeyEncoder<K> = (key: K) => string;

/**
 * An encoder for tuples of strings that is injective whatever the parts contain (a separator could occur in a part):
 * each part is prefixed with its length, which says where it ends. Half the cost of JSON.stringify, which escapes
 * every character; the analytics catch-up encodes millions of keys (issue 17).
 */
export function encodeParts(parts: readonly string[]): string {
  let out = '';
  for (const part of parts) out += `${part.length}:${part}`;
  return out;
}

export class KeyMap<K, V> implements Iterable<[K, V]> {
  private readonly entries = new Map<string, [K, V]>();

  constructor(private readonly encode: KeyEncoder<K>) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(this.encode(key))?.[1];
  }

  has(key: K): boolean {
    return this.entries.has(this.encode(key));
  }

  set(key: K, value: V): this {
    this.entries.set(this.encode(key), [key, value]);
    return this;
  }

  /** The value under a key, made by `init` and stored the first time it is asked for. */
  getOrInsert(key: K, init: () => V): V {
    const id = this.encode(key);
    const found = this.entries.get(id);
    if (found) return found[1];
    const value = init();
    this.entries.set(id, [key, value]);
    return value;
  }

  *keys(): IterableIterator<K> {
    for (const [k] of this.entries.values()) yield k;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries.values()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries.values();
  }
}

export class KeySet<K> implements Iterable<K> {
  private readonly map: KeyMap<K, true>;

  constructor(encode: KeyEncoder<K>, items: Iterable<K> = []) {
    this.map = new KeyMap(encode);
    for (const k of items) this.add(k);
  }

  get size(): number {
    return this.map.size;
  }

  add(key: K): this {
    this.map.set(key, true);
    return this;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  [Symbol.iterator](): IterableIterator<K> {
    return this.map.keys();
  }
}

/** Items grouped by a composite key, in first-seen order. */
export function groupByKey<T, K>(items: Iterable<T>, keyOf: (item: T) => K, encode: KeyEncoder<K>): KeyMap<K, T[]> {
  const out = new KeyMap<K, T[]>(encode);
  for (const item of items) out.getOrInsert(keyOf(item), () => []).push(item);
  return out;
}

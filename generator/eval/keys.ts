// Keys of definition values are user-controlled strings. `__proto__` can
// never be an ordinary entry: assigning it sets an object's prototype and
// zod strips it from records, so it would vanish without a word. It is
// refused where it is written, and so is an object whose prototype a
// TypeScript literal `{ __proto__: {...} }` replaced (the same key, lost
// before Exo sees it). Other keys that Object.prototype also has
// (`constructor`, `toString`) are ordinary: every lookup uses own keys.

export interface BadKey {
  /** Keys from the option's value down to the offending object. */
  readonly path: readonly string[];
  readonly reason: "key" | "prototype";
}

/** The first `__proto__` key (or replaced prototype) in a definition value, depth first. */
export function findBadKey(value: unknown): BadKey | undefined {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string[]): BadKey | undefined => {
    if (typeof v !== "object" || v === null || seen.has(v)) return undefined;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const bad = walk(v[i], [...path, String(i)]);
        if (bad) return bad;
      }
      return undefined;
    }
    if (hasReplacedPrototype(v)) return { path: [...path, "__proto__"], reason: "prototype" };
    for (const key of Object.keys(v)) {
      if (key === "__proto__") return { path: [...path, key], reason: "key" };
      const bad = walk((v as Record<string, unknown>)[key], [...path, key]);
      if (bad) return bad;
    }
    return undefined;
  };
  return walk(value, []);
}

/** An object whose prototype is a plain object, not a class's: what `{ __proto__: {...} }` makes. */
export function hasReplacedPrototype(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null || proto === Object.prototype) return false;
  const above: unknown = Object.getPrototypeOf(proto);
  const isClassPrototype = Object.hasOwn(proto, "constructor") && typeof (proto as { constructor: unknown }).constructor === "function";
  return (above === Object.prototype || above === null) && !isClassPrototype;
}

/** Own property `key` of `value`, never one inherited from Object.prototype. */
export function ownValue(value: unknown, key: PropertyKey): unknown {
  return value !== null && typeof value === "object" && Object.hasOwn(value, key) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
}

/** Set own property `key`, even `__proto__`, without touching the prototype. */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

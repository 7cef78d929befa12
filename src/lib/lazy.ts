/**
 * A value built on first use and kept for the isolate's life. Only src/views/schemas.ts still
 * uses it, with ApiRouter; both go once that feature moves to OpenAPIHono.
 */
export function lazy<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}

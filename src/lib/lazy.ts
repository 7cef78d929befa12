/**
 * A value built on first use and kept for the isolate's life. Startup CPU is budgeted and most
 * requests need a handful of the schemas and routes descriptions, so they are built on demand.
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

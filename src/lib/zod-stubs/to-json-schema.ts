// Bundled in place of zod's to-json-schema module: see json-schema-processors.ts beside this.
// Each schema's `~standard.jsonSchema` methods are built from here when `~standard` is first
// read (validators read it), so the factories return a method; only calling it throws.
import { unavailable } from './json-schema-processors';

function fail(): never {
  throw new Error(unavailable);
}

export const initializeContext = fail;
export const handleUnrepresentable = fail;
export const processSchema = fail;
export { processSchema as process };
export const extractDefs = fail;
export const finalize = fail;
export const createToJSONSchemaMethod = () => fail;
export const createStandardJSONSchemaMethod = () => fail;

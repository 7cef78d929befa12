// Bundled in place of zod's JSONSchemaGenerator: see json-schema-processors.ts beside this.
import { unavailable } from './json-schema-processors';

export class JSONSchemaGenerator {
  constructor() {
    throw new Error(unavailable);
  }
}

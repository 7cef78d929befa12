// Bundled in place of zod's JSON Schema emitter (see [alias] in wrangler.toml; to-json-schema.ts
// and json-schema-generator.ts beside this stand in for its two other modules). Gazette never
// calls `z.toJSONSchema` nor `schema.toJSONSchema()`: the OpenAPI document is written by
// @asteasolutions/zod-to-openapi from the schemas' definitions, not by zod's emitter. zod's
// classes still name one processor per type (called only while emitting), so each is here and
// throws. `aggregateChecks` is real: the `.minLength`, `.isInt`... getters read it.
// The emitter cost 20.4 KiB minified, 6.3 KiB gzipped of the 250 KiB budget (272.0 KiB before,
// 265.7 after).
export { aggregateChecks } from '../../../node_modules/zod/v4/core/json-schema-processors.js';

export const unavailable = "zod's JSON Schema emitter is not bundled in this worker";

function processor(): never {
  throw new Error(unavailable);
}

export function toJSONSchema(): never {
  throw new Error(unavailable);
}

export const allProcessors = {};
export const stringProcessor = processor;
export const numberProcessor = processor;
export const booleanProcessor = processor;
export const bigintProcessor = processor;
export const symbolProcessor = processor;
export const nullProcessor = processor;
export const undefinedProcessor = processor;
export const voidProcessor = processor;
export const neverProcessor = processor;
export const anyProcessor = processor;
export const unknownProcessor = processor;
export const dateProcessor = processor;
export const enumProcessor = processor;
export const literalProcessor = processor;
export const nanProcessor = processor;
export const templateLiteralProcessor = processor;
export const fileProcessor = processor;
export const successProcessor = processor;
export const customProcessor = processor;
export const functionProcessor = processor;
export const transformProcessor = processor;
export const mapProcessor = processor;
export const setProcessor = processor;
export const arrayProcessor = processor;
export const objectProcessor = processor;
export const unionProcessor = processor;
export const intersectionProcessor = processor;
export const tupleProcessor = processor;
export const recordProcessor = processor;
export const nullableProcessor = processor;
export const nonoptionalProcessor = processor;
export const defaultProcessor = processor;
export const prefaultProcessor = processor;
export const catchProcessor = processor;
export const pipeProcessor = processor;
export const readonlyProcessor = processor;
export const promiseProcessor = processor;
export const optionalProcessor = processor;
export const lazyProcessor = processor;

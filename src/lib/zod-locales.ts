// Bundled in place of zod's locale index (see [alias] in wrangler.toml). zod re-exports all of
// its ~50 locales through a namespace the `z` object keeps alive, which cost ~41 KiB gzipped
// of the worker; Gazette's problems are written in English by its own code, so only `en` ships.
export { default as en } from 'zod/v4/locales/en.js';

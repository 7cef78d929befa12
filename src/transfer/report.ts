import type { ImportReport } from './schemas';

/**
 * An import's report before its first line. Apart from import.ts so the job object, which loads
 * with every isolate, does not load the import's code to start a report.
 */
export function emptyCounts(): Omit<ImportReport, 'rejections'> {
  return {
    lines: 0,
    processed: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    channelsCreated: 0,
    tagsCreated: 0,
    rejected: 0,
  };
}

export function emptyReport(): ImportReport {
  return { ...emptyCounts(), rejections: [] };
}

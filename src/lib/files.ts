/** How readers see a file: its size in KB or MB and its format. Shared by the API and pages. */

/** `38 KB`, `1.5 MB`: kilobytes rounded up (a 1-byte file is 1 KB), megabytes to one decimal. */
export function humanFileSize(bytes: number): string {
  return bytes >= 1_048_576
    ? `${(bytes / 1_048_576).toFixed(1)} MB`
    : `${Math.ceil(bytes / 1024)} KB`;
}

const formatsByType: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/ofd': 'ofd',
  'application/msword': 'doc',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/kswps': 'wps',
  'application/kset': 'et',
  'application/ksdps': 'dps',
  'application/zip': 'zip',
  'application/vnd.rar': 'rar',
  'application/x-7z-compressed': '7z',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'video/mp4': 'mp4',
};

/**
 * The format to show (`XLSX`): the name's extension when it has a short one, else the one
 * its content type stands for, else null.
 */
export function fileFormat(name: string, contentType: string | null): string | null {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1];
  if (ext) return ext.toUpperCase();
  const essence = contentType?.split(';')[0]?.trim().toLowerCase();
  const known = essence ? formatsByType[essence] : undefined;
  return known ? known.toUpperCase() : null;
}

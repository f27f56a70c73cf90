function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}

/** A file's name without folders or its last extension: the id of a video a file holds alone. */
export function fileStem(file: string): string {
  const base = baseName(file);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The last extension, lower-cased with its dot ('.npy'), or '' when there is none. */
export function fileExtension(file: string): string {
  const base = baseName(file);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

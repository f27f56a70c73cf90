// The export formats by name alone (no writer code), so that the page can list them without bundling the writers.

/** The files a model can be written as, by `npm run export` and by the page's downloads. */
export const EXPORT_FORMATS = ['pdparams-combined', 'pdparams-pickle', 'tfjs-zip', 'onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What each format is, in a few words, for usage lines and buttons. */
export const EXPORT_FORMAT_LABELS: Record<ExportFormat, string> = {
  'pdparams-combined': '.pdparams (combined)',
  'pdparams-pickle': '.pdparams (pickle)',
  'tfjs-zip': 'tfjs model (.zip)',
  onnx: 'ONNX graph (.onnx)',
};

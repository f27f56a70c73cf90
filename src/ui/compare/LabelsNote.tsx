import { memo } from 'react';
import { useApp } from '../state/context';
import { foreignLabelFiles } from '../state/slices/compare';

/**
 * Said where the metrics are: files whose labels are not the loaded model's
 * classes (the fine-tune set's new labels against the demo's classes) are
 * left out of them, rather than scored against unrelated classes.
 */
// Memoized: the Metrics card renders again as each batch of a load changes its pending count; this part need not.
export const LabelsNote = memo(function LabelsNote() {
  const files = useApp((s) => foreignLabelFiles(s).join('\n'));
  const names = useApp((s) => {
    const first = files.split('\n')[0];
    return first ? (s.labelNames[first] ?? []).slice(0, 4).join(', ') : '';
  });
  const count = useApp((s) => {
    if (!files) return 0;
    const set = new Set(files.split('\n'));
    return s.videos.filter((v) => set.has(v.file) && v.labels?.length).length;
  });
  if (!files) return null;
  const list = files.split('\n');
  return (
    <p className="small notice notice-info labels-note" role="note" data-testid="labels-note">
      {count.toLocaleString('en-US')} video{count === 1 ? ' is' : 's are'} left out of these figures: the labels of {list.join(', ')} (
      {names}, …) are not this model’s classes, so scoring them against it would mean nothing. Fine-tune on them, then Save, to score them
      with the tuned model.
    </p>
  );
});

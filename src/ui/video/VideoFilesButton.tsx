import { useId } from 'react';
import { useApp } from '../state/context';

/** "Add videos": video files (and, alongside, the extractor's files and a labels CSV) picked rather than dropped. */
export function VideoFilesButton() {
  const addFiles = useApp((s) => s.addFiles);
  const id = useId();
  return (
    <>
      <label htmlFor={id} className="btn file-label" title="mp4, webm, mov: made into YouTube-8M features in the page">Add videos</label>
      <input id={id} className="file-input" type="file" multiple accept="video/*,.mp4,.m4v,.mov,.webm,.mkv,.tgz,.pb,.npy,.csv" data-testid="video-input"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (files.length) void addFiles(files);
        }} />
    </>
  );
}

import { FilePicker } from '../components/FilePicker';
import { useApp } from '../state/context';

/** "Add videos": video files (and, alongside, the extractor's files and a labels CSV) picked rather than dropped. */
export function VideoFilesButton() {
  const addFiles = useApp((s) => s.addFiles);
  return (
    <FilePicker
      label="Add videos"
      title="mp4, webm, mov: made into YouTube-8M features in the page"
      accept="video/*,.mp4,.m4v,.mov,.webm,.mkv,.tgz,.pb,.npy,.csv"
      testId="video-input"
      onFiles={(files) => void addFiles(files)}
    />
  );
}

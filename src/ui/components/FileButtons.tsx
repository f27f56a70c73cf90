import { FEATURE_FILE_EXTENSIONS } from '../../core/features/featureFormats';
import { useApp } from '../state/context';
import { VideoFilesButton } from '../video/VideoFilesButton';
import { FilePicker } from './FilePicker';

/** "Add feature files" (a labelled file input styled as a button) and "Try a sample". */
export function FileButtons({ large = false }: { large?: boolean }) {
  const addFiles = useApp((s) => s.addFiles);
  const loadSamples = useApp((s) => s.loadSamples);
  const samplesLoaded = useApp((s) => s.settings.samples && s.videos.some((v) => v.file.startsWith('demo-samples')));
  return (
    <div className={`file-buttons${large ? ' file-buttons-large' : ''}`}>
      <button
        type="button"
        className="btn btn-primary"
        onClick={() => void loadSamples()}
        disabled={samplesLoaded}
        title={samplesLoaded ? 'The samples are loaded' : 'Load the bundled sample videos'}
      >
        Try a sample
      </button>
      <FilePicker
        label="Add feature files"
        accept={[...FEATURE_FILE_EXTENSIONS, '.pdparams'].join(',')}
        testId="feature-input"
        onFiles={(files) => void addFiles(files)}
      />
      <VideoFilesButton />
    </div>
  );
}

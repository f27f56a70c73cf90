import { useId, useRef } from 'react';
import { FEATURE_FILE_EXTENSIONS } from '../../core/features/featureFormats';
import { useApp } from '../state/context';

/** "Add feature files" (a labelled file input styled as a button) and "Try a sample". */
export function FileButtons({ large = false }: { large?: boolean }) {
  const addFiles = useApp((s) => s.addFiles);
  const loadSamples = useApp((s) => s.loadSamples);
  const samplesLoaded = useApp((s) => s.settings.samples && s.videos.some((v) => v.file.startsWith('demo-samples')));
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  return (
    <div className={`file-buttons${large ? ' file-buttons-large' : ''}`}>
      <button type="button" className="btn btn-primary" onClick={() => void loadSamples()} disabled={samplesLoaded}
        title={samplesLoaded ? 'The samples are loaded' : 'Load the bundled sample videos'}>
        Try a sample
      </button>
      <label htmlFor={id} className="btn file-label">
        Add feature files
      </label>
      <input
        ref={input}
        id={id}
        className="file-input"
        type="file"
        multiple
        accept={[...FEATURE_FILE_EXTENSIONS, '.pdparams'].join(',')}
        data-testid="feature-input"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (files.length) void addFiles(files);
        }}
      />
    </div>
  );
}

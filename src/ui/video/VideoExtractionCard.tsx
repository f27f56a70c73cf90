import { useEffect, useId, useRef, useState } from 'react';
import type { ExtractionProgress } from '../../protocol/protocol';
import { FilePicker } from '../components/FilePicker';
import { useApp, useAppShallow } from '../state/context';
import type { StagedVideos as Staged } from './mediaSlice';
import { csvLabels } from './videoDrop';
import './video.css';

const INCEPTION_URL = 'http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz';
const PCA_URL = 'http://data.yt8m.org/yt8m_pca.tgz';

/**
 * Your own videos, before they are listed: the extractor's files when they
 * are missing (what they are, where they are published; nothing is
 * fetched), the labels for the videos just dropped, and each video's
 * progress with Cancel. Shown only while there is something to show.
 */
export function VideoExtractionCard() {
  const [staged, extractor, extractions] = useAppShallow((s) => [s.stagedVideos, s.extractor, s.extractions]);
  if (!staged && extractions.length === 0) return null;
  return (
    <section className="card video-extraction" aria-labelledby="video-extraction-title" data-testid="video-extraction">
      <div className="card-head">
        <h2 id="video-extraction-title" className="video-card-title">
          Your videos to YouTube-8M features
        </h2>
      </div>
      {staged && extractor?.ready === null && <ExtractorFiles />}
      {staged && <StagedVideos staged={staged} ready={!!extractor?.ready} note={extractor?.note ?? ''} />}
      {extractions.length > 0 && <ExtractionList items={extractions} />}
    </section>
  );
}

/** Asks for the extractor's two files, once: the worker keeps them in the browser. */
function ExtractorFiles() {
  const give = useApp((s) => s.giveExtractorFiles);
  const extractor = useApp((s) => s.extractor);
  const missing = extractor?.missing ?? ['inception', 'pca'];
  return (
    <div className="extractor-files" data-testid="extractor-files">
      <p>
        Features are made as Google’s published YouTube-8M extractor makes them: one frame a second through Inception-v3 (2015), then
        YouTube-8M’s PCA. It needs its two published files, which you download yourself (the page fetches nothing); they are kept in this
        browser, so you give them once.
      </p>
      <ul className="small">
        <li className={missing.includes('inception') ? '' : 'muted'}>
          <strong>inception-2015-12-05.tgz</strong> (about 88 MB; or the <code>classify_image_graph_def.pb</code> inside it):{' '}
          <span className="url-text">{INCEPTION_URL}</span>
          {missing.includes('inception') ? '' : ' · given'}
        </li>
        <li className={missing.includes('pca') ? '' : 'muted'}>
          <strong>yt8m_pca.tgz</strong> (or its <code>mean.npy</code>, <code>eigenvals.npy</code>, <code>eigenvecs.npy</code>):{' '}
          <span className="url-text">{PCA_URL}</span>
          {missing.includes('pca') ? '' : ' · given'}
        </li>
      </ul>
      <FilePicker
        label="Choose the extractor files"
        accept=".tgz,.gz,.tar,.pb,.npy"
        testId="extractor-input"
        onFiles={(files) => void give(files)}
      />
      <span className="muted small"> or drop them on the page.</span>
    </div>
  );
}

function StagedVideos({ staged, ready, note }: { staged: Staged; ready: boolean; note: string }) {
  const count = staged.files.length;
  const suggested = staged.suggestedLabels;
  const [start, discard, hasModel] = useAppShallow((s) => [s.startExtraction, s.discardStagedVideos, s.model !== null]);
  const [labels, setLabels] = useState(suggested);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus({ preventScroll: true }), []);
  const go = () => setError(start(labels));
  return (
    <form
      className="staged-videos"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) go();
      }}
      data-testid="staged-videos"
    >
      <p>
        <strong>
          {count} video{count === 1 ? '' : 's'}
        </strong>{' '}
        to extract. {note}
      </p>
      <label htmlFor={id} className="small">
        Labels for {count === 1 ? 'this video' : `all ${count} videos`} (optional: class names or ids, separated by commas), so that they
        can be fine-tuned on at once
      </label>
      <input
        ref={field}
        id={id}
        className="text-input"
        value={labels}
        placeholder={hasModel ? 'e.g. Dog, Skateboarding or 12' : 'class ids, e.g. 3, 17'}
        onChange={(e) => {
          setLabels(e.target.value);
          setError(null);
        }}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        data-testid="video-labels"
      />
      {error && (
        <p id={`${id}-err`} className="error-text" role="alert">
          {error}
        </p>
      )}
      <LabelsCsv staged={staged} />
      <div className="row-buttons">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!ready}
          data-testid="extract-start"
          title={ready ? undefined : 'Give the extractor files first'}
        >
          Extract {count === 1 ? 'the video' : `${count} videos`}
        </button>
        <button type="button" className="btn" onClick={discard}>
          Discard
        </button>
      </div>
    </form>
  );
}

/** The labels CSV given with the videos (how many it names), or a picker for one: `<video file>,<label ids joined by ;>` as the command line's --labels takes. */
function LabelsCsv({ staged }: { staged: Staged }) {
  const [give, classCount] = useAppShallow((s) => [s.giveLabelsCsv, s.model?.classNames.length ?? 0]);
  const csv = staged.labelsCsv;
  const found =
    csv &&
    csvLabels(
      csv.rows,
      csv.name,
      staged.files.map((f) => f.name),
      classCount,
    );
  const named = found && 'labels' in found ? found.labels.filter(Boolean).length : 0;
  return (
    <p className="small labels-csv" data-testid="labels-csv">
      {csv ? (
        <>
          <strong>{csv.name}</strong>{' '}
          {found && 'error' in found ? (
            <span className="error-text">{found.error}</span>
          ) : (
            `labels ${named} of the ${staged.files.length} videos by file name${named < staged.files.length ? '; the labels typed above label the others' : ''}.`
          )}{' '}
        </>
      ) : (
        'Or label each video with a CSV of file name and label ids (file.mp4,3;17), as the command line’s --labels takes: '
      )}
      <FilePicker
        label={csv ? 'Another CSV' : 'Choose a labels CSV'}
        className="link-button file-label"
        accept=".csv,text/csv"
        pick="one"
        testId="labels-csv-input"
        onFiles={(files) => void give(files[0])}
      />
    </p>
  );
}

function ExtractionList({ items }: { items: ExtractionProgress[] }) {
  const [cancel, clear] = useAppShallow((s) => [s.cancelExtraction, s.clearFinishedExtractions]);
  const active = items.filter((x) => x.state === 'queued' || x.state === 'decoding').length;
  return (
    <div className="extraction-list">
      <ul aria-label="Videos being extracted" aria-live="polite">
        {items.map((x) => (
          <li key={x.job} data-testid="extraction-item" data-state={x.state} data-name={x.name}>
            <span className="extraction-name">{x.name}</span>
            <span className="small tabular extraction-status">{describe(x)}</span>
            {x.framesTotal ? <progress max={x.framesTotal} value={x.framesDone} aria-label={`${x.name}: frames done`} /> : null}
            {(x.state === 'queued' || x.state === 'decoding') && (
              <button type="button" className="btn btn-small" onClick={() => void cancel(x.job)}>
                Cancel<span className="sr-only"> {x.name}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
      <div className="row-buttons">
        {active > 1 && (
          <button type="button" className="btn btn-small" onClick={() => void cancel()}>
            Cancel all
          </button>
        )}
        {active < items.length && (
          <button type="button" className="btn btn-small" onClick={clear}>
            Clear finished
          </button>
        )}
      </div>
    </div>
  );
}

function describe(x: ExtractionProgress): string {
  switch (x.state) {
    case 'queued':
      return 'waiting';
    case 'cancelled':
      return 'cancelled';
    case 'error':
      return x.message ?? 'failed';
    case 'done':
      return `done: ${x.framesDone} frames, listed below`;
    default: {
      const parts = [`frame ${x.framesDone} of ${x.framesTotal ?? '?'}`];
      if (x.framesPerSecond) parts.push(`${x.framesPerSecond.toFixed(x.framesPerSecond < 10 ? 1 : 0)} frames/s`);
      if (x.secondsLeft !== null && x.framesPerSecond) parts.push(`${formatLeft(x.secondsLeft)} left`);
      return parts.join(' · ');
    }
  }
}

function formatLeft(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

import { useEffect, useRef, useState } from 'react';
import { Header } from './components/Header';
import { Notices } from './components/Notices';
import { VideoPanel } from './components/VideoPanel';
import { MetricsCard } from './components/MetricsCard';
import { ModelPanel } from './components/ModelPanel';
import { VideoDetail } from './components/VideoDetail';
import { EmptyState } from './components/EmptyState';
import { TrainingCard } from './components/TrainingCard';
import { DropIcon } from './components/icons';
import { ViewSwitch } from './components/ViewSwitch';
import { DatasetView } from './dataset/DatasetView';
import { filesFromDataTransfer } from './drop';
import { useApp } from './state/context';

/** The page: header, notices, the sidebar of videos and models, and the selected video. Files may be dropped anywhere. */
export function App() {
  const addFiles = useApp((s) => s.addFiles);
  const hasVideos = useApp((s) => s.videos.length > 0);
  const view = useApp((s) => s.settings.view);
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);

  useEffect(() => {
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = () => {
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    };
    const drop = async (e: DragEvent) => {
      if (!e.dataTransfer || !hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setDragging(false);
      const files = await filesFromDataTransfer(e.dataTransfer);
      if (files.length) await addFiles(files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [addFiles]);

  return (
    <div className="app" data-dragging={dragging || undefined}>
      <a className="skip-link" href="#main">Skip to the results</a>
      <Header />
      <Notices />
      <div className="layout">
        <aside className="sidebar" aria-label="Videos and models">
          <VideoPanel />
          <MetricsCard />
          <ModelPanel />
        </aside>
        <main id="main" className="content" tabIndex={-1}>
          {hasVideos && <ViewSwitch />}
          {!hasVideos ? <EmptyState /> : view === 'dataset' ? <DatasetView /> : <VideoDetail />}
          {hasVideos && view === 'video' && <TrainingCard />}
        </main>
      </div>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-overlay-card">
            <DropIcon />
            <p className="drop-overlay-title">Drop to add</p>
            <p className="muted">Feature files (TFRecord, pkl, npy, JSON), a model folder, or Paddle weights (.pdparams, .pdckpt, a parameter folder, .pdmodel + .pdiparams)</p>
          </div>
        </div>
      )}
    </div>
  );
}

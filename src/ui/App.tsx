import { type MouseEvent, useEffect, useRef, useState } from 'react';
import { Header } from './components/Header';
import { BackendNote, Notices } from './components/Notices';
import { VideoPanel } from './components/VideoPanel';
import { MetricsCard } from './components/MetricsCard';
import { ModelPanel } from './components/ModelPanel';
import { EmptyState } from './components/EmptyState';
import { FineTuneCard } from './fineTune/FineTuneCard';
import { StagedMount } from './components/StagedMount';
import { DropIcon } from './components/icons';
import { VIEWS, ViewSwitch } from './components/ViewSwitch';
import { filesFromDataTransfer } from './drop';
import { FEATURE_FORMAT_LABELS, listed } from '../core/features/featureFormats';
import { useApp } from './state/context';
import { VideoExtractionCard } from './video/VideoExtractionCard';
import { FilePromptDialog } from './library/FilePromptDialog';
import { UndoToast } from './library/UndoToast';
import { CompareCard } from './compare/CompareCard';

/** The page: header, notices, the sidebar of videos and models, and the selected video. Files may be dropped anywhere. */
export function App() {
  const addFiles = useApp((s) => s.addFiles);
  const hasVideos = useApp((s) => s.videos.length > 0);
  const view = useApp((s) => s.settings.view);
  const View = VIEWS[view].Body;
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  useFocusRescue();

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

  // Two asides in the left column: on a phone (one column) the selected video's results come right after the list,
  // before the metrics and the model, rather than below the whole column.
  const videos = (
    <aside key="videos" className="sidebar sidebar-videos" aria-label="Videos">
      <VideoPanel />
    </aside>
  );
  const models = (
    <aside key="models" className="sidebar sidebar-models" aria-label="Metrics and models">
      <MetricsCard />
      <ModelPanel />
    </aside>
  );
  const main = (
    <main key="main" id="main" className="content" tabIndex={-1}>
      <BackendNote />
      <VideoExtractionCard />
      {hasVideos && <ViewSwitch />}
      {!hasVideos ? <EmptyState /> : <View />}
      {hasVideos && view === 'video' && (
        <StagedMount frames={3}>
          <FineTuneCard />
        </StagedMount>
      )}
      {hasVideos && <CompareCard />}
    </main>
  );

  return (
    <div className="app" data-dragging={dragging || undefined}>
      <SkipLinks finetune={hasVideos && view === 'video'} />
      <Header />
      <Notices />
      <div className="layout">
        {/* Before any video the main area (how to start) comes first, for the keyboard and on a phone; the
            columns stay in place on a wide screen. Keyed, so that React moves them rather than mounting again. */}
        {hasVideos ? [videos, main, models] : [main, videos, models]}
      </div>
      <FilePromptDialog />
      <UndoToast />
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-overlay-card">
            <DropIcon />
            <p className="drop-overlay-title">Drop to add</p>
            <p className="muted">
              Feature files ({listed(FEATURE_FORMAT_LABELS, ', ')}), video files (mp4, webm, mov), a model folder, or Paddle weights
              (.pdparams, .pdckpt, a parameter folder, .pdmodel + .pdiparams)
            </p>
          </div>
        </div>
      )}
    </div>
  );
}

/**
 * The first stops of the Tab key: straight to the results, the videos, and
 * (with videos) the fine-tune. Each moves focus to its target, as a link to
 * a fragment does, without putting the fragment in the URL.
 */
function SkipLinks({ finetune }: { finetune: boolean }) {
  const go = (e: MouseEvent<HTMLAnchorElement>, id: string) => {
    const target = document.getElementById(id);
    if (!target) return;
    e.preventDefault();
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: 'start' });
  };
  const links = [
    { id: 'main', text: 'Skip to the main content' },
    { id: 'videos', text: 'Skip to the videos' },
    ...(finetune ? [{ id: 'finetune', text: 'Skip to fine-tuning' }] : []),
  ];
  return (
    <nav className="skip-links" aria-label="Skip links">
      {links.map((l) => (
        <a key={l.id} className="skip-link" href={`#${l.id}`} onClick={(e) => go(e, l.id)}>
          {l.text}
        </a>
      ))}
    </nav>
  );
}

/**
 * Keeps keyboard focus on the page when the control that had it goes away
 * or is disabled (the empty state replaced by results, a list emptied): focus
 * moves to the nearest remaining container that takes focus (the main area,
 * a card), else to its first control, rather than falling to the page's body.
 */
function useFocusRescue() {
  useEffect(() => {
    let last: HTMLElement | null = null;
    let ancestors: HTMLElement[] = [];
    const onFocusIn = (e: FocusEvent) => {
      if (!(e.target instanceof HTMLElement)) return;
      last = e.target;
      ancestors = [];
      for (let p = e.target.parentElement; p && p !== document.body; p = p.parentElement) ancestors.push(p);
    };
    const rescue = () => {
      if (!last || (document.activeElement && document.activeElement !== document.body)) return;
      // Focus left by the user (a click on text) stays where they left it.
      if (last.isConnected && !(last as HTMLButtonElement).disabled) return;
      const lost = last;
      last = null;
      for (const was of ancestors) {
        // A container mounted again under the same id (a card, the main area) counts as the same place.
        const home = was.isConnected ? was : was.id ? document.getElementById(was.id) : null;
        if (!home) continue;
        const target = home.hasAttribute('tabindex') ? home : home.querySelector<HTMLElement>(FOCUSABLE);
        if (target && target !== lost) {
          target.focus({ preventScroll: true });
          return;
        }
      }
      document.getElementById('main')?.focus({ preventScroll: true });
    };
    const observer = new MutationObserver(rescue);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
    document.addEventListener('focusin', onFocusIn);
    return () => {
      observer.disconnect();
      document.removeEventListener('focusin', onFocusIn);
    };
  }, []);
}

const FOCUSABLE =
  'button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** What the settings mean for this data: how they were fitted, what the run costs, and what to watch out for. */
import { slowWarning } from './fineTuneEstimate';
import type { FineTuneSetup } from './useFineTuneSetup';

/** Multiply-adds in words: 3.2 G, 410 M. */
function formatMacs(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [v, u] of units) if (n >= v) return `${(n / v).toFixed(n / v >= 100 ? 0 : 1)} ${u}`;
  return String(Math.round(n));
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function PlanSummary({ setup }: { setup: FineTuneSetup }) {
  const { plan, config, fitted, size, edited, running, useCustom, smallValidation } = setup;
  if (!plan) return null;
  return (
    <>
      {plan.labeled >= 2 && (
        <p className="small muted training-fitted" data-testid="training-fitted">
          {Object.keys(edited).length === 0 ? 'Set from your data' : 'Suggested for your data'} ({plan.labeled} videos, {size.classes} class
          {size.classes === 1 ? '' : 'es'}):{' '}
          {config.mode === 'new-head' ? 'a new layer learns at 0.01' : 'a trained head is refined at 0.001'}, {fitted.epochs} epochs (
          {setup.steps} step{setup.steps === 1 ? '' : 's'} each), {Math.round(fitted.validationFraction * 100)}% held out. The fine-tune
          stops early when the validation loss has not improved for {setup.patience} epochs, and the best epoch’s weights are kept.
          {Object.keys(edited).length > 0 && (
            <>
              {' '}
              <button type="button" className="link-btn" disabled={running} onClick={setup.resetEdits}>
                Use these
              </button>
            </>
          )}
        </p>
      )}
      <p className="small training-plan" data-testid="training-cost">
        {plan.labeled} labeled video{plan.labeled === 1 ? '' : 's'} of {plan.videos} · {plan.classNames.length} class
        {plan.classNames.length === 1 ? '' : 'es'} · {setup.heldOut} held out to validate · cost ≈{' '}
        <span className="tabular">{formatMacs(plan.cachingMacs)}</span> multiply-adds to cache features, then{' '}
        <span className="tabular">{formatMacs(plan.epochMacs)}</span> per epoch (
        <span className="tabular">{formatMacs(plan.cachingMacs + plan.epochMacs * config.epochs)}</span> in all)
      </p>
      {plan.notes.length > 0 && (
        <ul className="small muted training-notes" data-testid="training-notes">
          {plan.notes.map((n) => (
            <li key={n}>{capitalized(n)}.</li>
          ))}
        </ul>
      )}
      {smallValidation && (
        <p className="small notice notice-warning" role="note" data-testid="training-small-validation">
          {capitalized(smallValidation)}.
        </p>
      )}
      {plan.labeled < 2 && (
        <p className="small error-text">
          {useCustom
            ? 'Assign your classes to at least 2 videos to fine-tune.'
            : 'Add at least 2 videos with labels (a TFRecord with labels, for example), or make your own classes, to fine-tune.'}
        </p>
      )}
      {setup.slow && (
        <p className="small notice notice-warning" role="note" data-testid="training-slow">
          {slowWarning(plan, config.epochs, config.mode === 'new-head' ? '“Last layer only”' : '“New head”')}
        </p>
      )}
    </>
  );
}

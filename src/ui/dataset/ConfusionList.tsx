import { useApp } from '../state/context';

/** The pairs of classes most often confused: a video's true label, and the top class that beat it. */
export function ConfusionList({
  classNames,
  onOpenPair,
}: {
  classNames: readonly string[];
  onOpenPair: (label: number, predicted: number) => void;
}) {
  const confusions = useApp((s) => s.dataset.report?.figures?.confusions);
  const name = (c: number) => classNames[c] ?? `class ${c}`;
  if (!confusions) return <p className="muted small">Waiting for predicted videos with labels.</p>;
  if (confusions.length === 0) return <p className="muted small">No labelled video has a top class outside its labels.</p>;
  return (
    <table className="data-table confusions" data-testid="dataset-confusions">
      <caption className="sr-only">Classes most often confused: a true label and the top class that beat it</caption>
      <thead>
        <tr>
          <th scope="col">True label</th>
          <th scope="col">Top class instead</th>
          <th scope="col" className="num">
            Videos
          </th>
          <th scope="col">
            <span className="sr-only">Open</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {confusions.map((c) => (
          <tr key={`${c.label}-${c.predicted}`}>
            <td>{name(c.label)}</td>
            <td>{name(c.predicted)}</td>
            <td className="num tabular">{c.videos}</td>
            <td>
              <button type="button" className="link-button" onClick={() => onOpenPair(c.label, c.predicted)}>
                Show the videos
                <span className="sr-only">
                  {' '}
                  labelled {name(c.label)} predicted as {name(c.predicted)}
                </span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

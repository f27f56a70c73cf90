import { useApp } from '../state/context';
import { Dialog } from './Dialog';

/** Files given again that are already listed: read only the videos not listed, all of them again, or none. */
export function FilePromptDialog() {
  const prompt = useApp((s) => s.filePrompt);
  const answer = useApp((s) => s.answerFilePrompt);
  if (!prompt) return null;
  return (
    <FilePromptBody key={prompt.files.join('\n')} files={prompt.files} listed={prompt.listed} partial={prompt.partial} answer={answer} />
  );
}

function FilePromptBody({
  files,
  listed,
  partial,
  answer,
}: {
  files: string[];
  listed: number;
  partial: string[];
  answer: (c: 'new' | 'again' | 'skip') => void;
}) {
  const one = files.length === 1;
  const names = files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`;
  const n = listed.toLocaleString('en-US');
  return (
    <Dialog
      title={one ? `${files[0]} is already listed` : `${files.length} files are already listed`}
      testId="file-prompt"
      onCancel={() => answer('skip')}
      actions={[
        {
          label: partial.length ? 'Read the videos not yet listed' : 'Skip the videos already listed',
          onClick: () => answer('new'),
          primary: true,
        },
        { label: 'Add all again', onClick: () => answer('again') },
        { label: one ? 'Don’t add it' : 'Don’t add them', onClick: () => answer('skip') },
      ]}
    >
      <p>
        {one ? '' : `${names}: `}
        {n} of {one ? 'its' : 'their'} video{listed === 1 ? ' is' : 's are'} in the list already.
        {partial.length > 0 && (
          <>
            {' '}
            {partial.join(', ')} {partial.length === 1 ? 'was' : 'were'} read only in part.
          </>
        )}
      </p>
      <p className="muted small">Added again, a video is listed and counted in the metrics twice.</p>
    </Dialog>
  );
}

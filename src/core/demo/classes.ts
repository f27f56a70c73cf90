/**
 * The demo's made-up classes. Each is signalled by a short event whose pattern
 * lives in the rgb features, the audio features or both, so a person can check
 * by eye which modality's attention should light up.
 */
export interface DemoClass {
  name: string;
  rgb: boolean;
  audio: boolean;
  /** A class the demo model was not trained on, whose event combines these demo classes' patterns. */
  parts?: number[];
}

export const DEMO_CLASSES: readonly DemoClass[] = [
  { name: 'applause', rgb: false, audio: true },
  { name: 'goal', rgb: true, audio: true },
  { name: 'engine start', rgb: false, audio: true },
  { name: 'dog bark', rgb: true, audio: true },
  { name: 'door knock', rgb: false, audio: true },
  { name: 'glass break', rgb: true, audio: true },
  { name: 'siren', rgb: true, audio: true },
  { name: 'lightning', rgb: true, audio: false },
  { name: 'fireworks', rgb: true, audio: true },
  { name: 'wave crash', rgb: true, audio: false },
];

/**
 * Labels the demo model never learned, for fine-tuning: each event is two demo
 * events happening at once, so a frozen encoder trained on the demo's patterns
 * can express it, as a pretrained YouTube-8M encoder expresses a user's labels.
 */
export const FINETUNE_CLASSES: readonly DemoClass[] = [
  { name: 'celebration', rgb: true, audio: true, parts: [1, 8] },
  { name: 'storm', rgb: true, audio: false, parts: [7, 9] },
  { name: 'break-in', rgb: true, audio: true, parts: [5, 4] },
  { name: 'traffic', rgb: true, audio: true, parts: [2, 6] },
];
